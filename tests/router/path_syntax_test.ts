import { assert } from "../_assert.ts";
import { compose, type Middleware, Router } from "../../router/mod.ts";
import { RouteTree } from "../../router/_route_tree.ts";
import { parsePathPattern } from "../../router/_path_pattern.ts";
import { INFO, req } from "./_info.ts";

async function get(router: Router, path: string, method = "GET"): Promise<[number, string]> {
  const response = await compose(router.routes(), router.allowedMethods())(
    req(path, { method }),
    INFO,
  );
  return [response.status, await response.text()];
}

const echo: Middleware = (ctx) =>
  Response.json({ params: { ...ctx.params }, captures: ctx.captures, route: ctx.routePath });

Deno.test("Router: in-segment groups such as /:file{.:ext}", async () => {
  const router = new Router()
    .get("/resources", echo)
    .get("/resources/:id{.:ext}", echo)
    .get("/v:major(\\d+)/x", echo)
    .get("/range/:from-:to", echo);
  const json = async (path: string) => JSON.parse((await get(router, path))[1]).params;
  assert.deepEqual(await json("/resources"), {});
  assert.deepEqual(await json("/resources/10"), { id: "10" });
  assert.deepEqual(await json("/resources/10.json"), { id: "10", ext: "json" });
  assert.deepEqual(await json("/resources/archive.tar.gz"), { id: "archive", ext: "tar.gz" });
  assert.deepEqual(await json("/v2/x"), { major: "2" });
  assert.deepEqual(await json("/range/1-9"), { from: "1", to: "9" });
  assert.deepEqual(await get(router, "/vx/x"), [404, "Not Found"]);
  assert.equal(router.url === undefined, false);
  assert.equal(Router.url("/resources/:id{.:ext}", { id: 10, ext: "json" }), "/resources/10.json");
  assert.equal(Router.url("/resources/:id{.:ext}", { id: 10 }), "/resources/10");
});

Deno.test("Router: a wildcard followed by a suffix (/files/*path/raw)", async () => {
  const router = new Router()
    .get("/files/*path/raw", echo)
    .get("/files/*path", echo)
    .get("/user/{*any}.jsx", echo);
  const json = async (path: string) => JSON.parse((await get(router, path))[1]);
  assert.deepEqual(await json("/files/a/b/raw"), {
    params: { path: "a/b" },
    captures: [],
    route: "/files/*path/raw",
  });
  assert.deepEqual((await json("/files/a/b")).params, { path: "a/b" });
  assert.deepEqual((await json("/files/raw")).params, { path: "raw" });
  assert.deepEqual((await json("/files/a%20b/raw")).params, { path: "a b" });
  assert.deepEqual((await json("/user/account.jsx")).params, { any: "account" });
  assert.deepEqual((await json("/user/a/b.jsx")).params, { any: "a/b" });
  assert.deepEqual(await get(router, "/user/account.js"), [404, "Not Found"]);
  assert.equal(Router.url("/files/*path/raw", { path: "a b/c" }), "/files/a%20b/c/raw");
});

Deno.test("Router: RegExp paths, with captures on ctx.captures and named groups in ctx.params", async () => {
  const router = new Router()
    .get(/^\/api\/([^/]+)\/?/i, echo)
    .get("named", /^\/v(?<major>\d+)(\/.*)?$/, echo)
    .get("/static", echo);
  assert.deepEqual(JSON.parse((await get(router, "/api/1"))[1]), {
    params: {},
    captures: ["1"],
    route: "/^\\/api\\/([^/]+)\\/?/i",
  });
  assert.deepEqual(JSON.parse((await get(router, "/API/a%20b/"))[1]).captures, ["a b"]);
  const v = JSON.parse((await get(router, "/v3"))[1]);
  assert.deepEqual(v.params, { major: "3" });
  assert.deepEqual(v.captures, ["3", null]); // undefined: the group took no part
  assert.deepEqual(JSON.parse((await get(router, "/static"))[1]).route, "/static");
  assert.deepEqual(await get(router, "/api/%E0%A4%A"), [
    400,
    'Cannot decode path parameter "0": malformed percent-encoding in "%E0%A4%A"',
  ]);
  assert.throws(() => router.url("named"), /it has a RegExp path/);
  assert.equal((await get(router, "/nope")).at(0), 404);
});

Deno.test("Router: RegExp routes under a prefix and in mounted routers test the rest of the path", async () => {
  const child = new Router().get(/^\/(\w)$/, echo);
  const router = new Router({ prefix: "/p" }).get(/^\/x(\d+)$/, echo);
  router.use("/sub/:id", child.routes());
  const x = JSON.parse((await get(router, "/p/x12"))[1]);
  assert.deepEqual(x.captures, ["12"]);
  assert.equal(x.route, "/p/^\\/x(\\d+)$/");
  const sub = JSON.parse((await get(router, "/p/sub/7/z"))[1]);
  assert.deepEqual(sub, { params: { id: "7" }, captures: ["z"], route: "/p/sub/:id/^\\/(\\w)$/" });
  assert.equal((await get(router, "/x12"))[0], 404);
  // The tree: static, parameter and wildcard routes come before RegExp routes.
  const tree = new RouteTree<string>();
  tree.add("GET", null, "regex", "r", /^\/a/);
  tree.add("GET", parsePathPattern("/a/:b"), "param", "p");
  assert.equal(tree.match("GET", "/a/b")!.value, "param");
  assert.equal(tree.match("GET", "/ab")!.value, "regex");
});

Deno.test("Router: arrays of paths in verbs and use()", async () => {
  const seen: string[] = [];
  const router = new Router()
    .use(["/one", "/two"], (ctx, next) => {
      seen.push(ctx.path);
      return next();
    })
    .get(["/one", "/two", "/three"], (ctx) => new Response(ctx.path));
  assert.deepEqual(await get(router, "/two"), [200, "/two"]);
  assert.deepEqual(await get(router, "/three"), [200, "/three"]);
  assert.deepEqual(seen, ["/two"]);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => (router.get as any)("n", ["/a", "/b"], echo),
    /Cannot add route GET n: middleware 0 is an array/,
  );
  assert.throws(() => router.get([], echo), /the path must be/);
});

Deno.test("Router types ctx.params of groups and suffixed wildcards", () => {
  new Router()
    .get("/:file{.:ext}", (ctx) => {
      const p: { file: string; ext?: string } = ctx.params;
      // @ts-expect-error: ext may be undefined
      const ext: string = ctx.params.ext;
      return Response.json({ p, ext });
    })
    .get("/files/*path/raw", (ctx) => new Response(ctx.params.path))
    .get(/^\/(?<id>\d+)$/, (ctx) => new Response(ctx.params.id ?? ""))
    .get(["/a/:x", "/b/:x"], (ctx) => new Response(ctx.params.x));
});
