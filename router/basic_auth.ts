/**
 * The `basicAuth()` middleware: HTTP Basic authentication (RFC 7617), Hono's
 * `basicAuth` and koa-basic-auth.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware } from "./middleware.ts";
import { HttpError } from "../http/http_error.ts";
import { timingSafeEqual } from "./_timing_safe.ts";

/** The realm {@linkcode basicAuth} names in its challenge: "Secure Area", as Hono's. */
export const DEFAULT_BASIC_REALM = "Secure Area";

/** A user name and password that {@linkcode basicAuth} accepts. */
export interface BasicCredentials {
  /** The user name. */
  username: string;
  /** The password. */
  password: string;
}

/** Options for {@linkcode basicAuth}: fixed users, or a function that checks them. */
export interface BasicAuthOptions<S extends object = Record<string, unknown>> {
  /** The accepted users (compared in constant time). */
  users?: readonly BasicCredentials[];
  /**
   * Checks a user name and password (say, against a password hash); true accepts.
   * Used instead of `users`.
   */
  verify?: (
    username: string,
    password: string,
    // deno-lint-ignore no-explicit-any
    ctx: Context<S, any>,
  ) => boolean | Promise<boolean>;
  /**
   * The realm in the `WWW-Authenticate` challenge.
   *
   * @default {DEFAULT_BASIC_REALM}
   */
  realm?: string;
}

/** What {@linkcode basicAuth} puts in `ctx.state`. */
export interface BasicAuthState {
  /** The authenticated user's name. */
  username?: string;
}

/**
 * Lets a request through when its `Authorization: Basic` credentials (UTF-8, RFC 7617
 * §2.1) match one of `users` or satisfy `verify`; otherwise throws a 401 `HttpError`
 * with `WWW-Authenticate: Basic realm="…", charset="UTF-8"`. The user name goes to
 * `ctx.state.username`.
 *
 * @param options Users or a verifier, realm.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { basicAuth, compose } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(
 *   basicAuth({ users: [{ username: "ada", password: "s3cret" }] }),
 *   (ctx) => new Response(`hello ${ctx.state.username}`),
 * );
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const denied = await handler(new Request("http://localhost/"), info);
 * assert.equal(denied.status, 401);
 * assert.equal(denied.headers.get("www-authenticate"), 'Basic realm="Secure Area", charset="UTF-8"');
 * const ok = await handler(new Request("http://localhost/", {
 *   headers: { authorization: "Basic " + btoa("ada:s3cret") },
 * }), info);
 * assert.equal(await ok.text(), "hello ada");
 * ```
 */
export function basicAuth<S extends object = Record<string, unknown>>(
  options: BasicAuthOptions<S>,
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create basicAuth(): options must be an object");
  }
  const { users, verify } = options;
  if (verify === undefined && (!Array.isArray(users) || users.length === 0)) {
    throw new TypeError("Cannot create basicAuth(): give users or a verify function");
  }
  for (const user of users ?? []) {
    if (typeof user?.username !== "string" || typeof user?.password !== "string") {
      throw new TypeError("Cannot create basicAuth(): each user needs a username and password");
    }
    if (user.username.includes(":")) {
      throw new TypeError("Cannot create basicAuth(): a user name cannot contain ':' (RFC 7617)");
    }
  }
  const realm = options.realm ?? DEFAULT_BASIC_REALM;
  const challenge = `Basic realm="${realm.replace(/[\\"]/g, "\\$&")}", charset="UTF-8"`;
  const unauthorized = () =>
    new HttpError(401, "Unauthorized", { headers: { "www-authenticate": challenge } });

  return async function basicAuth(ctx, next) {
    const credentials = parseBasic(ctx.request.headers.get("authorization"));
    if (credentials === null) throw unauthorized();
    const { username, password } = credentials;
    let ok = false;
    if (verify !== undefined) ok = await verify(username, password, ctx);
    else {
      // Check every user (no early exit), each in constant time.
      for (const user of users!) {
        const both = await Promise.all([
          timingSafeEqual(username, user.username),
          timingSafeEqual(password, user.password),
        ]);
        if (both[0] && both[1]) ok = true;
      }
    }
    if (ok !== true) throw unauthorized();
    (ctx.state as BasicAuthState).username = username;
    return next();
  };
}

function parseBasic(header: string | null): BasicCredentials | null {
  if (header === null) return null;
  const space = header.indexOf(" ");
  if (space === -1 || header.slice(0, space).toLowerCase() !== "basic") return null;
  let decoded: string;
  try {
    const binary = atob(header.slice(space + 1).trim());
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
