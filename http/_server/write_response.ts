/**
 * Writes a Web `Response` into a connection's {@linkcode Output}: the head, and the body
 * framed by Content-Length, chunked or close-delimited (RFC 9112 §6), small bodies in the
 * same write as their head.
 *
 * @module
 */

import {
  CONNECTION_CLOSE,
  CONNECTION_DEFAULT,
  CONNECTION_KEEP_ALIVE,
  headText,
} from "./response_head.ts";
import { FRAME_CHUNKED, FRAME_CLOSE, FRAME_LENGTH, FRAME_NONE } from "../_codec/framing.ts";
import { writeLatin1 } from "../_codec/latin1.ts";
import { dateLine } from "../_codec/date.ts";
import { errorText } from "../_codec/error_text.ts";
import { ignore } from "../_codec/ignore.ts";
import { type Output, SMALL_BODY_BYTES } from "./output.ts";
import {
  KIND_BYTES,
  KIND_STREAM,
  KIND_TEXT,
  newParts,
  readParts,
  type ResponseParts,
} from "./response_parts.ts";

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

function cancelStream(stream: ReadableStream<Uint8Array> | null): void {
  if (stream !== null && !stream.locked) stream.cancel().catch(ignore);
}

function connectionValue(keepAlive: boolean, minor: number): number {
  if (!keepAlive) return CONNECTION_CLOSE;
  return minor === 0 ? CONNECTION_KEEP_ALIVE : CONNECTION_DEFAULT;
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
      throw new BodyAbort(`Cannot send the response body: ${errorText(error)}`, { cause: error });
    }
    throw error;
  } finally {
    ctx.reader = null;
  }
}
