/**
 * Options of the `Client`, and their defaults.
 *
 * @module
 */

import { DEFAULT_MAX_HEADER_BYTES } from "./_parser/limits.ts";

/** Connections one {@linkcode Client} keeps to one origin at most; requests beyond queue. */
export const DEFAULT_MAX_CONNECTIONS_PER_ORIGIN = 256;
/** Requests in flight on one connection: 1 means no pipelining. */
export const DEFAULT_CLIENT_PIPELINING = 1;
/** How long an idle pooled connection is kept, in milliseconds (undici's default). */
export const DEFAULT_CLIENT_KEEP_ALIVE_TIMEOUT = 4_000;
/** Upper bound on an idle time taken from a server's `Keep-Alive: timeout=N` hint. */
export const DEFAULT_KEEP_ALIVE_MAX_TIMEOUT = 600_000;
/** Margin subtracted from a server's `Keep-Alive: timeout=N` so we retire first. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_THRESHOLD = 1_000;
/** Time to open a connection (and finish the TLS handshake), in milliseconds. */
export const DEFAULT_CLIENT_CONNECT_TIMEOUT = 10_000;
/** Time from sending a request to a complete response head, in milliseconds. */
export const DEFAULT_CLIENT_HEADERS_TIMEOUT = 300_000;
/** Longest wait for the next bytes of a response body while reading it, in milliseconds. */
export const DEFAULT_CLIENT_BODY_TIMEOUT = 300_000;
/** Largest response head (status line and fields) accepted, in bytes. */
export const DEFAULT_MAX_RESPONSE_HEADER_BYTES: number = DEFAULT_MAX_HEADER_BYTES;
/** Most header fields accepted in one response head. */
export const DEFAULT_MAX_RESPONSE_HEADER_COUNT = 256;

/** Options for {@linkcode Client}. */
export interface ClientOptions {
  /**
   * Most connections to one origin (scheme, host and port); further requests wait in a
   * queue until one is free.
   *
   * @default {256}
   */
  maxConnectionsPerOrigin?: number;
  /**
   * Most requests in flight on one connection. Above 1, idempotent requests (GET, HEAD,
   * OPTIONS, PUT, DELETE...) with no body or one of at most 64 KiB of bytes, and
   * without `Connection: close`, may be pipelined behind each other once every
   * connection allowed is open; responses still arrive in order.
   *
   * @default {1}
   */
  pipelining?: number;
  /**
   * How long an idle connection stays in the pool, in milliseconds. A shorter
   * `Keep-Alive: timeout=N` from the server wins (less `keepAliveTimeoutThreshold`).
   *
   * @default {4000}
   */
  keepAliveTimeout?: number;
  /**
   * The longest idle time taken from a server's `Keep-Alive` hint, in milliseconds.
   *
   * @default {600000}
   */
  keepAliveMaxTimeout?: number;
  /**
   * Subtracted from a server's `Keep-Alive: timeout=N` hint so the client retires a
   * connection before the server closes it, in milliseconds.
   *
   * @default {1000}
   */
  keepAliveTimeoutThreshold?: number;
  /**
   * Time to open a connection, TLS handshake included, in milliseconds; past it the
   * request fails with `ETIMEDOUT` (`timeout: "connect"`). `0` disables it.
   *
   * @default {10000}
   */
  connectTimeout?: number;
  /**
   * Time from sending a request until its response head is complete, in
   * milliseconds; past it `ETIMEDOUT` (`timeout: "headers"`). `0` disables it.
   *
   * @default {300000}
   */
  headersTimeout?: number;
  /**
   * Longest wait for more response body bytes while the body is being read, in
   * milliseconds; past it the body errors with `ETIMEDOUT` (`timeout: "body"`). Time
   * the consumer spends not reading does not count. `0` disables it.
   *
   * @default {300000}
   */
  bodyTimeout?: number;
  /**
   * Largest response head accepted, in bytes; past it `MALFORMED_RESPONSE`.
   *
   * @default {16384}
   */
  maxResponseHeaderBytes?: number;
  /**
   * Most header fields accepted in a response head; past it `MALFORMED_RESPONSE`.
   *
   * @default {256}
   */
  maxResponseHeaderCount?: number;
  /**
   * PEM root certificates trusted for `https:` in addition to the system's (for a
   * self-signed or private CA certificate).
   *
   * @default {undefined}
   */
  caCerts?: string[];
  /**
   * A Unix domain socket path to send every request to, whatever the URL's host (the
   * host still goes in the `Host` header), as undici's `socketPath`.
   *
   * @default {undefined}
   */
  socketPath?: string;
}
