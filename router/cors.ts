/**
 * The `cors()` middleware: Cross-Origin Resource Sharing (Fetch standard §3.2) for
 * `compose()` chains, with the options of @koa/cors and Hono's `cors`.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware } from "./middleware.ts";
import { appendVary, editHeaders, responseOf } from "./_response_headers.ts";
import { textResponse } from "./_dispatch.ts";

/** The methods a preflight allows unless told otherwise (@koa/cors's and Hono's list). */
export const DEFAULT_CORS_METHODS: readonly string[] = Object.freeze([
  "GET",
  "HEAD",
  "PUT",
  "POST",
  "DELETE",
  "PATCH",
]);

/** The status of an answered preflight: 204 No Content, as @koa/cors and Hono answer. */
export const DEFAULT_PREFLIGHT_STATUS = 204;

/**
 * Which origins may read responses: `"*"` (anyone, without credentials), one origin, a
 * list, or a function of the request's `Origin` that returns the origin to allow (a
 * string), true to allow the request's own, or false/null/undefined to refuse.
 */
export type CorsOrigin<S extends object = Record<string, unknown>> =
  | string
  | readonly string[]
  | ((
    origin: string,
    // deno-lint-ignore no-explicit-any
    ctx: Context<S, any>,
  ) => string | boolean | null | undefined | Promise<string | boolean | null | undefined>);

/** Options for {@linkcode cors}. */
export interface CorsOptions<S extends object = Record<string, unknown>> {
  /**
   * The origins allowed (see {@linkcode CorsOrigin}); compared with the request's
   * `Origin` exactly (scheme, host and port, as browsers send it).
   *
   * @default {"*"}
   */
  origin?: CorsOrigin<S>;
  /**
   * Allow credentials (cookies, HTTP auth): sends `Access-Control-Allow-Credentials:
   * true`. Cannot be combined with `origin: "*"`.
   *
   * @default {false}
   */
  credentials?: boolean;
  /**
   * Methods a preflight allows (`Access-Control-Allow-Methods`).
   *
   * @default {DEFAULT_CORS_METHODS}
   */
  allowMethods?: string | readonly string[];
  /**
   * Request headers a preflight allows (`Access-Control-Allow-Headers`).
   *
   * @default {the ones the preflight asks for (Access-Control-Request-Headers)}
   */
  allowHeaders?: string | readonly string[];
  /**
   * Response headers scripts may read (`Access-Control-Expose-Headers`).
   *
   * @default {none}
   */
  exposeHeaders?: string | readonly string[];
  /**
   * Seconds a browser may cache a preflight's answer (`Access-Control-Max-Age`).
   *
   * @default {not sent (browsers cache 5 s)}
   */
  maxAge?: number;
  /**
   * Answer `Access-Control-Request-Private-Network` preflights (Private Network Access)
   * with `Access-Control-Allow-Private-Network: true`.
   *
   * @default {false}
   */
  privateNetworkAccess?: boolean;
}

/**
 * Cross-Origin Resource Sharing. A preflight (OPTIONS with `Origin` and
 * `Access-Control-Request-Method`) from an allowed origin is answered here, 204 with
 * the `Access-Control-Allow-*` headers, without calling the rest of the chain; other
 * requests from an allowed origin go on, and their response (an `HttpError` thrown
 * inside included) gets `Access-Control-Allow-Origin`, `-Credentials` and
 * `-Expose-Headers`. Every response gets `Vary: Origin` unless the origin is `"*"`.
 * Requests from other origins (and preflights from them) pass through unchanged, so
 * the browser refuses the response.
 *
 * Where it goes: **before `router.routes()` and `router.allowedMethods()`** in the
 * outer chain. A preflight names a method (say PUT) but is an OPTIONS request, which
 * has no route of its own: inside a route's chain or after `allowedMethods()` it would
 * never run, and `allowedMethods()` would answer it 200 with `Allow` and no CORS
 * headers. To limit CORS to some paths, wrap it: `(ctx, next) =>
 * ctx.path.startsWith("/api/") ? apiCors(ctx, next) : next()`.
 *
 * @param options Origins, credentials, methods, headers, max age.
 * @returns The middleware.
 *
 * @example Credentialed requests from one origin
 * ```ts
 * import { compose, cors, Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const router = new Router().get("/api/ping", () => Response.json({ pong: true }));
 * const handler = compose(
 *   cors({ origin: "https://app.example", credentials: true, maxAge: 600 }),
 *   router.routes(),
 *   router.allowedMethods(),
 * );
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const preflight = await handler(new Request("http://api.example/api/ping", {
 *   method: "OPTIONS",
 *   headers: { origin: "https://app.example", "access-control-request-method": "GET" },
 * }), info);
 * assert.equal(preflight.status, 204);
 * assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
 * assert.equal(preflight.headers.get("access-control-max-age"), "600");
 *
 * const get = await handler(new Request("http://api.example/api/ping", {
 *   headers: { origin: "https://app.example" },
 * }), info);
 * assert.equal(get.headers.get("access-control-allow-credentials"), "true");
 * assert.equal(get.headers.get("vary"), "Origin");
 * ```
 */
export function cors<S extends object = Record<string, unknown>>(
  options: CorsOptions<S> = {},
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create cors(): options must be an object");
  }
  const origin = options.origin ?? "*";
  const credentials = options.credentials === true;
  const anyOrigin = origin === "*";
  if (anyOrigin && credentials) {
    throw new TypeError(
      'Cannot create cors(): credentials cannot be allowed for origin "*" (Fetch §3.2.5); list the origins or pass a function',
    );
  }
  const resolve = originResolver(origin);
  const allowMethods = listOption(options.allowMethods, "allowMethods") ??
    DEFAULT_CORS_METHODS.join(", ");
  const allowHeaders = listOption(options.allowHeaders, "allowHeaders");
  const exposeHeaders = listOption(options.exposeHeaders, "exposeHeaders");
  const maxAge = options.maxAge;
  if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0)) {
    throw new RangeError(`Cannot create cors(): maxAge ${maxAge} is not a whole number of seconds`);
  }
  const privateNetwork = options.privateNetworkAccess === true;

  return async function cors(ctx, next) {
    const headers = ctx.request.headers;
    const requestOrigin = headers.get("origin");
    const resolved = requestOrigin === null ? null : resolve(requestOrigin, ctx);
    const allowed: string | null = resolved instanceof Promise ? await resolved : resolved;
    const preflight = allowed !== null && ctx.request.method === "OPTIONS" &&
      headers.has("access-control-request-method");
    if (preflight) {
      const out = new Headers();
      out.set("access-control-allow-origin", allowed);
      if (credentials) out.set("access-control-allow-credentials", "true");
      out.set("access-control-allow-methods", allowMethods);
      const requested = headers.get("access-control-request-headers");
      if (allowHeaders !== undefined) out.set("access-control-allow-headers", allowHeaders);
      else if (requested !== null) {
        out.set("access-control-allow-headers", requested);
        out.set("vary", "Access-Control-Request-Headers");
      }
      if (maxAge !== undefined) out.set("access-control-max-age", String(maxAge));
      if (privateNetwork && headers.get("access-control-request-private-network") === "true") {
        out.set("access-control-allow-private-network", "true");
      }
      if (!anyOrigin) appendVary(out, "Origin");
      return textResponse(DEFAULT_PREFLIGHT_STATUS, null, out);
    }
    if (allowed === null && anyOrigin) return next();
    const response = allowed === null ? await next() : await responseOf(next);
    return editHeaders(response, (out) => {
      if (allowed !== null) {
        out.set("access-control-allow-origin", allowed);
        if (credentials) out.set("access-control-allow-credentials", "true");
        if (exposeHeaders !== undefined) out.set("access-control-expose-headers", exposeHeaders);
      }
      if (!anyOrigin) appendVary(out, "Origin");
    });
  };
}

// deno-lint-ignore no-explicit-any
type Resolver = (origin: string, ctx: Context<any, any>) => string | null | Promise<string | null>;

// deno-lint-ignore no-explicit-any
function originResolver(origin: CorsOrigin<any>): Resolver {
  if (origin === "*") return () => "*";
  if (typeof origin === "string") return (request) => request === origin ? origin : null;
  if (Array.isArray(origin)) {
    const set = new Set<string>();
    for (const entry of origin) {
      if (typeof entry !== "string" || entry === "" || entry === "*") {
        throw new TypeError(
          `Cannot create cors(): origin list entry ${JSON.stringify(entry)} is not an origin`,
        );
      }
      set.add(entry);
    }
    return (request) => set.has(request) ? request : null;
  }
  if (typeof origin === "function") {
    const fn = origin as (o: string, c: unknown) => unknown;
    return (request, ctx) => {
      const result = fn(request, ctx);
      return result instanceof Promise
        ? result.then((value) => decide(request, value))
        : decide(request, result);
    };
  }
  throw new TypeError("Cannot create cors(): origin must be a string, a list or a function");
}

function decide(request: string, value: unknown): string | null {
  if (value === true) return request;
  if (typeof value === "string" && value !== "") return value;
  return null;
}

function listOption(
  value: string | readonly string[] | undefined,
  name: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  throw new TypeError(`Cannot create cors(): ${name} must be a string or a list of strings`);
}
