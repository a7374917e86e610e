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
  CONNECTION_UPGRADE,
  headText,
} from "./response_head.ts";
import { FRAME_CHUNKED, FRAME_CLOSE, FRAME_LENGTH, FRAME_NONE } from "../_codec/framing.ts";
import { writeLatin1 } from "../_codec/latin1.ts";
import { dateLine } from "../_codec/date.ts";
import { errorText } from "../_codec/error_text.ts";
import { ignore } from "../_codec/ignore.ts";
import { type Output, SMALL_BODY_BYTES } from "./output.ts";
import { bodyReader } from "./body_reader.ts";
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
  reader: { cancel(reason?: unknown): Promise<void> } | null;
  /** The client went away: a streamed body is not started or continued. */
  peerGone: boolean;
  /** The request asked to switch protocols: the slot holding the one 101 allowed. */
  upgrade: { readonly response: Response | null } | null;
  /** Set when the 101 of a real upgrade is in the output: the connection leaves HTTP. */
  switching: boolean;
  /** The request body is still arriving. */
  receiving: boolean;
}

const parts: ResponseParts = newParts();
let cachedHead: Uint8Array = new Uint8Array(0);
let cachedLength = -1;
let cachedStatus = 0;
let cachedFields = "";
let cachedConnection = -1;
let cachedDate = "";
let cachedKeepAlive = "";
const utf8Encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

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
 * @param keepAliveLine The `keep-alive: timeout=N` line a kept-alive response carries.
 * @returns Whether the connection may be kept open.
 */
export function writeResponse(
  out: Output,
  response: Response,
  ctx: ResponseContext,
  now: number,
  keepAliveLine: string,
): boolean | Promise<boolean> {
  readParts(response, parts);
  const status = parts.status;
  const keepAlive = ctx.keepAlive && !parts.close;
  const connection = connectionValue(keepAlive, ctx.minor);
  const kind = parts.kind;
  let framing = FRAME_LENGTH;
  let length = 0;
  let body: Uint8Array | null = null;
  if (status === 101) return switchProtocols(out, response, ctx, now);
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
        parts.date || keepAliveLine !== cachedKeepAlive
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
          keepAliveLine,
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
        cachedKeepAlive = keepAliveLine;
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
      return writeStreamed(
        out,
        parts.stream!,
        ctx,
        status,
        keepAlive,
        now,
        keepAliveLine,
        parts.publicRoute,
      );
    }
  } else if (ctx.head && parts.length >= 0) {
    length = parts.length;
  }
  out.text(
    headText(
      status,
      parts.reason,
      parts.fields,
      framing,
      length,
      connection,
      parts.date,
      now,
      keepAliveLine,
    ),
  );
  ctx.committed = true;
  if (body === null || ctx.head || framing === FRAME_NONE || status === 304) return keepAlive;
  if (body.length <= SMALL_BODY_BYTES) {
    out.bytes(body);
    return keepAlive;
  }
  return out.send(body).then(() => keepAlive);
}

/**
 * Writes the 101 of a real upgrade: the one Response the handler's `upgradeWebSocket()`
 * or `upgrade()` made for this request. Any other 101 would leave the client talking a
 * protocol nobody serves (the silent broken 101 of Deno.upgradeWebSocket's Response on a
 * server that is not Deno's): a TypeError before anything is written, so onError
 * answers it (500).
 */
function switchProtocols(
  out: Output,
  response: Response,
  ctx: ResponseContext,
  now: number,
): boolean {
  const slot = ctx.upgrade;
  if (slot === null || slot.response !== response) {
    cancelStream(parts.stream);
    throw new TypeError(
      slot === null
        ? "Cannot send a 101 response: the request did not ask to switch protocols"
        : "Cannot send a 101 response: it was not made by upgradeWebSocket() or upgrade() for this request (Deno.upgradeWebSocket's sockets only work on Deno.serve)",
    );
  }
  if (ctx.receiving) {
    throw new TypeError(
      "Cannot switch protocols before the request body has arrived",
    );
  }
  cancelStream(parts.stream);
  out.text(
    headText(
      101,
      parts.reason,
      parts.fields,
      FRAME_NONE,
      0,
      CONNECTION_UPGRADE,
      parts.date,
      now,
      "",
    ),
  );
  ctx.committed = true;
  ctx.switching = true;
  return false;
}

/**
 * Thrown when a streamed body fails after its head was committed: the connection must
 * close (the client sees a cut, not a lie). `byPeer` tells a client that went away (not
 * worth reporting) from a body that failed or broke its declared length (reported to
 * `onError`, as Deno.serve does).
 */
export class BodyAbort extends Error {
  /** Whether the peer caused it (it went away), rather than the body. */
  readonly byPeer: boolean;

  constructor(message: string, options?: ErrorOptions & { byPeer?: boolean }) {
    super(message, options);
    this.name = "BodyAbort";
    this.byPeer = options?.byPeer ?? false;
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

type ReadResult = ReadableStreamReadResult<Uint8Array>;

/**
 * The result of `read` when it settles within a microtask (a chunk already queued, a
 * static source), so that chunk can go out in the same write as what is buffered; null
 * when it is still pending (then await `read` itself).
 */
async function settledSoon(read: Promise<ReadResult>, ticks: number): Promise<ReadResult | null> {
  let settled: ReadResult | null = null;
  read.then((result) => (settled = result), ignore);
  for (let i = 0; i < ticks && settled === null; i++) await null;
  return settled;
}

/**
 * Microtasks a queued chunk takes to come out of a read: one for a stream the handler
 * filled; two for the stream Deno makes of a static body (measured on Deno 2.9), which
 * the public route has to recognise.
 */
const QUEUED_TICKS = 1;
const STATIC_TICKS = 3;

/** Throws when the client went away while the body streamed (the exchange was cut short). */
function checkPeer(ctx: ResponseContext): void {
  if (ctx.peerGone) {
    throw new BodyAbort("Cannot send the response body: the client closed the connection", {
      byPeer: true,
    });
  }
}

/**
 * Sends a streamed body. The head goes out at once, before the first chunk is awaited
 * (with that chunk in the same write when it is already there): SSE, long polls and
 * duplex echoes see their status and headers as soon as the handler returns. Framing, as
 * Deno.serve does it: the Content-Length the handler set, exactly that many bytes (a
 * longer stream is cut there and the connection closes; a shorter one closes the
 * connection early; both are reported to onError); otherwise chunked on HTTP/1.1 and
 * close-delimited on HTTP/1.0, even when the stream turns out to be short. HEAD gets the
 * head alone (with the declared length, if any) and the stream is cancelled.
 *
 * `guessStatic` is for the public route, which sees every body as a stream: a body that
 * is whole within its first read (the shape of a static one) gets a Content-Length, as
 * the fast route gives a static body.
 */
async function writeStreamed(
  out: Output,
  stream: ReadableStream<Uint8Array>,
  ctx: ResponseContext,
  status: number,
  keepAlive: boolean,
  now: number,
  keepAliveLine: string,
  guessStatic: boolean,
): Promise<boolean> {
  // Copy what the head needs: `parts` is shared and refilled by the next response.
  const reason = parts.reason;
  const fields = parts.fields;
  const declared = parts.length;
  const hasDate = parts.date;
  const head = (framing: number, length: number, open: boolean) =>
    headText(
      status,
      reason,
      fields,
      framing,
      length,
      connectionValue(open, ctx.minor),
      hasDate,
      now,
      keepAliveLine,
    );
  if (ctx.head && (declared >= 0 || !guessStatic)) {
    cancelStream(stream);
    out.text(head(declared >= 0 ? FRAME_LENGTH : FRAME_NONE, declared, keepAlive));
    ctx.committed = true;
    return keepAlive;
  }
  const reader = bodyReader(stream, declared);
  ctx.reader = reader;
  const chunked = declared < 0 && ctx.minor !== 0;
  const open = keepAlive && (declared >= 0 || chunked);
  try {
    checkPeer(ctx);
    // The read in progress, and its result once known (null while it is pending).
    let read: Promise<ReadResult> = reader.read();
    const ticks = guessStatic ? STATIC_TICKS : QUEUED_TICKS;
    let next: ReadResult | null = await settledSoon(read, ticks);
    let first: Uint8Array | null = null;
    if (declared < 0 && guessStatic && next !== null) {
      let whole: Uint8Array | null = null;
      if (next.done) whole = EMPTY;
      else {
        first = checkChunk(next.value);
        read = reader.read();
        next = await settledSoon(read, ticks);
        if (next !== null && next.done) whole = first;
      }
      if (whole !== null) {
        out.text(head(FRAME_LENGTH, whole.length, keepAlive));
        ctx.committed = true;
        if (ctx.head) reader.cancel().catch(ignore);
        else if (whole.length > 0) await out.send(whole);
        return keepAlive;
      }
    }
    if (ctx.head) {
      // The public route's guess found no whole body: the head alone, no length.
      reader.cancel().catch(ignore);
      out.text(head(FRAME_NONE, 0, keepAlive));
      ctx.committed = true;
      return keepAlive;
    }
    out.text(
      head(
        declared >= 0 ? FRAME_LENGTH : chunked ? FRAME_CHUNKED : FRAME_CLOSE,
        declared,
        open,
      ),
    );
    ctx.committed = true;
    if (first !== null) {
      // Read while guessing: it goes out with the head.
      if (chunked) await out.sendChunk(first);
      else await out.send(first);
    }
    if (next === null) {
      // Nothing yet: the head (and whatever the batch holds) leaves now.
      await out.flush();
      next = await read;
    }
    let sent = first === null ? 0 : first.length;
    for (;;) {
      checkPeer(ctx);
      if (next.done) break;
      const chunk = checkChunk(next.value);
      if (declared >= 0) {
        const room = declared - sent;
        if (chunk.length > room) {
          // Exactly Content-Length bytes go out, then the connection closes.
          if (room > 0) await out.send(chunk.subarray(0, room));
          reader.cancel().catch(ignore);
          throw new BodyAbort(
            `Cannot send the response body: it is longer than its Content-Length ${declared}`,
          );
        }
        await out.send(chunk);
      } else if (chunked) {
        await out.sendChunk(chunk);
      } else {
        await out.send(chunk);
      }
      sent += chunk.length;
      await out.flush();
      reader.done(chunk);
      next = await reader.read();
    }
    if (declared >= 0 && sent < declared) {
      throw new BodyAbort(
        `Cannot send the response body: it ended after ${sent} of its Content-Length ${declared} bytes`,
      );
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
    reader.release();
  }
}
