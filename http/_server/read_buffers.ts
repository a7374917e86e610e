/**
 * The read buffers of one server connection, and which one the next read fills: the
 * small buffer between requests and in heads (an idle keep-alive connection holds only
 * it); a large pooled one while a body streams in; and for a parked head (a slow
 * client's half-sent head) a buffer of its bytes with room for the next read behind
 * them, in place of the small one, so a slowloris connection holds little more than the
 * bytes it sent.
 *
 * @module
 */

import type { Parser } from "../parser.ts";
import { returnLargeReadBuffer, SMALL_READ_BYTES, takeLargeReadBuffer } from "./pools.ts";

/**
 * A half-sent head of up to this many bytes is parked: parsed again from its first byte
 * when more comes, so this bounds the re-scan per read.
 */
export const PARK_MAX_BYTES = 4096;
/** Room after a parked head for the next read (a slow client's next bytes). */
export const PARK_READ_BYTES = 256;
const EMPTY = new Uint8Array(0);

/** A connection's read buffers. */
export class ReadBuffers {
  /** After {@linkcode ReadBuffers.filled}: the buffer holding the bytes to parse. */
  data: Uint8Array = EMPTY;
  /** After {@linkcode ReadBuffers.filled}: where those bytes end in `data`. */
  end = 0;
  #small: Uint8Array | null = new Uint8Array(SMALL_READ_BYTES);
  #large: Uint8Array | null = null;
  /** A parked head's bytes, then room for the next read. */
  #parked: Uint8Array | null = null;
  #parkedLength = 0;
  /** The buffer the last `next()` gave. */
  #into: Uint8Array = EMPTY;

  /**
   * The buffer for the next read: behind a parked head, else the large buffer while a
   * body streams in, else the small one.
   *
   * @returns A view to read into.
   */
  next(): Uint8Array {
    const parked = this.#parked;
    this.#into = parked !== null
      ? parked.subarray(this.#parkedLength)
      : this.#large ?? (this.#small ??= new Uint8Array(SMALL_READ_BYTES));
    return this.#into;
  }

  /**
   * A read put `n` bytes into the view from `next()`: sets `data` and `end` to what is to
   * be parsed, a parked head first (it is parked no more: a fresh parser reads it again).
   *
   * @param n Bytes read.
   */
  filled(n: number): void {
    const parked = this.#parked;
    if (parked !== null) {
      this.#parked = null;
      this.data = parked;
      this.end = this.#parkedLength + n;
    } else {
      this.data = this.#into;
      this.end = n;
    }
  }

  /**
   * After the read was parsed: a full read inside a body means more is coming, so read
   * big from now on; a short one between messages gives the large buffer back. A head
   * never takes the large buffer: a slow client's half-sent head must not hold 128 KiB
   * (slowloris); a head is at most maxHeaderBytes, read 1 KiB at a time.
   *
   * @param n Bytes read.
   * @param body Whether a request body is in progress.
   */
  adapt(n: number, body: boolean): void {
    if (this.#into !== this.#large) {
      if (n === this.#into.length && body) this.#large = takeLargeReadBuffer();
    } else if (n < SMALL_READ_BYTES && !body) {
      this.releaseLarge();
    }
  }

  /**
   * Parks the head `parser` holds, if it has one of at most PARK_MAX_BYTES: its bytes,
   * with room for the next read, take the small buffer's place. The caller then returns
   * the parser to its pool.
   *
   * @param parser The parser with a half-sent head.
   * @returns Whether the head was parked.
   */
  park(parser: Parser): boolean {
    const length = parser.pendingHeadLength;
    if (length === 0 || length > PARK_MAX_BYTES) return false;
    this.#parked = parser.pendingHead(PARK_READ_BYTES);
    this.#parkedLength = length;
    this.#small = null;
    return true;
  }

  /** Gives the large buffer back to the pool (no read may be pending into it). */
  releaseLarge(): void {
    const large = this.#large;
    if (large === null) return;
    this.#large = null;
    returnLargeReadBuffer(large);
  }

  /** The connection closed or switched protocols: nothing more is read into these. */
  release(): void {
    this.releaseLarge();
    this.#parked = null;
  }
}
