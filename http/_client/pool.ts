/**
 * The connections to one origin: idle ones (most recently used first), a cap on how
 * many exist, and a queue of requests waiting for one.
 *
 * @module
 */
import { ClientConnection, type ConnectionOwner, type ConnectionRoute } from "./connection.ts";
import type { ConnectionSettings, PoolLimits } from "./config.ts";
import type { Dialer } from "./dial.ts";
import { abortReason, clientClosed, connectFailed } from "./errors.ts";
import { hasRoom, isPipelinable } from "./pipelining.ts";
import type { PreparedRequest } from "./prepare_request.ts";
import type { ProxyEndpoint } from "./proxy_config.ts";
import type { ClientTransport } from "./transport.ts";

/** A request waiting for a connection. */
interface Waiter {
  request: PreparedRequest;
  /** Whether a busy connection with room will do (see pipelining.ts). */
  pipelinable: boolean;
  resolve: (connection: ClientConnection) => void;
  reject: (error: unknown) => void;
  onAbort: (() => void) | null;
}

/** One origin's connections. */
export class Pool implements ConnectionOwner {
  /** The origin, as `scheme://host:port`. */
  readonly key: string;
  /** The forward proxy requests go through in absolute form, or null. */
  readonly forwardProxy: ProxyEndpoint | null;
  #dialer: Dialer;
  #route: ConnectionRoute;
  #settings: ConnectionSettings;
  #limits: PoolLimits;
  #idle: ClientConnection[] = [];
  #all = new Set<ClientConnection>();
  #connecting = 0;
  #waiters: Waiter[] = [];
  #closed = false;
  #closer = new AbortController();
  #onEmpty: (pool: Pool) => void;

  /**
   * Makes an empty pool; connections open on demand.
   *
   * @param key The origin.
   * @param dialer Opens a transport to the origin (or its proxy, or a handler).
   * @param route How requests are written on this pool's connections.
   * @param forwardProxy The forward proxy of `route`, or null.
   * @param settings What each connection needs.
   * @param limits Connection cap, pipelining and connect timeout.
   * @param onEmpty Called when the pool has no connections and no waiters left.
   */
  constructor(
    key: string,
    dialer: Dialer,
    route: ConnectionRoute,
    forwardProxy: ProxyEndpoint | null,
    settings: ConnectionSettings,
    limits: PoolLimits,
    onEmpty: (pool: Pool) => void,
  ) {
    this.key = key;
    this.#dialer = dialer;
    this.#route = route;
    this.forwardProxy = forwardProxy;
    this.#settings = settings;
    this.#limits = limits;
    this.#onEmpty = onEmpty;
  }

  /** Open connections, idle or busy, plus those being opened. */
  get size(): number {
    return this.#all.size + this.#connecting;
  }

  /** Idle connections. */
  get idle(): number {
    return this.#idle.length;
  }

  /**
   * A connection for `request`: an idle one at once, else a new one while under the
   * cap, else (for a pipelinable request) a busy one with room, else one that frees up.
   *
   * @param request The request to send.
   * @returns The connection, or a promise of one.
   */
  acquire(request: PreparedRequest): ClientConnection | Promise<ClientConnection> {
    if (this.#closed) return Promise.reject(clientClosed(request));
    const idle = this.#idle;
    while (idle.length > 0) {
      const connection = idle.pop()!;
      if (!connection.closed) return connection;
    }
    if (this.size < this.#limits.maxConnections) return this.#connect(request);
    const pipelinable = isPipelinable(request, this.#limits.pipelining);
    if (pipelinable) {
      let best: ClientConnection | null = null;
      for (const connection of this.#all) {
        if (hasRoom(connection) && (best === null || connection.inFlight < best.inFlight)) {
          best = connection;
        }
      }
      if (best !== null) {
        best.reserved++;
        return best;
      }
    }
    return new Promise<ClientConnection>((resolve, reject) => {
      const waiter: Waiter = { request, pipelinable, resolve, reject, onAbort: null };
      const signal = request.signal;
      if (signal !== null) {
        waiter.onAbort = () => {
          const at = this.#waiters.indexOf(waiter);
          if (at !== -1) this.#waiters.splice(at, 1);
          reject(abortReason(request));
          this.#maybeEmpty();
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  #takeWaiter(): Waiter | undefined {
    const waiter = this.#waiters.shift();
    if (waiter?.onAbort) waiter.request.signal!.removeEventListener("abort", waiter.onAbort);
    return waiter;
  }

  async #connect(request: PreparedRequest): Promise<ClientConnection> {
    this.#connecting++;
    const signal = request.signal === null
      ? this.#closer.signal
      : AbortSignal.any([this.#closer.signal, request.signal]);
    let conn: ClientTransport;
    try {
      conn = await this.#dialer(request, signal);
    } catch (error) {
      this.#connecting--;
      this.#slotFreed();
      throw this.#closed ? clientClosed(request) : connectFailed(request, error);
    }
    this.#connecting--;
    const connection = new ClientConnection(
      conn,
      this,
      this.#settings,
      this.#limits.pipelining,
      this.#route,
    );
    if (this.#closed) {
      connection.close();
      throw clientClosed(request);
    }
    this.#all.add(connection);
    return connection;
  }

  /**
   * A connection finished its requests: hand it to the first waiter, or keep it idle.
   *
   * @param connection The connection.
   */
  onIdle(connection: ClientConnection): void {
    if (this.#closed) {
      connection.close();
      return;
    }
    const waiter = this.#takeWaiter();
    if (waiter !== undefined) {
      waiter.resolve(connection);
      return;
    }
    this.#idle.push(connection);
    connection.parkIdle();
  }

  /**
   * A busy connection may take more pipelined requests: give it the waiters at the
   * head of the queue that may go behind others.
   *
   * @param connection The connection.
   */
  onRoom(connection: ClientConnection): void {
    while (this.#waiters.length > 0 && this.#waiters[0].pipelinable && hasRoom(connection)) {
      connection.reserved++;
      this.#takeWaiter()!.resolve(connection);
    }
  }

  /**
   * A connection closed: forget it, and use the slot it freed.
   *
   * @param connection The connection.
   */
  onClose(connection: ClientConnection): void {
    this.#all.delete(connection);
    const at = this.#idle.indexOf(connection);
    if (at !== -1) this.#idle.splice(at, 1);
    this.#slotFreed();
  }

  /** A connection slot came free: open one for the first waiter, or retire the pool. */
  #slotFreed(): void {
    if (!this.#closed && this.#waiters.length > 0 && this.size < this.#limits.maxConnections) {
      const waiter = this.#takeWaiter()!;
      this.#connect(waiter.request).then(waiter.resolve, waiter.reject);
      return;
    }
    this.#maybeEmpty();
  }

  #maybeEmpty(): void {
    if (this.size === 0 && this.#waiters.length === 0) this.#onEmpty(this);
  }

  /** Closes every connection; waiting and in-flight requests fail with CLIENT_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closer.abort();
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.onAbort) waiter.request.signal!.removeEventListener("abort", waiter.onAbort);
      waiter.reject(clientClosed(waiter.request));
    }
    for (const connection of [...this.#all]) connection.close();
    this.#idle.length = 0;
  }
}
