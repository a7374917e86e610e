/**
 * The request methods Wire's server accepts: the parser's list of registered methods
 * (RFC 9110 §9.1), which the Router turns into a verb each.
 *
 * @module
 */

/**
 * Every request method the server's strict parser accepts: the IANA HTTP Method
 * Registry plus the extension methods llhttp knows. The Router has a verb for each
 * (`router.purge()`, `router["m-search"]()`, ...).
 *
 * @example The Router has a verb for each method
 * ```ts
 * import { METHODS } from "@wire/http/http";
 * import { Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const router = new Router();
 * for (const method of METHODS) {
 *   assert.equal(typeof router[method.toLowerCase() as Lowercase<typeof method>], "function");
 * }
 * ```
 */
export const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
  "QUERY",
  "ACL",
  "BASELINE-CONTROL",
  "BIND",
  "CHECKIN",
  "CHECKOUT",
  "COPY",
  "LABEL",
  "LINK",
  "LOCK",
  "MERGE",
  "MKACTIVITY",
  "MKCALENDAR",
  "MKCOL",
  "MKREDIRECTREF",
  "MKWORKSPACE",
  "MOVE",
  "ORDERPATCH",
  "PRI",
  "PROPFIND",
  "PROPPATCH",
  "REBIND",
  "REPORT",
  "SEARCH",
  "UNBIND",
  "UNCHECKOUT",
  "UNLINK",
  "UNLOCK",
  "UPDATE",
  "UPDATEREDIRECTREF",
  "VERSION-CONTROL",
  "M-SEARCH",
  "NOTIFY",
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "PURGE",
  "SOURCE",
] as const;

/**
 * One of {@linkcode METHODS}.
 *
 * @example A method name
 * ```ts
 * import type { Method } from "@wire/http/http";
 *
 * const method: Method = "PURGE";
 * void method;
 * ```
 */
export type Method = typeof METHODS[number];
