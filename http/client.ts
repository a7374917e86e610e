import type { ClientOptions } from "./client_options.ts";
import { type ConnectionSettings, type PoolLimits, resolveClientConfig } from "./_client/config.ts";
import { aborted, clientClosed, redirectRejected } from "./_client/errors.ts";
import { Pool, type PoolTarget } from "./_client/pool.ts";
import {
  isIdempotent,
  isReplayable,
  type PreparedRequest,
  prepareRequest,
} from "./_client/prepare_request.ts";
import { isRedirect, redirectRequest } from "./_client/redirect.ts";

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
    const config = resolveClientConfig(options);
    this.#settings = config.settings;
    this.#limits = config.limits;
    this.#caCerts = config.caCerts;
    this.#socketPath = config.socketPath;
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
    if (prepared instanceof Promise) return prepared.then((request) => this.#fetch(request));
    return this.#fetch(prepared);
  }

  async #fetch(request: PreparedRequest): Promise<Response> {
    for (let hops = 0;; hops++) {
      const response = await this.#send(request);
      const status = response.status;
      if (request.redirect !== "manual" && isRedirect(status)) {
        const location = response.headers.get("location");
        if (location !== null) {
          if (request.redirect === "error") {
            await discard(response);
            throw redirectRejected(
              request,
              `got a ${status} redirect to ${location}, and redirect is "error"`,
            );
          }
          let next: PreparedRequest;
          try {
            next = redirectRequest(request, status, location, hops);
          } finally {
            await discard(response);
          }
          request = next;
          continue;
        }
      }
      Object.defineProperty(response, "url", { value: request.url.href });
      if (hops > 0) Object.defineProperty(response, "redirected", { value: true });
      return response;
    }
  }

  /** One hop: a pooled connection, retried once on a fresh one if it was stale. */
  async #send(request: PreparedRequest): Promise<Response> {
    if (this.#closed) throw clientClosed(request);
    if (request.signal?.aborted) throw aborted(request);
    const pool = this.#pool(request.url);
    for (let attempt = 0;; attempt++) {
      let connection = pool.acquire(request);
      if (connection instanceof Promise) connection = await connection;
      const reused = connection.requests > 0;
      const exchange = connection.send(request);
      try {
        return await exchange.response;
      } catch (error) {
        // A kept-alive connection the server had closed: nothing of the request was
        // processed, so an idempotent request with a replayable body goes again once.
        if (
          attempt === 0 && reused && exchange.closedUnanswered && isIdempotent(request.method) &&
          isReplayable(request.body)
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
