/**
 * `compress()`: response compression as middleware.
 *
 * @module
 */

import { type CompressionOptions, compressResponse } from "../http/compression.ts";
import type { Middleware } from "./middleware.ts";

/**
 * Compresses the responses of the rest of the chain with `compressResponse`: gzip,
 * deflate, brotli or zstd as the client's Accept-Encoding allows, for compressible types
 * over the threshold, with `Vary: Accept-Encoding`, weak ETags and a flush per chunk for
 * streams (server-sent events keep working). Put it first, so it sees every response.
 *
 * @param options Codings, threshold, filter and levels (checked here, once).
 * @returns The middleware.
 *
 * @example gzip what the router answers
 * ```ts
 * import { compose, compress, Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const api = new Router().get("/data", () => Response.json({ rows: Array(500).fill("wire") }));
 * const handler = compose(compress({ encodings: ["gzip"] }), api.routes());
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const request = new Request("http://localhost/data", { headers: { "accept-encoding": "gzip, br" } });
 * const response = await handler(request, info);
 * assert.equal(response.headers.get("content-encoding"), "gzip");
 * await response.body?.cancel();
 * ```
 */
export function compress(options: CompressionOptions = {}): Middleware {
  // Check the options now (a bad one throws here), not on the first request.
  compressResponse(
    new Request("http://localhost/", { method: "HEAD" }),
    new Response(null),
    options,
  );
  // One promise step, not an async frame around an await: this runs on every request.
  return (ctx, next) => next().then((response) => compressResponse(ctx.request, response, options));
}
