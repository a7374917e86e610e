/**
 * The connections to one origin: idle ones (most recently used first), a cap on how
 * many exist, and a queue of requests waiting for one.
 *
 * @module
 */
import { connect } from "../../net/connect.ts";
import { ConnectError } from "../../net/connect_error.ts";
import { ClientConnection, type ConnectionOwner } from "./connection.ts";
import type { ConnectionSettings, PoolLimits } from "./config.ts";
import { ClientError } from "../client_error.ts";
import type { PreparedRequest } from "./prepare_request.ts";

/** Where a pool connects. */
export interface PoolTarget {
  hostname: string;
  port: number;
  tls: boolean;
  caCerts?: string[];
  socketPath?: string;
}

interface Waiter {
  p: PreparedRequest;
  pipelinable: boolean;
  resolve: (connection: ClientConnection) => void;
  reject: (error: unknown) => void;
  onAbort: (() => void) | null;
}

const ALPN = ["http/1.1"];

/** One origin's connections. */
export class Pool implements ConnectionOwner {
  readonly key: string;
  #target: PoolTarget;
  #settings: ConnectionSettings;
  #limits: PoolLimits;
  #idle: ClientConnection[] = [];
  #all = new Set<ClientConnection>();
  #connecting = 0;
  #waiters: Waiter[] = [];
  #closed = false;
  #closer = new AbortController();
  #onEmpty: (pool: Pool) => void;

  constructor(
    key: string,
    target: PoolTarget,
    settings: ConnectionSettings,
    limits: PoolLimits,
    onEmpty: (pool: Pool) => void,
  ) {
    this.key = key;
    this.#target = target;
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
   * A connection for `p`: an idle one at once, else a new one while under the cap,
   * else (for a pipelinable request) a busy one with room, else one that frees up.
   */
  acquire(p: PreparedRequest, pipelinable: boolean): ClientConnection | Promise<ClientConnection> {
    if (this.#closed) return Promise.reject(closedError(p));
    const idle = this.#idle;
    while (idle.length > 0) {
      const connection = idle.pop()!;
      if (!connection.closed) return connection;
    }
    if (this.size < this.#limits.maxConnections) return this.#connect(p);
    if (pipelinable && this.#limits.pipelining > 1) {
      let best: ClientConnection | null = null;
      for (const connection of this.#all) {
        if (connection.canPipeline() && (best === null || connection.inFlight < best.inFlight)) {
          best = connection;
        }
      }
      if (best !== null) {
        best.reserved++;
        return best;
      }
    }
    return new Promise<ClientConnection>((resolve, reject) => {
      const waiter: Waiter = { p, pipelinable, resolve, reject, onAbort: null };
      const signal = p.signal;
      if (signal !== null) {
        waiter.onAbort = () => {
          const at = this.#waiters.indexOf(waiter);
          if (at !== -1) this.#waiters.splice(at, 1);
          reject(
            new ClientError("ABORTED", p.url.href, "the request was aborted", {
              method: p.method,
              cause: signal.reason,
            }),
          );
          this.#maybeEmpty();
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  #takeWaiter(): Waiter | undefined {
    const waiter = this.#waiters.shift();
    if (waiter?.onAbort) waiter.p.signal!.removeEventListener("abort", waiter.onAbort);
    return waiter;
  }

  async #connect(p: PreparedRequest): Promise<ClientConnection> {
    this.#connecting++;
    const target = this.#target;
    const signal = p.signal === null
      ? this.#closer.signal
      : AbortSignal.any([this.#closer.signal, p.signal]);
    let conn: Deno.Conn;
    try {
      conn = await connect(
        target.socketPath !== undefined
          ? { path: target.socketPath, timeout: this.#limits.connectTimeout, signal }
          : {
            hostname: target.hostname,
            port: target.port,
            tls: target.tls,
            caCerts: target.caCerts,
            alpnProtocols: target.tls ? ALPN : undefined,
            timeout: this.#limits.connectTimeout,
            signal,
          },
      );
    } catch (error) {
      this.#connecting--;
      this.#slotFreed();
      throw this.#connectError(p, error);
    }
    this.#connecting--;
    const connection = new ClientConnection(conn, this, this.#settings, this.#limits.pipelining);
    if (this.#closed) {
      connection.close();
      throw closedError(p);
    }
    this.#all.add(connection);
    return connection;
  }

  #connectError(p: PreparedRequest, error: unknown): unknown {
    const url = p.url.href;
    const method = p.method;
    if (this.#closed) return closedError(p);
    if (p.signal?.aborted) {
      return new ClientError("ABORTED", url, "the request was aborted while connecting", {
        method,
        cause: p.signal.reason,
      });
    }
    if (error instanceof ConnectError) {
      const detail = error.message.replace(/^Cannot connect/, "cannot connect");
      switch (error.code) {
        case "ECONNREFUSED":
          return new ClientError("ECONNREFUSED", url, detail, { method, cause: error });
        case "ENOTFOUND":
          return new ClientError("ENOTFOUND", url, detail, { method, cause: error });
        case "ETIMEDOUT":
          return new ClientError("ETIMEDOUT", url, detail, {
            method,
            cause: error,
            timeout: "connect",
          });
      }
      return new ClientError("CONNECT_FAILED", url, detail, { method, cause: error });
    }
    if (error instanceof TypeError || error instanceof RangeError) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new ClientError("CONNECT_FAILED", url, `cannot connect: ${detail}`, {
      method,
      cause: error,
    });
  }

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

  onRoom(connection: ClientConnection): void {
    while (
      this.#waiters.length > 0 && this.#waiters[0].pipelinable && connection.canPipeline()
    ) {
      connection.reserved++;
      this.#takeWaiter()!.resolve(connection);
    }
  }

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
      this.#connect(waiter.p).then(waiter.resolve, waiter.reject);
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
      if (waiter.onAbort) waiter.p.signal!.removeEventListener("abort", waiter.onAbort);
      waiter.reject(closedError(waiter.p));
    }
    for (const connection of [...this.#all]) connection.close();
    this.#idle.length = 0;
  }
}

function closedError(p: PreparedRequest): ClientError {
  return new ClientError("CLIENT_CLOSED", p.url.href, "the client was closed", {
    method: p.method,
  });
}
