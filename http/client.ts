import type { ClientOptions } from "./client_options.ts";
import { TELEMETRY, type Telemetry } from "./_codec/telemetry.ts";
import { endClientSpan, startClientSpan } from "./_client/telemetry.ts";
import { type ClientInterceptor, composeInterceptors } from "./client_interceptor.ts";
import type { CookieJar } from "./cookie_jar.ts";
import { injectConnection } from "./inject.ts";
import {
  type ClientConfig,
  type ConnectionSettings,
  type PoolLimits,
  resolveClientConfig,
} from "./_client/config.ts";
import type { ConnectionRoute } from "./_client/connection.ts";
import { type DialContext, type Dialer, networkDialer } from "./_client/dial.ts";
import { DnsCache } from "./_client/dns_cache.ts";
import { abortReason, clientClosed, proxyRefused, redirectRejected } from "./_client/errors.ts";
import { hopRequest, siteOf } from "./_client/hop.ts";
import { checkIntegrity } from "./_client/integrity.ts";
import { decodesItself } from "./_client/interceptor_brand.ts";
import { Pool } from "./_client/pool.ts";
import {
  isIdempotent,
  isReplayable,
  type PreparedRequest,
  prepareRequest,
} from "./_client/prepare_request.ts";
import { proxyFor } from "./_client/proxy_config.ts";
import { decodeLocation, isRedirect, redirectRequest } from "./_client/redirect.ts";
import { parseReferrerPolicy } from "./_client/referrer.ts";
import { ACCEPT_ENCODING, ACCEPT_ENCODING_TLS } from "./_client/request_head.ts";
import type { ClientTransport } from "./_client/transport.ts";

/**
 * An HTTP/1.1 client with a keep-alive connection pool per origin, on `Deno.connect`
 * and Wire's parser. `client.fetch()` behaves like WHATWG `fetch` (bodies, redirects,
 * content decoding, `AbortSignal`, referrer and integrity) and fails with a typed
 * {@linkcode ClientError} naming the URL. Options add proxies, interceptors, a cookie
 * jar, happy eyeballs, a DNS cache and in-memory dispatch to a handler.
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
 * @example Call a handler in memory, without a socket
 * ```ts
 * import { Client } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * await using client = new Client({
 *   handler: (request) => Response.json({ path: new URL(request.url).pathname }),
 * });
 * const response = await client.fetch("http://users.internal/v1/me");
 * assert.deepEqual(await response.json(), { path: "/v1/me" });
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
  #config: ClientConfig;
  #settings: ConnectionSettings;
  #limits: PoolLimits;
  #dialContext: DialContext;
  #jar: CookieJar | null;
  #interceptors: ClientInterceptor[];
  /** The interceptor chain, or null when there is none (the fast path). */
  #dispatch: ((request: Request) => Promise<Response>) | null = null;
  /** In-memory connections' ends, awaited by `close()`. */
  #memory = new Set<Promise<void>>();
  #closed = false;
  #removePool = (pool: Pool): void => {
    if (this.#pools.get(pool.key) === pool) this.#pools.delete(pool.key);
  };

  /**
   * Creates a client with no connections yet; they open on the first request to each
   * origin.
   *
   * @param options Pool size, pipelining, keep-alive, timeouts, limits, TLS roots, Unix
   * socket path, proxy, interceptors, cookie jar, name resolution, in-memory handler.
   * @throws {RangeError} When a count or time is out of range.
   * @throws {TypeError} When an option has the wrong type or options conflict.
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
    const elsewhere = [
      config.handler !== null && "handler",
      config.socketPath !== undefined && "socketPath",
      config.proxy !== null && "proxy",
    ].filter((name) => name !== false);
    if (elsewhere.length > 1) {
      throw new TypeError(`Cannot create Client: ${elsewhere.join(" and ")} exclude each other`);
    }
    this.#interceptors = config.interceptors;
    if (config.interceptors.some(decodesItself)) config.settings.decompress = false;
    this.#config = config;
    this.#settings = config.settings;
    this.#limits = config.limits;
    this.#jar = config.cookieJar;
    this.#dialContext = {
      dial: config.dial,
      cache: config.dial.dnsCache ? new DnsCache(config.dial.dnsCacheTtl) : null,
      connectTimeout: config.limits.connectTimeout,
      maxHeaderBytes: config.settings.maxHeaderBytes,
      maxHeaderCount: config.settings.maxHeaderCount,
    };
    if (this.#interceptors.length > 0) this.#compose();
  }

  /**
   * Adds interceptors inside those already there (the last one added runs last, just
   * before the Client's own fetch).
   *
   * @param interceptors The interceptors.
   * @returns This client.
   * @throws {TypeError} When an interceptor is not a function.
   *
   * @example Add a header to every request
   * ```ts
   * import { Client } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * await using client = new Client({
   *   handler: (request) => new Response(request.headers.get("x-trace")),
   * }).use((request, next) => {
   *   const headers = new Headers(request.headers);
   *   headers.set("x-trace", "t-1");
   *   return next(new Request(request, { headers }));
   * });
   * assert.equal(await (await client.fetch("http://api.test/")).text(), "t-1");
   * ```
   */
  use(...interceptors: ClientInterceptor[]): this {
    const added = [...this.#interceptors, ...interceptors];
    composeInterceptors(added, () => Promise.reject()); // checks them before anything changes
    this.#interceptors = added;
    if (interceptors.some(decodesItself)) this.#settings.decompress = false;
    this.#compose();
    return this;
  }

  #compose(): void {
    this.#dispatch = composeInterceptors(
      this.#interceptors,
      (request) => this.#fetchRequest(request),
    );
  }

  /**
   * Sends a request and resolves with the response once its head has arrived; the
   * body streams as it is read. Takes the same arguments as WHATWG `fetch`.
   *
   * @param input The URL (http: or https:) or a `Request`.
   * @param init Method, headers, body, signal, redirect mode, referrer, referrerPolicy,
   * integrity and credentials, as for `fetch`.
   * @returns The response; `response.url` is the final URL after redirects.
   * @throws {ClientError} (rejects) When the request fails; `code` says why.
   * @throws {TypeError} (rejects) When the arguments are not a valid request.
   * @throws {unknown} (rejects) The signal's reason when the request is aborted.
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
    if (this.#dispatch !== null) {
      let request: Request;
      try {
        request = new Request(input, init);
      } catch (error) {
        return Promise.reject(error);
      }
      return this.#dispatch(request);
    }
    let prepared: PreparedRequest | Promise<PreparedRequest>;
    try {
      prepared = prepareRequest(input, init);
    } catch (error) {
      return Promise.reject(error);
    }
    if (prepared instanceof Promise) return prepared.then((request) => this.#fetch(request));
    return this.#fetch(prepared);
  }

  /** The innermost step of the interceptor chain. */
  async #fetchRequest(request: Request): Promise<Response> {
    return this.#fetch(await prepareRequest(request, undefined));
  }

  async #fetch(request: PreparedRequest): Promise<Response> {
    const jar = request.omitCredentials ? null : this.#jar;
    let crossSite = false;
    try {
      for (let hops = 0;; hops++) {
        const hop = jar === null && request.referrer === "client"
          ? request
          : hopRequest(request, jar, crossSite);
        const response = await this.#send(hop);
        if (jar !== null) {
          const setCookies = response.headers.getSetCookie();
          if (setCookies.length > 0) jar.setCookies(setCookies, request.url);
        }
        const status = response.status;
        if (request.redirect !== "manual" && isRedirect(status)) {
          const location = response.headers.get("location");
          if (location !== null) {
            if (request.redirect === "error") {
              await discard(response);
              throw redirectRejected(
                request,
                `got a ${status} redirect to ${location}, and redirect is "error"`,
                new Error("unexpected redirect"),
              );
            }
            let next: PreparedRequest;
            try {
              next = redirectRequest(
                request,
                status,
                decodeLocation(location),
                hops,
                parseReferrerPolicy(response.headers.get("referrer-policy")),
              );
            } finally {
              await discard(response);
            }
            if (siteOf(next.url) !== siteOf(request.url)) crossSite = true;
            request = next;
            continue;
          }
        }
        Object.defineProperty(response, "url", { value: request.url.href });
        if (hops > 0) Object.defineProperty(response, "redirected", { value: true });
        if (request.integrity === "") return response;
        return await checkIntegrity(response, request.integrity, request.method);
      }
    } catch (error) {
      // Fetch cancels a request body stream with the abort reason (before or while it
      // is sent; a stream being sent is cancelled by its connection).
      const body = request.body;
      if (request.signal?.aborted && body instanceof ReadableStream && !body.locked) {
        body.cancel(request.signal.reason).catch(() => {});
      }
      throw error;
    }
  }

  /** One hop: a pooled connection, retried once on a fresh one if it was stale. */
  #send(request: PreparedRequest): Promise<Response> {
    return TELEMETRY === null ? this.#sendOnce(request) : this.#sendTraced(TELEMETRY, request);
  }

  /** Sends one request inside a client span (telemetry on). */
  async #sendTraced(telemetry: Telemetry, request: PreparedRequest): Promise<Response> {
    const { traced, span } = startClientSpan(telemetry, request);
    let response: Response;
    try {
      response = await this.#sendOnce(traced);
    } catch (error) {
      endClientSpan(telemetry, span, 0, error);
      throw error;
    }
    endClientSpan(telemetry, span, response.status);
    return response;
  }

  async #sendOnce(request: PreparedRequest): Promise<Response> {
    if (this.#closed) throw clientClosed(request);
    if (request.signal?.aborted) throw abortReason(request);
    const pool = this.#pool(request.url);
    for (let attempt = 0;; attempt++) {
      let connection = pool.acquire(request);
      if (connection instanceof Promise) connection = await connection;
      const reused = connection.requests > 0;
      const exchange = connection.send(request);
      let response: Response;
      try {
        response = await exchange.response;
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
      const proxy = pool.forwardProxy;
      if (proxy !== null && response.status === 407) {
        await discard(response);
        throw proxyRefused(
          request,
          proxy.address,
          407,
          "answered 407 Proxy Authentication Required",
        );
      }
      return response;
    }
  }

  #pool(url: URL): Pool {
    const key = url.protocol + "//" + url.host;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      const config = this.#config;
      const tls = url.protocol === "https:";
      let hostname = url.hostname;
      if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
      const proxy = config.proxy === null ? null : proxyFor(config.proxy, url);
      const forward = proxy !== null && !tls;
      const route: ConnectionRoute = {
        absoluteForm: forward,
        lines: forward ? proxy.lines : "",
        acceptEncoding: this.#settings.decompress
          ? (tls ? ACCEPT_ENCODING_TLS : ACCEPT_ENCODING)
          : "",
      };
      const dialer: Dialer = config.handler !== null ? this.#memoryDialer(tls) : networkDialer({
        hostname,
        port: url.port === "" ? (tls ? 443 : 80) : Number(url.port),
        tls,
        caCerts: config.caCerts,
        socketPath: config.socketPath,
        proxy,
      }, this.#dialContext);
      pool = new Pool(
        key,
        dialer,
        route,
        forward ? proxy : null,
        this.#settings,
        this.#limits,
        this.#removePool,
      );
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Each pooled connection is a live in-memory connection to the handler. */
  #memoryDialer(secure: boolean): Dialer {
    const { handler, handlerOptions } = this.#config;
    return (_request, signal): Promise<ClientTransport> => {
      if (signal.aborted) return Promise.reject(signal.reason);
      // Closing the client's end ends the server's at once, as a reset socket does, even
      // when a handler still runs (it sees its request's signal abort).
      const ender = new AbortController();
      const conn = injectConnection(handler!, { ...handlerOptions, secure, signal: ender.signal });
      const finished = conn.finished.catch(() => {}).finally(() => this.#memory.delete(finished));
      this.#memory.add(finished);
      return Promise.resolve({
        read: (buffer) => conn.read(buffer),
        write: (buffer) => conn.write(buffer),
        close: () => {
          conn.close();
          ender.abort();
        },
      });
    };
  }

  /**
   * Closes every connection now. Requests waiting or in flight (bodies being read
   * included) fail with `CLIENT_CLOSED`; later `fetch` calls too. A second call is
   * harmless.
   *
   * @returns A promise that resolves when every socket (and every in-memory connection
   * to a `handler`) is closed.
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
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const pool of [...this.#pools.values()]) pool.close();
      this.#pools.clear();
    }
    while (this.#memory.size > 0) await Promise.all([...this.#memory]);
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
