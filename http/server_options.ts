/**
 * Options of `serve` and `Server`: where to listen, and the limits, timeouts and hooks
 * of each connection (shared with `inject`).
 *
 * @module
 */

import type { AccessLogFormat, AccessLogOptions } from "./access_log.ts";
import type { CompressionOptions } from "./compression.ts";
import type { TrustProxy } from "./trust_proxy.ts";
import type { ProxyProtocol } from "./proxy_protocol.ts";

/**
 * The TCP port `serve` listens on when none is given.
 *
 * @example The default port
 * ```ts
 * import { DEFAULT_SERVE_PORT } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_SERVE_PORT, 8000);
 * ```
 */
export const DEFAULT_SERVE_PORT = 8000;
/**
 * The address `serve` binds to when no `hostname` is given: every IPv4 interface.
 *
 * @example The default hostname
 * ```ts
 * import { DEFAULT_SERVE_HOSTNAME } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_SERVE_HOSTNAME, "0.0.0.0");
 * ```
 */
export const DEFAULT_SERVE_HOSTNAME = "0.0.0.0";

/**
 * Relaxations of the server's strict request rules, for clients known to be sloppy.
 * Every flag is off by default: Wire answers 400 to HTTP/1.1 without Host and to bare LF
 * line ends, and 501 to methods outside the IANA registry.
 *
 * @example Accept an old client that sends bare LF and no Host
 * ```ts
 * import { inject } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const { response } = await inject(
 *   (request) => new Response(new URL(request.url).host),
 *   "GET / HTTP/1.1\n\n",
 *   { lenient: { missingHost: true, bareLf: true } },
 * );
 * assert.equal(await response.text(), "localhost");
 * ```
 */
export interface ServeLenientFlags {
  /**
   * Serve HTTP/1.1 requests that have no Host field (RFC 9112 §3.2 says 400), with the
   * server's own address as the URL's host. A repeated Host is still refused.
   *
   * @default {false}
   */
  missingHost?: boolean;
  /**
   * Accept a bare LF where CRLF ends a line (request line, fields, chunk lines).
   *
   * @default {false}
   */
  bareLf?: boolean;
  /**
   * Accept any token as a method, not only the registered ones (501 otherwise).
   *
   * @default {false}
   */
  methods?: boolean;
  /**
   * Accept request-targets that the WHATWG URL parser would rewrite, and serve them
   * rewritten: a backslash read as `/`, dot segments (`.`, `..`, and their `%2e` forms)
   * resolved, the path or query ended by a `#` (the rest is a fragment). Without it they
   * are answered 400: a proxy in front matched its rules against the target as sent
   * (`/public/../admin` passes a rule on `/admin`), so serving another path would step
   * around those rules.
   *
   * @default {false}
   */
  normalizePath?: boolean;
}

/**
 * Limits, timeouts and the error hook of a server connection: shared by
 * {@linkcode ServeOptions} and `inject`'s options.
 *
 * @example Tight limits for a small JSON API
 * ```ts
 * import { inject, type ConnectionOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const limits: ConnectionOptions = { maxBodyBytes: 1024, maxHeaderCount: 20 };
 * const { response } = await inject(
 *   () => new Response("ok"),
 *   "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n",
 *   limits,
 * );
 * assert.equal(response.status, 413);
 * ```
 */
export interface ConnectionOptions {
  /**
   * Answers a request whose handler threw, or returned something that is not a
   * Response (or a Response that cannot be sent). Its Response is sent instead; if it
   * throws too, the answer is a plain 500. The default turns an `HttpError` into its
   * status (message shown when `expose`), and logs anything else and answers 500.
   *
   * @default {an HttpError-aware 500 handler}
   */
  onError?: (error: unknown, request?: Request) => Response | Promise<Response>;
  /**
   * Largest request head (request line, fields, empty line): 431 and close past it.
   *
   * @default {16384}
   */
  maxHeaderBytes?: number;
  /**
   * Most header fields in a request: 431 and close past it.
   *
   * @default {100}
   */
  maxHeaderCount?: number;
  /**
   * Longest request-target: 414 and close past it.
   *
   * @default {8192}
   */
  maxUrlBytes?: number;
  /**
   * Largest request body: 413 and close past it (at once for a Content-Length, when the
   * limit is crossed for a chunked body; the body stream then errors with an HttpError
   * 413 and `request.signal` aborts). A body counts as sent on the wire: a chunked one
   * with its chunk-size lines, chunk extensions, CRLFs and trailer section.
   *
   * @default {Infinity}
   */
  maxBodyBytes?: number;
  /**
   * Time to receive a request head, from its first byte (for the first request, from
   * the connection opening): 408 and close past it. Cuts off slowloris senders. A
   * connection that sent nothing at all is closed without a 408.
   *
   * @default {60000}
   */
  headersTimeout?: number;
  /**
   * Time to receive a whole request, head and body: 408 and close past it (or just a
   * close when the response has already started); `request.signal` aborts with a
   * TimeoutError.
   *
   * @default {300000}
   */
  requestTimeout?: number;
  /**
   * Idle time allowed between requests on a keep-alive connection before it closes.
   *
   * @default {5000}
   */
  keepAliveTimeout?: number;
  /**
   * Time a response may wait for the client to take any of its bytes (a client that
   * does not read) before the connection is closed and the exchange aborted, as nginx's
   * `send_timeout`. It counts only while a write is under way: a long download that
   * keeps moving, or an idle event stream, is not cut off.
   *
   * @default {60000}
   */
  sendTimeout?: number;
  /**
   * Requests served on one connection; the last one is answered with
   * `connection: close`. 0 is unlimited.
   *
   * @default {0}
   */
  maxRequestsPerConnection?: number;
  /**
   * Bytes of an unread request body the server reads and discards to keep the
   * connection alive; when more remain, the response says `connection: close`. Counted
   * as on the wire, chunk framing included (as for `maxBodyBytes`).
   *
   * @default {262144}
   */
  maxDrainBytes?: number;
  /**
   * Requests in handlers at once, across the server: past it a new request is answered
   * `503 Service Unavailable` with `Retry-After: 1` before its body is read or its
   * handler called, and its connection closes (load shedding). 0 is unlimited.
   *
   * @default {0}
   */
  maxRequestsInFlight?: number;
  /**
   * Relaxations of the strict request rules (all off by default).
   *
   * @default {{}}
   */
  lenient?: ServeLenientFlags;
  /**
   * Proxies whose forwarding headers are believed (`X-Forwarded-For/-Proto/-Host` by
   * default, or `Forwarded`): from them the client's address becomes `info.remoteAddr`
   * and the client's scheme and host make `request.url`. See {@linkcode TrustProxy} for
   * the rules. Off by default: the headers are then ignored (and passed on as sent).
   *
   * @default {undefined}
   */
  trustProxy?: TrustProxy;
  /**
   * Require a PROXY protocol header (v1 or v2, as HAProxy's `send-proxy` writes it) at
   * the start of every connection; its source becomes `info.remoteAddr`. See
   * {@linkcode ProxyProtocol}. Plain listeners only.
   *
   * @default {false}
   */
  proxyProtocol?: ProxyProtocol;
  /**
   * Compresses responses as `compressResponse()` does: gzip, brotli, deflate or zstd as
   * the request's `Accept-Encoding` prefers, for compressible types of at least 1 KiB
   * (never 206, 304, HEAD, `no-transform` or an already-encoded body), with
   * `Vary: Accept-Encoding` and strong ETags made weak. `true` takes the defaults; an
   * object sets them. Off by default, as in Deno.serve.
   *
   * @default {false}
   */
  automaticCompression?: boolean | CompressionOptions;
  /**
   * Writes an access log line per request once its response is delivered (or cut
   * short, with the reason): `true` for the combined format on stdout, a format name
   * or function, or options (format, sink, batching). Lines are formatted and written
   * in batches off the request path.
   *
   * @default {false}
   */
  accessLog?: boolean | AccessLogFormat | AccessLogOptions;
}

/**
 * Options for {@linkcode serve}: where to listen, limits and timeouts, hooks.
 *
 * @example Listen on a free port, quietly, with a shorter keep-alive
 * ```ts ignore
 * import { serve, type ServeOptions } from "@wire/http";
 *
 * const options: ServeOptions = {
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   keepAliveTimeout: 2_000,
 *   onListen: (addr) => console.log("up on", addr),
 * };
 * await using server = serve(() => new Response("ok"), options);
 * ```
 */
export interface ServeOptions extends ConnectionOptions {
  /**
   * The TCP port; 0 picks a free one (read it from `server.addr`).
   *
   * @default {8000}
   */
  port?: number;
  /**
   * The address to listen on.
   *
   * @default {"0.0.0.0"}
   */
  hostname?: string;
  /**
   * A Unix domain socket path to listen on instead of TCP.
   *
   * @default {undefined}
   */
  path?: string;
  /**
   * PEM certificate chain; with `key`, the server speaks HTTPS (ALPN `http/1.1`).
   *
   * @default {undefined}
   */
  cert?: string;
  /**
   * PEM private key for `cert`.
   *
   * @default {undefined}
   */
  key?: string;
  /**
   * Open connections at once: past it a new connection is answered
   * `503 Service Unavailable` with `Retry-After: 1` and closed at once, without reading
   * it. 0 is unlimited.
   *
   * @default {0}
   */
  maxConnections?: number;
  /**
   * SO_REUSEPORT: several processes may listen on one port and Linux spreads the
   * connections (needs Deno's `--unstable-net`).
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Aborting it shuts the server down gracefully, as `server.shutdown()` does.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * How a plain TCP server (no `cert`, `path` or `reusePort`; an IP-literal `hostname`)
   * accepts and reads its connections. `"deno"`: Deno's socket ops, the fastest route.
   * `"node"`: `node:net`, which Deno serves round-robin from a libuv-style loop: fair
   * when many connections are busy (bench/fairness.ts at 1000 connections: every
   * connection served about equally and a p99 of tens of ms, where the default route
   * serves a few connections thousands of times while others wait seconds), at about a
   * fifth fewer requests per second. Elsewhere the option has no effect.
   *
   * @default {"deno"}
   */
  transport?: "deno" | "node";
  /**
   * Called once the server listens, with its address. The default logs
   * `Listening on http://HOST:PORT/` (as Deno.serve does).
   *
   * @default {a console.log of the address}
   */
  onListen?: (addr: Deno.NetAddr | Deno.UnixAddr) => void;
}
