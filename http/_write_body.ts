/**
 * The write side of a server connection: one reused output buffer that collects heads,
 * small bodies and chunk frames so that a response (or a batch of pipelined responses)
 * leaves in one write; plus body framing for streamed bodies (Content-Length, chunked
 * or close-delimited).
 *
 * @module
 */

import { writeAll } from "../net/_write_all.ts";
import type { ByteWriter } from "../net/_write_all.ts";
import { LAST_CHUNK, MAX_CHUNK_HEAD, writeChunkHead } from "./_chunked_encoder.ts";
import {
  CONN_CLOSE,
  CONN_DEFAULT,
  CONN_KEEP_ALIVE,
  FRAME_CHUNKED,
  FRAME_CLOSE,
  FRAME_LENGTH,
  FRAME_NONE,
  headText,
  writeLatin1,
} from "./_encode_head.ts";
import { dateLine } from "./_date.ts";
import {
  KIND_BYTES,
  KIND_STREAM,
  KIND_TEXT,
  newParts,
  readParts,
  type ResponseParts,
} from "./_response_parts.ts";

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
  #writer: ByteWriter;

  constructor(writer: ByteWriter) {
    this.#writer = writer;
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
   * only a short write goes through writeAll for the rest (one async frame less per
   * response batch on the hot path).
   */
  async flush(): Promise<void> {
    const n = this.length;
    if (n === 0) return;
    this.length = 0;
    const view = this.buf.subarray(0, n);
    try {
      const written = await this.#writer.write(view);
      if (written < n) await writeAll(this.#writer, view.subarray(written));
    } catch (error) {
      this.broken = true;
      throw error;
    }
  }

  /** Writes `data` directly (nothing buffered may be pending), noting failures in `broken`. */
  async write(data: Uint8Array): Promise<void> {
    try {
      await writeAll(this.#writer, data);
    } catch (error) {
      this.broken = true;
      throw error;
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

/** What the connection tells the writer about one exchange, and learns back. */
export interface ResponseContext {
  /** The request was HEAD: the head is sent without the body. */
  head: boolean;
  /** The request's HTTP minor version (0 or 1). */
  minor: number;
  /** The server would keep the connection open after this response. */
  keepAlive: boolean;
  /** Set once the head is in the output buffer: a later failure must cut the connection. */
  committed: boolean;
  /** The body reader while a stream is being sent, so an abort can cancel it. */
  reader: ReadableStreamDefaultReader<Uint8Array> | null;
}

const parts: ResponseParts = newParts();
let cachedHead: Uint8Array = new Uint8Array(0);
let cachedLength = -1;
let cachedStatus = 0;
let cachedFields = "";
let cachedConnection = -1;
let cachedDate = "";
const utf8Encoder = new TextEncoder();

function ignore(): void {}

function cancelStream(stream: ReadableStream<Uint8Array> | null): void {
  if (stream !== null && !stream.locked) stream.cancel().catch(ignore);
}

function connectionValue(keepAlive: boolean, minor: number): number {
  if (!keepAlive) return CONN_CLOSE;
  return minor === 0 ? CONN_KEEP_ALIVE : CONN_DEFAULT;
}

/**
 * Encodes `response` for the request described by `ctx` into `out`: head and, for
 * small bodies, the body too (flushing is the caller's, so pipelined responses share a
 * write). Framing follows RFC 9112 §6: no body for HEAD, 1xx, 204 and 304; Content-Length
 * when the size is known; otherwise chunked, or close-delimited for HTTP/1.0.
 *
 * Returns whether the connection may stay open, synchronously unless the body is a
 * stream or large. Throws a TypeError before anything is written when the Response
 * cannot be sent; failures after `ctx.committed` is set mean the connection must close.
 *
 * @param out The connection's output.
 * @param response The handler's Response.
 * @param ctx The exchange.
 * @param now Current time (epoch ms) for the Date header.
 * @returns Whether the connection may be kept open.
 */
export function writeResponse(
  out: Output,
  response: Response,
  ctx: ResponseContext,
  now: number,
): boolean | Promise<boolean> {
  readParts(response, parts);
  const status = parts.status;
  const keepAlive = ctx.keepAlive && !parts.close;
  const connection = connectionValue(keepAlive, ctx.minor);
  const kind = parts.kind;
  let framing = FRAME_LENGTH;
  let length = 0;
  let body: Uint8Array | null = null;
  if (status === 204 || status === 304 || status < 200 || status === 205) {
    // RFC 9110 §15.3.5, §15.4.5: never a body. A 304 keeps a Content-Length the handler
    // set (the size a 200 would have had); 205 says "no content" explicitly.
    cancelStream(parts.stream);
    if (status === 205) length = 0;
    else if (status === 304 && parts.length >= 0) length = parts.length;
    else framing = FRAME_NONE;
  } else if (kind === KIND_TEXT) {
    const text = parts.text;
    if (!ctx.head && text.length <= SMALL_BODY_BYTES) {
      // Optimistic: an ASCII body has as many bytes as chars; any other char takes the
      // general route below. The head's bytes are kept while status, fields, length,
      // connection and Date stay the same (one second at most): repeated responses
      // copy them instead of building and encoding the head again.
      const date = dateLine(now);
      const length = text.length;
      if (
        length !== cachedLength || status !== cachedStatus || parts.fields !== cachedFields ||
        connection !== cachedConnection || date !== cachedDate || parts.reason !== "" ||
        parts.date
      ) {
        const head = headText(
          status,
          parts.reason,
          parts.fields,
          FRAME_LENGTH,
          length,
          connection,
          parts.date,
          now,
        );
        cachedHead = new Uint8Array(head.length);
        writeLatin1(head, cachedHead, 0);
        // Only heads of the common shape are reused (standard reason, our Date).
        const reusable = parts.reason === "" && !parts.date;
        cachedLength = reusable ? length : -1;
        cachedStatus = status;
        cachedFields = parts.fields;
        cachedConnection = connection;
        cachedDate = date;
      }
      const mark = out.length;
      out.bytes(cachedHead);
      if (out.ascii(text)) {
        ctx.committed = true;
        return keepAlive;
      }
      out.length = mark;
    }
    body = utf8Encoder.encode(text);
    length = body.length;
  } else if (kind === KIND_BYTES) {
    body = parts.bytes!;
    length = body.length;
  } else if (kind === KIND_STREAM) {
    if (ctx.head && parts.length >= 0) {
      // The same head a GET would get: the handler told us the length.
      cancelStream(parts.stream);
      length = parts.length;
    } else {
      return writeStreamed(out, parts.stream!, ctx, status, keepAlive, now);
    }
  } else if (ctx.head && parts.length >= 0) {
    length = parts.length;
  }
  out.text(
    headText(status, parts.reason, parts.fields, framing, length, connection, parts.date, now),
  );
  ctx.committed = true;
  if (body === null || ctx.head || framing === FRAME_NONE || status === 304) return keepAlive;
  if (body.length <= SMALL_BODY_BYTES) {
    out.bytes(body);
    return keepAlive;
  }
  return out.send(body).then(() => keepAlive);
}

/** Thrown when a streamed body fails after its head was committed. */
export class BodyAbort extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BodyAbort";
  }
}

function checkChunk(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError(
    `Cannot send a response body chunk: expected Uint8Array, got ${
      value === null ? "null" : typeof value
    }`,
  );
}

async function writeStreamed(
  out: Output,
  stream: ReadableStream<Uint8Array>,
  ctx: ResponseContext,
  status: number,
  keepAlive: boolean,
  now: number,
): Promise<boolean> {
  // Copy what the head needs: `parts` is shared and refilled by the next response.
  const reason = parts.reason;
  const fields = parts.fields;
  const declared = parts.length;
  const hasDate = parts.date;
  const reader = stream.getReader();
  ctx.reader = reader;
  try {
    if (declared >= 0) {
      // The handler set Content-Length: send exactly that many bytes.
      out.text(
        headText(
          status,
          reason,
          fields,
          FRAME_LENGTH,
          declared,
          connectionValue(keepAlive, ctx.minor),
          hasDate,
          now,
        ),
      );
      ctx.committed = true;
      let sent = 0;
      for (;;) {
        const result = await reader.read();
        if (result.done) break;
        const chunk = checkChunk(result.value);
        sent += chunk.length;
        if (sent > declared) {
          throw new BodyAbort(
            `Cannot send the response body: ${sent} bytes exceed its Content-Length ${declared}`,
          );
        }
        await out.send(chunk);
        await out.flush();
      }
      if (sent < declared) {
        throw new BodyAbort(
          `Cannot send the response body: it ended after ${sent} of its Content-Length ${declared} bytes`,
        );
      }
      return keepAlive;
    }
    const first = await reader.read();
    if (first.done) {
      out.text(
        headText(
          status,
          reason,
          fields,
          FRAME_LENGTH,
          0,
          connectionValue(keepAlive, ctx.minor),
          hasDate,
          now,
        ),
      );
      ctx.committed = true;
      return keepAlive;
    }
    const firstChunk = checkChunk(first.value);
    // A stream that already holds its whole body (a static source) answers the next
    // read within a microtask: then the length is known and no chunking is needed.
    const pending = reader.read();
    let peeked: ReadableStreamReadResult<Uint8Array> | null = null;
    pending.then((r) => (peeked = r), ignore);
    await null;
    const whole = peeked !== null && (peeked as ReadableStreamReadResult<Uint8Array>).done;
    if (whole || ctx.head) {
      // HEAD: the head a GET would get (with its length when it is known), no body.
      out.text(
        headText(
          status,
          reason,
          fields,
          whole ? FRAME_LENGTH : FRAME_NONE,
          firstChunk.length,
          connectionValue(keepAlive, ctx.minor),
          hasDate,
          now,
        ),
      );
      ctx.committed = true;
      if (ctx.head) reader.cancel().catch(ignore);
      else await out.send(firstChunk);
      return keepAlive;
    }
    const chunked = ctx.minor !== 0;
    const open = keepAlive && chunked;
    out.text(
      headText(
        status,
        reason,
        fields,
        chunked ? FRAME_CHUNKED : FRAME_CLOSE,
        0,
        connectionValue(open, ctx.minor),
        hasDate,
        now,
      ),
    );
    ctx.committed = true;
    let next: Promise<ReadableStreamReadResult<Uint8Array>> = pending;
    let chunk = firstChunk;
    for (;;) {
      if (chunked) await out.sendChunk(chunk);
      else await out.send(chunk);
      await out.flush();
      const result = await next;
      if (result.done) break;
      chunk = checkChunk(result.value);
      next = reader.read();
    }
    if (chunked) out.lastChunk();
    return open;
  } catch (error) {
    reader.cancel(error).catch(ignore);
    if (ctx.committed && !(error instanceof BodyAbort)) {
      throw new BodyAbort(`Cannot send the response body: ${describe(error)}`, { cause: error });
    }
    throw error;
  } finally {
    ctx.reader = null;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
