import { assert } from "../_assert.ts";
import { HttpError } from "../../http/http_error.ts";
import { compose, Context, type Middleware, Router } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";
import { inject } from "../../http/inject.ts";

function app(router: Router, ...after: Middleware[]) {
  return compose(router.routes(), router.allowedMethods(), ...after);
}

async function text(router: Router, path: string, method = "GET"): Promise<[number, string]> {
  const response = await app(router)(req(path, { method }), INFO);
  return [response.status, await response.text()];
}

const say = (body: string): Middleware => () => new Response(body);

Deno.test("Router routes each verb to its own route", async () => {
  const router = new Router();
  for (const m of ["get", "post", "put", "patch", "delete", "options"] as const) {
    router[m]("/r", say(m));
  }
  router.head("/h", () => new Response(null, { headers: { "x-head": "1" } }));
  for (const m of ["get", "post", "put", "patch", "delete", "options"]) {
    assert.deepEqual(await text(router, "/r", m.toUpperCase()), [200, m]);
  }
  const head = await app(router)(req("/h", { method: "HEAD" }), INFO);
  assert.equal(head.headers.get("x-head"), "1");
});

Deno.test("Router.all answers every method, and a method's own route wins over it", async () => {
  const router = new Router().all("/x", say("all")).get("/x", say("get"));
  assert.deepEqual(await text(router, "/x", "POST"), [200, "all"]);
  assert.deepEqual(await text(router, "/x", "BREW"), [200, "all"]);
  assert.deepEqual(await text(router, "/x"), [200, "get"]);
});

Deno.test("Router.query routes QUERY requests with their body, by path and by name", async () => {
  const router = new Router()
    .query("/contacts/:list", async (ctx) => {
      const { name } = await ctx.request.json();
      return Response.json({ list: ctx.params.list, name });
    })
    .query("search", "/search", async (ctx) => new Response(`found ${await ctx.request.text()}`))
    .get("/contacts/:list", say("get"));
  const body = JSON.stringify({ name: "Ada" });
  const found = await app(router)(req("/contacts/work", { method: "QUERY", body }), INFO);
  assert.deepEqual(await found.json(), { list: "work", name: "Ada" });
  assert.deepEqual(await text(router, "/contacts/work"), [200, "get"]);
  const named = await app(router)(req("/search", { method: "QUERY", body: "q=1" }), INFO);
  assert.equal(await named.text(), "found q=1");
  assert.equal(router.url("search", {}, { query: { page: 2 } }), "/search?page=2");
  // Methods are case-sensitive (RFC 9110 §9.1): "query" is not QUERY.
  assert.equal((await app(router)(req("/search", { method: "query" }), INFO)).status, 501);
});

Deno.test("Router.all answers QUERY, and a QUERY route wins over it", async () => {
  const router = new Router().all("/x", say("all")).query("/y", say("query")).all("/y", say("all"));
  assert.deepEqual(await text(router, "/x", "QUERY"), [200, "all"]);
  assert.deepEqual(await text(router, "/y", "QUERY"), [200, "query"]);
  assert.deepEqual(await text(router, "/y", "POST"), [200, "all"]);
});

Deno.test("Router sets percent-decoded params; a malformed escape answers 400", async () => {
  const router = new Router()
    .get("/users/:id/posts/:postId?", (ctx) => Response.json(ctx.params))
    .get("/n/:n(\\d+)", (ctx) => Response.json(ctx.params))
    .get("/files/*path", (ctx) => Response.json(ctx.params));
  const json = async (path: string) => {
    const response = await app(router)(req(path), INFO);
    return [
      response.status,
      response.status === 200 ? await response.json() : await response.text(),
    ];
  };
  assert.deepEqual(await json("/users/J%C3%B6rg/posts"), [200, { id: "J\u00f6rg" }]);
  assert.deepEqual(await json("/users/1/posts/a%2Fb"), [200, { id: "1", postId: "a/b" }]);
  assert.deepEqual(await json("/n/12"), [200, { n: "12" }]);
  assert.deepEqual(await json("/n/x"), [404, "Not Found"]);
  assert.deepEqual(await json("/files/a/b%20c.txt"), [200, { path: "a/b c.txt" }]);
  assert.deepEqual(await json("/users/%E0%A4%A/posts"), [
    400,
    'Cannot decode path parameter "id": malformed percent-encoding in "%E0%A4%A"',
  ]);
});

Deno.test("Router prefers static over param over wildcard whatever the registration order", async () => {
  const router = new Router()
    .get("/p/*", say("wild"))
    .get("/p/:id", say("param"))
    .get("/p/me", say("static"));
  assert.deepEqual(await text(router, "/p/me"), [200, "static"]);
  assert.deepEqual(await text(router, "/p/you"), [200, "param"]);
  assert.deepEqual(await text(router, "/p/you/too"), [200, "wild"]);
});

Deno.test("Router serves HEAD from GET routes: the GET head with its Content-Length, no body on the wire", async () => {
  const router = new Router()
    .get("/g", () => new Response("body", { headers: { "x-a": "1" } }))
    .get("/h", say("get"))
    .head("/h", () => new Response(null, { status: 204, headers: { "x-own": "1" } }));
  const response = await app(router)(req("/g", { method: "HEAD" }), INFO);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-a"), "1");
  const { bytes } = await inject(app(router), "HEAD /g HTTP/1.1\r\nHost: x\r\n\r\n");
  const wire = new TextDecoder().decode(bytes);
  assert.match(wire, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(wire, /\r\ncontent-length: 4\r\n/i);
  assert.match(wire, /\r\nx-a: 1\r\n/i);
  assert.ok(wire.endsWith("\r\n\r\n"), "no body after the head");
  const own = await app(router)(req("/h", { method: "HEAD" }), INFO);
  assert.equal(own.status, 204);
  assert.equal(own.headers.get("x-own"), "1");
});

Deno.test("allowedMethods answers 405 with Allow when the path has other methods", async () => {
  const router = new Router().get("/u/:id", say("g")).delete("/u/:id", say("d")).put(
    "/u/me",
    say("p"),
  );
  const response = await app(router)(req("/u/me", { method: "POST" }), INFO);
  assert.equal(response.status, 405);
  // koa-router's Allow: registration order, HEAD just before GET.
  assert.equal(response.headers.get("allow"), "HEAD, GET, DELETE, PUT");
  assert.equal(await response.text(), "Method Not Allowed");
  const other = await app(router)(req("/u/7", { method: "PATCH" }), INFO);
  assert.equal(other.headers.get("allow"), "HEAD, GET, DELETE");
  assert.equal((await app(router)(req("/nope", { method: "POST" }), INFO)).status, 404);
});

Deno.test("allowedMethods lists QUERY in Allow and answers a QUERY on a GET-only path 405, not 501", async () => {
  const router = new Router().get("/s", say("g")).query("/s", say("q")).post("/p", say("p"));
  const wrong = await app(router)(req("/s", { method: "DELETE" }), INFO);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "HEAD, GET, QUERY");
  const options = await app(router)(req("/s", { method: "OPTIONS" }), INFO);
  assert.equal(options.status, 200);
  assert.equal(options.headers.get("allow"), "HEAD, GET, QUERY");
  // QUERY is a method the Router knows: a path without a QUERY route answers 405.
  const query = await app(router)(req("/p", { method: "QUERY", body: "{}" }), INFO);
  assert.equal(query.status, 405);
  assert.equal(query.headers.get("allow"), "POST");
  const throwing = compose(router.routes(), router.allowedMethods({ throw: true }));
  const thrown = await throwing(req("/p", { method: "QUERY" }), INFO);
  assert.equal(thrown.status, 405);
  assert.equal(thrown.headers.get("allow"), "POST");
});

Deno.test("allowedMethods answers 501 for methods the router does not know", async () => {
  const router = new Router().get("/a", say("a"));
  const known = await app(router)(req("/a", { method: "PROPFIND" }), INFO);
  assert.equal(known.status, 501);
  assert.equal(known.headers.get("allow"), "HEAD, GET");
  const unknownPath = await app(router)(req("/zzz", { method: "BREW" }), INFO);
  assert.equal(unknownPath.status, 501);
  assert.equal(unknownPath.headers.get("allow"), null);
  // Methods are case-sensitive (RFC 9110 §9.1): "patch" is not PATCH.
  assert.equal((await app(router)(req("/a", { method: "patch" }), INFO)).status, 501);
});

Deno.test("allowedMethods answers OPTIONS with 200, Allow and Content-Length 0; an OPTIONS route wins", async () => {
  const router = new Router().get("/a", say("a")).post("/a", say("p")).options("/b", say("mine"));
  router.get("/b", say("b"));
  const response = await app(router)(req("/a", { method: "OPTIONS" }), INFO);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("allow"), "HEAD, GET, POST");
  assert.equal(await response.text(), "");
  const { bytes } = await inject(app(router), "OPTIONS /a HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.match(new TextDecoder().decode(bytes), /\r\ncontent-length: 0\r\n/i);
  assert.deepEqual(await text(router, "/b", "OPTIONS"), [200, "mine"]);
  assert.equal((await app(router)(req("/none", { method: "OPTIONS" }), INFO)).status, 404);
});

Deno.test("allowedMethods leaves a route's own 404 alone", async () => {
  const router = new Router().get(
    "/users/:id",
    () => new Response("no such user", { status: 404 }),
  );
  assert.deepEqual(await text(router, "/users/9"), [404, "no such user"]);
  // HEAD gets the route's own response (the server sends its head only).
  assert.deepEqual(await text(router, "/users/9", "HEAD"), [404, "no such user"]);
});

Deno.test("allowedMethods({ throw: true }) throws HttpErrors that compose renders", async () => {
  const router = new Router().get("/a", say("a"));
  let caught: unknown;
  const handler = compose(
    async (_ctx, next) => {
      try {
        return await next();
      } catch (error) {
        caught = error;
        throw error;
      }
    },
    router.routes(),
    router.allowedMethods({ throw: true }),
  );
  const response = await handler(req("/a", { method: "DELETE" }), INFO);
  assert.ok(caught instanceof HttpError);
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "HEAD, GET");
  assert.equal((await handler(req("/a", { method: "MKCOL" }), INFO)).status, 501);
});

Deno.test("Router route middleware run in order and their next() continues the outer chain", async () => {
  const trace: string[] = [];
  const router = new Router().get("/a", async (_ctx, next) => {
    trace.push("route 1");
    return await next();
  }, (ctx, next) => {
    trace.push("route 2");
    ctx.state.from = "route";
    return next();
  });
  const response = await app(router, (ctx) => new Response(`after routes, from ${ctx.state.from}`))(
    req("/a"),
    INFO,
  );
  assert.equal(await response.text(), "after routes, from route");
  assert.deepEqual(trace, ["route 1", "route 2"]);
});

Deno.test("Router.use middleware runs before route middleware, only for matched routes, even later ones", async () => {
  const trace: string[] = [];
  const router = new Router();
  router.use(async (ctx, next) => {
    trace.push(`use ${ctx.path}`);
    return await next();
  });
  router.get("/late", say("late"));
  router.use("/admin", (_ctx, next) => {
    trace.push("admin guard");
    return next();
  });
  router.get("/admin/x", say("x")).get("/administrator", say("y"));
  assert.deepEqual(await text(router, "/late"), [200, "late"]);
  assert.deepEqual(await text(router, "/admin/x"), [200, "x"]);
  assert.deepEqual(await text(router, "/administrator"), [200, "y"]);
  assert.deepEqual(await text(router, "/missing"), [404, "Not Found"]);
  assert.deepEqual(trace, ["use /late", "use /admin/x", "admin guard", "use /administrator"]);
});

Deno.test("Router prefix applies to every route; '/' under a prefix is the prefix itself", async () => {
  const router = new Router({ prefix: "/api/" }).get("/", say("root")).get("/v/:id", say("v"));
  assert.equal(router.prefix(), "/api");
  assert.deepEqual(await text(router, "/api"), [200, "root"]);
  assert.deepEqual(await text(router, "/api/"), [200, "root"]);
  assert.deepEqual(await text(router, "/api/v/1"), [200, "v"]);
  assert.deepEqual(await text(router, "/v/1"), [404, "Not Found"]);
  assert.throws(
    () => new Router({ prefix: "api" }),
    /Cannot set router prefix "api": it must start with "\/"/,
  );
});

Deno.test("Router mounts nested routers under a path, including routes added after mounting", async () => {
  const trace: string[] = [];
  const users = new Router({ prefix: "/users" }).get(
    "user",
    "/:id",
    (ctx) => new Response(`user ${ctx.params.id}`),
  );
  users.use((_ctx, next) => {
    trace.push("users mw");
    return next();
  });
  const api = new Router();
  api.use((_ctx, next) => {
    trace.push("api mw");
    return next();
  });
  api.use("/v1", users.routes());
  users.post("/", () => new Response("created", { status: 201 }));
  const root = new Router().get("/", say("home")).use("/api", api.routes());
  assert.deepEqual(await text(root, "/api/v1/users/5"), [200, "user 5"]);
  assert.deepEqual(await text(root, "/api/v1/users", "POST"), [201, "created"]);
  assert.deepEqual(trace, ["api mw", "users mw", "api mw", "users mw"]);
  assert.deepEqual(await text(root, "/"), [200, "home"]);
  assert.equal(
    (await app(root)(req("/api/v1/users/5", { method: "PUT" }), INFO)).headers.get("allow"),
    "HEAD, GET",
  );
  assert.equal(root.url("user", { id: 5 }), "/api/v1/users/5");
  // The child still works on its own.
  assert.deepEqual(await text(users, "/users/7"), [200, "user 7"]);
});

Deno.test("Router refuses to mount a router inside itself", () => {
  const a = new Router();
  const b = new Router();
  b.use(a.routes());
  assert.throws(() => a.use(b.routes()), /Cannot mount a router inside itself/);
  assert.throws(() => a.use(a.routes()), /Cannot mount a router inside itself/);
});

Deno.test("Router throws at registration for conflicting routes, naming both", async () => {
  const router = new Router().get("/users/:id", say("a"));
  assert.throws(() => router.get("/users/:id/", say("b")), {
    name: "TypeError",
    message: "Cannot add route GET /users/:id/: it duplicates route GET /users/:id",
  });
  assert.throws(
    () => router.get("byName", "/users/:name/x", say("c")),
    /Cannot add route GET \/users\/:name\/x \("byName"\): parameter :name conflicts with :id of route GET \/users\/:id/,
  );
  // Conflicts through a mount name the full paths, and leave both routers unchanged.
  const child = new Router().get("/:slug", say("s"));
  const parent = new Router().get("/blog/:id", say("p"));
  assert.throws(
    () => parent.use("/blog", child.routes()),
    /GET \/blog\/:slug: parameter :slug conflicts with :id of route GET \/blog\/:id/,
  );
  child.get("/ok/fine", say("f"));
  assert.deepEqual(await text(parent, "/blog/ok/fine"), [404, "Not Found"]);
  assert.deepEqual(await text(parent, "/blog/7"), [200, "p"]);
  assert.throws(
    () => new Router().get("one", "/a", say("")).get("one", "/b", say("")),
    /the name "one" is taken by route GET \/a \("one"\)/,
  );
});

Deno.test("Router rejects bad arguments with TypeErrors that say what was wrong", () => {
  const router = new Router();
  assert.throws(() => router.get("/a"), /Cannot add route GET \/a: no middleware given/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => router.get("/a", 42 as any), /middleware 0 is number/);
  assert.throws(
    () => router.get("a", say("")),
    /Cannot parse route path "a": it must start with "\/"/,
  );
  assert.throws(() => router.use("/x"), /Cannot use\(\): no middleware given/);
  assert.throws(() => router.use(["/x"]), /Cannot use\(\): no middleware given/);
  assert.throws(
    () => router.use("x", say("")),
    /Cannot set use\(\) path "x": it must start with "\/"/,
  );
  assert.throws(() => router.use(router.allowedMethods()), /Cannot use\(\) allowedMethods\(\)/);
  assert.throws(
    () => (router.get as unknown as (mw: Middleware) => void)(say("")),
    /the path must be a string, a RegExp or an array/,
  );
  assert.throws(() => router.redirect("/a", "/b", 200), RangeError);
  assert.throws(() => router.redirect("nope", "/b"), /Cannot redirect: no route named "nope"/);
});

Deno.test("Router.url builds encoded paths with query strings", () => {
  const router = new Router({ prefix: "/api" })
    .get("post", "/users/:id/posts/:postId?", say(""))
    .get("num", "/n/:n(\\d+)", say(""))
    .get("file", "/files/*path", say(""));
  assert.equal(router.url("post", { id: "a b/c" }), "/api/users/a%20b%2Fc/posts");
  assert.equal(router.url("post", { id: 1, postId: "\u00e9" }), "/api/users/1/posts/%C3%A9");
  assert.equal(
    router.url("post", { id: 1 }, { query: { q: "x y", n: 2 } }),
    "/api/users/1/posts?q=x+y&n=2",
  );
  assert.equal(
    router.url("post", { id: 1 }, { query: new URLSearchParams("a=1") }),
    "/api/users/1/posts?a=1",
  );
  assert.equal(router.url("post", { id: 1 }, {}), "/api/users/1/posts");
  assert.equal(
    router.url("post", { id: 1 }, { query: { a: [1, 2], b: null } }),
    "/api/users/1/posts?a=1&a=2&b=",
  );
  assert.equal(router.url("file", { path: "a b/c.txt" }), "/api/files/a%20b/c.txt");
  assert.equal(router.url("num", { n: 42 }), "/api/n/42");
  assert.throws(
    () => router.url("post", {}),
    /Cannot build URL for route GET \/api\/users\/:id\/posts\/:postId\? \("post"\): missing parameter :id/,
  );
  assert.throws(() => router.url("num", { n: "x" }), /"x" does not match :n\(\\d\+\)/);
  assert.throws(() => router.url("nope"), /Cannot build URL: no route named "nope"/);
  assert.equal(router.route("nope"), undefined);
});

Deno.test("Router options: caseSensitive false and strict true", async () => {
  const loose = new Router({ caseSensitive: false }).get(
    "/About/:Name",
    (ctx) => new Response(ctx.params.Name),
  );
  assert.deepEqual(await text(loose, "/about/AdA"), [200, "AdA"]);
  const strict = new Router({ strict: true }).get("/a", say("a")).get("/b/", say("b"));
  assert.deepEqual(await text(strict, "/a"), [200, "a"]);
  assert.deepEqual(await text(strict, "/a/"), [404, "Not Found"]);
  assert.deepEqual(await text(strict, "/b/"), [200, "b"]);
  assert.deepEqual(await text(strict, "/b"), [404, "Not Found"]);
  const sensitive = new Router().get("/About", say("x"));
  assert.deepEqual(await text(sensitive, "/about"), [404, "Not Found"]);
});

Deno.test("Router finds each of 10,000 routes through routes()", async () => {
  const router = new Router();
  for (let i = 0; i < 10_000; i++) {
    router.get(`/r${i}/:id`, (ctx) => new Response(`${i}:${ctx.params.id}`));
  }
  const handler = compose(router.routes());
  for (const i of [0, 1, 4999, 9999]) {
    assert.equal(await (await handler(req(`/r${i}/x`), INFO)).text(), `${i}:x`);
  }
});

Deno.test("routes() rejects, never throws, when a parameter cannot be decoded", async () => {
  const router = new Router().get("/u/:id", say("u"));
  const ctx = new Context(req("/u/%zz"), INFO);
  let result: unknown;
  assert.doesNotThrow(() => result = router.routes()(ctx, () => Promise.resolve(new Response())));
  await assert.rejects(
    result as Promise<Response>,
    (e: unknown) => e instanceof HttpError && e.status === 400,
  );
});
