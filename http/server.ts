import { rawConn } from "../net/_raw_conn.ts";
import type { Handler, HandlerObject } from "./handler.ts";
import { listen } from "../net/listen.ts";
import { Listener } from "../net/listener.ts";
import { Connection } from "./_server/connection.ts";
import { type ConnectionConfig, DEFAULT_MAX_CONNECTIONS, resolveConfig } from "./_server/config.ts";
import { Clock } from "./_server/clock.ts";
import { DURATION, functionOption, NON_NEGATIVE_INTEGER, numberOption } from "./_codec/options.ts";
import { kindOf } from "./_codec/error_text.ts";
import { shutdownReason } from "./_server/abort_reasons.ts";
import { ignore } from "./_codec/ignore.ts";
import { DEFAULT_SERVE_HOSTNAME, DEFAULT_SERVE_PORT, type ServeOptions } from "./server_options.ts";
import type { ServerStats } from "./server_stats.ts";
import type { Socket } from "node:net";
import { NodeSocketTransport } from "./_server/node_socket.ts";
import { nodeListen, type NodeListener, wantsNodeListen } from "./_server/node_listener.ts";

/**
 * The port to listen on: a number or a numeric string (as Deno.serve takes it) from 0 to
 * 65535; undefined or null for the default. A value that is not a whole number is a
 * TypeError, one out of range a RangeError (the classes Deno.serve throws).
 */
function resolvePort(port: unknown): number {
  if (port === undefined || port === null) return DEFAULT_SERVE_PORT;
  let value = port;
  if (typeof port === "string" && /^[0-9]{1,5}$/.test(port)) value = Number(port);
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(
      `Cannot serve: port must be an integer from 0 to 65535 (or such a numeric string), got ${
        typeof port === "string" ? JSON.stringify(port) : String(port)
      }`,
    );
  }
  if (value < 0 || value > 65535) {
    throw new RangeError(`Cannot serve: port must be from 0 to 65535, got ${value}`);
  }
  return value;
}

/**
 * Options for {@linkcode Server.shutdown}.
 *
 * @example Give in-flight requests five seconds
 * ```ts ignore
 * import { serve, type ShutdownOptions } from "@wire/http";
 *
 * const server = serve(() => new Response("ok"), { port: 0, onListen() {} });
 * const options: ShutdownOptions = { deadline: 5_000 };
 * await server.shutdown(options);
 * ```
 */
export interface ShutdownOptions {
  /**
   * Milliseconds to let in-flight requests finish; past it they are aborted
   * (`request.signal` aborts with a shutdown reason) and their connections closed.
   * Without it, shutdown waits for them however long they take.
   *
   * @default {undefined}
   */
  deadline?: number;
}

const TURNED_AWAY = new TextEncoder().encode(
  "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain;charset=UTF-8\r\n" +
    "retry-after: 1\r\ncontent-length: 19\r\nconnection: close\r\n\r\nService Unavailable",
);

/**
 * A connection past `maxConnections`: a canned 503 (the socket's buffer takes it at
 * once), then close, without reading it or giving it any state.
 */
function turnAway(conn: Deno.Conn): void {
  conn.write(TURNED_AWAY).catch(ignore).finally(() => {
    try {
      conn.close();
    } catch {
      // Gone already.
    }
  });
}

function authority(addr: Deno.NetAddr | Deno.UnixAddr): string {
  if (addr.transport !== "tcp" && addr.transport !== "udp") return "localhost";
  const host = addr.hostname === "0.0.0.0" || addr.hostname === "::"
    ? "localhost"
    : addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `${host}:${addr.port}`;
}

/**
 * A running HTTP/1.1 server, made by {@linkcode serve}: it owns the listener and the
 * live connections. `shutdown()` (or the `signal` option, or `await using`) stops
 * accepting, closes idle keep-alive connections at once, lets in-flight requests finish
 * (their responses say `connection: close`), and resolves `finished`.
 *
 * @example Serve, then shut down
 * ```ts ignore
 * import { Server } from "@wire/http";
 *
 * const server = new Server(() => new Response("ok"), { port: 0, onListen() {} });
 * console.log(server.addr);
 * await server.shutdown();
 * ```
 */
export class Server implements AsyncDisposable {
  /** The address the server listens on (with the picked port when 0 was asked for). */
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  /** Resolves once the server stopped accepting and every connection closed. */
  readonly finished: Promise<void>;
  #listener: Listener | NodeListener;
  #config!: ConnectionConfig;
  #clock!: Clock;
  #connections: Set<Connection> = new Set();
  #shuttingDown = false;
  #acceptDone = false;
  #resolveFinished!: () => void;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #refed = true;
  #maxConnections: number;

  /**
   * Listens and starts serving; `serve(handler, options)` is the same call.
   *
   * @param handler Called for each request.
   * @param options Where to listen, limits, timeouts and hooks.
   *
   * @example Construct directly
   * ```ts ignore
   * import { Server } from "@wire/http";
   *
   * await using server = new Server(() => new Response("ok"), { port: 0, onListen() {} });
   * ```
   */
  constructor(handler: Handler | HandlerObject, options: ServeOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`Cannot serve: options must be an object, got ${kindOf(options)}`);
    }
    const secure = options.cert !== undefined || options.key !== undefined;
    // Everything is checked before binding, so a bad option never leaves a socket open;
    // the authority for HTTP/1.0 requests without Host is known once bound.
    const config = resolveConfig(handler, options, secure ? "https" : "http", "localhost");
    const port = resolvePort(options.port);
    this.#maxConnections = numberOption(
      "serve",
      "maxConnections",
      options.maxConnections,
      DEFAULT_MAX_CONNECTIONS,
      NON_NEGATIVE_INTEGER,
    );
    const onListen = functionOption(
      "serve",
      "onListen",
      options.onListen,
      (addr: Deno.NetAddr | Deno.UnixAddr) => {
        if (addr.transport === "unix") console.log(`Listening on ${addr.path}`);
        else console.log(`Listening on ${secure ? "https" : "http"}://${authority(addr)}/`);
      },
    );
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`Cannot serve: signal must be an AbortSignal, got ${kindOf(signal)}`);
    }
    const transport = options.transport;
    if (transport !== undefined && transport !== "deno" && transport !== "node") {
      throw new TypeError(
        `Cannot serve: transport must be "deno" or "node", got ${
          typeof transport === "string" ? JSON.stringify(transport) : kindOf(transport)
        }`,
      );
    }
    const hostname = options.hostname ?? DEFAULT_SERVE_HOSTNAME;
    // `transport: "node"`: plain TCP through node:net, fair under many busy connections
    // (_server/node_listener.ts); otherwise, and for TLS, Unix sockets and reusePort,
    // Deno.listen.
    const nodeListener = wantsNodeListen(transport) && options.path === undefined && !secure &&
        options.reusePort !== true
      ? nodeListen(hostname, port, this.#serveSocket)
      : null;
    const listener = nodeListener ??
      (options.path !== undefined ? listen({ path: options.path }) : listen({
        port,
        hostname,
        cert: options.cert,
        key: options.key,
        reusePort: options.reusePort,
      }));
    this.#listener = listener;
    this.addr = listener.addr;
    this.finished = new Promise<void>((resolve) => (this.#resolveFinished = resolve));
    try {
      config.defaultHost = authority(this.addr);
      this.#config = config;
      this.#clock = new Clock(
        Clock.intervalFor(
          config.headersTimeout,
          config.requestTimeout,
          config.keepAliveTimeout,
          config.sendTimeout,
        ),
      );
      if (signal !== undefined) {
        this.#signal = signal;
        this.#onAbort = () => this.#closeNow();
        signal.addEventListener("abort", this.#onAbort, { once: true });
      }
      onListen(this.addr);
    } catch (error) {
      // Nothing may outlive a failed constructor: the socket closes with it.
      if (this.#onAbort !== undefined) signal!.removeEventListener("abort", this.#onAbort);
      listener.close();
      throw error;
    }
    if (listener instanceof Listener) this.#accept(listener);
    else this.#acceptDone = true; // node:net accepts by itself; close() ends that
    if (signal?.aborted) this.#closeNow();
  }

  /**
   * Keeps the process alive while the server listens (the default); undoes
   * {@linkcode Server.unref}.
   *
   * @example Ref again
   * ```ts ignore
   * import { serve } from "@wire/http";
   *
   * const server = serve(() => new Response("ok"), { port: 0, onListen() {} });
   * server.unref();
   * server.ref();
   * ```
   */
  ref(): void {
    if (this.#refed) return;
    this.#refed = true;
    this.#listener.ref();
    this.#clock.ref();
    for (const connection of this.#connections) connection.ref();
  }

  /**
   * Lets the process exit while the server still listens, as `Deno.serve`'s `unref()`:
   * neither waiting for connections nor idle keep-alive connections hold it open.
   *
   * @example A server that does not keep the program running
   * ```ts ignore
   * import { serve } from "@wire/http";
   *
   * serve(() => new Response("ok"), { port: 0, onListen() {} }).unref();
   * ```
   */
  unref(): void {
    if (!this.#refed) return;
    this.#refed = false;
    this.#listener.unref();
    this.#clock.unref();
    for (const connection of this.#connections) connection.unref();
  }

  /**
   * Number of open connections.
   *
   * @example Count connections
   * ```ts ignore
   * import { serve } from "@wire/http";
   *
   * await using server = serve(() => new Response("ok"), { port: 0, onListen() {} });
   * console.log(server.connections); // 0
   * ```
   */
  get connections(): number {
    return this.#connections.size;
  }

  /**
   * The server's counters since it started: open connections, requests in flight and in
   * all, responses by status class, aborted requests, heads and bodies refused by a
   * limit (by status), bytes in and out. Always kept (a few additions per request).
   *
   * @returns A snapshot.
   *
   * @example Requests so far
   * ```ts ignore
   * import { serve } from "@wire/http";
   *
   * await using server = serve(() => new Response("ok"), { port: 0, onListen() {} });
   * await (await fetch(`http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`)).text();
   * console.log(server.stats().responses["2xx"]); // 1
   * ```
   */
  stats(): ServerStats {
    return this.#config.counters.snapshot(this.#connections.size);
  }

  async #accept(listener: Listener): Promise<void> {
    try {
      for await (const conn of listener) this.#serve(conn);
    } catch (error) {
      // A fatal accept error (the listener closed itself): stop accepting, keep serving.
      console.error("Wire: accepting connections failed:", error);
    }
    this.#acceptDone = true;
    this.#maybeFinished();
  }

  #serve(conn: Deno.Conn): void {
    if (this.#maxConnections !== 0 && this.#connections.size >= this.#maxConnections) {
      this.#config.counters.reject(503);
      turnAway(conn);
      return;
    }
    const tcp = conn as Deno.TcpConn;
    if (typeof tcp.setNoDelay === "function") {
      try {
        tcp.setNoDelay(true);
      } catch {
        // Not a TCP socket after all.
      }
    }
    // A Unix peer has no name of its own: the handler sees the socket path, as with
    // Deno.serve.
    const remote = conn.remoteAddr.transport === "unix" ? this.addr : conn.remoteAddr;
    this.#start(new Connection(rawConn(conn) ?? conn, remote, this.#config, this.#clock));
  }

  /** An accepted node:net socket (`transport: "node"`). */
  #serveSocket = (socket: Socket): void => {
    const hostname = socket.remoteAddress;
    if (hostname === undefined) {
      // Reset before we saw it: nothing to serve.
      socket.destroy();
      return;
    }
    if (this.#maxConnections !== 0 && this.#connections.size >= this.#maxConnections) {
      this.#config.counters.reject(503);
      socket.end(TURNED_AWAY);
      return;
    }
    const remote: Deno.NetAddr = { transport: "tcp", hostname, port: socket.remotePort ?? 0 };
    this.#start(new Connection(new NodeSocketTransport(socket), remote, this.#config, this.#clock));
  };

  #start(connection: Connection): void {
    this.#config.counters.connectionsTotal++;
    this.#connections.add(connection);
    if (!this.#refed) connection.unref();
    connection.start(this.#onConnectionClosed);
    if (this.#shuttingDown) connection.shutdown();
  }

  /** One hook for every connection (no promise or closure per connection). */
  #onConnectionClosed = (connection: Connection): void => {
    this.#connections.delete(connection);
    this.#maybeFinished();
  };

  #maybeFinished(): void {
    if (this.#acceptDone && this.#shuttingDown && this.#connections.size === 0) {
      if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = undefined;
      if (this.#onAbort !== undefined) {
        this.#signal!.removeEventListener("abort", this.#onAbort);
        this.#onAbort = undefined;
      }
      // The access log's last lines go out before `finished` resolves.
      const log = this.#config.observers?.accessLog;
      if (log) log.close().then(this.#resolveFinished);
      else this.#resolveFinished();
    }
  }

  /**
   * The `signal` aborted: as Deno.serve does, stop accepting and close every connection
   * at once (request signals abort); `finished` resolves when all are closed.
   */
  #closeNow(): void {
    this.#shuttingDown = true;
    this.#listener.close();
    const reason = shutdownReason();
    for (const connection of [...this.#connections]) connection.abort(reason);
    this.#maybeFinished();
  }

  /**
   * Stops accepting, closes idle connections at once, lets in-flight requests finish
   * (their responses carry `connection: close`) and resolves when every connection is
   * closed. With `deadline`, what still runs after that many milliseconds is aborted.
   * Calling it again is harmless (a new deadline still applies).
   *
   * @param options An optional deadline.
   * @returns The `finished` promise.
   *
   * @example Shut down with a deadline
   * ```ts ignore
   * import { serve } from "@wire/http";
   *
   * const server = serve(() => new Response("ok"), { port: 0, onListen() {} });
   * await server.shutdown({ deadline: 5000 });
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const deadline = options.deadline === undefined
      ? undefined
      : numberOption("shut down", "deadline", options.deadline, 0, DURATION);
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      this.#listener.close();
      for (const connection of this.#connections) connection.shutdown();
    }
    if (deadline !== undefined && this.#connections.size > 0) {
      if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = setTimeout(() => {
        this.#deadlineTimer = undefined;
        const reason = shutdownReason();
        for (const connection of [...this.#connections]) connection.abort(reason);
      }, deadline);
    }
    this.#maybeFinished();
    return this.finished;
  }

  /**
   * Shuts down gracefully (for `await using`).
   *
   * @returns The `finished` promise.
   *
   * @example Scoped server
   * ```ts ignore
   * import { serve } from "@wire/http";
   *
   * {
   *   await using server = serve(() => new Response("ok"), { port: 0, onListen() {} });
   * } // shut down here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}
