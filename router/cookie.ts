/**
 * Cookies as plain functions on `Headers`, for bare `serve()` handlers (the shapes of
 * Deno std's `getCookies`, `setCookie` and `deleteCookie`); in a `compose()` chain,
 * `ctx.cookies` does the same per request.
 *
 * @module
 */

import {
  DEFAULT_COOKIE_HTTP_ONLY,
  DEFAULT_COOKIE_PATH,
  parseCookieHeader,
  serializeDeletion,
  serializeSetCookie,
  withDefaults,
} from "./_cookie_syntax.ts";

export { DEFAULT_COOKIE_HTTP_ONLY, DEFAULT_COOKIE_PATH };

/**
 * The attributes of a cookie to set (RFC 6265bis-20 §4.1.2). Setting a cookie checks
 * them all: a TypeError for a bad name, domain or path, for a `__Host-` or `__Secure-`
 * name without what its prefix needs, and for `SameSite=None` or `Partitioned` without
 * `Secure`; a RangeError for a `maxAge` past 400 days or a name and value over 4096
 * bytes.
 *
 * @example A session cookie for one site
 * ```ts
 * import type { CookieAttributes } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const attributes: CookieAttributes = { secure: true, sameSite: "Lax", maxAge: 3600 };
 * assert.equal(attributes.maxAge, 3600);
 * ```
 */
export interface CookieAttributes {
  /** When the cookie expires (a Date or milliseconds since the epoch); session cookie if unset. */
  expires?: Date | number;
  /** Seconds until the cookie expires (0 deletes it); at most 400 days. */
  maxAge?: number;
  /** The host (and its subdomains) the cookie is sent to; only the exact host if unset. */
  domain?: string;
  /**
   * The path prefix the cookie is sent for.
   *
   * @default {DEFAULT_COOKIE_PATH}
   */
  path?: string;
  /**
   * Send the cookie over https only. `ctx.cookies` defaults it to true on https requests.
   *
   * @default {false}
   */
  secure?: boolean;
  /**
   * Hide the cookie from scripts (`document.cookie`).
   *
   * @default {DEFAULT_COOKIE_HTTP_ONLY}
   */
  httpOnly?: boolean;
  /** Whether cross-site requests carry the cookie; user agents assume "Lax" when unset. */
  sameSite?: "Strict" | "Lax" | "None";
  /** Keep the cookie per top-level site (CHIPS); needs `secure`. */
  partitioned?: boolean;
  /** Chromium's eviction priority. */
  priority?: "Low" | "Medium" | "High";
}

/**
 * A cookie to set: a name (a token), a value and its attributes. Values are written as
 * they are when they hold only cookie-octets other than `%`, and percent-encoded
 * (UTF-8) otherwise; {@linkcode getCookies} decodes them back.
 *
 * @example
 * ```ts
 * import type { CookieInit } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const cookie: CookieInit = { name: "theme", value: "dark mode", maxAge: 86400 };
 * assert.equal(cookie.name, "theme");
 * ```
 */
export interface CookieInit extends CookieAttributes {
  /** The cookie's name, a token (RFC 9110 §5.6.2). */
  name: string;
  /** The cookie's value (any string; encoded as needed). */
  value: string;
}

/**
 * Reads the cookies a request carries (its `Cookie` field): name to value, the first of
 * a repeated name winning (user agents send the most specific first), values with
 * their quotes removed and percent-escapes decoded.
 *
 * @param headers The request's headers.
 * @returns The cookies by name.
 *
 * @example Read a cookie in a bare handler
 * ```ts
 * import { getCookies } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers({ cookie: 'sid=abc; theme="dark%20mode"; sid=shadowed' });
 * assert.deepEqual(getCookies(headers), { sid: "abc", theme: "dark mode" });
 * ```
 */
export function getCookies(headers: Headers): Record<string, string> {
  const header = headers.get("cookie");
  return header === null ? {} : Object.fromEntries(parseCookieHeader(header));
}

/**
 * Adds a `Set-Cookie` field for `cookie` to `headers` (one line per cookie: several
 * calls give several lines), every attribute checked (see {@linkcode CookieAttributes}).
 * `path` defaults to "/" and `httpOnly` to true.
 *
 * @param headers The response's headers.
 * @param cookie The cookie and its attributes.
 *
 * @example Set two cookies on one response
 * ```ts
 * import { setCookie } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers();
 * setCookie(headers, { name: "sid", value: "abc", secure: true, sameSite: "Lax" });
 * setCookie(headers, { name: "theme", value: "dark mode", maxAge: 86400, httpOnly: false });
 * assert.deepEqual(headers.getSetCookie(), [
 *   "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
 *   "theme=dark%20mode; Max-Age=86400; Path=/",
 * ]);
 * assert.throws(() => setCookie(headers, { name: "__Host-id", value: "1" }), TypeError);
 * ```
 */
export function setCookie(headers: Headers, cookie: CookieInit): void {
  if (cookie === null || typeof cookie !== "object") {
    throw new TypeError("Cannot set cookie: expected a { name, value } object");
  }
  headers.append("set-cookie", serializeCookie(cookie));
}

/**
 * Adds a `Set-Cookie` field that deletes the cookie `name`: an empty value, `Max-Age=0`
 * and an `Expires` in 1970. The `path` and `domain` must be those it was set with; a
 * `__Secure-` or `__Host-` name gets `Secure` (and `Path=/`) as its prefix requires.
 *
 * @param headers The response's headers.
 * @param name The cookie's name.
 * @param attributes Its `path` (default "/"), `domain` and other attributes.
 *
 * @example Log out
 * ```ts
 * import { deleteCookie } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers();
 * deleteCookie(headers, "sid");
 * assert.equal(
 *   headers.get("set-cookie"),
 *   "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly",
 * );
 * ```
 */
export function deleteCookie(headers: Headers, name: string, attributes?: CookieAttributes): void {
  headers.append("set-cookie", serializeDeletion(name, attributes));
}

/**
 * The `Set-Cookie` field value for `cookie`, checked as {@linkcode setCookie} does.
 *
 * @param cookie The cookie and its attributes.
 * @returns The field value.
 *
 * @example
 * ```ts
 * import { serializeCookie } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   serializeCookie({ name: "__Host-sid", value: "1", secure: true, partitioned: true }),
 *   "__Host-sid=1; Path=/; Secure; HttpOnly; Partitioned",
 * );
 * ```
 */
export function serializeCookie(cookie: CookieInit): string {
  return serializeSetCookie(cookie.name, cookie.value, withDefaults(cookie));
}
