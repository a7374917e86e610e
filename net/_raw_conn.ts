/**
 * A socket's reads and writes without Deno.Conn's bookkeeping. `Conn.read` is an async
 * function that files each pending read in a Set (so `unref()` can reach it) and maps
 * 0 to null: one more promise, one more microtask and two Set operations per read than
 * the resource op underneath. A server connection never calls `unref()`, so it calls
 * the ops directly: about 8% more requests per second at 1000 connections.
 *
 * The ops are Deno internals (`Deno[Deno.internal].core`); when they are missing or
 * shaped differently, `rawConn` returns null and the server uses the Deno.Conn itself.
 *
 * @module
 */

/** The part of Deno's core the raw route uses. */
interface CoreOps {
  read(rid: number, buffer: Uint8Array): Promise<number>;
  write(rid: number, buffer: Uint8Array): Promise<number>;
  internalRidSymbol: symbol;
  refOpPromise(promise: Promise<unknown>): void;
  unrefOpPromise(promise: Promise<unknown>): void;
}

function findCore(): CoreOps | null {
  try {
    const internal = (Deno as unknown as { internal?: unknown }).internal;
    if (typeof internal !== "symbol") return null;
    const core = (Deno as unknown as Record<symbol, { core?: CoreOps } | undefined>)[internal]
      ?.core;
    if (
      core === undefined || typeof core.read !== "function" ||
      typeof core.write !== "function" || typeof core.internalRidSymbol !== "symbol" ||
      typeof core.refOpPromise !== "function" || typeof core.unrefOpPromise !== "function"
    ) {
      return null;
    }
    return core;
  } catch {
    return null;
  }
}

const core = findCore();
let enabled = core !== null;

/**
 * A Deno.Conn whose `read` and `write` call the resource ops directly. `read` resolves
 * 0, not null, at the end of the stream (its buffer is never empty).
 */
export class RawConn {
  readonly #conn: Deno.Conn;
  readonly #rid: number;
  /** The read in progress (a connection has one at a time), for ref/unref. */
  #reading: Promise<number> | null = null;
  #refed = true;

  /** Made by {@linkcode rawConn} only, once it found the ops. */
  constructor(conn: Deno.Conn, rid: number) {
    this.#conn = conn;
    this.#rid = rid;
  }

  /** Reads into `buffer` (never empty); resolves 0 at the end of the stream. */
  read(buffer: Uint8Array): Promise<number> {
    const reading = core!.read(this.#rid, buffer);
    this.#reading = reading;
    if (!this.#refed) core!.unrefOpPromise(reading);
    return reading;
  }

  /** Reads keep the process alive again (the default). */
  ref(): void {
    if (this.#refed) return;
    this.#refed = true;
    if (this.#reading !== null) core!.refOpPromise(this.#reading);
  }

  /** Reads no longer keep the process alive, as `Deno.Conn.unref()`. */
  unref(): void {
    if (!this.#refed) return;
    this.#refed = false;
    if (this.#reading !== null) core!.unrefOpPromise(this.#reading);
  }

  /** Writes some of `buffer`; resolves how many bytes were taken. */
  write(buffer: Uint8Array): Promise<number> {
    return core!.write(this.#rid, buffer);
  }

  /** Closes the socket (pending reads reject). */
  close(): void {
    this.#conn.close();
  }

  /** Shuts the write side. */
  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }
}

/**
 * `conn` with direct reads and writes, or null when the raw route is off or this Deno
 * does not offer it (then use `conn` itself).
 *
 * @param conn An accepted TCP, TLS or Unix connection.
 * @returns The raw view of it, or null.
 */
export function rawConn(conn: Deno.Conn): RawConn | null {
  if (!enabled || core === null) return null;
  const rid = (conn as unknown as Record<symbol, unknown>)[core.internalRidSymbol];
  return typeof rid === "number" ? new RawConn(conn, rid) : null;
}

/**
 * Switches the raw route on or off (tests run both). Turning it on has no effect when
 * this Deno lacks the ops.
 *
 * @param on Whether servers should read and write through the ops.
 * @returns Whether the raw route is now in use.
 */
export function setRawConn(on: boolean): boolean {
  enabled = on && core !== null;
  return enabled;
}
