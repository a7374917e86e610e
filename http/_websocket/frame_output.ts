/**
 * The send side of a connection: frames are encoded into pooled 16 KiB chunks, head and
 * payload together, and every frame queued in the same tick leaves in one write (the
 * write starts in a microtask). A frame too big for a chunk is copied once into a buffer
 * of its own, head included (masked while it is there, for a client).
 * A text message is encoded straight into the chunk with `encodeInto`. While nothing is
 * queued, a connection holds no buffer: chunks go back to a pool shared by all sockets.
 *
 * `buffered` counts application bytes queued and not yet written (`bufferedAmount`);
 * `flushed()` resolves once everything queued so far has been written (the streams
 * API's write backpressure).
 *
 * @module
 */

import type { Duplex } from "../_codec/duplex.ts";
import { headSize, writeHead } from "./frame_writer.ts";
import { applyMask, maskKey } from "./mask.ts";

/** Size of a pooled output chunk. */
export const OUTPUT_CHUNK_SIZE = 16 * 1024;
/** Largest frame written in one piece (head and payload copied together). */
const SINGLE_WRITE_MAX = 256 * 1024;
/** Most idle chunks kept for reuse across all sockets (4 MiB). */
const POOL_MAX = 256;
const pool: Uint8Array[] = [];

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

// Outputs with frames queued in this tick, started together in one microtask: all the
// frames a socket queues while handling one read leave in one write, and a busy server
// runs one microtask per tick for all its sockets, not one per socket.
let due: FrameOutput[] = [];
let dueScheduled = false;

function startDue(): void {
  dueScheduled = false;
  flushDue();
}

/**
 * Starts the writes of every output with frames queued, now rather than in the
 * microtask: a session calls it after handling a read, so the answers to what it read go
 * out before its next read is issued.
 */
export function flushDue(): void {
  if (due.length === 0) return;
  const outputs = due;
  due = [];
  for (const output of outputs) output.run();
}

/** One queued write: a pooled chunk being filled, or a large payload of its own. */
interface Pending {
  buf: Uint8Array;
  len: number;
  /** Application bytes it carries, for `buffered`. */
  app: number;
  pooled: boolean;
}

interface Waiter {
  until: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/** The queue of encoded frames of one connection and the loop that writes them. */
export class FrameOutput {
  /** Application bytes queued and not yet written. */
  buffered = 0;

  readonly #masked: boolean;
  readonly #onError: (error: unknown) => void;
  #duplex: Duplex | null = null;
  #queue: Pending[] = [];
  /** The last pooled chunk, still open for more frames; null once its write began. */
  #tail: Pending | null = null;
  #writing = false;
  #scheduled = false;
  #closed = false;
  #queuedBytes = 0;
  #writtenBytes = 0;
  #waiters: Waiter[] = [];

  /**
   * @param masked Whether frames are masked (a client's).
   * @param onError Called once when a write fails; the output is closed by then.
   */
  constructor(masked: boolean, onError: (error: unknown) => void) {
    this.#masked = masked;
    this.#onError = onError;
  }

  /** Whether every queued byte has been written. */
  get idle(): boolean {
    return this.#writtenBytes === this.#queuedBytes;
  }

  /**
   * Starts writing to `duplex`; frames queued before are written first.
   *
   * @param duplex The connection.
   */
  start(duplex: Duplex): void {
    this.#duplex = duplex;
    this.#schedule();
  }

  /**
   * Queues a frame whose payload is copied (the caller may reuse `payload`).
   *
   * @param b0 FIN | RSV1 | opcode.
   * @param payload The payload.
   * @param app Application bytes it stands for (0 for control frames).
   */
  frame(b0: number, payload: Uint8Array, app: number): void {
    if (this.#closed) return;
    const length = payload.length;
    const masked = this.#masked;
    const head = headSize(length, masked);
    if (head + length <= OUTPUT_CHUNK_SIZE) {
      const tail = this.#room(head + length);
      const buf = tail.buf;
      const key = masked ? maskKey() : 0;
      const pos = writeHead(buf, tail.len, b0, length, masked, key);
      buf.set(payload, pos);
      if (masked) applyMask(buf, pos, pos + length, key, 0);
      tail.len = pos + length;
      tail.app += app;
      this.#queued(head + length, app);
    } else {
      this.#large(b0, payload, app, false);
    }
  }

  /**
   * Queues a frame whose payload the output may keep and change (compressed output,
   * an encoded string).
   *
   * @param b0 FIN | RSV1 | opcode.
   * @param payload The payload, owned by the output from now on.
   * @param app Application bytes it stands for.
   */
  ownedFrame(b0: number, payload: Uint8Array, app: number): void {
    if (this.#closed) return;
    if (headSize(payload.length, this.#masked) + payload.length <= OUTPUT_CHUNK_SIZE) {
      this.frame(b0, payload, app);
    } else {
      this.#large(b0, payload, app, true);
    }
  }

  /**
   * Queues a text frame, encoding `text` straight into the output chunk.
   *
   * @param b0 FIN | RSV1 | OP_TEXT.
   * @param text The message.
   * @returns The UTF-8 length of the message.
   */
  text(b0: number, text: string): number {
    if (this.#closed) return encoder.encode(text).length;
    const max = text.length * 3;
    const masked = this.#masked;
    if (text.length === 0) {
      this.frame(b0, EMPTY, 0);
      return 0;
    }
    if (headSize(max, masked) + max > OUTPUT_CHUNK_SIZE) {
      const bytes = encoder.encode(text);
      this.ownedFrame(b0, bytes, bytes.length);
      return bytes.length;
    }
    const tail = this.#room(headSize(max, masked) + max);
    const buf = tail.buf;
    // Room for the shortest head the text can have (its UTF-16 length in bytes); a text
    // whose UTF-8 form needs a longer head moves right by the difference.
    const guess = headSize(text.length, masked);
    const at = tail.len + guess;
    const length = encoder.encodeInto(text, buf.subarray(at)).written;
    const head = headSize(length, masked);
    if (head !== guess) buf.copyWithin(tail.len + head, at, at + length);
    const key = masked ? maskKey() : 0;
    const pos = writeHead(buf, tail.len, b0, length, masked, key);
    if (masked) applyMask(buf, pos, pos + length, key, 0);
    tail.len = pos + length;
    tail.app += length;
    this.#queued(head + length, length);
    return length;
  }

  /**
   * Resolves when everything queued so far has been written; rejects if the
   * connection fails or closes first.
   *
   * @returns A promise settled when the queue drains up to this point.
   */
  flushed(): Promise<void> {
    if (this.#writtenBytes >= this.#queuedBytes) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error("The WebSocket is closed"));
    return new Promise((resolve, reject) => {
      this.#waiters.push({ until: this.#queuedBytes, resolve, reject });
    });
  }

  /**
   * Drops what is queued; pending `flushed()` promises reject with `reason`.
   *
   * @param reason Why (an Error).
   */
  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#tail = null;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(reason);
  }

  /** A pooled chunk at the end of the queue with `size` bytes free. */
  #room(size: number): Pending {
    let tail = this.#tail;
    if (tail === null || OUTPUT_CHUNK_SIZE - tail.len < size) {
      tail = { buf: pool.pop() ?? new Uint8Array(OUTPUT_CHUNK_SIZE), len: 0, app: 0, pooled: true };
      this.#queue.push(tail);
      this.#tail = tail;
    }
    return tail;
  }

  /**
   * A frame too big for a chunk: up to 256 KiB, head and payload are copied into one
   * buffer of their own (one write, one TCP push: a separate 4-byte head would cost the
   * peer a read of its own); beyond that, the head goes into the tail chunk and the
   * payload (copied when the caller still owns it) is written after it.
   */
  #large(b0: number, payload: Uint8Array, app: number, owned: boolean): void {
    const length = payload.length;
    const masked = this.#masked;
    const head = headSize(length, masked);
    const key = masked ? maskKey() : 0;
    if (head + length <= SINGLE_WRITE_MAX) {
      const buf = new Uint8Array(head + length);
      writeHead(buf, 0, b0, length, masked, key);
      buf.set(payload, head);
      if (masked) applyMask(buf, head, head + length, key, 0);
      this.#queue.push({ buf, len: buf.length, app, pooled: false });
    } else {
      const body = owned ? payload : payload.slice();
      const tail = this.#room(head);
      tail.len = writeHead(tail.buf, tail.len, b0, length, masked, key);
      if (masked) applyMask(body, 0, length, key, 0);
      this.#queue.push({ buf: body, len: length, app, pooled: false });
    }
    // Frames queued later must follow this one.
    this.#tail = null;
    this.#queued(head + length, app);
  }

  #queued(bytes: number, app: number): void {
    this.#queuedBytes += bytes;
    this.buffered += app;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled || this.#duplex === null || this.#closed) return;
    this.#scheduled = true;
    due.push(this);
    if (!dueScheduled) {
      dueScheduled = true;
      queueMicrotask(startDue);
    }
  }

  /** Writes the queue out (called by the microtask that `#schedule` arranged). */
  async run(): Promise<void> {
    this.#scheduled = false;
    if (this.#writing || this.#closed) return;
    this.#writing = true;
    const duplex = this.#duplex!;
    const queue = this.#queue;
    try {
      while (queue.length > 0 && !this.#closed) {
        const item = queue[0];
        if (item === this.#tail) this.#tail = null;
        const len = item.len;
        let done = await duplex.write(item.buf.subarray(0, len));
        while (done < len) done += await duplex.write(item.buf.subarray(done, len));
        if (this.#closed) break;
        queue.shift();
        this.buffered -= item.app;
        this.#writtenBytes += len;
        if (item.pooled && pool.length < POOL_MAX) pool.push(item.buf);
        this.#wake();
      }
    } catch (error) {
      this.#writing = false;
      if (!this.#closed) {
        this.close(error);
        this.#onError(error);
      }
      return;
    }
    this.#writing = false;
  }

  #wake(): void {
    const waiters = this.#waiters;
    while (waiters.length > 0 && waiters[0].until <= this.#writtenBytes) {
      waiters.shift()!.resolve();
    }
  }
}
