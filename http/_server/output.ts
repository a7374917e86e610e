/**
 * The output buffer of a server connection: heads, small bodies and chunk frames are
 * collected so that a response (or a batch of pipelined responses) leaves in one write.
 * Buffers come from three pooled size tiers shared by every connection.
 *
 * @module
 */

import type { ByteWriter } from "../../net/_write_all.ts";
import { LAST_CHUNK, MAX_CHUNK_HEAD, writeChunkHead } from "../_codec/chunked.ts";
import { writeLatin1 } from "../_codec/latin1.ts";

/**
 * Bodies up to this size are copied into the output buffer next to their head (one
 * write); larger ones are written from their own buffer after the head: copying 64 KiB
 * costs about as much as one extra write call.
 */
export const SMALL_BODY_BYTES = 64 * 1024;

/**
 * Output buffers come in three pooled sizes: 4 KiB for a small response (or a pipelined
 * batch of them), 32 KiB for mid-size ones (a 16 KiB body and its head), and 128 KiB, which holds a head and a body
 * up to SMALL_BODY_BYTES with room to spare. Many connections answering at once each
 * hold one, and a flushed buffer goes back to its pool, so steady traffic allocates no
 * output memory (a 16 KiB echo used to allocate a fresh 32 KiB buffer per response:
 * 15% of its profile was GC). Larger batches get an unpooled power of two.
 */
const OUTPUT_TIERS = [4 * 1024, 32 * 1024, 128 * 1024] as const;
/** Most free buffers kept per tier. */
const OUTPUT_POOL_LIMITS = [256, 128, 16] as const;
const outputPools: Uint8Array[][] = [[], [], []];

/** A buffer of at least `need` bytes: from the smallest pooled tier that fits, or new. */
function takeBuffer(need: number): Uint8Array {
  for (let i = 0; i < OUTPUT_TIERS.length; i++) {
    if (need <= OUTPUT_TIERS[i]) return outputPools[i].pop() ?? new Uint8Array(OUTPUT_TIERS[i]);
  }
  let size = OUTPUT_TIERS[OUTPUT_TIERS.length - 1] * 2;
  while (size < need) size *= 2;
  return new Uint8Array(size);
}

/** Gives a buffer back to its tier's pool (buffers of other sizes are dropped). */
function returnBuffer(buf: Uint8Array): void {
  for (let i = 0; i < OUTPUT_TIERS.length; i++) {
    if (buf.length === OUTPUT_TIERS[i]) {
      if (outputPools[i].length < OUTPUT_POOL_LIMITS[i]) outputPools[i].push(buf);
      return;
    }
  }
}

/** Where the bytes written are counted. */
export interface ByteCount {
  bytesOut: number;
}

/**
 * The output buffer of one connection. It takes a buffer from a shared pool when
 * something is appended and gives it back once flushed and idle, so an idle keep-alive
 * connection holds no output memory.
 */
export class Output {
  /** The current buffer (empty until something is appended). */
  buf: Uint8Array = EMPTY;
  /** Bytes waiting in `buf[0..length)`. */
  length = 0;
  /** A write failed: the peer is gone (or the socket was closed under us). */
  broken = false;
  /** Bytes handed to the socket that it has not taken yet (a write in progress). */
  inFlight = 0;
  /**
   * Bumped each time the socket takes bytes: a write in progress whose count stays put
   * for `sendTimeout` means a peer that does not read.
   */
  progress = 0;
  #writer: ByteWriter;
  #counted: ByteCount;

  /**
   * @param writer Where the bytes go.
   * @param counted Counts the bytes written (the server's counters).
   */
  constructor(writer: ByteWriter, counted: ByteCount) {
    this.#writer = writer;
    this.#counted = counted;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    const next = takeBuffer(need);
    if (this.length > 0) next.set(this.buf.subarray(0, this.length));
    this.#recycle();
    this.buf = next;
  }

  /** Appends latin1 text (a head). */
  text(text: string): void {
    this.reserve(text.length);
    this.length = writeLatin1(text, this.buf, this.length);
  }

  /**
   * Appends `text` when it is pure ASCII (one byte per char) and returns true; returns
   * false, appending nothing, when it holds any other char.
   */
  ascii(text: string): boolean {
    const n = text.length;
    this.reserve(n);
    const at = this.length;
    if (n <= SHORT_ASCII) {
      // A short body is cheaper to copy by hand than through encodeInto's op call.
      const buf = this.buf;
      for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c > 127) return false;
        buf[at + i] = c;
      }
      this.length = at + n;
      return true;
    }
    const result = asciiEncoder.encodeInto(text, this.buf.subarray(at, at + n));
    if (result.read !== n || result.written !== n) return false;
    this.length = at + n;
    return true;
  }

  /** Detaches what is buffered for writing: the caller writes the returned view. */
  take(): Uint8Array | null {
    const n = this.length;
    if (n === 0) return null;
    this.length = 0;
    return this.buf.subarray(0, n);
  }

  /** Appends bytes. */
  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends `data` framed as one chunk; empty data appends nothing. */
  chunk(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    this.reserve(n + MAX_CHUNK_HEAD + 2);
    const buf = this.buf;
    let at = writeChunkHead(buf, this.length, n);
    buf.set(data, at);
    at += n;
    buf[at] = 13;
    buf[at + 1] = 10;
    this.length = at + 2;
  }

  /**
   * Sends `data` framed as one chunk: copied in when small; else the chunk-size line is
   * flushed with what is buffered, `data` is written from where it is, and its CRLF
   * waits in the buffer for the next write.
   */
  async sendChunk(data: Uint8Array): Promise<void> {
    const n = data.length;
    if (n <= SMALL_BODY_BYTES) {
      this.chunk(data);
      return;
    }
    this.reserve(MAX_CHUNK_HEAD);
    this.length = writeChunkHead(this.buf, this.length, n);
    await this.flush();
    await this.write(data);
    this.reserve(2);
    this.buf[this.length] = 13;
    this.buf[this.length + 1] = 10;
    this.length += 2;
  }

  /** Appends the last chunk (no trailers). */
  lastChunk(): void {
    this.bytes(LAST_CHUNK);
  }

  /**
   * Writes out what is buffered. The common case is one socket write awaited directly;
   * only a short write goes through #writeRest for the rest (one async frame less per
   * response batch on the hot path).
   */
  async flush(): Promise<void> {
    const n = this.length;
    if (n === 0) return;
    this.length = 0;
    const view = this.buf.subarray(0, n);
    this.inFlight = n;
    try {
      const written = await this.#writer.write(view);
      this.progress++;
      if (written < n) await this.#writeRest(view, written);
      this.#counted.bytesOut += n;
    } catch (error) {
      this.broken = true;
      throw error;
    } finally {
      this.inFlight = 0;
    }
  }

  /** Writes `data` directly (nothing buffered may be pending), noting failures in `broken`. */
  async write(data: Uint8Array): Promise<void> {
    try {
      await this.#writeRest(data, 0);
      this.#counted.bytesOut += data.length;
    } catch (error) {
      this.broken = true;
      throw error;
    } finally {
      this.inFlight = 0;
    }
  }

  /** Writes `data` from `done` on, however many writes the socket needs, counting progress. */
  async #writeRest(data: Uint8Array, done: number): Promise<void> {
    while (done < data.length) {
      this.inFlight = data.length - done;
      done += await this.#writer.write(done === 0 ? data : data.subarray(done));
      this.progress++;
    }
  }

  /**
   * Sends `data` after what is buffered: copied in when small, else the buffer is
   * flushed and `data` written from where it is.
   */
  async send(data: Uint8Array): Promise<void> {
    if (data.length <= SMALL_BODY_BYTES) {
      this.bytes(data);
      return;
    }
    await this.flush();
    await this.write(data);
  }

  /** Returns the buffer to the pool when nothing is waiting in it. */
  release(): void {
    if (this.length === 0) this.#recycle();
  }

  #recycle(): void {
    const buf = this.buf;
    this.buf = EMPTY;
    if (buf !== EMPTY) returnBuffer(buf);
  }
}

const EMPTY = new Uint8Array(0);
/** Texts up to this many chars are copied by a JS loop rather than `encodeInto`. */
const SHORT_ASCII = 64;
const asciiEncoder = new TextEncoder();
