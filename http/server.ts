import { rawConn } from "../net/_raw_conn.ts";
import type { Handler, HandlerObject } from "./handler.ts";
import { listen } from "../net/listen.ts";
import type { Listener } from "../net/listener.ts";
import { Connection } from "./_server/connection.ts";
import { type ConnectionConfig, resolveConfig } from "./_server/config.ts";
import { Clock } from "./_server/clock.ts";
import { DURATION, functionOption, numberOption } from "./_codec/options.ts";
import { kindOf } from "./_codec/error_text.ts";
import { shutdownReason } from "./_server/abort_reasons.ts";
import { DEFAULT_SERVE_HOSTNAME, DEFAULT_SERVE_PORT, type ServeOptions } from "./server_options.ts";

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
  #listener: Listener;
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
    const listener = options.path !== undefined ? listen({ path: options.path }) : listen({
      port,
      hostname: options.hostname ?? DEFAULT_SERVE_HOSTNAME,
      cert: options.cert,
      key: options.key,
      reusePort: options.reusePort,
    });
    this.#listener = listener;
    this.addr = listener.addr;
    this.finished = new Promise<void>((resolve) => (this.#resolveFinished = resolve));
    try {
      config.defaultHost = authority(this.addr);
      this.#config = config;
      this.#clock = new Clock(
        Clock.intervalFor(config.headersTimeout, config.requestTimeout, config.keepAliveTimeout),
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
    this.#accept();
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

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) this.#serve(conn);
    } catch (error) {
      // A fatal accept error (the listener closed itself): stop accepting, keep serving.
      console.error("Wire: accepting connections failed:", error);
    }
    this.#acceptDone = true;
    this.#maybeFinished();
  }

  #serve(conn: Deno.Conn): void {
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
    const connection = new Connection(rawConn(conn) ?? conn, remote, this.#config, this.#clock);
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
      this.#resolveFinished();
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
