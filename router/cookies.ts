/**
 * `ctx.cookies`: the request's cookies and the `Set-Cookie` lines for its response.
 *
 * @module
 */

import type { CookieAttributes } from "./cookie.ts";
import {
  parseCookieHeader,
  serializeDeletion,
  serializeSetCookie,
  withDefaults,
} from "./_cookie_syntax.ts";
import { type KeysInput, signValue, toSigningKeys, verifyValue } from "./_signed_value.ts";
import type { SigningKeys } from "./signing_keys.ts";

/** Options for {@linkcode Cookies}. */
export interface CookiesOptions {
  /**
   * Keys for signed cookies, newest first (Koa's `app.keys`); needed by `getSigned` and
   * `setSigned`.
   *
   * @default {undefined}
   */
  keys?: SigningKeys | readonly (string | Uint8Array)[];
  /**
   * The default of `secure` for cookies this jar sets (the `cookies()` middleware passes
   * true for https requests, as Koa does).
   *
   * @default {false}
   */
  secure?: boolean;
  /**
   * Refuse writes with a TypeError that names the missing `cookies()` middleware: the
   * jar `ctx.cookies` gives when no `cookies()` is in the chain to send its lines.
   *
   * @default {false}
   */
  readOnly?: boolean;
}

const EMPTY = new Map<string, string>();

/**
 * A request's cookie jar: reads the `Cookie` field (parsed once, on first use), and
 * collects `Set-Cookie` lines that {@linkcode Cookies.applyTo} adds to the response.
 * Setting a cookie twice (same name, domain and path) keeps the last line only.
 *
 * In a chain, the `cookies()` middleware makes one per request as `ctx.cookies` and
 * applies it to the response; without it `ctx.cookies` reads but refuses writes.
 *
 * @example Read, set and delete
 * ```ts
 * import { Cookies } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const jar = new Cookies(new Headers({ cookie: "theme=dark; sid=old" }), { keys: ["secret"] });
 * assert.equal(jar.get("theme"), "dark");
 * jar.set("theme", "light", { maxAge: 86400 }).delete("old");
 * await jar.setSigned("sid", "new");
 * const response = jar.applyTo(new Response("ok"));
 * assert.deepEqual(response.headers.getSetCookie().map((line) => line.split("=")[0]), ["theme", "old", "sid"]);
 * assert.equal(response.headers.getSetCookie()[0], "theme=light; Max-Age=86400; Path=/; HttpOnly");
 * assert.match(response.headers.getSetCookie()[2], /^sid=new\.[\w-]{43}; Path=\/; HttpOnly$/);
 * ```
 */
export class Cookies {
  #headers: Headers;
  #parsed: Map<string, string> | undefined = undefined;
  #keys: SigningKeys | undefined;
  #secure: boolean;
  #readOnly: boolean;
  #applied = false;
  /** Pending lines, keyed by name, domain and path so a second set replaces the first. */
  #lines: Map<string, string> | undefined = undefined;

  /**
   * Creates a jar for one request.
   *
   * @param headers The request's headers (only `Cookie` is read).
   * @param options Keys for signed cookies, the default of `secure`, read-only mode.
   */
  constructor(headers: Headers, options?: CookiesOptions) {
    this.#headers = headers;
    this.#keys = options?.keys === undefined
      ? undefined
      : toSigningKeys(options.keys as KeysInput, "create Cookies");
    this.#secure = options?.secure ?? false;
    this.#readOnly = options?.readOnly ?? false;
  }

  #cookies(): Map<string, string> {
    if (this.#parsed === undefined) {
      const header = this.#headers.get("cookie");
      this.#parsed = header === null ? EMPTY : parseCookieHeader(header);
    }
    return this.#parsed;
  }

  /**
   * The value of the cookie `name` as the request sent it (decoded), or undefined.
   *
   * @param name The cookie's name.
   * @returns Its value, or undefined.
   */
  get(name: string): string | undefined {
    return this.#cookies().get(name);
  }

  /**
   * Whether the request carries the cookie `name`.
   *
   * @param name The cookie's name.
   * @returns True when it does.
   */
  has(name: string): boolean {
    return this.#cookies().has(name);
  }

  /**
   * Every cookie the request carries, name to value.
   *
   * @returns A new object.
   */
  getAll(): Record<string, string> {
    return Object.fromEntries(this.#cookies());
  }

  /**
   * The value of the signed cookie `name` when its signature verifies with one of the
   * keys; a value signed by an older key still verifies (set it again to sign it with
   * the newest).
   *
   * @param name The cookie's name.
   * @returns Its value, or undefined when it is missing, unsigned or tampered with.
   */
  async getSigned(name: string): Promise<string | undefined> {
    const keys = this.#signingKeys(name);
    const signed = this.#cookies().get(name);
    if (signed === undefined) return undefined;
    return (await verifyValue(keys, name, signed))?.value;
  }

  /**
   * Sets the cookie `name` on the response (see `CookieAttributes` for the checks;
   * `path` "/", `httpOnly` true and `secure` as the jar's option by default).
   *
   * @param name The cookie's name.
   * @param value Its value.
   * @param attributes Its attributes.
   * @returns This jar.
   */
  set(name: string, value: string, attributes?: CookieAttributes): this {
    this.#writable(name);
    const resolved = this.#attributes(attributes);
    this.#add(name, resolved, serializeSetCookie(name, value, resolved));
    return this;
  }

  /**
   * Sets the cookie `name` with its value signed by the newest key.
   *
   * @param name The cookie's name.
   * @param value Its value.
   * @param attributes Its attributes.
   * @returns This jar, once signed.
   */
  async setSigned(name: string, value: string, attributes?: CookieAttributes): Promise<this> {
    this.#writable(name);
    const keys = this.#signingKeys(name);
    const resolved = this.#attributes(attributes);
    serializeSetCookie(name, value, resolved); // check before signing
    const line = serializeSetCookie(name, await signValue(keys, name, value), resolved);
    this.#writable(name);
    this.#add(name, resolved, line);
    return this;
  }

  /**
   * Deletes the cookie `name` on the client (`path` and `domain` must match the ones it
   * was set with).
   *
   * @param name The cookie's name.
   * @param attributes Its `path` and `domain`.
   * @returns This jar.
   */
  delete(name: string, attributes?: CookieAttributes): this {
    this.#writable(name);
    const resolved = this.#attributes(attributes);
    this.#add(name, resolved, serializeDeletion(name, resolved));
    return this;
  }

  /** The `Set-Cookie` field values waiting to be sent, in the order they were set. */
  get pending(): readonly string[] {
    return this.#lines === undefined ? [] : [...this.#lines.values()];
  }

  /**
   * Adds the pending `Set-Cookie` lines to `response` (a copy when its headers are
   * immutable, as `Response.redirect()`'s are); later writes throw. Returns `response`
   * itself untouched when nothing was set.
   *
   * @param response The response.
   * @returns The response carrying the lines.
   */
  applyTo(response: Response): Response {
    this.#applied = true;
    const lines = this.#lines;
    if (lines === undefined) return response;
    let target = response;
    try {
      for (const line of lines.values()) target.headers.append("set-cookie", line);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      target = new Response(response.body, response);
      for (const line of lines.values()) target.headers.append("set-cookie", line);
    }
    return target;
  }

  #attributes(attributes: CookieAttributes | undefined): CookieAttributes {
    const resolved = withDefaults(attributes);
    if (resolved.secure === undefined) resolved.secure = this.#secure;
    return resolved;
  }

  #add(name: string, attributes: CookieAttributes, line: string): void {
    const key = name + ";" + (attributes.domain ?? "").toLowerCase() + ";" + attributes.path;
    const lines = this.#lines ??= new Map();
    lines.delete(key); // a later set goes last, as it would on the wire
    lines.set(key, line);
  }

  #writable(name: string): void {
    if (this.#readOnly) {
      throw new TypeError(
        `Cannot set cookie "${name}": ctx.cookies can only read here; put cookies() in the chain before the code that sets cookies`,
      );
    }
    if (this.#applied) {
      throw new TypeError(
        `Cannot set cookie "${name}": the response was already sent with this jar's cookies`,
      );
    }
  }

  #signingKeys(name: string): SigningKeys {
    if (this.#keys === undefined) {
      throw new TypeError(
        `Cannot sign cookie "${name}": no keys; pass keys to cookies() (or to new Cookies())`,
      );
    }
    return this.#keys;
  }
}
