import { assert } from "../_assert.ts";
import { compose, type Middleware, Router } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";

type State = { calls: string[]; user?: string };

async function run(router: Router<State>, path: string): Promise<[number, string[], string]> {
  const calls: string[] = [];
  const handler = compose<State>((ctx, next) => {
    ctx.state.calls = calls;
    return next();
  }, router.routes() as Middleware<State>);
  const response = await handler(req(path), INFO);
  return [response.status, calls, await response.text()];
}

const done: Middleware<State> = (ctx) => {
  ctx.state.calls.push("route");
  return new Response(ctx.state.user ?? "");
};

Deno.test("Router.param runs before the routes that declare the param, and can answer", async () => {
  const router = new Router<State>()
    .param("user", (id, ctx, next) => {
      ctx.state.calls.push(`user:${id}`);
      if (id !== "1") return new Response("no such user", { status: 404 });
      ctx.state.user = "ada";
      return next();
    })
    .get("/users/:user", done)
    .get("/other/:id", done);
  assert.deepEqual(await run(router, "/users/1"), [200, ["user:1", "route"], "ada"]);
  assert.deepEqual(await run(router, "/users/2"), [404, ["user:2"], "no such user"]);
  assert.deepEqual(await run(router, "/other/2"), [200, ["route"], ""]);
});

Deno.test("Router.param handlers run in path order, several for one param in registration order", async () => {
  const log =
    (tag: string) => (value: string, ctx: { state: State }, next: () => Promise<Response>) => {
      ctx.state.calls.push(`${tag}:${value}`);
      return next();
    };
  const router = new Router<State>()
    .param("c", log("c"))
    .param("a", log("a1"))
    .param("b", log("b"))
    .param("a", log("a2"))
    .get("/:a/:b/:c", done);
  const [, calls] = await run(router, "/1/2/3");
  assert.deepEqual(calls, ["a1:1", "a2:1", "b:2", "c:3", "route"]);
});

Deno.test("Router.param applies to routes added later, to mounted routers' routes, and after use()", async () => {
  const child = new Router<State>().get("/:cid", (ctx) => {
    ctx.state.calls.push("child");
    return Response.json(ctx.params);
  });
  const router = new Router<State>()
    .use((ctx, next) => {
      ctx.state.calls.push("use");
      return next();
    })
    .param("id", (id, ctx, next) => {
      ctx.state.calls.push(`id:${id}`);
      ctx.params.id = "ran";
      return next();
    })
    .use("/:id/children", child.routes());
  router.get("/:id/late", done);
  const [status, calls, body] = await run(router, "/7/children/2");
  assert.equal(status, 200);
  assert.deepEqual(calls, ["use", "id:7", "child"]);
  assert.deepEqual(JSON.parse(body), { id: "ran", cid: "2" });
  assert.deepEqual((await run(router, "/8/late"))[1], ["use", "id:8", "route"]);
});

Deno.test("Router.param runs once per request, even when routes of two routers declare it", async () => {
  let count = 0;
  const handler = (_id: string, _ctx: unknown, next: () => Promise<Response>) => {
    count++;
    return next();
  };
  const inner = new Router().param("id", handler).get("/:id", (_ctx, next) => next());
  const outer = new Router().param("id", handler).use(inner.routes());
  const app = compose(outer.routes(), inner.routes(), () => new Response("end"));
  assert.equal(await (await app(req("/x"), INFO)).text(), "end");
  assert.equal(count, 1);
});

Deno.test("Router.param skips an optional param the request lacks, and checks its arguments", async () => {
  const router = new Router<State>()
    .param("page", (value, ctx, next) => {
      ctx.state.calls.push(`page:${value}`);
      return next();
    })
    .get("/list/:page?", done);
  assert.deepEqual((await run(router, "/list"))[1], ["route"]);
  assert.deepEqual((await run(router, "/list/2"))[1], ["page:2", "route"]);
  assert.throws(() => router.param("", done as never), /the name must be a non-empty string/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => router.param("x", null as any), /the handler is null/);
});

Deno.test("Router.param: one handler registered for several params runs for each", async () => {
  const seen: string[] = [];
  const check = (value: string, _ctx: unknown, next: () => Promise<Response>) => {
    seen.push(value);
    return next();
  };
  const router = new Router().param("a", check).param("b", check).get(
    "/:a/:b",
    () => new Response(),
  );
  await compose(router.routes())(req("/1/2"), INFO);
  assert.deepEqual(seen, ["1", "2"]);
});
