/**
 * The `proxyProtocol` option of `serve`: HAProxy's PROXY protocol (v1 text, v2 binary),
 * with which a TCP load balancer (HAProxy `send-proxy` / `send-proxy-v2`, AWS NLB, nginx
 * `proxy_protocol on` in its stream module) tells the server, before any HTTP byte, whom
 * it accepted the connection from.
 *
 * @module
 */

/**
 * How long a new connection may take to send its whole PROXY header, in milliseconds:
 * a proxy sends it at once, so this only bounds connections that never do.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_PROXY_HEADER_TIMEOUT } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_PROXY_HEADER_TIMEOUT, 5_000);
 * ```
 */
export const DEFAULT_PROXY_HEADER_TIMEOUT = 5_000;

/**
 * The largest PROXY v2 header accepted, in bytes (its 16 fixed bytes, addresses and
 * TLVs). A v1 header is at most 107 bytes by its specification.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_PROXY_HEADER_MAX_BYTES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_PROXY_HEADER_MAX_BYTES, 4096);
 * ```
 */
export const DEFAULT_PROXY_HEADER_MAX_BYTES = 4096;

/**
 * Settings of the PROXY protocol.
 *
 * @example A tighter timeout
 * ```ts
 * import type { ProxyProtocolOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const proxyProtocol: ProxyProtocolOptions = { timeout: 1_000 };
 * assert.equal(proxyProtocol.timeout, 1_000);
 * ```
 */
export interface ProxyProtocolOptions {
  /**
   * Milliseconds from the connection opening to the end of its PROXY header; past it
   * the connection is closed.
   *
   * @default {5000}
   */
  timeout?: number;
  /**
   * Largest v2 header, in bytes (16 to 65551); a larger one closes the connection.
   *
   * @default {4096}
   */
  maxBytes?: number;
}

/**
 * The `proxyProtocol` option: `true` (or the options) to require a PROXY protocol
 * header, v1 or v2, at the start of every connection, as HAProxy's `accept-proxy` does.
 * Its source address becomes the connection's `info.remoteAddr` (the socket's peer
 * stays in `info.peerAddr`) and the peer address `trustProxy` judges. A `LOCAL` header
 * (v2: the proxy's own health checks), an `UNKNOWN` one (v1) and the unspecified or UDP
 * families (v2) keep the socket's address; the Unix family gives a `Deno.UnixAddr`. A
 * missing, malformed, truncated, too large or late header closes the connection without
 * an answer: the bytes are not HTTP from a client the server can name.
 *
 * Off by default. Only turn it on for a listener the proxy alone can reach: whoever
 * connects can write the header. It cannot be combined with `cert`/`key` (the header
 * comes before the TLS handshake, which Deno's TLS listener does itself).
 *
 * @example HAProxy in front, with `server wire 127.0.0.1:8000 send-proxy-v2`
 * ```ts
 * import { inject, type ProxyProtocol } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const proxyProtocol: ProxyProtocol = true;
 * const { response } = await inject(
 *   (_request, info) => new Response((info.remoteAddr as Deno.NetAddr).hostname),
 *   "PROXY TCP4 203.0.113.9 10.0.0.1 51000 8000\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
 *   { proxyProtocol },
 * );
 * assert.equal(await response.text(), "203.0.113.9");
 * ```
 */
export type ProxyProtocol = boolean | ProxyProtocolOptions;
