/**
 * Signed cookies as plain functions on `Headers`, for bare `serve()` handlers (Hono's
 * `getSignedCookie`/`setSignedCookie`); in a `compose()` chain, `ctx.cookies.getSigned`
 * and `ctx.cookies.setSigned` do the same with the keys given to `cookies()`.
 *
 * A signed value travels as `value.signature`: the client can read it but not change
 * it. Pass a {@linkcode SigningKeys} made once rather than a list, so the keys are
 * imported into WebCrypto once.
 *
 * @module
 */

import { type CookieInit, serializeCookie } from "./cookie.ts";
import { parseCookieHeader } from "./_cookie_syntax.ts";
import type { SigningKeys } from "./signing_keys.ts";
import { signValue, toSigningKeys, verifyValue } from "./_signed_value.ts";

/**
 * Reads the signed cookie `name` and checks its signature with any of `keys`.
 *
 * @param headers The request's headers.
 * @param name The cookie's name.
 * @param keys The keys, newest first (a {@linkcode SigningKeys}, a list or one key).
 * @returns The value, or undefined when the cookie is missing, unsigned or tampered with.
 *
 * @example Sign on one response, read on the next request
 * ```ts
 * import { getSignedCookie, setSignedCookie, SigningKeys } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const keys = new SigningKeys(["a long random secret"]);
 * const response = new Headers();
 * await setSignedCookie(response, { name: "sid", value: "42" }, keys);
 * const pair = response.get("set-cookie")!.split(";")[0]; // "sid=42.<signature>"
 *
 * assert.equal(await getSignedCookie(new Headers({ cookie: pair }), "sid", keys), "42");
 * const forged = new Headers({ cookie: pair.replace("42.", "43.") });
 * assert.equal(await getSignedCookie(forged, "sid", keys), undefined);
 * ```
 */
export async function getSignedCookie(
  headers: Headers,
  name: string,
  keys: SigningKeys | readonly (string | Uint8Array)[] | string,
): Promise<string | undefined> {
  const ring = toSigningKeys(keys, "read a signed cookie");
  const header = headers.get("cookie");
  if (header === null) return undefined;
  const signed = parseCookieHeader(header).get(name);
  if (signed === undefined) return undefined;
  return (await verifyValue(ring, name, signed))?.value;
}

/**
 * Adds a `Set-Cookie` field for `cookie` with its value signed by the newest of `keys`
 * (HMAC-SHA256), checked as `setCookie` checks it.
 *
 * @param headers The response's headers.
 * @param cookie The cookie and its attributes.
 * @param keys The keys, newest first (a {@linkcode SigningKeys}, a list or one key).
 *
 * @example
 * ```ts
 * import { setSignedCookie } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers();
 * await setSignedCookie(headers, { name: "sid", value: "42", sameSite: "Lax" }, ["secret"]);
 * assert.match(headers.get("set-cookie")!, /^sid=42\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
 * ```
 */
export async function setSignedCookie(
  headers: Headers,
  cookie: CookieInit,
  keys: SigningKeys | readonly (string | Uint8Array)[] | string,
): Promise<void> {
  const ring = toSigningKeys(keys, "set a signed cookie");
  if (cookie === null || typeof cookie !== "object" || typeof cookie.value !== "string") {
    throw new TypeError("Cannot set a signed cookie: expected a { name, value } object");
  }
  serializeCookie(cookie); // checks the name and attributes before spending a signature
  const signed = await signValue(ring, cookie.name, cookie.value);
  headers.append("set-cookie", serializeCookie({ ...cookie, value: signed }));
}
