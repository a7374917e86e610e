import { assert } from "../_assert.ts";
import { HttpError } from "../../http/http_error.ts";
import { KNOWN_METHODS } from "../../http/_parser/known_names.ts";
import { METHODS as HTTP_METHODS } from "../../http/methods.ts";
import { compose, METHODS, type Middleware, Router } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";

const say = (body: string): Middleware => () => new Response(body);

Deno.test("METHODS is the list of methods the server's parser accepts (one list, http's)", () => {
  assert.equal(METHODS, KNOWN_METHODS);
  assert.equal(METHODS, HTTP_METHODS);
});

Deno.test("Router has a verb for every method the server accepts, and each routes its method", async () => {
  const router = new Router();
  for (const method of METHODS) {
    const verb = method.toLowerCase() as Lowercase<typeof method>;
    assert.equal(typeof router[verb], "function", verb);
    assert.equal(router[verb](`/${verb}`, say(method)), router, `${verb} chains`);
  }
  const handler = compose(router.routes());
  for (
    const method of ["PURGE", "COPY", "LOCK", "M-SEARCH", "MKCOL", "PROPFIND", "SEARCH", "QUERY"]
  ) {
    const response = await handler(req(`/${method.toLowerCase()}`, { method }), INFO);
    assert.equal(await response.text(), method);
  }
  // Typed too: ctx.params of an extension verb comes from the path literal.
  router.purge("/cache/:key", (ctx) => new Response(ctx.params.key));
  router["m-search"]("/ssdp", say("ssdp"));
});

Deno.test("Router.del is delete", async () => {
  const router = new Router().del("/users/:id", (ctx) => Response.json({ deleted: ctx.params.id }));
  const response = await compose(router.routes())(req("/users/123", { method: "DELETE" }), INFO);
  assert.deepEqual(await response.json(), { deleted: "123" });
});

Deno.test("allowedMethods: 501 for a method outside the methods option, whatever has routes", async () => {
  const router = new Router({ methods: ["GET", "POST", "PATCH"] })
    .get("/users", say("g"))
    .patch("/users/:id", say("p"));
  const handler = compose(router.routes(), router.allowedMethods());
  assert.equal((await handler(req("/users/1", { method: "PATCH" }), INFO)).status, 200);
  assert.equal((await handler(req("/users/1", { method: "PUT" }), INFO)).status, 501);
  assert.equal((await handler(req("/users/1", { method: "DELETE" }), INFO)).status, 501);
  assert.equal((await handler(req("/users", { method: "POST" }), INFO)).status, 405);
  assert.throws(
    () => new Router({ methods: ["GET", "BAD METHOD"] }),
    /"BAD METHOD" is not a method name/,
  );
});

Deno.test("allowedMethods: by default a method some route registers is implemented (405, not 501)", async () => {
  const router = new Router().get("/cache/:key", say("g")).purge("/cache/:key", say("p"));
  router.get("/other", say("o"));
  const handler = compose(router.routes(), router.allowedMethods());
  assert.equal(await (await handler(req("/cache/a", { method: "PURGE" }), INFO)).text(), "p");
  const other = await handler(req("/other", { method: "PURGE" }), INFO);
  assert.equal(other.status, 405);
  assert.equal(other.headers.get("allow"), "HEAD, GET");
  // A method no route registers and not in the defaults: 501, with Allow when the path exists.
  const lock = await handler(req("/other", { method: "LOCK" }), INFO);
  assert.equal(lock.status, 501);
  assert.equal(lock.headers.get("allow"), "HEAD, GET");
  assert.equal(
    (await handler(req("/nowhere", { method: "LOCK" }), INFO)).headers.get("allow"),
    null,
  );
});

Deno.test("allowedMethods({ throw, methodNotAllowed, notImplemented }) throws the errors they make", async () => {
  const router = new Router().get("/users", say("g")).put("/users", say("p"));
  const caught: unknown[] = [];
  const render: Middleware = async (_ctx, next) => {
    try {
      return await next();
    } catch (error) {
      caught.push(error);
      const e = error as { status: number; body?: unknown };
      return Response.json(e.body ?? null, { status: e.status });
    }
  };
  const custom = (status: number, message: string) => () =>
    Object.assign(new Error(message), { status, body: { error: message } });
  const handler = compose(
    router.routes(),
    render,
    router.allowedMethods({
      throw: true,
      methodNotAllowed: custom(405, "Custom Not Allowed"),
      notImplemented: custom(501, "Custom Not Implemented"),
    }),
  );
  const r405 = await handler(req("/users", { method: "POST" }), INFO);
  assert.equal(r405.status, 405);
  assert.deepEqual(await r405.json(), { error: "Custom Not Allowed" });
  const r501 = await handler(req("/users", { method: "SEARCH" }), INFO);
  assert.equal(r501.status, 501);
  assert.deepEqual(await r501.json(), { error: "Custom Not Implemented" });
  assert.equal((caught[0] as Error).message, "Custom Not Allowed");
  // Without the factories: HttpErrors with Allow.
  const plain = compose(router.routes(), render, router.allowedMethods({ throw: true }));
  await plain(req("/users", { method: "POST" }), INFO);
  assert.ok(caught[2] instanceof HttpError);
  assert.equal((caught[2] as HttpError).status, 405);
  assert.deepEqual((caught[2] as HttpError).headers, { allow: "HEAD, GET, PUT" });
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => router.allowedMethods({ methodNotAllowed: "nope" as any }),
    /methodNotAllowed must be a function/,
  );
});

Deno.test("allowedMethods: HEAD follows GET, but not POST or PUT routes", async () => {
  const router = new Router().get("/r", say("g")).post("/users", say("p")).put(
    "/users/:id",
    say("u"),
  );
  const handler = compose(router.routes(), router.allowedMethods());
  assert.equal((await handler(req("/r", { method: "HEAD" }), INFO)).status, 200);
  assert.equal((await handler(req("/users", { method: "HEAD" }), INFO)).status, 405);
  assert.equal((await handler(req("/users/1", { method: "HEAD" }), INFO)).status, 405);
});
