/**
 * `serveStatic()`: `serveDir` as middleware, for a `compose` chain or a Router.
 *
 * @module
 */

import { serveDir } from "../http/serve_dir.ts";
import type { ServeDirOptions } from "../http/static_options.ts";
import type { Middleware } from "./middleware.ts";

/**
 * Options of {@linkcode serveStatic}: those of `serveDir` without `root`, which is the
 * first argument.
 *
 * @example Serve /assets from ./public, cached for a year
 * ```ts
 * import type { ServeStaticOptions } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const options: ServeStaticOptions = {
 *   urlRoot: "/assets",
 *   cacheControl: "public, max-age=31536000, immutable",
 * };
 * assert.equal(options.urlRoot, "/assets");
 * ```
 */
export type ServeStaticOptions = Omit<ServeDirOptions, "root">;

/**
 * Serves the files under `root` for GET and HEAD requests under `urlRoot`, as
 * `serveDir` does (safe paths, validators, 304/412, ranges, precompressed siblings,
 * index files, listings), and passes every other request on: another method, a path
 * outside `urlRoot`, and anything `serveDir` answers 404 (a missing file, a hidden
 * dotfile, a refused path) go to `next()`, as koa-static and express.static do. The
 * path is the request's own (percent-encoded) path, never a decoded Router param, so
 * `..%2f` cannot reach a file outside `root`.
 *
 * @param root The directory served.
 * @param options `serveDir`'s options (checked once, here).
 * @returns The middleware.
 *
 * @example Static files in front of an API
 * ```ts
 * import { compose, Router, serveStatic } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/index.html`, "<h1>home</h1>");
 * const api = new Router().get("/api/ping", () => new Response("pong"));
 * const handler = compose(serveStatic(root), api.routes());
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const page = await handler(new Request("http://localhost/"), info);
 * assert.equal(await page.text(), "<h1>home</h1>");
 * const ping = await handler(new Request("http://localhost/api/ping"), info);
 * assert.equal(await ping.text(), "pong");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function serveStatic(root: string, options: ServeStaticOptions = {}): Middleware {
  const dirOptions: ServeDirOptions = { ...options, root };
  // Check the options now (a bad one throws here), not on the first request.
  serveDir(new Request("http://localhost/", { method: "OPTIONS" }), dirOptions);
  return async (ctx, next) => {
    const method = ctx.request.method;
    if (method !== "GET" && method !== "HEAD") return next();
    const response = await serveDir(ctx.request, dirOptions);
    if (response.status !== 404) return response;
    await response.body?.cancel();
    return next();
  };
}
