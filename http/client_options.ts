/**
 * Options of the `Client`, and their defaults.
 *
 * @module
 */

import { DEFAULT_MAX_HEADER_BYTES } from "./_parser/limits.ts";
import type { Handler, HandlerObject } from "./handler.ts";
import type { InjectOptions } from "./inject.ts";
import type { ClientInterceptor } from "./client_interceptor.ts";
import type { CookieJar } from "./cookie_jar.ts";
import type { ProxyOptions } from "./client_proxy.ts";

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

/**
 * Largest decoded response body, in bytes: unlimited, as in fetch. Set
 * `maxResponseBodyBytes` to bound what one response may cost in memory.
 */
export const DEFAULT_MAX_RESPONSE_BODY_BYTES: number = Infinity;
/**
 * Most interim (1xx) responses accepted before the final one. A server that sends more is
 * flooding: 100 Continue and 103 Early Hints come once or twice in practice.
 */
export const DEFAULT_MAX_INTERIM_RESPONSES = 10;
/**
 * Most content codings in one `Content-Encoding` list. Each coding is a decoder in a
 * chain; browsers and undici stop at a handful (undici: 5).
 */
export const DEFAULT_MAX_CONTENT_CODINGS = 5;
/**
 * How long a happy-eyeballs attempt runs before the next address is tried too, in
 * milliseconds (RFC 8305 §5 "Connection Attempt Delay": 250 ms recommended).
 */
export const DEFAULT_HAPPY_EYEBALLS_DELAY = 250;
/**
 * How long a resolved host name is kept by the DNS cache, in milliseconds, when the
 * resolver gives no TTL (or a longer one).
 */
export const DEFAULT_DNS_CACHE_TTL = 30_000;

/**
 * One address of a host name, as a {@linkcode ClientOptions.lookup} function gives it.
 *
 * @example A resolver that maps a name to loopback, IPv6 first
 * ```ts
 * import type { LookupAddress } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const lookup = (_hostname: string): LookupAddress[] => [
 *   { address: "::1", family: 6 },
 *   { address: "127.0.0.1", family: 4, ttl: 60 },
 * ];
 * assert.equal(lookup("api.test").length, 2);
 * ```
 */
export interface LookupAddress {
  /** An IPv4 or IPv6 address literal (no brackets). */
  address: string;
  /** The address family. */
  family: 4 | 6;
  /** How long the answer may be cached, in seconds, when the resolver knows. */
  ttl?: number;
}

/**
 * Resolves a host name to its addresses, for the DNS cache and happy eyeballs; plain
 * strings are address literals whose family is read from their form.
 */
export type ClientLookup = (
  hostname: string,
  options: { signal: AbortSignal },
) => Promise<(LookupAddress | string)[]> | (LookupAddress | string)[];

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
  /**
   * Largest decoded response body, in bytes; a body that grows past it errors with
   * `RESPONSE_TOO_LARGE` (at once when an uncoded body announces a longer
   * Content-Length), and its connection is closed.
   *
   * @default {Infinity}
   */
  maxResponseBodyBytes?: number;
  /**
   * Most interim (1xx) responses before the final one; one more fails the request with
   * `MALFORMED_RESPONSE`. Their heads together may not pass `maxResponseHeaderBytes`.
   *
   * @default {10}
   */
  maxInterimResponses?: number;
  /**
   * Most codings in a response's `Content-Encoding` list; a longer list fails with
   * `UNSUPPORTED_ENCODING`.
   *
   * @default {5}
   */
  maxContentCodings?: number;
  /**
   * Decode `gzip`, `x-gzip`, `deflate`, `br` and `zstd` response bodies (every coding of
   * the list, in bounded pieces), as fetch does. `false` hands the coded bytes over as
   * they came; so does a chain holding {@linkcode decompressInterceptor}, which decodes
   * instead.
   *
   * @default {true}
   */
  decompress?: boolean;
  /**
   * Sends requests through an HTTP proxy: `http:` URLs in absolute form, `https:` ones
   * through a CONNECT tunnel with TLS to the origin over it. A URL (credentials in it
   * become `Proxy-Authorization: Basic`) or {@linkcode ProxyOptions} (one proxy per
   * scheme, `noProxy`, extra headers). The default `fetch` reads `HTTP_PROXY`,
   * `HTTPS_PROXY` and `NO_PROXY` ({@linkcode proxyFromEnv}); a Client only takes this
   * option.
   *
   * @default {undefined}
   */
  proxy?: string | URL | ProxyOptions;
  /**
   * Serves every request in memory with this handler, through the server's real parser,
   * connection state machine and encoder (`injectConnection`), without a socket: the
   * URL's host only fills the Host header. Each pooled connection is one in-memory
   * connection.
   *
   * @default {undefined}
   */
  handler?: Handler | HandlerObject;
  /**
   * Server options for the in-memory `handler` (limits, timeouts, `onError`,
   * `remoteAddr`).
   *
   * @default {{}}
   */
  handlerOptions?: Omit<InjectOptions, "chunkSize" | "secure" | "signal">;
  /**
   * Interceptors around every request, outermost first: each gets the Request and the
   * `next` step, as middleware does on the server. See {@linkcode ClientInterceptor}.
   *
   * @default {[]}
   */
  interceptors?: ClientInterceptor[];
  /**
   * Stores `Set-Cookie` from responses and sends matching cookies (RFC 6265bis); one jar
   * may be shared by several Clients. Off unless given.
   *
   * @default {undefined}
   */
  cookieJar?: CookieJar;
  /**
   * Resolves host names for the DNS cache and happy eyeballs. Given alone it replaces the
   * system resolver (as `curl --resolve` does). The default is the system's
   * `getaddrinfo` (`node:dns` lookup).
   *
   * @default {undefined}
   */
  lookup?: ClientLookup;
  /**
   * Races the addresses of a host name with both IPv6 and IPv4 addresses (RFC 8305):
   * families interleaved, IPv6 first, a new attempt every `happyEyeballsDelay` or as soon
   * as one fails, the first connection wins.
   *
   * @default {false}
   */
  happyEyeballs?: boolean;
  /**
   * The delay between happy-eyeballs attempts, in milliseconds (RFC 8305's Connection
   * Attempt Delay).
   *
   * @default {250}
   */
  happyEyeballsDelay?: number;
  /**
   * Keeps resolved addresses for `dnsCacheTtl` (or the record's TTL when shorter) and
   * forgets a name whose addresses all failed.
   *
   * @default {false}
   */
  dnsCache?: boolean;
  /**
   * How long the DNS cache keeps an answer, in milliseconds.
   *
   * @default {30000}
   */
  dnsCacheTtl?: number;
}
