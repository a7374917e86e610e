import type { Method } from "./methods.ts";
import type { Middleware } from "./middleware.ts";
import type { RouteParams } from "./route_params.ts";

/**
 * `ctx.params` of a RegExp route: its named groups (`(?<id>\d+)`), percent-decoded,
 * plus the parameters of the prefixes it sits under. A group that took no part in the
 * match is absent.
 *
 * @example A RegExp route's params
 * ```ts
 * import type { RegExpParams } from "@wire/http/router";
 *
 * const params: RegExpParams = { id: "7" };
 * void params;
 * ```
 */
export type RegExpParams = Record<string, string>;

/**
 * A Router verb (`router.get`, `router.purge`, ...): adds a route for one method, or
 * for every method (`all`). Call it with a path, an array of paths (one route each) or
 * a RegExp, optionally after a name (for `url()`, `route()`, `redirect()` and
 * `ctx.routeName`), then the route's middleware, outermost first. A string path's
 * literal types `ctx.params`. Returns the router, for chaining.
 *
 * @example Paths, arrays, names and RegExps
 * ```ts
 * import { compose, Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const router = new Router()
 *   .get("/users/:id", (ctx) => new Response(ctx.params.id))
 *   .get(["/about", "/about-us"], () => new Response("about"))
 *   .get("file", "/files/:name{.:ext}", (ctx) => Response.json(ctx.params))
 *   .get(/^\/v(?<major>\d+)\/status$/, (ctx) => new Response(`v${ctx.params.major}`));
 * const handler = compose(router.routes());
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const text = async (path: string) => (await handler(new Request(`http://localhost${path}`), info)).text();
 * assert.equal(await text("/about-us"), "about");
 * assert.equal(await text("/files/notes.txt"), '{"name":"notes","ext":"txt"}');
 * assert.equal(await text("/v2/status"), "v2");
 * ```
 */
export interface RouteVerb<S extends object, R> {
  /** Adds a route for a path, or one for each path of an array. */
  <Path extends string>(
    path: Path | readonly Path[],
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): R;
  /** Adds a named route. */
  <Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): R;
  /** Adds a route whose path is a RegExp, tested on the percent-encoded path. */
  (path: RegExp, ...middleware: Middleware<S, RegExpParams>[]): R;
  /** Adds a named route whose path is a RegExp. */
  (name: string, path: RegExp, ...middleware: Middleware<S, RegExpParams>[]): R;
}

/** The verbs the Router declares one by one; every other method's comes from METHODS. */
export type CommonVerb =
  | "get"
  | "post"
  | "put"
  | "patch"
  | "delete"
  | "head"
  | "options"
  | "query";

/**
 * The Router's verbs for the less common methods of {@linkcode METHODS} (`acl`, `copy`,
 * `lock`, `m-search`, `mkcol`, `purge`, `trace`, ...): each adds a route for that
 * method, as {@linkcode RouteVerb} describes.
 *
 * @example A PURGE route
 * ```ts
 * import { compose, Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const router = new Router().purge("/cache/:key", (ctx) => new Response(`purged ${ctx.params.key}`));
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const response = await compose(router.routes())(new Request("http://localhost/cache/a", { method: "PURGE" }), info);
 * assert.equal(await response.text(), "purged a");
 * ```
 */
export type ExtensionVerbs<S extends object, R> = {
  readonly [M in Exclude<Lowercase<Method>, CommonVerb>]: RouteVerb<S, R>;
};
