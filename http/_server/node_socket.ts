/**
 * A server connection's transport over a `node:net` socket. Deno runs `node:net` on a
 * libuv-style loop of its own: each turn reads every socket epoll reports ready, once
 * each, in order, so 1000 busy connections are served round-robin. Deno's resource ops
 * (`Deno.Conn.read`) are futures polled one by one: a connection whose next request is
 * already in the socket buffer completes its read at once, again and again, while the
 * others wait for the I/O driver (bench/fairness.ts shows the spread). This adapter
 * gives the server's pull-style loop (`read(into)`) the push-style socket: chunks are
 * queued as they come and copied into the reader's buffer; the socket is paused while
 * more than `HIGH_WATER` bytes wait unread (backpressure).
 *
 * @module
 */

import type { Socket } from "node:net";
import type { Transport } from "./transport.ts";

/** Unread bytes past which the socket stops reading until the server catches up. */
const HIGH_WATER = 256 * 1024;

interface PendingWrite {
  resolve(n: number): void;
  reject(error: unknown): void;
  n: number;
}

/** A node:net socket as a Transport. */
export class NodeSocketTransport implements Transport {
  readonly #socket: Socket;
  /** Chunks received and not yet read; `#offset` into the first. */
  #chunks: Uint8Array[] = [];
  #offset = 0;
  #queued = 0;
  #ended = false;
  #paused = false;
  /** The read waiting for data, and where it reads into. */
  #resolve: ((n: number) => void) | null = null;
  #into: Uint8Array | null = null;
  /** Writes in flight, in order: null for one already complete, else who waits. */
  #writes: (PendingWrite | null)[] = [];

  /**
   * @param socket An accepted socket; the transport listens to its events from now on.
   */
  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("close", this.#onEnd);
    socket.on("error", this.#onEnd);
  }

  #onData = (chunk: Uint8Array): void => {
    const resolve = this.#resolve;
    if (resolve !== null && this.#queued === 0) {
      // The common case: a read waits and nothing is queued: copy straight in.
      const into = this.#into!;
      const n = chunk.length <= into.length ? chunk.length : into.length;
      into.set(n === chunk.length ? chunk : chunk.subarray(0, n));
      if (n < chunk.length) this.#queue(chunk.subarray(n));
      this.#resolve = null;
      this.#into = null;
      resolve(n);
      return;
    }
    this.#queue(chunk);
  };

  #queue(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued > HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #onEnd = (): void => {
    this.#ended = true;
    const resolve = this.#resolve;
    if (resolve !== null) {
      this.#resolve = null;
      this.#into = null;
      resolve(0);
    }
  };

  /**
   * Reads into `into`: what is queued at once, else the next chunk; 0 at the end.
   *
   * @param into Where to copy (never empty).
   * @returns Bytes copied; 0 at the end of the stream.
   */
  read(into: Uint8Array): Promise<number> {
    if (this.#queued > 0) return Promise.resolve(this.#take(into));
    if (this.#ended) return Promise.resolve(0);
    return new Promise<number>((resolve) => {
      this.#resolve = resolve;
      this.#into = into;
    });
  }

  #take(into: Uint8Array): number {
    let n = 0;
    const chunks = this.#chunks;
    while (n < into.length && chunks.length > 0) {
      const chunk = chunks[0];
      const left = chunk.length - this.#offset;
      const room = into.length - n;
      if (left <= room) {
        into.set(this.#offset === 0 ? chunk : chunk.subarray(this.#offset), n);
        n += left;
        chunks.shift();
        this.#offset = 0;
      } else {
        into.set(chunk.subarray(this.#offset, this.#offset + room), n);
        this.#offset += room;
        n += room;
      }
    }
    this.#queued -= n;
    if (this.#paused && this.#queued <= HIGH_WATER / 2) {
      this.#paused = false;
      this.#socket.resume();
    }
    return n;
  }

  /**
   * Writes `bytes`; resolves once the socket has taken them all (then the caller may
   * reuse the buffer), rejects when the socket is gone. The common case, a write the
   * kernel takes at once, resolves without waiting for the write callback.
   *
   * @param bytes What to send.
   * @returns `bytes.length`.
   */
  write(bytes: Uint8Array): Promise<number> {
    const socket = this.#socket;
    if (socket.destroyed) {
      return Promise.reject(new Deno.errors.BrokenPipe("the connection is closed"));
    }
    socket.write(bytes, this.#onWritten);
    if (socket.writableLength === 0) {
      this.#writes.push(null);
      return Promise.resolve(bytes.length);
    }
    return new Promise<number>((resolve, reject) => {
      this.#writes.push({ resolve, reject, n: bytes.length });
    });
  }

  /** One write callback for every write: they complete in order. */
  #onWritten = (error?: Error | null): void => {
    const waiting = this.#writes.shift();
    if (waiting === null || waiting === undefined) return;
    if (error) waiting.reject(error);
    else waiting.resolve(waiting.n);
  };

  /** Closes both directions (harmless twice). */
  close(): void {
    this.#socket.destroy();
  }

  /** Ends the write direction (TCP FIN) once what was written is sent. */
  closeWrite(): Promise<void> {
    return new Promise<void>((resolve) => this.#socket.end(resolve));
  }

  /** The socket keeps the process alive (the default). */
  ref(): void {
    this.#socket.ref();
  }

  /** The socket no longer keeps the process alive. */
  unref(): void {
    this.#socket.unref();
  }
}
