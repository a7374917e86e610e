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
  /**
   * The address of the client: the peer of the socket, TCP (or TLS) or Unix (the
   * server's socket path, as Deno.serve gives it). Behind a proxy, with `proxyProtocol`,
   * the source the PROXY header names; with `trustProxy`, the client a trusted proxy's
   * forwarding headers name (port 0 when they give none). Typed as `Deno.Addr` so that
   * `ServeInfo` and Deno's `ServeHandlerInfo` are interchangeable.
   */
  remoteAddr: Deno.Addr;
  /**
   * The socket's own peer, whatever a proxy said: the proxy when `remoteAddr` comes from
   * a PROXY header or forwarding headers, else the same address as `remoteAddr`. Wire
   * always sets it; it is optional so that Deno's `ServeHandlerInfo` still fits.
   */
  peerAddr?: Deno.Addr;
  /**
   * Resolves when the response has been fully written; rejects with
   * `Deno.errors.Interrupted` when it could not be delivered (the client went away, a
   * shutdown deadline passed, the body failed mid-way), as Deno documents for its own.
   * Attach a `.catch()` when you read it.
   */
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

/**
 * An object whose `fetch` method handles requests: the shape `deno serve` expects as a
 * module's default export, and what a Hono app is. `serve`, `Server` and `inject` take
 * one wherever they take a {@linkcode Handler}; `fetch` is called on the object.
 *
 * @example Serve a `deno serve`-style module
 * ```ts
 * import { type HandlerObject, inject } from "@wire/http";
 * import assert from "node:assert/strict";
 *
 * const app: HandlerObject = { fetch: () => new Response("from fetch") };
 * const { response } = await inject(app, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
 * assert.equal(await response.text(), "from fetch");
 * ```
 */
export interface HandlerObject {
  /** Handles one request. */
  fetch: Handler;
}
