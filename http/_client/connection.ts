/**
 * One client connection: writes requests (head and small body in one write, streamed
 * bodies chunked), reads responses with the Parser in response mode, and hands the body
 * over as a pull-driven ReadableStream so the socket is read only as fast as the
 * consumer reads. Requests may be pipelined; responses are matched in order.
 *
 * @module
 */
import { concat } from "../../net/_bytes.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../parse_event.ts";
import type { ClientError } from "../client_error.ts";
import { ignore } from "../_codec/ignore.ts";
import type { ConnectionSettings } from "./config.ts";
import {
  DEADLINE_BODY,
  DEADLINE_HEADERS,
  DEADLINE_IDLE,
  DEADLINE_NONE,
  DeadlineTimer,
} from "./deadline_timer.ts";
import { bytesSource, streamSource } from "./decode_body.ts";
import {
  abortReason,
  clientClosed,
  closedEarly,
  malformed,
  requestBodyFailed,
  timedOut,
} from "./errors.ts";
import { ClientExchange } from "./exchange.ts";
import { idleTime } from "./keep_alive.ts";
import { isPipelinable, type PipelineView } from "./pipelining.ts";
import type { PreparedRequest } from "./prepare_request.ts";
import { buildResponse, checkInterim, EMPTY, readHeadFields } from "./response.ts";
import { planBody, responseBody } from "./response_body.ts";
import { ResponseReader } from "./response_reader.ts";
import type { ClientTransport } from "./transport.ts";
import { BodyError } from "./upload_body.ts";
import { type ConnectionRoute, RequestWriter } from "./request_writer.ts";

export type { ConnectionRoute };

/** The pool a connection reports to: the narrow adapter between the two. */
export interface ConnectionOwner {
  /** Every exchange finished and the connection can carry another request. */
  onIdle(connection: ClientConnection): void;
  /** An exchange finished and a pipelined connection has room for one more. */
  onRoom(connection: ClientConnection): void;
  /** The connection closed; it must not be used again. */
  onClose(connection: ClientConnection): void;
}

const STATE_IDLE = 0;
const STATE_BUSY = 1;
const STATE_CLOSED = 2;

/** A keep-alive HTTP/1.1 connection owned by a pool. */
export class ClientConnection implements PipelineView {
  /** The socket (or in-memory stream). */
  readonly conn: ClientTransport;
  /** The pool this connection reports to. */
  readonly owner: ConnectionOwner;
  /** Requests sent on this connection so far. */
  requests = 0;
  /** Most requests in flight at once (1: no pipelining). */
  readonly pipelining: number;
  /** Requests the pool promised this connection that have not called `send` yet. */
  reserved = 0;
  #settings: ConnectionSettings;
  #reader: ResponseReader;
  #writer: RequestWriter;
  #state = STATE_BUSY;
  #queue: ClientExchange[] = [];
  #timer: DeadlineTimer;
  /** How long the connection may idle once the pool parks it, in milliseconds. */
  #idleTime = 0;
  /** Whether the socket keeps the process alive (not while idle in the pool). */
  #referenced = true;

  /**
   * Wraps a connected socket; the pool sends the first request at once.
   *
   * @param conn The socket.
   * @param owner The pool.
   * @param settings Timeouts, keep-alive and head limits.
   * @param pipelining Most requests in flight at once.
   * @param route How requests are written.
   */
  constructor(
    conn: ClientTransport,
    owner: ConnectionOwner,
    settings: ConnectionSettings,
    pipelining: number,
    route: ConnectionRoute,
  ) {
    this.conn = conn;
    this.#writer = new RequestWriter(conn, route, this.#onWritten, this.#onWriteError);
    this.owner = owner;
    this.#settings = settings;
    this.pipelining = pipelining;
    this.#reader = new ResponseReader(conn, settings);
    this.#timer = new DeadlineTimer(this.#onDeadline);
  }

  /** Whether the connection was closed. */
  get closed(): boolean {
    return this.#state === STATE_CLOSED;
  }

  /** Whether the connection is open and carrying requests. */
  get busy(): boolean {
    return this.#state === STATE_BUSY;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#queue.length;
  }

  /** The last request in flight, if any. */
  get last(): ClientExchange | undefined {
    return this.#queue[this.#queue.length - 1];
  }

  /**
   * Sends `request`.
   *
   * @param request The request.
   * @returns Its exchange, whose `response` resolves once the response head has arrived.
   */
  send(request: PreparedRequest): ClientExchange {
    const exchange = new ClientExchange(request);
    if (this.#state === STATE_CLOSED) {
      exchange.reject(this.#closedEarly(exchange, undefined));
      return exchange;
    }
    this.#state = STATE_BUSY;
    if (!this.#referenced) {
      this.#referenced = true;
      this.conn.ref?.();
    }
    this.requests++;
    if (this.reserved > 0) this.reserved--;
    exchange.pipelinable = isPipelinable(request, this.pipelining);
    this.#queue.push(exchange);
    const signal = request.signal;
    if (signal !== null) {
      if (signal.aborted) {
        this.#fail(exchange, abortReason(request));
        return exchange;
      }
      const onAbort = (): void => this.#fail(exchange, abortReason(request));
      exchange.onAbort = onAbort;
      signal.addEventListener("abort", onAbort, { once: true });
    }
    this.#writer.write(exchange);
    if (this.#queue.length === 1) this.#readHead(exchange);
    if (exchange.pipelinable) this.owner.onRoom(this);
    return exchange;
  }

  /** Closes the socket; requests in flight fail with CLIENT_CLOSED. */
  close(): void {
    if (this.#state === STATE_CLOSED) return;
    const queue = this.#queue;
    this.#queue = [];
    this.#destroy();
    for (const exchange of queue) this.#fail(exchange, clientClosed(exchange.request));
  }

  // ---------------------------------------------------------------- writing

  #onWritten = (exchange: ClientExchange): void => {
    if (exchange.responseDone) this.#afterExchange(exchange);
  };

  #onWriteError = (exchange: ClientExchange, error: unknown): void => {
    if (exchange.done || this.#state === STATE_CLOSED) return;
    if (error instanceof BodyError) {
      this.#fail(exchange, requestBodyFailed(exchange.request, error));
      return;
    }
    // The socket broke while sending. The server may still have answered (a 413 before
    // closing, say), so let the reader decide; it reports this error if nothing came.
    exchange.writeError = error;
    exchange.keepAlive = false;
    if (exchange.responseDone) this.#afterExchange(exchange);
  };

  // ---------------------------------------------------------------- reading

  async #readHead(exchange: ClientExchange): Promise<void> {
    const reader = this.#reader;
    const parser = reader.parser;
    const request = exchange.request;
    const settings = this.#settings;
    let interim = 0;
    const start = reader.consumed;
    try {
      if (request.method === "HEAD") parser.expectNoBody();
      this.#timer.arm(DEADLINE_HEADERS, settings.headersTimeout);
      for (;;) {
        for (;;) {
          const event = reader.step();
          if (event === PARSE_NEED_MORE) break;
          if (event === PARSE_HEAD) {
            if (parser.status >= 200) {
              this.#onHead(exchange);
              return;
            }
            // 1xx: its END follows, then the real response.
            checkInterim(request, settings, ++interim, reader.consumed - start);
            continue;
          }
          if (event === PARSE_END) {
            if (request.method === "HEAD") parser.expectNoBody();
            continue;
          }
          if (event === PARSE_UPGRADE) {
            throw malformed(request, `unexpected ${parser.status} (protocol switch) response`);
          }
          if (event === PARSE_ERROR) {
            throw malformed(request, parser.error!.message, parser.error);
          }
          throw malformed(request, "a body arrived before the response head");
        }
        let bytesRead: number | null;
        try {
          bytesRead = await reader.fill();
        } catch (error) {
          if (exchange.done) return;
          throw this.#closedEarly(exchange, error);
        }
        if (exchange.done) return;
        if (bytesRead === null || bytesRead === 0) {
          parser.finish();
          throw this.#closedEarly(exchange, undefined);
        }
        exchange.gotBytes = true;
      }
    } catch (error) {
      this.#fail(exchange, error);
    }
  }

  /** The final response head is parsed: build the Response, with the body if it is here. */
  #onHead(exchange: ClientExchange): void {
    const reader = this.#reader;
    const parser = reader.parser;
    const request = exchange.request;
    const status = parser.status;
    if (status > 599) throw malformed(request, `status ${status} is out of range`);
    exchange.keepAlive = parser.keepAlive && !request.close && exchange.writeError === undefined;
    const fields = parser.headers;
    const encoding = readHeadFields(exchange, fields);
    const init: ResponseInit = { status, statusText: parser.reason };
    const nullBody = request.method === "HEAD" || status === 204 || status === 205 ||
      status === 304;

    if (!parser.hasBody) {
      // The parser reports END at once for a message without a body.
      if (reader.step() !== PARSE_END) {
        throw malformed(request, "the parser did not end a response without a body");
      }
      exchange.resolve(buildResponse(request, nullBody ? null : EMPTY, init, fields));
      this.#endExchange(exchange);
      return;
    }
    if (nullBody) {
      // 204/205/304 with framing headers that announce a body: not allowed (RFC 9110
      // §15.3.5, §15.4.5), and Response cannot carry one.
      throw malformed(request, `a ${status} response announced a body`);
    }
    const contentLength = parser.contentLength;

    // Fast path: the whole body is already buffered (small responses).
    const parts: Uint8Array[] = [];
    const event = reader.collect(parts);
    if (event === PARSE_END) {
      const bytes = parts.length === 1 ? parts[0] : parts.length === 0 ? EMPTY : concat(parts);
      const plan = planBody(request, this.#settings, { encoding, contentLength, complete: true });
      const body = plan === null ? bytes : responseBody(bytesSource(bytes), plan);
      exchange.resolve(buildResponse(request, body as BodyInit, init, fields));
      this.#endExchange(exchange);
      return;
    }
    if (event === PARSE_ERROR) throw malformed(request, parser.error!.message, parser.error);
    if (event !== PARSE_NEED_MORE) {
      throw malformed(request, "unexpected parser event in a response body");
    }

    // Streaming: hand what is here to the stream, read the rest as the consumer pulls.
    const plan = planBody(request, this.#settings, { encoding, contentLength, complete: false });
    this.#timer.arm(DEADLINE_NONE, 0);
    reader.growForBody();
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        exchange.controller = controller;
        for (const part of parts) controller.enqueue(part);
      },
      pull: (controller) => this.#pull(exchange, controller),
      cancel: () => this.#cancel(exchange),
    }, { highWaterMark: 0 });
    const body = plan === null ? stream : responseBody(streamSource(stream), plan);
    exchange.resolve(buildResponse(request, body, init, fields));
  }

  async #pull(
    exchange: ClientExchange,
    controller: ReadableStreamDefaultController<Uint8Array>,
  ): Promise<void> {
    const reader = this.#reader;
    const parser = reader.parser;
    const request = exchange.request;
    try {
      for (;;) {
        let delivered = false;
        for (;;) {
          const event = reader.step();
          if (event === PARSE_BODY) {
            controller.enqueue(reader.body());
            delivered = true;
            continue;
          }
          if (event === PARSE_NEED_MORE) break;
          if (event === PARSE_END) {
            controller.close();
            this.#endExchange(exchange);
            return;
          }
          if (event === PARSE_ERROR) {
            throw malformed(request, parser.error!.message, parser.error);
          }
          throw malformed(request, "unexpected parser event in a response body");
        }
        if (exchange.done) return;
        if (delivered) {
          // Read ahead once while the consumer takes this chunk: at most one buffer
          // more than asked for, and the socket read overlaps the consumer's work.
          reader.readAhead();
          return;
        }
        this.#timer.arm(DEADLINE_BODY, this.#settings.bodyTimeout);
        let bytesRead: number | null;
        try {
          bytesRead = await reader.fill();
        } catch (error) {
          if (exchange.done) return;
          throw this.#closedEarly(exchange, error);
        }
        this.#timer.arm(DEADLINE_NONE, 0);
        if (exchange.done) return;
        if (bytesRead === null || bytesRead === 0) {
          if (parser.finish() === PARSE_END) {
            // A close-delimited body ends with the connection.
            exchange.keepAlive = false;
            controller.close();
            this.#endExchange(exchange);
            return;
          }
          throw this.#closedEarly(exchange, undefined);
        }
      }
    } catch (error) {
      this.#fail(exchange, error);
    }
  }

  /** The consumer cancelled the body: the rest cannot be skipped cheaply, so close. */
  #cancel(exchange: ClientExchange): void {
    if (exchange.done) return;
    exchange.done = true;
    this.#cleanup(exchange);
    this.#destroyAll();
  }

  // ---------------------------------------------------------------- endings

  /** The response END was parsed. */
  #endExchange(exchange: ClientExchange): void {
    exchange.responseDone = true;
    exchange.done = true;
    this.#cleanup(exchange);
    this.#timer.arm(DEADLINE_NONE, 0);
    if (!exchange.uploadDone) {
      if (exchange.writeError !== undefined || !exchange.keepAlive) {
        this.#afterExchange(exchange);
        return;
      }
      // The server answered before reading the whole request body: it will not read
      // the rest, so stop sending and do not reuse the connection.
      exchange.keepAlive = false;
      exchange.uploadReader?.cancel().catch(ignore);
    }
    this.#afterExchange(exchange);
  }

  /** Both halves of an exchange are over: reuse the connection, or close it. */
  #afterExchange(exchange: ClientExchange): void {
    if (this.#state === STATE_CLOSED) return;
    if (this.#queue[0] !== exchange) return; // already handled
    this.#queue.shift();
    if (!exchange.keepAlive || (!exchange.uploadDone && exchange.responseDone)) {
      this.#destroyAll();
      return;
    }
    if (this.#queue.length > 0) {
      this.#readHead(this.#queue[0]);
      this.owner.onRoom(this);
      return;
    }
    if (this.reserved > 0) return; // a pipelined request promised to this one comes next
    if (this.#reader.buffered > 0) {
      // Bytes nobody asked for: the framing is off, so the stream cannot be trusted.
      this.#destroyAll();
      return;
    }
    const idle = idleTime(this.#settings, exchange.keepAliveHint);
    if (idle <= 0) {
      this.#destroyAll();
      return;
    }
    this.#idleTime = idle;
    this.#state = STATE_IDLE;
    this.owner.onIdle(this);
  }

  /**
   * Called by the pool when it keeps the connection idle: watch for the server
   * closing it, and retire it after the idle timeout.
   */
  parkIdle(): void {
    if (this.#state !== STATE_IDLE) return;
    this.#timer.arm(DEADLINE_IDLE, this.#idleTime);
    if (this.#referenced) {
      this.#referenced = false;
      this.conn.unref?.();
    }
    this.#reader.watch(this.#onIdleRead);
  }

  #onIdleRead = (): void => {
    // Anything arriving on an idle connection (EOF, an error, stray bytes) ends it.
    if (this.#state === STATE_IDLE) this.#destroyAll();
  };

  #onDeadline = (kind: number): void => {
    if (this.#state === STATE_CLOSED) return;
    if (kind === DEADLINE_IDLE) {
      this.#destroyAll();
      return;
    }
    const exchange = this.#queue[0];
    if (exchange === undefined) return;
    const settings = this.#settings;
    this.#fail(
      exchange,
      kind === DEADLINE_HEADERS
        ? timedOut(exchange.request, "headers", settings.headersTimeout)
        : timedOut(exchange.request, "body", settings.bodyTimeout),
    );
  };

  #cleanup(exchange: ClientExchange): void {
    if (exchange.onAbort !== null) {
      exchange.request.signal!.removeEventListener("abort", exchange.onAbort);
      exchange.onAbort = null;
    }
  }

  /** Fails `exchange` (rejecting fetch or erroring the body) and closes the connection. */
  #fail(exchange: ClientExchange, error: unknown): void {
    if (exchange.done) return;
    exchange.done = true;
    this.#cleanup(exchange);
    if (!exchange.settled) exchange.reject(error);
    else if (exchange.controller !== null) {
      try {
        exchange.controller.error(error);
      } catch {
        // The stream was already closed or cancelled.
      }
    }
    exchange.uploadReader?.cancel(error).catch(ignore);
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
      this.#fail(other, this.#closedEarly(other, undefined));
    }
  }

  #destroy(): void {
    this.#state = STATE_CLOSED;
    this.#timer.stop();
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
    this.#reader.release();
    this.owner.onClose(this);
  }

  /**
   * CLOSED_EARLY for `exchange`. When nothing of its response had arrived, the exchange
   * records it, so the Client may send the request again on a fresh connection.
   */
  #closedEarly(exchange: ClientExchange, readError: unknown): ClientError {
    if (!exchange.gotBytes && !exchange.settled) exchange.closedUnanswered = true;
    return closedEarly(
      exchange.request,
      exchange.settled ? "response body" : "response head",
      readError,
      exchange.writeError,
    );
  }
}
