/**
 * What a session sends, in order. A message goes straight into the
 * {@linkcode FrameOutput} unless something must happen first: a Blob must be read, or
 * the message compressed (zlib is asynchronous). Then it waits in a queue behind
 * whatever waits already, and so do the messages and the close frame queued after it;
 * only pings and pongs skip the queue (RFC 6455 §5.4 lets control frames go between a
 * message's frames, so also between messages).
 *
 * @module
 */

import { errorText } from "../_codec/error_text.ts";
import type { PerMessageDeflate } from "./deflate.ts";
import { OP_BINARY, OP_CLOSE, OP_TEXT } from "./frame_parser.ts";
import type { FrameOutput } from "./frame_output.ts";
import { FIN, RSV1 } from "./frame_writer.ts";

const encoder = new TextEncoder();

/** A message, a close frame, or a marker for `flushed()`, waiting its turn. */
interface Waiting {
  /** The message; null for a close frame or a marker. */
  data: string | Uint8Array | Blob | null;
  /** Application bytes, for bufferedAmount. */
  app: number;
  /** A close frame's payload. */
  close: Uint8Array | null;
  /** A marker's callbacks. */
  resolve: (() => void) | null;
  reject: ((reason: unknown) => void) | null;
}

/** The ordered send path of one connection. */
export class SendQueue {
  readonly #out: FrameOutput;
  readonly #deflate: PerMessageDeflate | null;
  readonly #onError: (message: string, error: unknown) => void;
  #waiting: Waiting[] = [];
  #waitingBytes = 0;
  #closed = false;

  /**
   * @param out Where frames go.
   * @param deflate The compressor, when permessage-deflate is in force.
   * @param onError Called when a Blob cannot be read or compression fails.
   */
  constructor(
    out: FrameOutput,
    deflate: PerMessageDeflate | null,
    onError: (message: string, error: unknown) => void,
  ) {
    this.#out = out;
    this.#deflate = deflate;
    this.#onError = onError;
  }

  /** Application bytes queued and not yet written. */
  get buffered(): number {
    return this.#out.buffered + this.#waitingBytes;
  }

  /**
   * Queues a message: a string as text, bytes (copied) or a Blob as binary.
   *
   * @param data The message.
   */
  send(data: string | Uint8Array | Blob): void {
    if (this.#closed) return;
    const deflate = this.#deflate;
    if (this.#waiting.length === 0 && !(data instanceof Blob)) {
      if (typeof data === "string") {
        if (deflate === null || !deflate.shouldCompress(utf8Length(data))) {
          this.#out.text(FIN | OP_TEXT, data);
          return;
        }
      } else if (deflate === null || !deflate.shouldCompress(data.length)) {
        this.#out.frame(FIN | OP_BINARY, data, data.length);
        return;
      }
    }
    // Its turn comes later: take a copy of bytes now, the caller may reuse them.
    const item = typeof data === "string" || data instanceof Blob ? data : data.slice();
    const app = byteLength(data);
    this.#waitingBytes += app;
    this.#push({ data: item, app, close: null, resolve: null, reject: null });
  }

  /**
   * Queues a close frame behind the messages queued before it.
   *
   * @param payload The close frame's payload.
   */
  close(payload: Uint8Array): void {
    if (this.#closed) return;
    if (this.#waiting.length === 0) this.#out.frame(FIN | OP_CLOSE, payload, 0);
    else this.#push({ data: null, app: 0, close: payload, resolve: null, reject: null });
  }

  /**
   * Resolves when everything queued so far is written; rejects if the connection
   * closes first.
   *
   * @returns The promise.
   */
  flushed(): Promise<void> {
    if (this.#waiting.length === 0) return this.#out.flushed();
    return new Promise((resolve, reject) => {
      this.#push({
        data: null,
        app: 0,
        close: null,
        resolve: () => this.#out.flushed().then(resolve, reject),
        reject,
      });
    });
  }

  /**
   * Drops what waits (failing a connection sends nothing more but its close frame);
   * pending `flushed()` promises reject with `reason`. The output goes on writing what
   * it holds.
   *
   * @param reason An Error.
   */
  drop(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#waitingBytes = 0;
    for (const item of waiting) item.reject?.(reason);
  }

  /**
   * Drops what waits and what the output holds; pending `flushed()` promises reject.
   *
   * @param reason An Error.
   */
  shutdown(reason: unknown): void {
    this.drop(reason);
    this.#out.close(reason);
  }

  #push(item: Waiting): void {
    this.#waiting.push(item);
    if (this.#waiting.length === 1) this.#pump();
  }

  /** Sends what waits, in order, each item after the asynchronous work it needs. */
  async #pump(): Promise<void> {
    const waiting = this.#waiting;
    const out = this.#out;
    while (waiting.length > 0 && !this.#closed) {
      const item = waiting[0];
      try {
        if (item.close !== null) out.frame(FIN | OP_CLOSE, item.close, 0);
        else if (item.data === null) item.resolve?.();
        else {
          let data = item.data;
          if (data instanceof Blob) data = new Uint8Array(await data.arrayBuffer());
          const deflate = this.#deflate;
          if (deflate !== null && deflate.shouldCompress(item.app)) {
            const text = typeof data === "string";
            const bytes = typeof data === "string" ? encoder.encode(data) : data;
            const compressed = await deflate.compress(bytes);
            if (this.#closed) return;
            out.ownedFrame(FIN | RSV1 | (text ? OP_TEXT : OP_BINARY), compressed, item.app);
          } else if (typeof data === "string") {
            out.text(FIN | OP_TEXT, data);
          } else {
            out.ownedFrame(FIN | OP_BINARY, data, data.length);
          }
        }
      } catch (error) {
        if (!this.#closed) this.#onError(errorText(error), error);
        return;
      }
      if (this.#closed) return;
      waiting.shift();
      this.#waitingBytes -= item.app;
    }
  }
}

/**
 * The bytes a message stands for in bufferedAmount: UTF-8 length of text.
 *
 * @param data The message.
 * @returns Its length in bytes.
 */
export function byteLength(data: string | Uint8Array | Blob): number {
  return typeof data === "string"
    ? utf8Length(data)
    : data instanceof Blob
    ? data.size
    : data.length;
}

/** UTF-8 length of a string without encoding it (lone surrogates become U+FFFD). */
function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 2 UTF-16 units, 4 bytes
      i++;
    } else {
      n += 2;
    }
  }
  return n;
}
