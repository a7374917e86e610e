import type { Handler } from "./handler.ts";
import {
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_KEEP_ALIVE_TIMEOUT,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_DRAIN_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADER_COUNT,
  DEFAULT_MAX_REQUESTS_PER_CONNECTION,
  DEFAULT_MAX_URL_BYTES,
  DEFAULT_REQUEST_TIMEOUT,
} from "./_parser/limits.ts";
import type { ConnectionConfig } from "./_server/connection.ts";
import { defaultOnError } from "./_server/exchange.ts";
import { Server } from "./server.ts";

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
   * 413 and `request.signal` aborts).
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
   * Requests served on one connection; the last one is answered with
   * `connection: close`. 0 is unlimited.
   *
   * @default {0}
   */
  maxRequestsPerConnection?: number;
  /**
   * Bytes of an unread request body the server reads and discards to keep the
   * connection alive; when more remain, the response says `connection: close`.
   *
   * @default {262144}
   */
  maxDrainBytes?: number;
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
   * Called once the server listens, with its address. The default logs
   * `Listening on http://HOST:PORT/` (as Deno.serve does).
   *
   * @default {a console.log of the address}
   */
  onListen?: (addr: Deno.NetAddr | Deno.UnixAddr) => void;
}

function checkLimit(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(`Cannot serve: ${name} must be a number, got ${typeof value}`);
  }
  if (!(value >= min) || (value !== Infinity && !Number.isInteger(value))) {
    throw new RangeError(`Cannot serve: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/**
 * Checks limit options and fills in their defaults.
 *
 * @param handler The request handler.
 * @param options Limits, timeouts, onError.
 * @param scheme "http" or "https" (for request URLs).
 * @param defaultHost Authority for HTTP/1.0 requests without Host.
 * @returns The resolved connection settings.
 */
export function resolveConfig(
  handler: Handler,
  options: ConnectionOptions,
  scheme: string,
  defaultHost: string,
): ConnectionConfig {
  if (typeof handler !== "function") {
    throw new TypeError(`Cannot serve: the handler must be a function, got ${typeof handler}`);
  }
  const onError = options.onError ?? defaultOnError;
  if (typeof onError !== "function") {
    throw new TypeError(`Cannot serve: onError must be a function, got ${typeof onError}`);
  }
  const timeout = (name: string, value: number | undefined, fallback: number) => {
    const ms = checkLimit(name, value, fallback, 1);
    if (ms > 2 ** 31 - 1) throw new RangeError(`Cannot serve: ${name} must be at most 2^31-1 ms`);
    return ms;
  };
  return {
    handler,
    onError,
    maxHeaderBytes: checkLimit(
      "maxHeaderBytes",
      options.maxHeaderBytes,
      DEFAULT_MAX_HEADER_BYTES,
      1,
    ),
    maxHeaderCount: checkLimit(
      "maxHeaderCount",
      options.maxHeaderCount,
      DEFAULT_MAX_HEADER_COUNT,
      1,
    ),
    maxUrlBytes: checkLimit("maxUrlBytes", options.maxUrlBytes, DEFAULT_MAX_URL_BYTES, 1),
    maxBodyBytes: checkLimit("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    headersTimeout: timeout("headersTimeout", options.headersTimeout, DEFAULT_HEADERS_TIMEOUT),
    requestTimeout: timeout("requestTimeout", options.requestTimeout, DEFAULT_REQUEST_TIMEOUT),
    keepAliveTimeout: timeout(
      "keepAliveTimeout",
      options.keepAliveTimeout,
      DEFAULT_KEEP_ALIVE_TIMEOUT,
    ),
    maxRequestsPerConnection: checkLimit(
      "maxRequestsPerConnection",
      options.maxRequestsPerConnection,
      DEFAULT_MAX_REQUESTS_PER_CONNECTION,
    ),
    maxDrainBytes: checkLimit("maxDrainBytes", options.maxDrainBytes, DEFAULT_MAX_DRAIN_BYTES),
    scheme,
    defaultHost,
    parsers: [],
  };
}

/**
 * Serves HTTP/1.1 with `handler`: a Web `Request` in, a Web `Response` out, as in
 * `Deno.serve`. Listens at once and returns the running {@linkcode Server}.
 *
 * Keep-alive is the default on HTTP/1.1 (opt-in on 1.0); pipelined requests are
 * answered in order; request bodies are streams with backpressure; responses get a
 * Content-Length when their size is known and are chunked otherwise (close-delimited for
 * HTTP/1.0); HEAD, 204 and 304 have no body; every response has a Date. Bad requests
 * get their status (400, 408, 413, 414, 431, 501, 505) and a close. A handler that
 * throws gets a 500 (or `onError`'s Response) and the server goes on.
 *
 * @param handler Called for each request.
 * @param options Where to listen, limits, timeouts and hooks.
 * @returns The server, already listening.
 *
 * @example Hello world
 * ```ts ignore
 * import { serve } from "@wire/http";
 *
 * serve(() => new Response("Hello, World!"), { port: 8000 });
 * ```
 *
 * @example Shut down with `await using`
 * ```ts ignore
 * import { serve } from "@wire/http";
 *
 * await using server = serve(() => new Response("hi"), { port: 0, onListen() {} });
 * const response = await fetch(`http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`);
 * console.log(await response.text()); // "hi"
 * ```
 */
export function serve(handler: Handler, options: ServeOptions = {}): Server {
  return new Server(handler, options);
}
