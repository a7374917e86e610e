import { AcceptBackoff, isTransientAcceptError } from "./_accept_backoff.ts";

/** Options for {@linkcode Listener}. */
export interface ListenerOptions {
  /**
   * Closes the listener when aborted, as {@linkcode Listener.close} does.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Called with each transient accept error (too many open files, a connection aborted
   * before it was accepted) and the milliseconds the loop waits before accepting again.
   * The loop goes on either way; this is the place to log, as Go's net/http does. If the
   * hook throws, the listener closes and the loop throws that error.
   *
   * @default {undefined}
   */
  onAcceptError?: (error: unknown, retryIn: number) => void;
}

/**
 * The accept loop over a `Deno.Listener`: an `AsyncIterable` of connections that keeps
 * going through transient accept errors and tracks the connections it handed out.
 *
 * - Transient accept errors (EMFILE, ENFILE, ECONNABORTED, ECONNRESET, ...) do not end
 *   the loop: it waits 5 ms, doubling to 1 s while they persist, and starts over at
 *   5 ms after a successful accept (Go's net/http). Other errors close the listener and
 *   are thrown from the loop.
 * - {@linkcode Listener.close}, the `signal` and `using` end the loop cleanly: a pending
 *   `for await` finishes without throwing. Closing the listener leaves accepted
 *   connections open; {@linkcode Listener.closeConnections} closes them.
 * - Each accepted connection is in {@linkcode Listener.connections} until it is closed
 *   with `close()` or `[Symbol.dispose]()`. Those two become idempotent on tracked
 *   connections: a second call, or a call after Deno closed the connection itself
 *   (its `readable` reached the end), does nothing instead of throwing `BadResource`.
 *
 * Breaking out of a `for await` loop does not close the listener.
 *
 * @example Accept, answer and close
 * ```ts ignore
 * import { listen } from "@wire/http/net";
 *
 * using listener = listen({ hostname: "127.0.0.1", port: 0 });
 * for await (const conn of listener) {
 *   await conn.write(new TextEncoder().encode("hi\n"));
 *   conn.close();
 * }
 * ```
 */
export class Listener implements AsyncIterable<Deno.Conn>, Disposable, AsyncDisposable {
  #listener: Deno.Listener;
  #connections: Set<Deno.Conn> = new Set();
  #backoff: AcceptBackoff = new AcceptBackoff();
  #onAcceptError: ((error: unknown, retryIn: number) => void) | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #isClosed = false;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #wakers: Set<() => void> = new Set();
  /** The accept in progress, if any: Deno refuses a second concurrent accept ("Busy"). */
  #accepting: Promise<unknown> | undefined;

  /**
   * Wraps a listener made by `Deno.listen` or `Deno.listenTls`. Most code calls
   * {@linkcode listen}, which makes the `Deno.Listener` from options.
   *
   * @param listener The listener to accept from; the `Listener` owns and closes it.
   * @param options An abort signal and an accept error hook.
   *
   * @example Wrap a Deno listener
   * ```ts ignore
   * import { Listener } from "@wire/http/net";
   *
   * using listener = new Listener(Deno.listen({ hostname: "127.0.0.1", port: 0 }));
   * console.log(listener.addr);
   * ```
   */
  constructor(listener: Deno.Listener, options: ListenerOptions = {}) {
    this.#listener = listener;
    this.#onAcceptError = options.onAcceptError;
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.close();
      } else {
        this.#signal = signal;
        this.#onAbort = () => this.close();
        signal.addEventListener("abort", this.#onAbort, { once: true });
      }
    }
  }

  /**
   * The address the listener is bound to: a `Deno.NetAddr` for TCP and TLS (with the
   * port the system picked when 0 was asked for), a `Deno.UnixAddr` for a socket path.
   *
   * @example Read the picked port
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * using listener = listen({ hostname: "127.0.0.1", port: 0 });
   * console.log((listener.addr as Deno.NetAddr).port);
   * ```
   */
  get addr(): Deno.NetAddr | Deno.UnixAddr {
    return this.#listener.addr as Deno.NetAddr | Deno.UnixAddr;
  }

  /**
   * The connections accepted and not yet closed, live (a view, not a copy).
   *
   * @example Count open connections
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * using listener = listen({ hostname: "127.0.0.1", port: 0 });
   * console.log(listener.connections.size); // 0
   * ```
   */
  get connections(): ReadonlySet<Deno.Conn> {
    return this.#connections;
  }

  /**
   * Whether {@linkcode Listener.close} has run (or the signal aborted, or accept failed
   * for good).
   *
   * @example Check after close
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * const listener = listen({ hostname: "127.0.0.1", port: 0 });
   * listener.close();
   * console.log(listener.isClosed); // true
   * ```
   */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /**
   * Resolves once the listener is closed and accepts nothing more (after `close()`, an
   * abort, or an accept error that ended the loop). It never rejects.
   *
   * @example Wait for the listener to close
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * const listener = listen({ hostname: "127.0.0.1", port: 0 });
   * setTimeout(() => listener.close(), 10);
   * await listener.closed;
   * ```
   */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Accepts the next connection, waiting through transient accept errors. Resolves to
   * `null` once the listener is closed. The `for await` loop calls this. Overlapping
   * calls are served one after another (a `Deno.Listener` allows one accept at a time).
   *
   * @returns The next connection, or `null` when the listener is closed.
   * @throws The accept error, when it is not transient (the listener is closed first).
   *
   * @example Accept one connection
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * using listener = listen({ hostname: "127.0.0.1", port: 0 });
   * const conn = await listener.accept();
   * conn?.close();
   * ```
   */
  accept(): Promise<Deno.Conn | null> {
    // Concurrent callers take turns: Deno.Listener throws Busy on overlapping accepts.
    const previous = this.#accepting;
    const next = previous === undefined
      ? this.#acceptOne()
      : previous.then(() => this.#acceptOne());
    const settled: Promise<void> = next.then(
      () => this.#acceptSettled(settled),
      () => this.#acceptSettled(settled),
    );
    this.#accepting = settled;
    return next;
  }

  #acceptSettled(settled: Promise<void>): void {
    if (this.#accepting === settled) this.#accepting = undefined;
  }

  async #acceptOne(): Promise<Deno.Conn | null> {
    while (!this.#isClosed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#isClosed) return null;
        if (error instanceof Deno.errors.BadResource) {
          // Closed underneath us (the Deno listener was closed directly): end cleanly.
          this.close();
          return null;
        }
        if (!isTransientAcceptError(error)) {
          this.close();
          throw error;
        }
        const delay = this.#backoff.next();
        if (this.#onAcceptError !== undefined) {
          try {
            this.#onAcceptError(error, delay);
          } catch (hookError) {
            // A throwing hook ends the loop like a fatal accept error would.
            this.close();
            throw hookError;
          }
          if (this.#isClosed) return null;
        }
        await this.#sleep(delay);
        continue;
      }
      this.#backoff.reset();
      if (this.#isClosed) {
        // Accepted in the same turn as close(): nobody will serve it.
        conn.close();
        return null;
      }
      this.#track(conn);
      return conn;
    }
    return null;
  }

  /**
   * Iterates over accepted connections until the listener is closed; the loop then
   * ends without an error.
   *
   * @returns An async iterator of connections.
   *
   * @example Serve each connection concurrently
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * using listener = listen({ hostname: "127.0.0.1", port: 0 });
   * for await (const conn of listener) {
   *   (async () => {
   *     using c = conn;
   *     await c.write(new TextEncoder().encode("hello\n"));
   *   })();
   * }
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Deno.Conn, void, undefined> {
    for (;;) {
      const conn = await this.accept();
      if (conn === null) return;
      yield conn;
    }
  }

  /**
   * Stops accepting and releases the port or socket path. A pending `accept()` or
   * `for await` ends with `null`/done. Open connections stay open (see
   * {@linkcode Listener.closeConnections}). A second call does nothing.
   *
   * @example Close twice
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * const listener = listen({ hostname: "127.0.0.1", port: 0 });
   * listener.close();
   * listener.close(); // harmless
   * ```
   */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#onAbort !== undefined) {
      this.#signal!.removeEventListener("abort", this.#onAbort);
      this.#onAbort = undefined;
      this.#signal = undefined;
    }
    try {
      this.#listener.close();
    } catch (error) {
      // Already closed by someone holding the Deno listener: the goal is reached.
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
    for (const wake of this.#wakers) wake();
    this.#wakers.clear();
    this.#resolveClosed();
  }

  /**
   * Closes every tracked connection (a server's forced shutdown). The listener itself
   * stays as it is. A read or write pending on a closed connection rejects (Deno throws
   * `Interrupted` or `BadResource`), so handlers must expect that.
   *
   * @returns How many connections were closed.
   *
   * @example Close the listener and every connection
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * const listener = listen({ hostname: "127.0.0.1", port: 0 });
   * listener.close();
   * listener.closeConnections();
   * ```
   */
  closeConnections(): number {
    let count = 0;
    for (const conn of [...this.#connections]) {
      conn.close();
      count++;
    }
    return count;
  }

  /**
   * Makes the listener keep the process alive (the default).
   *
   * @example Ref again after unref
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * using listener = listen({ hostname: "127.0.0.1", port: 0 });
   * listener.unref();
   * listener.ref();
   * ```
   */
  ref(): void {
    this.#listener.ref();
  }

  /**
   * Lets the process exit while the listener waits for connections.
   *
   * @example A listener that does not hold the process
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * const listener = listen({ hostname: "127.0.0.1", port: 0 });
   * listener.unref();
   * ```
   */
  unref(): void {
    this.#listener.unref();
  }

  /**
   * Closes the listener, for `using`.
   *
   * @example With using
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * using listener = listen({ hostname: "127.0.0.1", port: 0 });
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes the listener, for `await using`.
   *
   * @returns A promise resolved once closed.
   *
   * @example With await using
   * ```ts ignore
   * import { listen } from "@wire/http/net";
   *
   * await using listener = listen({ hostname: "127.0.0.1", port: 0 });
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return this.#closed;
  }

  /** Waits `ms`, or less if the listener closes meanwhile. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  /**
   * Adds `conn` to the tracked set and patches its `close` and `[Symbol.dispose]` on the
   * instance so that closing removes it (and a repeated close is harmless). One closure
   * per connection; the read/write path is untouched.
   */
  #track(conn: Deno.Conn): void {
    const connections = this.#connections;
    connections.add(conn);
    const close = conn.close;
    let open = true;
    const closeTracked = (): void => {
      if (!open) return;
      open = false;
      connections.delete(conn);
      try {
        close.call(conn);
      } catch (error) {
        // Deno already closed it (its readable reached the end): closed is closed.
        if (!(error instanceof Deno.errors.BadResource)) throw error;
      }
    };
    conn.close = closeTracked;
    conn[Symbol.dispose] = closeTracked;
  }
}
