/**
 * What a server knows about a request besides the Request itself.
 *
 * @example Read the client's address
 * ```ts ignore
 * import { serve, type ServeInfo } from "@wire/http";
 *
 * serve((_request: Request, info: ServeInfo) => {
 *   const addr = info.remoteAddr as Deno.NetAddr;
 *   return new Response(`hello ${addr.hostname}`);
 * });
 * ```
 */
export interface ServeInfo {
  /** The address of the peer: TCP (or TLS) or Unix. */
  remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  /** Resolves when the response has been fully written (or the exchange was cut short). */
  completed: Promise<void>;
}

/**
 * A request handler: Web `Request` in, Web `Response` out, as in `Deno.serve`.
 *
 * @example A handler
 * ```ts
 * import type { Handler } from "@wire/http";
 * import assert from "node:assert/strict";
 *
 * const hello: Handler = () => new Response("hello");
 * assert.equal(typeof hello, "function");
 * ```
 */
export type Handler = (request: Request, info: ServeInfo) => Response | Promise<Response>;
