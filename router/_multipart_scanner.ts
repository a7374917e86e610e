/**
 * The multipart/form-data byte scanner (internal, RFC 7578 on RFC 2046 §5.1.1): reads a
 * body stream once, finds delimiters with Boyer-Moore-Horspool, and hands out each
 * part's headers and body bytes without buffering a part: a part's bytes are passed on
 * as they arrive, holding back only the few bytes that could start a delimiter.
 *
 * @module
 */

import { HttpError } from "../http/http_error.ts";

/** The scanner's limits, resolved. */
export interface ScanLimits {
  maxPartBytes: number;
  maxTotalBytes: number;
  maxParts: number;
  maxHeaderBytes: number;
}

const CR = 13;
const LF = 10;
const DASH = 45;
const EMPTY = new Uint8Array(0);
const HEADER_END = new Uint8Array([CR, LF, CR, LF]);

/** Position of `needle` in `hay` from `from`, or -1 (Boyer-Moore-Horspool with `skip`). */
export function indexOfBytes(
  hay: Uint8Array,
  needle: Uint8Array,
  from: number,
  skip: Uint32Array,
): number {
  const m = needle.length;
  const last = m - 1;
  const end = hay.length - m;
  let i = from;
  while (i <= end) {
    let j = last;
    while (j >= 0 && hay[i + j] === needle[j]) j--;
    if (j < 0) return i;
    i += skip[hay[i + last]];
  }
  return -1;
}

/** The Horspool shift table of `needle`. */
export function skipTable(needle: Uint8Array): Uint32Array {
  const table = new Uint32Array(256).fill(needle.length);
  for (let i = 0; i < needle.length - 1; i++) table[needle[i]] = needle.length - 1 - i;
  return table;
}

const HEADER_END_SKIP = skipTable(HEADER_END);

function malformed(what: string): HttpError {
  return new HttpError(400, `Cannot parse multipart body: ${what}`);
}

/** Reads parts from a multipart body stream, one at a time. */
export class MultipartScanner {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #delimiter: Uint8Array;
  #skip: Uint32Array;
  #limits: ScanLimits;
  /** Unconsumed bytes. */
  #buf: Uint8Array;
  #ended = false;
  #total = 0;
  #parts = 0;
  /** Bytes of the current part's body handed out so far. */
  #partBytes = 0;
  /** The current part's body has reached its delimiter. */
  #partDone = true;
  /** The closing delimiter was seen. */
  finished = false;

  constructor(body: ReadableStream<Uint8Array>, boundary: string, limits: ScanLimits) {
    this.#reader = body.getReader();
    this.#delimiter = new TextEncoder().encode("\r\n--" + boundary);
    this.#skip = skipTable(this.#delimiter);
    this.#limits = limits;
    // A virtual CRLF in front, so a delimiter at the very start matches like the others.
    this.#buf = new Uint8Array([CR, LF]);
  }

  /** Reads one more chunk into the buffer; false at the end of the body. */
  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#ended = true;
      return false;
    }
    this.#total += value.byteLength;
    if (this.#total > this.#limits.maxTotalBytes) {
      throw new HttpError(
        413,
        `Multipart body exceeds the limit of ${this.#limits.maxTotalBytes} bytes`,
      );
    }
    if (this.#buf.length === 0) this.#buf = value;
    else {
      const joined = new Uint8Array(this.#buf.length + value.byteLength);
      joined.set(this.#buf);
      joined.set(value, this.#buf.length);
      this.#buf = joined;
    }
    return true;
  }

  /**
   * Moves to the next part: skips what is left of the current one (or the preamble),
   * reads the delimiter's end and the part's header block. Returns the raw header
   * lines, or null after the closing delimiter.
   */
  async next(): Promise<string[] | null> {
    if (this.finished) return null;
    // Skip to the next delimiter (the preamble, or the current part's unread rest).
    for (;;) {
      const at = indexOfBytes(this.#buf, this.#delimiter, 0, this.#skip);
      if (at !== -1) {
        this.#countPart(at);
        this.#buf = this.#buf.subarray(at + this.#delimiter.length);
        break;
      }
      const keep = Math.min(this.#buf.length, this.#delimiter.length - 1);
      this.#countPart(this.#buf.length - keep);
      this.#buf = this.#buf.subarray(this.#buf.length - keep);
      if (!await this.#fill()) throw malformed("the body ended before its closing boundary");
    }
    this.#partDone = true;
    // After the delimiter: "--" (the end) or transport padding and CRLF.
    while (this.#buf.length < 2) {
      if (!await this.#fill()) throw malformed("the body ended inside a boundary line");
    }
    if (this.#buf[0] === DASH && this.#buf[1] === DASH) {
      this.finished = true;
      await this.release();
      return null;
    }
    for (;;) {
      let i = 0;
      while (i < this.#buf.length && (this.#buf[i] === 0x20 || this.#buf[i] === 0x09)) i++;
      if (i + 1 < this.#buf.length) {
        if (this.#buf[i] !== CR || this.#buf[i + 1] !== LF) {
          throw malformed("a boundary line does not end with CRLF");
        }
        this.#buf = this.#buf.subarray(i + 2);
        break;
      }
      if (i > 1024) throw malformed("a boundary line is too long");
      if (!await this.#fill()) throw malformed("the body ended inside a boundary line");
    }
    if (++this.#parts > this.#limits.maxParts) {
      throw new HttpError(413, `Multipart body has more than ${this.#limits.maxParts} parts`);
    }
    // The header block ends at CRLFCRLF, or at once with CRLF when there are no headers.
    let from = 0;
    for (;;) {
      if (this.#buf.length >= 2 && this.#buf[0] === CR && this.#buf[1] === LF) {
        this.#buf = this.#buf.subarray(2);
        return this.#startPart([]);
      }
      const end = indexOfBytes(this.#buf, HEADER_END, from, HEADER_END_SKIP);
      if (end !== -1) {
        if (end > this.#limits.maxHeaderBytes) break;
        const text = new TextDecoder().decode(this.#buf.subarray(0, end));
        this.#buf = this.#buf.subarray(end + 4);
        return this.#startPart(text.split("\r\n"));
      }
      if (this.#buf.length > this.#limits.maxHeaderBytes + 4) break;
      from = Math.max(0, this.#buf.length - 3);
      if (!await this.#fill()) throw malformed("the body ended inside a part's headers");
    }
    throw new HttpError(
      413,
      `Multipart part headers exceed the limit of ${this.#limits.maxHeaderBytes} bytes`,
    );
  }

  #startPart(lines: string[]): string[] {
    this.#partBytes = 0;
    this.#partDone = false;
    return lines;
  }

  #countPart(bytes: number): void {
    if (this.#partDone) return;
    this.#partBytes += bytes;
    if (this.#partBytes > this.#limits.maxPartBytes) {
      throw new HttpError(
        413,
        `Multipart part exceeds the limit of ${this.#limits.maxPartBytes} bytes`,
      );
    }
  }

  /**
   * The next bytes of the current part's body, or null at its end (the delimiter stays
   * in the buffer for {@linkcode MultipartScanner.next}).
   */
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#partDone) return null;
      const buf = this.#buf;
      const at = indexOfBytes(buf, this.#delimiter, 0, this.#skip);
      if (at !== -1) {
        this.#countPart(at);
        this.#partDone = true;
        this.#buf = buf.subarray(at);
        if (at > 0) return buf.subarray(0, at);
        return null;
      }
      const keep = Math.min(buf.length, this.#delimiter.length - 1);
      const n = buf.length - keep;
      if (n > 0) {
        this.#countPart(n);
        this.#buf = buf.subarray(n);
        return buf.subarray(0, n);
      }
      if (!await this.#fill()) throw malformed("the body ended inside a part");
    }
  }

  /** Lets go of the body: cancels what is left unread of it. */
  async release(): Promise<void> {
    this.#buf = EMPTY;
    if (!this.#ended) {
      this.#ended = true;
      await this.#reader.cancel().catch(() => {});
    }
    this.#reader.releaseLock();
  }
}
