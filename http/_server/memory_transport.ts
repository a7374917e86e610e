/**
 * The in-memory transport `inject` serves over: the client's whole side of a connection
 * given up front, the server's side collected.
 *
 * @module
 */

import type { Transport } from "./transport.ts";

/** What the transport asks of the connection it feeds, to know when the input is over. */
export interface InputWatcher {
  /** Whether a message is cut in the middle: a head, or a body, is still arriving. */
  readonly waitingForInput: boolean;
  /** Whether nothing is in progress: no request, no response, no partial head. */
  readonly idle: boolean;
}

/**
 * An in-memory transport: reads come from the input, writes are collected. Once the
 * input is used up, a read waits until the connection has answered everything it
 * received (then reports end of stream), or at once when the connection is in the
 * middle of a message that can never complete.
 */
export class MemoryTransport implements Transport {
  /** Every write, in order (copies). */
  readonly written: Uint8Array[] = [];
  /** The connection served over this transport; set before it starts reading. */
  connection: InputWatcher | null = null;
  #input: Uint8Array;
  #pos = 0;
  #chunkSize: number;
  #closed = false;
  #waiting: ((n: number | null) => void) | null = null;

  /**
   * @param input The client's bytes.
   * @param chunkSize Most bytes handed out per read.
   */
  constructor(input: Uint8Array, chunkSize: number) {
    this.#input = input;
    this.#chunkSize = chunkSize;
  }

  /**
   * Copies the next input bytes into `into`; at the end of the input, waits for the
   * connection to go idle, then reports the end of the stream (null).
   *
   * @param into The read buffer.
   * @returns How many bytes were copied, or null at the end.
   */
  read(into: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.resolve(null);
    const left = this.#input.length - this.#pos;
    if (left > 0) {
      const n = Math.min(left, into.length, this.#chunkSize);
      into.set(this.#input.subarray(this.#pos, this.#pos + n));
      this.#pos += n;
      return Promise.resolve(n);
    }
    const connection = this.connection;
    if (connection === null || connection.waitingForInput || connection.idle) {
      return Promise.resolve(null);
    }
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  /** The connection went idle: a read waiting for more input gets end of stream. */
  idle(): void {
    const waiting = this.#waiting;
    if (waiting !== null && this.#pos >= this.#input.length) {
      this.#waiting = null;
      waiting(null);
    }
  }

  /**
   * Collects a copy of `bytes`.
   *
   * @param bytes What the server wrote.
   * @returns The number of bytes taken (all of them).
   */
  write(bytes: Uint8Array): Promise<number> {
    if (this.#closed) {
      return Promise.reject(new Deno.errors.BadResource("Cannot write: the connection is closed"));
    }
    this.written.push(bytes.slice());
    return Promise.resolve(bytes.length);
  }

  /** Half-close: nothing to do in memory. */
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes: a read waiting for more input gets end of stream; later writes fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.idle();
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.(null);
  }
}
