/**
 * The `cookies()` middleware: `ctx.cookies` with keys, and its lines on the response.
 *
 * @module
 */

import { Cookies } from "./cookies.ts";
import type { Middleware } from "./middleware.ts";
import type { SigningKeys } from "./signing_keys.ts";
import { toSigningKeys } from "./_signed_value.ts";

/** Options for {@linkcode cookies}. */
export interface CookiesMiddlewareOptions {
  /**
   * Keys for signed cookies, newest first (Koa's `app.keys`): `ctx.cookies.setSigned`
   * signs with the first, `ctx.cookies.getSigned` accepts any.
   *
   * @default {undefined}
   */
  keys?: SigningKeys | readonly (string | Uint8Array)[];
  /**
   * The default of `secure` for cookies set in the chain.
   *
   * @default {true for https requests, false otherwise}
   */
  secure?: boolean;
}

/**
 * Gives each request a writable `ctx.cookies` (a {@linkcode Cookies} jar with the keys)
 * and adds its `Set-Cookie` lines to the response on the way out. Without it,
 * `ctx.cookies` can read but not write. Cookies set before an error is thrown are not
 * sent (Koa drops them too): the error response is not the one they were meant for.
 *
 * @param options Keys for signed cookies and the default of `secure`.
 * @returns The middleware.
 *
 * @example A signed session cookie
 * ```ts
 * import { compose, cookies } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(cookies({ keys: ["a long random secret"] }), async (ctx) => {
 *   if (ctx.path === "/login") {
 *     await ctx.cookies.setSigned("sid", "42", { sameSite: "Lax" });
 *     return new Response("welcome");
 *   }
 *   const sid = await ctx.cookies.getSigned("sid");
 *   return sid === undefined ? new Response("who are you?", { status: 401 }) : new Response(sid);
 * });
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const login = await handler(new Request("http://localhost/login"), info);
 * const cookie = login.headers.get("set-cookie")!.split(";")[0];
 * const me = await handler(new Request("http://localhost/me", { headers: { cookie } }), info);
 * assert.equal(await me.text(), "42");
 * const forged = await handler(new Request("http://localhost/me", { headers: { cookie: "sid=1.x" } }), info);
 * assert.equal(forged.status, 401);
 * ```
 */
export function cookies<S extends object = Record<string, unknown>>(
  options: CookiesMiddlewareOptions = {},
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create cookies(): options must be an object");
  }
  const keys = options.keys === undefined
    ? undefined
    : toSigningKeys(options.keys, "create cookies()");
  const secure = options.secure;
  return async function cookies(ctx, next) {
    const jar = new Cookies(ctx.request.headers, {
      keys,
      secure: secure ?? ctx.request.url.startsWith("https:"),
    });
    ctx.cookies = jar;
    return jar.applyTo(await next());
  };
}
