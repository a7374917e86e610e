import { assert } from "../_assert.ts";
import { compose, type Middleware, Router } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";

Deno.test("exclusive: false runs every matching route in registration order, each passing on with next()", async () => {
  const trace: string[] = [];
  const step = (tag: string): Middleware => (ctx, next) => {
    trace.push(`${tag} ${ctx.routePath} ${JSON.stringify(ctx.params)}`);
    return next();
  };
  const router = new Router({ exclusive: false })
    .get("users_single", "/users/:id{/*path}", step("single"))
    .get("users_all", "/users/all", step("all"))
    .get("/users/:name", (ctx) => {
      const params: Record<string, string> = ctx.params; // earlier routes' params stay
      return new Response(`${ctx.routeName ?? "-"} ${params.id}/${params.name}`);
    });
  const response = await compose(router.routes())(req("/users/all"), INFO);
  assert.equal(await response.text(), "- all/all");
  assert.deepEqual(trace, [
    'single /users/:id{/*path} {"id":"all"}',
    'all /users/all {"id":"all"}',
  ]);
});

Deno.test("exclusive: false allows duplicate routes; the first that answers wins", async () => {
  let counter = 0;
  const router = new Router({ exclusive: false })
    .get("/", () => {
      counter++;
      return new Response("forbidden", { status: 403 });
    })
    .get("/", () => {
      counter++;
      return new Response("second");
    });
  assert.equal((await compose(router.routes())(req("/"), INFO)).status, 403);
  assert.equal(counter, 1);
});

Deno.test("exclusive: false runs use() middleware once and param handlers once per request", async () => {
  const calls: string[] = [];
  const router = new Router({ exclusive: false })
    .use("/:id", (_ctx, next) => {
      calls.push("use");
      return next();
    })
    .param("id", (_id, _ctx, next) => {
      calls.push("param1");
      return next();
    })
    .get("/:id", (_ctx, next) => {
      calls.push("get1");
      return next();
    })
    .param("id", (_id, _ctx, next) => {
      calls.push("param2");
      return next();
    })
    .get("/:id", () => {
      calls.push("get2");
      return new Response("ok");
    });
  await compose(router.routes())(req("/test"), INFO);
  assert.deepEqual(calls, ["use", "param1", "param2", "get1", "get2"]);
});

Deno.test("exclusive: true (the default) runs only the most specific route and rejects duplicates", async () => {
  const router = new Router()
    .get("/users/:id", () => new Response("param"))
    .get("/users/all", () => new Response("static"));
  assert.equal(await (await compose(router.routes())(req("/users/all"), INFO)).text(), "static");
  assert.throws(
    () => router.get("/users/all", () => new Response()),
    /it duplicates route GET \/users\/all/,
  );
  assert.throws(
    () => router.get("/users/:name/x", () => new Response()),
    /:name conflicts with :id/,
  );
});

Deno.test("exclusive: false answers 405 and OPTIONS like the default", async () => {
  const router = new Router({ exclusive: false }).get("/a", () => new Response()).put(
    "/a",
    () => new Response(),
  );
  const handler = compose(router.routes(), router.allowedMethods());
  const response = await handler(req("/a", { method: "POST" }), INFO);
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "HEAD, GET, PUT");
});
