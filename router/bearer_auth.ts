/**
 * The `bearerAuth()` middleware: bearer tokens (RFC 6750), Hono's `bearerAuth`.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware } from "./middleware.ts";
import { HttpError } from "../http/http_error.ts";
import { timingSafeEqual } from "./_timing_safe.ts";

/** The scheme {@linkcode bearerAuth} expects before the token: "Bearer". */
export const DEFAULT_BEARER_PREFIX = "Bearer";

/** Options for {@linkcode bearerAuth}: fixed tokens, or a function that checks them. */
export interface BearerAuthOptions<S extends object = Record<string, unknown>> {
  /** The accepted token or tokens (compared in constant time). */
  token?: string | readonly string[];
  /** Checks a token (say, an API key lookup or a JWT check); true accepts. Used instead of `token`. */
  // deno-lint-ignore no-explicit-any
  verify?: (token: string, ctx: Context<S, any>) => boolean | Promise<boolean>;
  /**
   * The realm in the `WWW-Authenticate` challenge.
   *
   * @default {none}
   */
  realm?: string;
  /**
   * The scheme before the token; "" for a bare token.
   *
   * @default {DEFAULT_BEARER_PREFIX}
   */
  prefix?: string;
  /**
   * The request header that carries the token.
   *
   * @default {"Authorization"}
   */
  header?: string;
}

// RFC 6750 §2.1: b64token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Lets a request through when its `Authorization: Bearer <token>` matches `token` or
 * satisfies `verify`. Otherwise it throws an `HttpError` with the RFC 6750 §3
 * challenge: 401 with `WWW-Authenticate: Bearer realm="…"` when no token is sent, 400
 * with `error="invalid_request"` for a malformed header, 401 with
 * `error="invalid_token"` for a token that does not match.
 *
 * @param options Tokens or a verifier, realm, scheme, header.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { bearerAuth, compose } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(bearerAuth({ token: "t0k3n", realm: "api" }), () => new Response("ok"));
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const none = await handler(new Request("http://localhost/"), info);
 * assert.equal(none.status, 401);
 * assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="api"');
 * const wrong = await handler(new Request("http://localhost/", { headers: { authorization: "Bearer nope" } }), info);
 * assert.equal(wrong.headers.get("www-authenticate"), 'Bearer realm="api", error="invalid_token"');
 * const ok = await handler(new Request("http://localhost/", { headers: { authorization: "Bearer t0k3n" } }), info);
 * assert.equal(ok.status, 200);
 * ```
 */
export function bearerAuth<S extends object = Record<string, unknown>>(
  options: BearerAuthOptions<S>,
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create bearerAuth(): options must be an object");
  }
  const tokens = options.token === undefined
    ? undefined
    : typeof options.token === "string"
    ? [options.token]
    : options.token;
  const verify = options.verify;
  if (verify === undefined && (!Array.isArray(tokens) || tokens.length === 0)) {
    throw new TypeError("Cannot create bearerAuth(): give a token or a verify function");
  }
  for (const token of tokens ?? []) {
    if (typeof token !== "string" || token === "") {
      throw new TypeError("Cannot create bearerAuth(): each token must be a non-empty string");
    }
  }
  const prefix = options.prefix ?? DEFAULT_BEARER_PREFIX;
  const header = options.header ?? "Authorization";
  const realm = options.realm === undefined
    ? ""
    : `realm="${options.realm.replace(/[\\"]/g, "\\$&")}"`;
  const scheme = prefix === "" ? "Bearer" : prefix;
  const challenge = (error?: string) => {
    const params = [realm, error === undefined ? "" : `error="${error}"`].filter((p) => p !== "");
    return params.length === 0 ? scheme : `${scheme} ${params.join(", ")}`;
  };
  const fail = (status: number, error?: string) =>
    new HttpError(status, status === 400 ? "Bad Request" : "Unauthorized", {
      headers: { "www-authenticate": challenge(error) },
    });

  return async function bearerAuth(ctx, next) {
    const value = ctx.request.headers.get(header);
    if (value === null) throw fail(401);
    let token = value;
    if (prefix !== "") {
      const space = value.indexOf(" ");
      if (space === -1 || value.slice(0, space).toLowerCase() !== prefix.toLowerCase()) {
        throw fail(400, "invalid_request");
      }
      token = value.slice(space + 1).trim();
    }
    if (!B64TOKEN.test(token)) throw fail(400, "invalid_request");
    let ok = false;
    if (verify !== undefined) ok = await verify(token, ctx);
    else {
      for (const candidate of tokens!) if (await timingSafeEqual(token, candidate)) ok = true;
    }
    if (ok !== true) throw fail(401, "invalid_token");
    return next();
  };
}
