/**
 * The `bodyLimit()` middleware: a per-route request body limit and Content-Type check.
 *
 * @module
 */

import { HttpError } from "../http/http_error.ts";
import type { Middleware } from "./middleware.ts";
import { checkLimit, declaredLength, limitStream, tooLarge } from "./_bounded_body.ts";
import { essenceOf, matchesType, typePatterns } from "./_media_type.ts";

/** Options for {@linkcode bodyLimit}. */
export interface BodyLimitOptions {
  /**
   * Media types the body may have (`application/json`, `text/*`, `+json`); a body of any
   * other type, or without a Content-Type, is answered 415.
   *
   * @default {any type}
   */
  types?: string | readonly string[];
}

/**
 * Limits the request body of the routes it guards to `maxBytes`, Hono's `bodyLimit`
 * done at the head:
 *
 * - A `Content-Length` past the limit is answered 413 at once, before the body is read,
 *   so a client that sent `Expect: 100-continue` gets the 413 instead of a `100
 *   Continue` (the server sends that only when a handler first reads the body) and never
 *   uploads the body.
 * - A chunked body is counted as the rest of the chain reads it (`ctx.request` is
 *   replaced by one with a counting body); one byte past the limit makes reading reject
 *   with the 413 `HttpError`, and the middleware answers 413 whatever the handler did.
 * - With `types`, a body of another media type is answered 415.
 *
 * Requests without a body pass. The server's `maxBodyBytes` still applies on top.
 *
 * @param maxBytes The most body bytes accepted (the limit itself passes).
 * @param options Accepted media types.
 * @returns The middleware.
 *
 * @example At most 1 MiB of JSON on one route
 * ```ts
 * import { bodyLimit, compose, Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const router = new Router().post(
 *   "/notes",
 *   bodyLimit(1024 * 1024, { types: "application/json" }),
 *   async (ctx) => Response.json(await ctx.request.json(), { status: 201 }),
 * );
 * const handler = compose(router.routes(), router.allowedMethods());
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const big = await handler(new Request("http://localhost/notes", {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
 * }), info);
 * assert.equal(big.status, 413);
 * const text = await handler(new Request("http://localhost/notes", { method: "POST", body: "hi" }), info);
 * assert.equal(text.status, 415);
 * ```
 */
export function bodyLimit<S extends object = Record<string, unknown>>(
  maxBytes: number,
  options: BodyLimitOptions = {},
): Middleware<S> {
  const limit = checkLimit(maxBytes, "bodyLimit()");
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create bodyLimit(): options must be an object");
  }
  const types = options.types === undefined ? null : typePatterns(options.types, "bodyLimit()");
  return async function bodyLimit(ctx, next) {
    const request = ctx.request;
    const headers = request.headers;
    const declared = declaredLength(headers);
    if (declared > limit) throw tooLarge(limit, declared);
    // No Content-Length: a chunked body (or, for a Request built in code, any body).
    const chunked = declared === -1 &&
      (headers.has("transfer-encoding") || request.body !== null);
    if (types !== null && (declared > 0 || chunked)) {
      const type = headers.get("content-type");
      if (!matchesType(essenceOf(type), types)) {
        throw new HttpError(
          415,
          type === null
            ? `Request body needs a Content-Type: ${types.join(", ")}`
            : `Content-Type ${essenceOf(type)} is not accepted here; send ${types.join(", ")}`,
        );
      }
    }
    if (!chunked || request.body === null) return next();
    let exceeded = false;
    const counted = limitStream(request.body, limit, () => exceeded = true);
    ctx.request = new Request(request, { body: counted, duplex: "half" } as RequestInit);
    let response: Response;
    try {
      response = await next();
    } catch (error) {
      if (exceeded) throw tooLarge(limit);
      throw error;
    }
    if (exceeded) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    return response;
  };
}
