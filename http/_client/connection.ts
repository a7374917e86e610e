/**
 * One client connection: writes requests (head and small body in one write, streamed
 * bodies chunked), reads responses with the Parser in response mode, and hands the body
 * over as a pull-driven ReadableStream so the socket is read only as fast as the
 * consumer reads. Requests may be pipelined; responses are matched in order.
 *
 * @module
 */
import { ReadBuffer } from "../../net/_read_buffer.ts";
import type { ConnectionSettings } from "./config.ts";
import { writeAll } from "../../net/_write_all.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../parse_event.ts";
import { Parser } from "../parser.ts";
import { ClientError, type ClientTimeout } from "../client_error.ts";
import { framingOf, isInlineBody, RequestEncoder } from "./request_head.ts";
import { isIdempotent, type PreparedRequest } from "./prepare_request.ts";
import { describe, EMPTY, Exchange, keepAliveHint } from "./exchange.ts";
import { concat } from "../../net/_bytes.ts";
import { BodyError, uploadBody } from "./upload_body.ts";
import { decodeBody, decoderFormat } from "./decode_body.ts";

/** The pool a connection reports to. */
export interface ConnectionOwner {
  /** Every exchange finished and the connection can carry another request. */
  onIdle(connection: ClientConnection): void;
  /** An exchange finished and a pipelined connection has room for one more. */
  onRoom(connection: ClientConnection): void;
  /** The connection closed; it must not be used again. */
  onClose(connection: ClientConnection): void;
}

/** Errors after which a request may be sent again on a fresh connection. */
export const RETRYABLE: WeakSet<object> = new WeakSet();

const STATE_IDLE = 0;
const STATE_BUSY = 1;
const STATE_CLOSED = 2;

const TIMER_NONE = 0;
const TIMER_IDLE = 1;
const TIMER_HEADERS = 2;
const TIMER_BODY = 3;

/** A keep-alive HTTP/1.1 connection owned by a pool. */
export class ClientConnection {
  readonly conn: Deno.Conn;
  readonly owner: ConnectionOwner;
  /** Requests sent on this connection so far. */
  requests = 0;
  /** Most requests in flight at once (1: no pipelining). */
  readonly pipelining: number;
  #settings: ConnectionSettings;
  #rb: ReadBuffer;
  #parser: Parser;
  #encoder = new RequestEncoder();
  #state = STATE_BUSY;
  #queue: Exchange[] = [];
  #writes = 0;
  #writeChain: Promise<void> | null = null;
  #readPromise: Promise<number | null> | null = null;
  #timerKind = TIMER_NONE;
  #deadline = 0;
  #timer = 0;
  #timerAt = 0;
  #idleFor = 0;
  #refd = true;

  constructor(
    conn: Deno.Conn,
    owner: ConnectionOwner,
    settings: ConnectionSettings,
    pipelining: number,
  ) {
    this.conn = conn;
    this.owner = owner;
    this.#settings = settings;
    this.pipelining = pipelining;
    this.#rb = new ReadBuffer(conn, settings.readBufferSize);
    this.#parser = new Parser({
      mode: "response",
      maxHeaderBytes: settings.maxHeaderBytes,
      maxHeaderCount: settings.maxHeaderCount,
    });
  }

  /** Whether the connection was closed. */
  get closed(): boolean {
    return this.#state === STATE_CLOSED;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#queue.length;
  }

  /**
   * Whether one more request may be pipelined behind the ones in flight: only
   * idempotent requests without a streamed body, and only behind such requests.
   */
  canPipeline(): boolean {
    if (this.#state !== STATE_BUSY) return false;
    if (this.#queue.length + this.reserved >= this.pipelining) return false;
    const last = this.#queue[this.#queue.length - 1];
    return last !== undefined && last.pipelinable && last.keepAlive;
  }

  /** Requests the pool promised this connection that have not called `send` yet. */
  reserved = 0;

  /** Sends `p` and resolves with its response once the head has arrived. */
  send(p: PreparedRequest): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const ex = new Exchange(p, resolve, reject);
      if (this.#state === STATE_CLOSED) {
        this.#reject(ex, this.#closedError(ex, undefined));
        return;
      }
      this.#state = STATE_BUSY;
      if (!this.#refd) {
        this.#refd = true;
        this.conn.ref();
      }
      this.requests++;
      if (this.reserved > 0) this.reserved--;
      ex.pipelinable = this.pipelining > 1 && !p.close && isIdempotent(p.method) &&
        (p.body === null || isInlineBody(p));
      this.#queue.push(ex);
      const signal = p.signal;
      if (signal !== null) {
        if (signal.aborted) {
          this.#fail(ex, this.#abortError(ex));
          return;
        }
        const onAbort = (): void => this.#fail(ex, this.#abortError(ex));
        ex.onAbort = onAbort;
        signal.addEventListener("abort", onAbort, { once: true });
      }
      this.#write(ex);
      if (this.#queue.length === 1) this.#readHead(ex);
      if (ex.pipelinable) this.owner.onRoom(this);
    });
  }

  /** Closes the socket; requests in flight fail with CLIENT_CLOSED. */
  close(): void {
    if (this.#state === STATE_CLOSED) return;
    const queue = this.#queue;
    this.#queue = [];
    this.#destroy();
    for (const ex of queue) {
      this.#fail(
        ex,
        new ClientError("CLIENT_CLOSED", ex.p.url.href, "the client was closed", {
          method: ex.p.method,
        }),
      );
    }
  }

  // ---------------------------------------------------------------- writing

  #write(ex: Exchange): void {
    const p = ex.p;
    const framing = framingOf(p);
    let head = this.#encoder.encode(p, p.url.pathname + p.url.search, p.url.host, framing);
    const inline = p.body === null || isInlineBody(p);
    if (this.#writes > 0) {
      // A pipelined write is still using the encoder's buffer: send a copy after it.
      head = head.slice();
      const previous = this.#writeChain!;
      this.#writes++;
      this.#writeChain = previous.then(() => this.#writeRequest(ex, head, inline, framing));
      return;
    }
    this.#writes++;
    this.#writeChain = this.#writeRequest(ex, head, inline, framing);
  }

  async #writeRequest(
    ex: Exchange,
    head: Uint8Array,
    inline: boolean,
    framing: number,
  ): Promise<void> {
    try {
      if (ex.done) return;
      await writeAll(this.conn, head);
      if (!inline) await uploadBody(this.conn, ex, framing);
      ex.uploadDone = true;
      if (ex.responseDone) this.#afterExchange(ex);
    } catch (error) {
      this.#onWriteError(ex, error);
    } finally {
      this.#writes--;
    }
  }

  #onWriteError(ex: Exchange, error: unknown): void {
    if (ex.done || this.#state === STATE_CLOSED) return;
    if (error instanceof BodyError) {
      this.#fail(
        ex,
        new ClientError("REQUEST_BODY_FAILED", ex.p.url.href, error.message, {
          method: ex.p.method,
          cause: error.cause,
        }),
      );
      return;
    }
    // The socket broke while sending. The server may still have answered (a 413 before
    // closing, say), so let the reader decide; it reports this error if nothing came.
    ex.writeError = error;
    ex.keepAlive = false;
    if (ex.responseDone) this.#afterExchange(ex);
  }

  // ---------------------------------------------------------------- reading

  /** The bytes of the next read: a read started while idle, or a new one. */
  #fill(): Promise<number | null> {
    const pending = this.#readPromise;
    if (pending !== null) {
      this.#readPromise = null;
      return pending;
    }
    return this.#rb.fill();
  }

  /** Runs the parser over the buffered bytes, consuming what it used. */
  #step(): number {
    const rb = this.#rb;
    const start = rb.start;
    const event = this.#parser.execute(rb.buf, start, rb.end);
    rb.consume(this.#parser.offset - start);
    return event;
  }

  async #readHead(ex: Exchange): Promise<void> {
    const parser = this.#parser;
    try {
      if (ex.p.method === "HEAD") parser.expectNoBody();
      this.#arm(TIMER_HEADERS, this.#settings.headersTimeout);
      for (;;) {
        for (;;) {
          const event = this.#step();
          if (event === PARSE_NEED_MORE) break;
          if (event === PARSE_HEAD) {
            if (parser.status >= 200) {
              this.#onHead(ex);
              return;
            }
            continue; // 1xx: its END follows, then the real response
          }
          if (event === PARSE_END) {
            if (ex.p.method === "HEAD") parser.expectNoBody();
            continue;
          }
          if (event === PARSE_UPGRADE) {
            throw this.#malformed(ex, `unexpected ${parser.status} (protocol switch) response`);
          }
          if (event === PARSE_ERROR) {
            throw this.#malformed(ex, parser.error!.message, parser.error);
          }
          throw this.#malformed(ex, "a body arrived before the response head");
        }
        let n: number | null;
        try {
          n = await this.#fill();
        } catch (error) {
          if (ex.done) return;
          throw this.#closedError(ex, error);
        }
        if (ex.done) return;
        if (n === null) {
          parser.finish();
          throw this.#closedError(ex, undefined);
        }
        ex.gotBytes = true;
      }
    } catch (error) {
      this.#fail(ex, error);
    }
  }

  /** The final response head is parsed: build the Response, with the body if it is here. */
  #onHead(ex: Exchange): void {
    const parser = this.#parser;
    const status = parser.status;
    if (status > 599) {
      throw this.#malformed(ex, `status ${status} is out of range`);
    }
    ex.keepAlive = parser.keepAlive && !ex.p.close && ex.writeError === undefined;
    const fields = parser.headers;
    let encoding: string | null = null;
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i];
      if (name.length === 10) {
        if (name.toLowerCase() === "keep-alive") ex.hint = keepAliveHint(fields[i + 1]);
      } else if (name.length === 16 && name.toLowerCase() === "content-encoding") {
        encoding = fields[i + 1];
      }
    }
    const init: ResponseInit = { status, statusText: parser.reason };
    const nullBody = ex.p.method === "HEAD" || status === 204 || status === 205 ||
      status === 304;

    if (!parser.hasBody) {
      // The parser reports END at once for a message without a body.
      if (this.#step() !== PARSE_END) {
        throw this.#malformed(ex, "the parser did not end a response without a body");
      }
      this.#settle(ex, this.#response(ex, nullBody ? null : EMPTY, init, fields));
      this.#endExchange(ex);
      return;
    }
    if (nullBody) {
      // 204/205/304 with framing headers that announce a body: not allowed (RFC 9110
      // §15.3.5, §15.4.5), and Response cannot carry one.
      throw this.#malformed(ex, `a ${status} response announced a body`);
    }
    const format = encoding === null ? null : decoderFormat(encoding);

    // Fast path: the whole body is already buffered (small responses).
    let first: Uint8Array | null = null;
    let parts: Uint8Array[] | null = null;
    const rb = this.#rb;
    for (;;) {
      const event = this.#step();
      if (event === PARSE_BODY) {
        const part = rb.buf.slice(parser.bodyStart, parser.bodyEnd);
        if (first === null) first = part;
        else (parts ??= [first]).push(part);
        continue;
      }
      if (event === PARSE_END) {
        const bytes = parts !== null ? concat(parts) : first ?? EMPTY;
        const body = format === null ? bytes : decodeBody(ReadableStream.from([bytes]), format);
        this.#settle(ex, this.#response(ex, body as BodyInit, init, fields));
        this.#endExchange(ex);
        return;
      }
      if (event === PARSE_NEED_MORE) break;
      if (event === PARSE_ERROR) throw this.#malformed(ex, parser.error!.message, parser.error);
      throw this.#malformed(ex, "unexpected parser event in a response body");
    }

    // Streaming: hand what is here to the stream, read the rest as the consumer pulls.
    this.#arm(TIMER_NONE, 0);
    if (
      rb.buf.length < STREAM_BUFFER_SIZE &&
      (parser.contentLength > STREAM_BUFFER_SIZE || parser.chunked || parser.bodyUntilClose)
    ) {
      // Large bodies: fewer, bigger reads (each read is an op and a promise).
      rb.grow(STREAM_BUFFER_SIZE);
    }
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        ex.controller = controller;
        if (parts !== null) { for (const part of parts) controller.enqueue(part); }
        else if (first !== null) controller.enqueue(first);
      },
      pull: (controller) => this.#pull(ex, controller),
      cancel: () => this.#cancel(ex),
    }, { highWaterMark: 0 });
    const response = this.#response(
      ex,
      format === null ? stream : decodeBody(stream, format),
      init,
      fields,
    );
    this.#settle(ex, response);
  }

  /**
   * Builds the Response, then adds the fields to its headers: appending to
   * `response.headers` is about 4x cheaper in Deno than passing `init.headers`.
   */
  #response(ex: Exchange, body: BodyInit | null, init: ResponseInit, fields: string[]): Response {
    const response = new Response(body, init);
    const headers = response.headers;
    for (let i = 0; i < fields.length; i += 2) {
      try {
        headers.append(fields[i], fields[i + 1]);
      } catch (error) {
        throw this.#malformed(ex, `header "${fields[i]}" is not valid: ${describe(error)}`, error);
      }
    }
    return response;
  }

  async #pull(ex: Exchange, controller: ReadableStreamDefaultController<Uint8Array>) {
    const parser = this.#parser;
    const rb = this.#rb;
    try {
      for (;;) {
        let delivered = false;
        for (;;) {
          const event = this.#step();
          if (event === PARSE_BODY) {
            controller.enqueue(rb.buf.slice(parser.bodyStart, parser.bodyEnd));
            delivered = true;
            continue;
          }
          if (event === PARSE_NEED_MORE) break;
          if (event === PARSE_END) {
            controller.close();
            this.#endExchange(ex);
            return;
          }
          if (event === PARSE_ERROR) {
            throw this.#malformed(ex, parser.error!.message, parser.error);
          }
          throw this.#malformed(ex, "unexpected parser event in a response body");
        }
        if (ex.done) return;
        if (delivered) {
          // Read ahead once while the consumer takes this chunk: at most one buffer
          // more than asked for, and the socket read overlaps the consumer's work.
          if (this.#readPromise === null) {
            const read = rb.fill();
            this.#readPromise = read;
            read.catch(() => {});
          }
          return;
        }
        this.#arm(TIMER_BODY, this.#settings.bodyTimeout);
        let n: number | null;
        try {
          n = await this.#fill();
        } catch (error) {
          if (ex.done) return;
          throw this.#closedError(ex, error);
        }
        this.#arm(TIMER_NONE, 0);
        if (ex.done) return;
        if (n === null) {
          if (parser.finish() === PARSE_END) {
            // A close-delimited body ends with the connection.
            ex.keepAlive = false;
            controller.close();
            this.#endExchange(ex);
            return;
          }
          throw this.#closedError(ex, undefined);
        }
      }
    } catch (error) {
      this.#fail(ex, error);
    }
  }

  /** The consumer cancelled the body: the rest cannot be skipped cheaply, so close. */
  #cancel(ex: Exchange): void {
    if (ex.done) return;
    ex.done = true;
    this.#cleanup(ex);
    this.#destroyAll();
  }

  // ---------------------------------------------------------------- endings

  #settle(ex: Exchange, response: Response): void {
    ex.settled = true;
    ex.resolve(response);
  }

  #reject(ex: Exchange, error: unknown): void {
    ex.settled = true;
    ex.reject(error);
  }

  /** The response END was parsed. */
  #endExchange(ex: Exchange): void {
    ex.responseDone = true;
    ex.done = true;
    this.#cleanup(ex);
    this.#arm(TIMER_NONE, 0);
    if (!ex.uploadDone) {
      if (ex.writeError !== undefined || !ex.keepAlive) {
        this.#afterExchange(ex);
        return;
      }
      // The server answered before reading the whole request body: it will not read
      // the rest, so stop sending and do not reuse the connection.
      ex.keepAlive = false;
      ex.uploadReader?.cancel().catch(() => {});
    }
    this.#afterExchange(ex);
  }

  /** Both halves of an exchange are over: reuse the connection, or close it. */
  #afterExchange(ex: Exchange): void {
    if (this.#state === STATE_CLOSED) return;
    if (this.#queue[0] !== ex) return; // already handled
    this.#queue.shift();
    if (!ex.keepAlive || (!ex.uploadDone && ex.responseDone)) {
      this.#destroyAll();
      return;
    }
    if (this.#queue.length > 0) {
      this.#readHead(this.#queue[0]);
      this.owner.onRoom(this);
      return;
    }
    if (this.reserved > 0) return; // a pipelined request promised to this one comes next
    if (this.#rb.length > 0) {
      // Bytes nobody asked for: the framing is off, so the stream cannot be trusted.
      this.#destroyAll();
      return;
    }
    const settings = this.#settings;
    let idle = settings.keepAliveTimeout;
    if (ex.hint >= 0) {
      const hinted = Math.min(
        ex.hint * 1000 - settings.keepAliveTimeoutThreshold,
        settings.keepAliveMaxTimeout,
      );
      if (hinted < idle) idle = hinted;
    }
    if (idle <= 0) {
      this.#destroyAll();
      return;
    }
    this.#idleFor = idle;
    this.#state = STATE_IDLE;
    this.owner.onIdle(this);
  }

  /**
   * Called by the pool when it keeps the connection idle: watch for the server
   * closing it, and retire it after the idle timeout.
   */
  parkIdle(): void {
    if (this.#state !== STATE_IDLE) return;
    this.#arm(TIMER_IDLE, this.#idleFor);
    if (this.#refd) {
      this.#refd = false;
      this.conn.unref();
    }
    if (this.#readPromise === null) {
      const read = this.#rb.fill();
      this.#readPromise = read;
      read.then(this.#onIdleRead, this.#onIdleRead);
    }
  }

  #onIdleRead = (): void => {
    // Anything arriving on an idle connection (EOF, an error, stray bytes) ends it.
    if (this.#state === STATE_IDLE) this.#destroyAll();
  };

  #cleanup(ex: Exchange): void {
    if (ex.onAbort !== null) {
      ex.p.signal!.removeEventListener("abort", ex.onAbort);
      ex.onAbort = null;
    }
  }

  /** Fails `ex` (rejecting fetch or erroring the body) and closes the connection. */
  #fail(ex: Exchange, error: unknown): void {
    if (ex.done) return;
    ex.done = true;
    this.#cleanup(ex);
    if (!ex.settled) this.#reject(ex, error);
    else if (ex.controller !== null) {
      try {
        ex.controller.error(error);
      } catch {
        // The stream was already closed or cancelled.
      }
    }
    ex.uploadReader?.cancel().catch(() => {});
    this.#destroyAll();
  }

  /** Closes the socket and fails every other request in flight (retryable if unstarted). */
  #destroyAll(): void {
    if (this.#state === STATE_CLOSED) return;
    const queue = this.#queue;
    this.#queue = [];
    this.#destroy();
    for (const other of queue) {
      if (other.done) continue;
      this.#fail(other, this.#closedError(other, undefined));
    }
  }

  #destroy(): void {
    this.#state = STATE_CLOSED;
    this.#arm(TIMER_NONE, 0);
    if (this.#timer !== 0) {
      clearTimeout(this.#timer);
      this.#timer = 0;
    }
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
    // A read pending on the closed socket rejects; nobody else may be waiting on it.
    this.#readPromise?.catch(() => {});
    this.#readPromise = null;
    this.owner.onClose(this);
  }

  // ---------------------------------------------------------------- timers

  /**
   * Sets the one deadline this connection has. One timer per connection is re-armed
   * lazily: moving a deadline later costs nothing until the timer fires early.
   */
  #arm(kind: number, ms: number): void {
    this.#timerKind = kind;
    if (kind === TIMER_NONE || ms <= 0 || ms === Infinity) {
      this.#deadline = 0;
      return;
    }
    const at = Date.now() + ms;
    this.#deadline = at;
    if (this.#timer !== 0 && this.#timerAt <= at) return;
    if (this.#timer !== 0) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#onTimer, ms) as unknown as number;
    // Pending reads keep the process alive while a request is in flight; the timer
    // alone must not (an idle pooled connection should not hold a program open).
    Deno.unrefTimer(this.#timer);
  }

  #onTimer = (): void => {
    this.#timer = 0;
    if (this.#deadline === 0 || this.#state === STATE_CLOSED) return;
    const left = this.#deadline - Date.now();
    if (left > 0) {
      this.#timerAt = this.#deadline;
      this.#timer = setTimeout(this.#onTimer, left) as unknown as number;
      Deno.unrefTimer(this.#timer);
      return;
    }
    const kind = this.#timerKind;
    this.#deadline = 0;
    if (kind === TIMER_IDLE) {
      this.#destroyAll();
      return;
    }
    const ex = this.#queue[0];
    if (ex === undefined) return;
    const which: ClientTimeout = kind === TIMER_HEADERS ? "headers" : "body";
    const ms = kind === TIMER_HEADERS ? this.#settings.headersTimeout : this.#settings.bodyTimeout;
    this.#fail(
      ex,
      new ClientError(
        "ETIMEDOUT",
        ex.p.url.href,
        which === "headers"
          ? `no response head within the headers timeout of ${ms} ms`
          : `no response body data within the body timeout of ${ms} ms`,
        { method: ex.p.method, timeout: which },
      ),
    );
  };

  // ---------------------------------------------------------------- errors

  #malformed(ex: Exchange, detail: string, cause?: unknown): ClientError {
    return new ClientError(
      "MALFORMED_RESPONSE",
      ex.p.url.href,
      `malformed response: ${detail}`,
      { method: ex.p.method, cause },
    );
  }

  #abortError(ex: Exchange): ClientError {
    return new ClientError("ABORTED", ex.p.url.href, "the request was aborted", {
      method: ex.p.method,
      cause: ex.p.signal?.reason,
    });
  }

  /** The connection ended before the response did; retryable when nothing arrived. */
  #closedError(ex: Exchange, cause: unknown): ClientError {
    const where = ex.settled ? "response body" : "response head";
    const error = new ClientError(
      "CLOSED_EARLY",
      ex.p.url.href,
      `the connection closed before the ${where} was complete` +
        (cause === undefined ? "" : ` (${describe(cause)})`),
      { method: ex.p.method, cause: cause ?? ex.writeError },
    );
    if (!ex.gotBytes && !ex.settled) RETRYABLE.add(error);
    return error;
  }
}

/** Read buffer size once a connection streams a large body. */
const STREAM_BUFFER_SIZE = 256 * 1024;
