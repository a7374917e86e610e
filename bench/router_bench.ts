/**
 * Route matching over the GitHub REST API table (bench/data/github_routes.ts):
 * Wire's route tree vs npm:find-my-way (Fastify's radix router, its `find`) vs
 * npm:@koa/router (its `match`, the linear scan koa-router runs per request), for a
 * static hit, one-param hit, three-param hit and a miss. A second set of groups runs
 * the full `routes()` middleware on a Request through `compose`, against a bare
 * handler as the floor, and the same table routed with `exclusive: false`
 * (koa-router's run-every-match model, which walks every branch).
 *
 * Run: deno bench -A bench/router_bench.ts
 *
 * @module
 */
import FindMyWay from "npm:find-my-way@9";
import KoaRouter from "npm:@koa/router@13";
import { GITHUB_ROUTES } from "./data/github_routes.ts";
import { RouteTree } from "../router/_route_tree.ts";
import { compose, Router } from "../router/mod.ts";
import type { ServeInfo } from "../http/handler.ts";

const CASES: [name: string, method: string, path: string, expect: string | null][] = [
  ["static hit", "GET", "/user/repos", "/user/repos"],
  ["one-param hit", "GET", "/users/octocat", "/users/:username"],
  [
    "three-param hit",
    "GET",
    "/repos/denoland/deno/issues/1234",
    "/repos/:owner/:repo/issues/:issue_number",
  ],
  ["miss", "GET", "/repos/denoland/deno/nothing-here/1", null],
];

// --- the three matchers, loaded with the same table ---
const tree = new RouteTree<string>();
for (const [method, path] of GITHUB_ROUTES) tree.add(method, tree.parse(path), path, path);

const fmw = FindMyWay();
for (const [method, path] of GITHUB_ROUTES) {
  // find-my-way names no wildcard: "*path" is "*".
  fmw.on(method as "GET", path.replace(/\*\w+$/, "*"), () => {}, { path });
}

const koa = new KoaRouter();
for (const [method, path] of GITHUB_ROUTES) {
  // @koa/router 13 uses path-to-regexp 6: the wildcard is written ":path(.*)".
  koa.register(path.replace(/\*(\w+)$/, ":$1(.*)"), [method], () => {}, { name: path });
}

// Check that all three agree before timing anything.
for (const [name, method, path, expect] of CASES) {
  const ours = tree.match(method, path)?.value ?? null;
  const theirs = (fmw.find(method as "GET", path)?.store as { path: string } | undefined)?.path ??
    null;
  const koaMatch = koa.match(path, method);
  const koaRoute = koaMatch.route
    ? koaMatch.pathAndMethod.find((l: { methods: string[] }) => l.methods.includes(method))
      ?.name ?? null
    : null;
  if (ours !== expect || theirs !== expect || koaRoute !== expect) {
    throw new Error(`${name}: wire ${ours}, find-my-way ${theirs}, @koa/router ${koaRoute}`);
  }
}

let sink: unknown;
for (const [name, method, path] of CASES) {
  Deno.bench({
    name: "wire RouteTree.match",
    group: `match: ${name}`,
    fn() {
      sink = tree.match(method, path);
    },
  });
  Deno.bench({
    name: "find-my-way find",
    group: `match: ${name}`,
    baseline: true,
    fn() {
      sink = fmw.find(method as "GET", path);
    },
  });
  Deno.bench({
    name: "@koa/router match",
    group: `match: ${name}`,
    fn() {
      sink = koa.match(path, method);
    },
  });
}

// --- the full middleware: Request in, Response out ---
const INFO: ServeInfo = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
  completed: Promise.resolve(),
};
const OK = new Response("ok");
const router = new Router();
for (const [method, path] of GITHUB_ROUTES) {
  // deno-lint-ignore no-explicit-any
  (router as any)[method.toLowerCase()](path, () => OK);
}
const handler = compose(router.routes(), router.allowedMethods());
const koaModel = new Router({ exclusive: false });
for (const [method, path] of GITHUB_ROUTES) {
  // deno-lint-ignore no-explicit-any
  (koaModel as any)[method.toLowerCase()](path, () => OK);
}
const koaModelHandler = compose(koaModel.routes(), koaModel.allowedMethods());
const bare = (_request: Request, _info: ServeInfo) => OK;

for (const [name, method, path] of CASES) {
  const request = new Request(`http://localhost${path}`, { method });
  Deno.bench({
    name: "bare handler (floor)",
    group: `routes(): ${name}`,
    baseline: true,
    async fn() {
      sink = await bare(request, INFO);
    },
  });
  Deno.bench({
    name: "compose(router.routes(), router.allowedMethods())",
    group: `routes(): ${name}`,
    async fn() {
      sink = await handler(request, INFO);
    },
  });
  Deno.bench({
    name: "the same with new Router({ exclusive: false })",
    group: `routes(): ${name}`,
    async fn() {
      sink = await koaModelHandler(request, INFO);
    },
  });
}

globalThis.addEventListener("unload", () => void sink);
