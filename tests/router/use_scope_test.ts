import { assert } from "../_assert.ts";
import { compose, type Middleware, Router } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";

function tracer(trace: string[], tag: string): Middleware {
  return (_ctx, next) => {
    trace.push(tag);
    return next();
  };
}

const ok: Middleware = (ctx) => new Response(ctx.path);

Deno.test("use('/') under a prefix runs for the prefix root only; use('') and use() for every route", async () => {
  const trace: string[] = [];
  const router = new Router({ prefix: "/account" })
    .use("/", tracer(trace, "root"))
    .use("", tracer(trace, "empty"))
    .use(tracer(trace, "all"))
    .get("/", ok)
    .get("/:id", ok);
  const handler = compose(router.routes());
  for (const path of ["/account", "/account/", "/account/7"]) await handler(req(path), INFO);
  assert.deepEqual(trace, ["root", "empty", "all", "root", "empty", "all", "empty", "all"]);
  // gh-46: "/" in an array of paths does not match every route.
  const seen: string[] = [];
  const list = new Router({ prefix: "/account" })
    .use(["/signout", "/", "/update"], tracer(seen, "mw"))
    .post("/signin", ok).delete("/signout", ok).get("/", ok);
  const app = compose(list.routes());
  await app(req("/account/signout", { method: "DELETE" }), INFO);
  await app(req("/account/"), INFO);
  await app(req("/account/signin", { method: "POST" }), INFO);
  assert.deepEqual(seen, ["mw", "mw"]);
});

Deno.test("use(path) with parameters, and scoped use() inside a mounted router, see mount paths", async () => {
  const trace: string[] = [];
  const child = new Router().use("/admin", tracer(trace, "child admin")).get("/admin/x", ok).get(
    "/y",
    ok,
  );
  const router = new Router()
    .use("/:id", tracer(trace, "by id"))
    .get("/:id", ok)
    .use("/api", child.routes());
  const handler = compose(router.routes());
  await handler(req("/7"), INFO);
  await handler(req("/api/admin/x"), INFO);
  await handler(req("/api/y"), INFO);
  assert.deepEqual(trace, ["by id", "by id", "child admin", "by id"]);
});

Deno.test("use(RegExp) runs for matching paths and sets ctx.captures", async () => {
  const seen: unknown[] = [];
  const router = new Router()
    .use(/^\/a(\d)?/, (ctx, next) => {
      seen.push([...ctx.captures]);
      return next();
    })
    .post("/a1", ok).post("/a", ok).post("/b1", ok);
  const handler = compose(router.routes());
  for (const path of ["/a1", "/a", "/b1"]) await handler(req(path, { method: "POST" }), INFO);
  assert.deepEqual(seen, [["1"], [undefined]]);
  assert.throws(
    () => router.use(/x/, new Router().routes()),
    /Cannot mount a router under a RegExp/,
  );
});

Deno.test("use() middleware sees the matched route's full params", async () => {
  let params: unknown;
  const router = new Router({ prefix: "/:category" })
    .use((ctx, next) => {
      params = { ...ctx.params };
      return next();
    })
    .get("/:active/suffix", ok);
  await compose(router.routes())(req("/cats/true/suffix"), INFO);
  assert.deepEqual(params, { category: "cats", active: "true" });
});

Deno.test("Middleware of a nested router does not run for routes of other routers (gh-90)", async () => {
  const trace: string[] = [];
  const ajax = new Router({ prefix: "/a" }).use(tracer(trace, "auth")).get("/1", ok);
  const index = new Router().get("/", ok).get("/about", ok);
  const main = new Router().use(ajax.routes()).use(index.routes());
  const handler = compose(main.routes());
  await handler(req("/a/1"), INFO);
  await handler(req("/about"), INFO);
  assert.deepEqual(trace, ["auth"]);
});

Deno.test("The same router mounted at two paths serves both (koa-router gh-244)", async () => {
  const nested = new Router({ prefix: "/qux" }).get("/baz", (ctx) => Response.json(ctx.state));
  const base = new Router({ prefix: "/api" })
    .use("/foo", (ctx, next) => {
      ctx.state.foo = "foo";
      return next();
    }, nested.routes())
    .use("/bar", (ctx, next) => {
      ctx.state.bar = "bar";
      return next();
    }, nested.routes());
  const handler = compose(base.routes());
  assert.deepEqual(await (await handler(req("/api/foo/qux/baz"), INFO)).json(), { foo: "foo" });
  assert.deepEqual(await (await handler(req("/api/bar/qux/baz"), INFO)).json(), { bar: "bar" });
});

Deno.test("A RegExp use() sees its captures; the route after it sees its own", async () => {
  const seen: unknown[] = [];
  const router = new Router()
    .use(/^\/(a)/, (ctx, next) => {
      seen.push([...ctx.captures]);
      return next();
    })
    .get(/^\/a(\d)$/, (ctx) => {
      seen.push([...ctx.captures]);
      return new Response("ok");
    });
  await compose(router.routes())(req("/a7"), INFO);
  assert.deepEqual(seen, [["a"], ["7"]]);
});

Deno.test("Mounting a router twice at one path throws and leaves both routers as they were", async () => {
  const child = new Router().get("/x", ok);
  const parent = new Router().use("/p", child.routes());
  assert.throws(() => parent.use("/p", child.routes()), /it duplicates route GET \/p\/x/);
  const handler = compose(parent.routes(), parent.allowedMethods());
  assert.equal(await (await handler(req("/p/x"), INFO)).text(), "/p/x");
  child.get("/y", ok); // still mounted once
  assert.equal(await (await handler(req("/p/y"), INFO)).text(), "/p/y");
});
