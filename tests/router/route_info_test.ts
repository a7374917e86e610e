import { assert } from "../_assert.ts";
import { compose, Context, type Middleware, Router } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";

const info: Middleware = (ctx) =>
  Response.json({
    routePath: ctx.routePath ?? null,
    routeName: ctx.routeName ?? null,
    _matchedRoute: ctx._matchedRoute ?? null,
    _matchedRouteName: ctx._matchedRouteName ?? null,
  });

Deno.test("The matched route's pattern and name are on ctx.routePath and ctx.routeName (and koa's names)", async () => {
  const nested = new Router().get("nested#updates", "/updates/:id", info);
  const router = new Router({ prefix: "/v1" })
    .get("/users/list", info)
    .get("users#show", "/users/:id", info)
    .use("/api", nested.routes());
  const handler = compose(router.routes());
  const json = async (path: string) => await (await handler(req(path), INFO)).json();
  assert.deepEqual(await json("/v1/users/list"), {
    routePath: "/v1/users/list",
    routeName: null,
    _matchedRoute: "/v1/users/list",
    _matchedRouteName: null,
  });
  assert.deepEqual(await json("/v1/users/7"), {
    routePath: "/v1/users/:id",
    routeName: "users#show",
    _matchedRoute: "/v1/users/:id",
    _matchedRouteName: "users#show",
  });
  assert.equal((await json("/v1/api/updates/1")).routePath, "/v1/api/updates/:id");
  assert.equal((await json("/v1/api/updates/1")).routeName, "nested#updates");
  // use() middleware sees them too, and they are unset before routing.
  const seen: (string | undefined)[] = [];
  const app = compose(
    (ctx, next) => {
      seen.push(ctx.routePath);
      return next();
    },
    new Router().use((ctx, next) => {
      seen.push(ctx.routePath);
      return next();
    }).get("/a/:b", info).routes(),
  );
  await app(req("/a/1"), INFO);
  assert.deepEqual(seen, [undefined, "/a/:b"]);
  assert.equal(new Context(req("/"), INFO)._matchedRoute, undefined);
});

Deno.test("Router.url: names, positional values, { query }, a query key in params, encode", () => {
  const router = new Router();
  router.get("books", "/books/:category/:id", () => new Response());
  router.get("home", "/", () => new Response());
  router.get("search", "/search/:query", () => new Response());
  const query = { page: 3, limit: 10 };
  assert.equal(
    router.url("books", "programming", 4, { query }),
    "/books/programming/4?page=3&limit=10",
  );
  assert.equal(
    router.url("books", { category: "programming", id: 4 }, { query }),
    "/books/programming/4?page=3&limit=10",
  );
  assert.equal(
    router.url("books", { category: "a", id: 4 }, { query: "page=3&limit=10" }),
    "/books/a/4?page=3&limit=10",
  );
  assert.equal(router.url("books", { category: "a", id: 4, query: { x: 1 } }), "/books/a/4?x=1");
  assert.equal(router.url("home", { query: { sort: "asc" } }), "/?sort=asc");
  assert.equal(
    router.url("books", { category: "how to node & js/ts", id: 1 }),
    "/books/how%20to%20node%20%26%20js%2Fts/1",
  );
  assert.equal(
    router.url("books", { category: "a b", id: 1 }, { encode: (v) => v.replace(" ", "-") }),
    "/books/a-b/1",
  );
  // A route with a parameter named "query" takes it as that parameter.
  assert.equal(router.url("search", { query: "deno" }), "/search/deno");
  assert.throws(() => router.url("books", 1, 2, 3), /3 values given for 2 parameters/);
  assert.throws(() => router.url("Picard"), {
    name: "TypeError",
    message: 'Cannot build URL: no route named "Picard"',
  });
});

Deno.test("Router.url (static) builds from a pattern", () => {
  assert.equal(
    Router.url("/:category/:title", { category: "programming", title: "how to node" }),
    "/programming/how%20to%20node",
  );
  assert.equal(
    Router.url("/books/:category/:id", "programming", 4, { query: { page: 3 } }),
    "/books/programming/4?page=3",
  );
  assert.equal(
    Router.url("/category", { query: { page: 3, limit: 10 } }),
    "/category?page=3&limit=10",
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => Router.url(/x/ as any), /the pattern must be a string, got object/);
});

Deno.test("Router.url of a mounted router includes the mount path (#16), through every level", () => {
  const pages = new Router({ prefix: "/:chapterName/pages" }).get(
    "page",
    "/:pageNumber",
    () => new Response(),
  );
  const chapters = new Router({ prefix: "/chapters" }).use(pages.routes());
  const books = new Router({ prefix: "/books" }).use(chapters.routes());
  const params = { chapterName: "Learning ECMA6", pageNumber: 123 };
  assert.equal(books.url("page", params), "/books/chapters/Learning%20ECMA6/pages/123");
  assert.equal(pages.url("page", params), "/books/chapters/Learning%20ECMA6/pages/123");
  const api = new Router().get("user", "/users/:id", () => new Response());
  new Router().use("/api", api.routes());
  assert.equal(api.url("user", { id: 1 }), "/api/users/1");
  assert.equal(api.route("user")!.path, "/api/users/:id");
});

Deno.test("Router.route(name) describes a route, including one of a mounted router", () => {
  const child = new Router().get("child", "/hello/:name", () => new Response());
  const router = new Router({ prefix: "/p" }).use(child.routes()).all(
    "any",
    "/x",
    () => new Response(),
  );
  const route = router.route("child")!;
  assert.equal(route.name, "child");
  assert.equal(route.path, "/p/hello/:name");
  assert.deepEqual(route.methods, ["HEAD", "GET"]);
  assert.deepEqual(route.paramNames, ["name"]);
  assert.equal(route.url({ name: "ada" }), "/p/hello/ada");
  assert.equal(route.url("bob", { query: { q: 1 } }), "/p/hello/bob?q=1");
  assert.ok(router.route("any")!.methods.includes("PURGE"));
  assert.equal(router.route("Picard"), undefined);
});

Deno.test("Router.prefix(path) re-prefixes existing routes, replacing (not stacking) the old prefix", async () => {
  const router = new Router().get("t", "/test", (ctx) => new Response(ctx.path));
  router.use((_ctx, next) => next());
  router.prefix("/api/v1");
  router.prefix("/api/v2");
  assert.equal(router.prefix(), "/api/v2");
  const handler = compose(router.routes());
  assert.equal(await (await handler(req("/api/v2/test"), INFO)).text(), "/api/v2/test");
  assert.equal((await handler(req("/api/v1/test"), INFO)).status, 404);
  assert.equal((await handler(req("/test"), INFO)).status, 404);
  assert.equal(router.url("t"), "/api/v2/test");
  // A parent sees the new prefix of a mounted router.
  const child = new Router().get("/c", (ctx) => new Response(ctx.routePath));
  const parent = new Router().use("/p", child.routes());
  child.prefix("/things/:thingId");
  assert.equal(
    await (await compose(parent.routes())(req("/p/things/1/c"), INFO)).text(),
    "/p/things/:thingId/c",
  );
  assert.throws(
    () => router.prefix("api"),
    /Cannot set router prefix "api": it must start with "\/"/,
  );
  assert.equal(router.prefix(), "/api/v2");
});

Deno.test("Router.redirect: paths, route names, absolute URLs, and the status", async () => {
  const router = new Router()
    .get("home", "/", () => new Response("home"))
    .get("sign-up-form", "/sign-up-form", () => new Response("form"))
    .redirect("home", "sign-up-form")
    .redirect("/old", "/new", 302)
    .redirect("/ext", "https://www.example.com")
    .redirect("/app", "my-custom-app-protocol://www.example.com/foo");
  const handler = compose(router.routes());
  const location = async (path: string, method = "GET") => {
    const response = await handler(req(path, { method }), INFO);
    return [response.status, response.headers.get("location")];
  };
  assert.deepEqual(await location("/", "POST"), [301, "/sign-up-form"]);
  assert.deepEqual(await location("/"), [200, null]); // the GET route wins over the redirect
  assert.deepEqual(await location("/old"), [302, "/new"]);
  assert.deepEqual(await location("/ext", "DELETE"), [301, "https://www.example.com/"]);
  assert.deepEqual(await location("/app"), [301, "my-custom-app-protocol://www.example.com/foo"]);
  assert.throws(() => router.redirect("missing", "/destination"), /no route named "missing"/);
  assert.throws(() => router.redirect("/source", "missing"), /no route named "missing"/);
  assert.throws(() => router.redirect("/a", "/b", 404), { name: "RangeError" });
});

Deno.test("The host option routes by the Host header: a string, a list or a RegExp", async () => {
  const make = (host: string | string[] | RegExp) => {
    const router = new Router({ host }).get("/", (ctx) => new Response(ctx.host));
    return compose(router.routes(), router.allowedMethods());
  };
  const status = async (handler: ReturnType<typeof make>, host: string, method = "GET") =>
    (await handler(new Request(`http://${host}/`, { method }), INFO)).status;
  const one = make("Test.Domain");
  assert.equal(await status(one, "test.domain"), 200);
  assert.equal(await status(one, "a.domain"), 404);
  assert.equal(await status(one, "a.domain", "POST"), 404); // allowedMethods skips other hosts
  assert.equal(await status(one, "test.domain", "POST"), 405);
  const re = make(/^(.*\.)?test\.domain$/);
  for (const host of ["test.domain", "www.test.domain", "any.sub.test.domain"]) {
    assert.equal(await status(re, host), 200, host);
  }
  assert.equal(await status(re, "sub.anytest.domain"), 404);
  const list = make(["some-domain.com", "www.some-domain.com", "localhost:8080"]);
  assert.equal(await status(list, "www.some-domain.com"), 200);
  assert.equal(await status(list, "localhost:8080"), 200);
  assert.equal(await status(list, "other-domain.com"), 404);
  // A mounted router's host applies to its routes in the parent.
  const child = new Router({ host: "api.test" }).get("/x", () => new Response("x"));
  const parent = compose(new Router().use(child.routes()).routes());
  assert.equal((await parent(new Request("http://api.test/x"), INFO)).status, 200);
  assert.equal((await parent(new Request("http://www.test/x"), INFO)).status, 404);
  const router = new Router({ host: [] });
  assert.equal(router.matchHost("test.domain"), false);
  assert.equal(new Router().matchHost(undefined), true);
  assert.equal(new Router({ host: "a" }).matchHost(""), false);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new Router({ host: 123 as any }), /Cannot set router host/);
});
