import { DEFAULT_MAX_HEADER_BYTES } from "./_parser/limits.ts";
import type { ConnectionSettings } from "./_client/connection.ts";
import { RETRYABLE } from "./_client/connection.ts";
import { Pool, type PoolLimits, type PoolTarget } from "./_client/pool.ts";
import {
  isIdempotent,
  isReplayable,
  type PreparedRequest,
  prepareRequest,
} from "./_client/prepare_request.ts";
import { isRedirect, redirectRequest } from "./_client/redirect.ts";
import { ClientError } from "./client_error.ts";

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

/** Bytes read from the socket at a time. */
const READ_BUFFER_SIZE = 64 * 1024;

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
   * Most requests in flight on one connection. Above 1, idempotent requests without a
   * streamed body (GET, HEAD, OPTIONS, PUT, DELETE...) may be pipelined behind each
   * other once every connection allowed is open; responses still arrive in order.
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

function checkMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`Cannot create Client: ${name} must be a number of milliseconds`);
  }
  if (value < 0) {
    throw new RangeError(`Cannot create Client: ${name} must be >= 0, got ${value}`);
  }
  return value;
}

function checkCount(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`Cannot create Client: ${name} must be a number`);
  }
  if (value !== Infinity && (!Number.isInteger(value) || value < 1)) {
    throw new RangeError(`Cannot create Client: ${name} must be an integer >= 1, got ${value}`);
  }
  return value;
}

/**
 * An HTTP/1.1 client with a keep-alive connection pool per origin, on `Deno.connect`
 * and Wire's parser. `client.fetch()` behaves like WHATWG `fetch` (bodies, redirects,
 * gzip/deflate/br decoding, `AbortSignal`) and fails with a typed {@linkcode
 * ClientError} naming the URL.
 *
 * A connection goes back to the pool when its response body has been read to the end
 * (or was empty); read or cancel every body. `close()` (or `await using`) closes every
 * connection at once: requests still in flight fail with `CLIENT_CLOSED`.
 *
 * @example Reuse connections for several requests
 * ```ts ignore
 * import { Client } from "@wire/http/http";
 *
 * await using client = new Client({ maxConnectionsPerOrigin: 8 });
 * const response = await client.fetch("http://127.0.0.1:8000/users?page=2");
 * console.log(response.status, await response.json());
 * ```
 *
 * @example Options are checked up front
 * ```ts
 * import { Client } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new Client({ maxConnectionsPerOrigin: 0 }), RangeError);
 * ```
 */
export class Client implements AsyncDisposable {
  #pools = new Map<string, Pool>();
  #settings: ConnectionSettings;
  #limits: PoolLimits;
  #caCerts: string[] | undefined;
  #socketPath: string | undefined;
  #closed = false;
  #removePool = (pool: Pool): void => {
    if (this.#pools.get(pool.key) === pool) this.#pools.delete(pool.key);
  };

  /**
   * Creates a client with no connections yet; they open on the first request to each
   * origin.
   *
   * @param options Pool size, pipelining, keep-alive, timeouts, limits, TLS roots and
   * Unix socket path.
   * @throws {RangeError} When a count or time is out of range.
   * @throws {TypeError} When an option has the wrong type.
   *
   * @example Trust a private CA and bound waits
   * ```ts ignore
   * import { Client } from "@wire/http/http";
   *
   * const client = new Client({
   *   caCerts: [await Deno.readTextFile("ca.pem")],
   *   connectTimeout: 2_000,
   *   headersTimeout: 10_000,
   * });
   * ```
   */
  constructor(options: ClientOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Cannot create Client: options must be an object");
    }
    this.#settings = {
      headersTimeout: checkMs(
        "headersTimeout",
        options.headersTimeout,
        DEFAULT_CLIENT_HEADERS_TIMEOUT,
      ),
      bodyTimeout: checkMs("bodyTimeout", options.bodyTimeout, DEFAULT_CLIENT_BODY_TIMEOUT),
      keepAliveTimeout: checkMs(
        "keepAliveTimeout",
        options.keepAliveTimeout,
        DEFAULT_CLIENT_KEEP_ALIVE_TIMEOUT,
      ),
      keepAliveMaxTimeout: checkMs(
        "keepAliveMaxTimeout",
        options.keepAliveMaxTimeout,
        DEFAULT_KEEP_ALIVE_MAX_TIMEOUT,
      ),
      keepAliveTimeoutThreshold: checkMs(
        "keepAliveTimeoutThreshold",
        options.keepAliveTimeoutThreshold,
        DEFAULT_KEEP_ALIVE_TIMEOUT_THRESHOLD,
      ),
      maxHeaderBytes: checkCount(
        "maxResponseHeaderBytes",
        options.maxResponseHeaderBytes,
        DEFAULT_MAX_RESPONSE_HEADER_BYTES,
      ),
      maxHeaderCount: checkCount(
        "maxResponseHeaderCount",
        options.maxResponseHeaderCount,
        DEFAULT_MAX_RESPONSE_HEADER_COUNT,
      ),
      readBufferSize: READ_BUFFER_SIZE,
    };
    this.#limits = {
      maxConnections: checkCount(
        "maxConnectionsPerOrigin",
        options.maxConnectionsPerOrigin,
        DEFAULT_MAX_CONNECTIONS_PER_ORIGIN,
      ),
      pipelining: checkCount("pipelining", options.pipelining, DEFAULT_CLIENT_PIPELINING),
      connectTimeout: checkMs(
        "connectTimeout",
        options.connectTimeout,
        DEFAULT_CLIENT_CONNECT_TIMEOUT,
      ),
    };
    const { caCerts, socketPath } = options;
    if (
      caCerts !== undefined &&
      (!Array.isArray(caCerts) || caCerts.some((cert) => typeof cert !== "string"))
    ) {
      throw new TypeError("Cannot create Client: caCerts must be an array of PEM strings");
    }
    if (socketPath !== undefined && (typeof socketPath !== "string" || socketPath === "")) {
      throw new TypeError("Cannot create Client: socketPath must be a non-empty string");
    }
    this.#caCerts = caCerts;
    this.#socketPath = socketPath;
  }

  /**
   * Sends a request and resolves with the response once its head has arrived; the
   * body streams as it is read. Takes the same arguments as WHATWG `fetch`.
   *
   * @param input The URL (http: or https:) or a `Request`.
   * @param init Method, headers, body, signal and redirect mode, as for `fetch`.
   * @returns The response; `response.url` is the final URL after redirects.
   * @throws {ClientError} (rejects) When the request fails; `code` says why.
   * @throws {TypeError} (rejects) When the arguments are not a valid request.
   *
   * @example POST JSON
   * ```ts ignore
   * import { Client } from "@wire/http/http";
   *
   * await using client = new Client();
   * const response = await client.fetch("http://127.0.0.1:8000/items", {
   *   method: "POST",
   *   headers: { "content-type": "application/json" },
   *   body: JSON.stringify({ name: "wire" }),
   * });
   * console.log(response.status);
   * await response.body?.cancel();
   * ```
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    let prepared: PreparedRequest | Promise<PreparedRequest>;
    try {
      prepared = prepareRequest(input, init);
    } catch (error) {
      return Promise.reject(error);
    }
    if (prepared instanceof Promise) return prepared.then((p) => this.#fetch(p));
    return this.#fetch(prepared);
  }

  async #fetch(p: PreparedRequest): Promise<Response> {
    for (let hops = 0;; hops++) {
      const response = await this.#send(p);
      const status = response.status;
      if (p.redirect !== "manual" && isRedirect(status)) {
        const location = response.headers.get("location");
        if (location !== null) {
          if (p.redirect === "error") {
            await discard(response);
            throw new ClientError(
              "REDIRECT_REJECTED",
              p.url.href,
              `got a ${status} redirect to ${location}, and redirect is "error"`,
              { method: p.method },
            );
          }
          let next: PreparedRequest;
          try {
            next = redirectRequest(p, status, location, hops);
          } finally {
            await discard(response);
          }
          p = next;
          continue;
        }
      }
      Object.defineProperty(response, "url", { value: p.url.href });
      if (hops > 0) Object.defineProperty(response, "redirected", { value: true });
      return response;
    }
  }

  /** One hop: a pooled connection, retried once on a fresh one if it was stale. */
  async #send(p: PreparedRequest): Promise<Response> {
    if (this.#closed) {
      throw new ClientError("CLIENT_CLOSED", p.url.href, "the client was closed", {
        method: p.method,
      });
    }
    const signal = p.signal;
    if (signal?.aborted) {
      throw new ClientError("ABORTED", p.url.href, "the request was aborted", {
        method: p.method,
        cause: signal.reason,
      });
    }
    const pool = this.#pool(p.url);
    const idempotent = isIdempotent(p.method);
    const pipelinable = idempotent && this.#limits.pipelining > 1 &&
      (p.body === null || p.body instanceof Uint8Array);
    for (let attempt = 0;; attempt++) {
      let connection = pool.acquire(p, pipelinable);
      if (connection instanceof Promise) connection = await connection;
      const reused = connection.requests > 0;
      try {
        return await connection.send(p);
      } catch (error) {
        // A kept-alive connection the server had closed: nothing of the request was
        // processed, so an idempotent request with a replayable body goes again once.
        if (
          attempt === 0 && reused && RETRYABLE.has(error as object) && idempotent &&
          isReplayable(p.body)
        ) {
          continue;
        }
        throw error;
      }
    }
  }

  #pool(url: URL): Pool {
    const key = url.protocol + "//" + url.host;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      const tls = url.protocol === "https:";
      let hostname = url.hostname;
      if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
      const target: PoolTarget = {
        hostname,
        port: url.port === "" ? (tls ? 443 : 80) : Number(url.port),
        tls,
        caCerts: this.#caCerts,
        socketPath: this.#socketPath,
      };
      pool = new Pool(key, target, this.#settings, this.#limits, this.#removePool);
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /**
   * Closes every connection now. Requests waiting or in flight (bodies being read
   * included) fail with `CLIENT_CLOSED`; later `fetch` calls too. A second call is
   * harmless.
   *
   * @returns A promise that resolves when every socket is closed.
   *
   * @example Close when done
   * ```ts
   * import { Client } from "@wire/http/http";
   *
   * const client = new Client();
   * await client.close();
   * await client.close(); // harmless
   * ```
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const pool of [...this.#pools.values()]) pool.close();
      this.#pools.clear();
    }
    return Promise.resolve();
  }

  /**
   * Closes the client at the end of an `await using` block.
   *
   * @returns A promise that resolves when every socket is closed.
   *
   * @example Scope a client
   * ```ts
   * import { Client } from "@wire/http/http";
   *
   * {
   *   await using client = new Client();
   * } // closed here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Drops a redirect's body: read it if it is already here, else close its connection. */
async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Cancelling a body that already failed: nothing more to release.
  }
}
