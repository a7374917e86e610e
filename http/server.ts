import { rawConn } from "../net/_raw_conn.ts";
import type { Handler } from "./handler.ts";
import { listen } from "../net/listen.ts";
import type { Listener } from "../net/listener.ts";
import { Connection } from "./_server/connection.ts";
import { type ConnectionConfig, resolveConfig } from "./_server/config.ts";
import { Clock } from "./_server/clock.ts";
import { DURATION, numberOption } from "./_codec/options.ts";
import { shutdownReason } from "./_server/abort_reasons.ts";
import { DEFAULT_SERVE_HOSTNAME, DEFAULT_SERVE_PORT, type ServeOptions } from "./server_options.ts";

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
  #config: ConnectionConfig;
  #clock: Clock;
  #connections: Set<Connection> = new Set();
  #shuttingDown = false;
  #acceptDone = false;
  #resolveFinished!: () => void;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

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
  constructor(handler: Handler, options: ServeOptions = {}) {
    const secure = options.cert !== undefined || options.key !== undefined;
    // Validate everything before binding; the authority is known once bound.
    const config = resolveConfig(handler, options, secure ? "https" : "http", "localhost");
    const listener = options.path !== undefined ? listen({ path: options.path }) : listen({
      port: options.port ?? DEFAULT_SERVE_PORT,
      hostname: options.hostname ?? DEFAULT_SERVE_HOSTNAME,
      cert: options.cert,
      key: options.key,
      reusePort: options.reusePort,
    });
    this.#listener = listener;
    this.addr = listener.addr;
    config.defaultHost = authority(this.addr);
    this.#config = config;
    this.#clock = new Clock(
      Clock.intervalFor(config.headersTimeout, config.requestTimeout, config.keepAliveTimeout),
    );
    this.finished = new Promise<void>((resolve) => (this.#resolveFinished = resolve));
    const signal = options.signal;
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () => void this.shutdown();
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    const onListen = options.onListen ?? ((addr: Deno.NetAddr | Deno.UnixAddr) => {
      if (addr.transport === "unix") console.log(`Listening on ${addr.path}`);
      else console.log(`Listening on ${secure ? "https" : "http"}://${authority(addr)}/`);
    });
    onListen(this.addr);
    this.#accept();
    if (signal?.aborted) void this.shutdown();
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
    const connection = new Connection(
      rawConn(conn) ?? conn,
      conn.remoteAddr as Deno.NetAddr | Deno.UnixAddr,
      this.#config,
      this.#clock,
    );
    this.#connections.add(connection);
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
