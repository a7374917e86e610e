/**
 * One server connection: read, parse, call the handler, write; over any byte reader and
 * writer pair (a socket, or memory for `inject`).
 *
 * Two cooperating loops share the state below. The read loop reads the socket, feeds
 * the parser, dispatches each request to the handler as soon as its head is parsed, and
 * feeds request bodies (only while a body reader waits: backpressure). The write loop
 * answers exchanges strictly in order and collects every response that is ready into
 * one output buffer, so a batch of pipelined requests is answered with one write.
 * Timeouts are checked by a shared coarse clock (one interval per server), not by a
 * timer per request.
 *
 * @module
 */

import type { Handler } from "../handler.ts";
import { HttpError } from "../http_error.ts";
import { statusText } from "../status.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../parse_event.ts";
import { Parser } from "../parser.ts";
import { BODY_OPEN, type BodySink, BodySource } from "./body_source.ts";
import { EX_ERROR, EX_PENDING, EX_READY, ServerExchange, type WriterWake } from "./exchange.ts";
import {
  bodyLimitReason,
  clientClosedReason,
  shutdownReason,
  timeoutReason,
} from "./abort_reasons.ts";
import { LazyServeInfo } from "./serve_info.ts";
import type { ConnectionConfig } from "./config.ts";
import type { Transport } from "./transport.ts";
import { kindOf } from "../_codec/error_text.ts";
import { ignore } from "../_codec/ignore.ts";
import { BodyAbort, writeResponse } from "./write_response.ts";
import { Output } from "./output.ts";
import { CONNECTION_CLOSE, headText } from "./response_head.ts";
import { FRAME_LENGTH } from "../_codec/framing.ts";
import { createRequest, fastRequestActive, requestUrl, validHost } from "./request.ts";
import type { Clock } from "./clock.ts";

/** Most requests parsed ahead of their responses; parsing pauses past it. */
export const MAX_PIPELINED = 64;
/** Read buffer of a connection between requests: small, since idle connections hold it. */
const SMALL_READ_BYTES = 1024;
/**
 * Read buffer while a large message or body streams in (taken from a pool). 128 KiB
 * rather than 64: a 256 MiB upload then costs about a quarter less CPU (fewer reads,
 * stream chunks and loop turns), and 256 KiB measured no better.
 */
const LARGE_READ_BYTES = 128 * 1024;
const MAX_POOLED_READ_BUFFERS = 32;
/** Most idle parsers kept per server. */
const MAX_POOLED_PARSERS = 256;
const readPool: Uint8Array[] = [];
/**
 * After a response that closes the connection, the write side is shut and the read
 * side drained for at most this long before closing, so a client still sending (a body
 * past a limit, pipelined requests) reads the response instead of a TCP reset (Go's
 * rstAvoidanceDelay).
 */
const LINGER_MS = 500;
/** Deno's `Response` global is a lazy accessor (about 27 ns a read): read it once. */
const ResponseClass = Response;
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");

/**
 * Serves HTTP/1.1 over one transport until either side closes it. `run()` resolves
 * when the connection is closed; it never rejects.
 */
export class Connection implements BodySink, WriterWake {
  /**
   * Writers resumed during this turn. They run together in one microtask, after every
   * handler promise that settled in the same turn, so a pipelined batch still leaves in
   * one write (and no promise is made per wait).
   */
  static #resumed: Connection[] = [];

  static #runResumed(): void {
    const list = Connection.#resumed;
    Connection.#resumed = [];
    for (let i = 0; i < list.length; i++) list[i].#startWriter();
  }

  #t: Transport;
  #cfg: ConnectionConfig;
  #clock: Clock;
  #remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  /** Taken from the config's pool when bytes arrive, given back when idle. */
  #parser: Parser | null = null;
  #out: Output;
  #queue: ServerExchange[] = [];
  #writing = false;
  /** The message whose head was parsed and whose END has not come. */
  #current: ServerExchange | null = null;
  /**
   * When the head in progress began (the read that brought its first byte, or the
   * connection opening); 0 if none, or until `#stamp` reads the clock for this read.
   */
  #headStart: number;
  /** Whether any byte of the head in progress arrived. */
  #headBytes = false;
  #idleSince = 0;
  #requests = 0;
  /** The current message is the last one this connection parses. */
  #lastRequest = false;
  /** No more messages are parsed. */
  #stopReading = false;
  #shutdown = false;
  #closed = false;
  #eof = false;
  #reading = false;
  #lingering = false;
  #lingerUntil = 0;
  #readWake: (() => void) | null = null;
  #small: Uint8Array = new Uint8Array(SMALL_READ_BYTES);
  #large: Uint8Array | null = null;
  /** Parsing paused mid-buffer (pipelining depth): resume here before reading. */
  #pData: Uint8Array | null = null;
  #pPos = 0;
  #pEnd = 0;
  /** Called once when closed; a hook rather than a promise per connection (idle memory). */
  #onClosed: ((connection: Connection) => void) | null = null;
  #ended = false;
  #onIdle: (() => void) | null = null;
  /** The exchange whose handler promise #onResolved / #onRejected will settle. */
  #awaited: ServerExchange | null = null;
  /** Whether the connection stays open after the batch being written. */
  #batchOpen = true;

  /**
   * @param transport The byte stream pair.
   * @param remoteAddr The peer, for ServeInfo.
   * @param config Handler, limits and timeouts.
   * @param clock The shared clock that checks timeouts.
   */
  constructor(
    transport: Transport,
    remoteAddr: Deno.NetAddr | Deno.UnixAddr,
    config: ConnectionConfig,
    clock: Clock,
  ) {
    this.#t = transport;
    this.#remoteAddr = remoteAddr;
    this.#cfg = config;
    this.#clock = clock;
    this.#out = new Output(transport);
    this.#headStart = Date.now();
  }

  /** Whether nothing is in progress: no request, no response, no partial head. */
  get idle(): boolean {
    return this.#queue.length === 0 && !this.#writing && this.#current === null &&
      !this.#headBytes;
  }

  /** Whether a message is cut in the middle: a head, or a body, is still arriving. */
  get waitingForInput(): boolean {
    return this.#current !== null || this.#headBytes;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Called whenever the connection becomes idle (used by `inject` to end its input). */
  set onIdle(hook: (() => void) | null) {
    this.#onIdle = hook;
  }

  /** Serves until closed. Resolves when the connection is closed; never rejects. */
  run(): Promise<void> {
    return new Promise<void>((resolve) => this.start(() => resolve()));
  }

  /**
   * Serves until closed, then calls `onClosed` once. The server uses this form: no
   * promise and no closure per connection.
   *
   * @param onClosed Called with this connection once it is closed and released.
   */
  start(onClosed: ((connection: Connection) => void) | null): void {
    this.#onClosed = onClosed;
    this.#clock.add(this);
    this.#readLoop();
  }

  /**
   * Graceful shutdown: an idle connection closes at once; otherwise the requests already
   * received finish, their responses carry `connection: close`, and nothing more is read.
   */
  shutdown(): void {
    if (this.#closed || this.#shutdown) return;
    this.#shutdown = true;
    if (this.#current !== null) this.#lastRequest = true;
    else this.#stopReading = true;
    if (this.#queue.length === 0 && !this.#writing && this.#current === null) {
      // Idle, or a partial head that will never be answered.
      this.#destroy(shutdownReason());
    }
  }

  /** Cuts everything short (shutdown deadline): signals abort with `reason`, the socket closes. */
  abort(reason: unknown = shutdownReason()): void {
    this.#destroy(reason);
  }

  /** Called by the clock: enforces headersTimeout, requestTimeout, keepAliveTimeout, linger. */
  checkTimeouts(now: number): void {
    if (this.#closed) return;
    const cfg = this.#cfg;
    if (this.#lingering) {
      if (now >= this.#lingerUntil) this.#destroy();
      return;
    }
    if (this.#headStart !== 0 && !this.#stopReading) {
      const limit = cfg.headersTimeout < cfg.requestTimeout
        ? cfg.headersTimeout
        : cfg.requestTimeout;
      if (now - this.#headStart >= limit) this.#headTimeout();
      return;
    }
    const current = this.#current;
    if (current !== null) {
      if (current.receiving && now - current.startedAt >= cfg.requestTimeout) {
        this.#bodyFailed(current, 408, timeoutReason("requestTimeout", cfg.requestTimeout));
      }
      return;
    }
    if (
      this.#queue.length === 0 && !this.#writing && this.#idleSince !== 0 &&
      now - this.#idleSince >= cfg.keepAliveTimeout
    ) {
      this.#destroy();
    }
  }

  // ---- read side -------------------------------------------------------------------

  async #readLoop(): Promise<void> {
    this.#reading = true;
    try {
      while (!this.#closed) {
        if (this.#lingering) {
          await this.#lingerRead();
          break;
        }
        if (this.#pData !== null) {
          if (this.#queue.length >= MAX_PIPELINED) {
            await this.#sleepRead();
            continue;
          }
          const data = this.#pData;
          this.#pData = null;
          this.#parse(data, this.#pPos, this.#pEnd);
          this.#stamp();
          this.#afterParse();
          continue;
        }
        const current = this.#current;
        if (current !== null && current.receiving) {
          const body = current.body;
          if (body !== null && body.state === BODY_OPEN) {
            if (!body.demand) {
              await this.#sleepRead();
              continue;
            }
          } else if (current.discarded > this.#cfg.maxDrainBytes) {
            // Too much to drain: close once its response is out.
            if (current.done) this.#closeAfterWrites();
            else await this.#sleepRead();
            if (this.#stopReading) break;
            continue;
          }
        } else if (this.#stopReading) {
          break;
        } else if (this.#queue.length >= MAX_PIPELINED) {
          await this.#sleepRead();
          continue;
        }
        const buf = this.#large ?? this.#small;
        let n: number | null;
        try {
          n = await this.#t.read(buf);
        } catch {
          n = null;
        }
        if (this.#closed) break;
        if (this.#lingering) {
          if (n === null || n === 0) {
            this.#destroy();
            break;
          }
          continue;
        }
        if (n === null || n === 0) {
          this.#onEof();
          break;
        }
        if (this.#current === null) {
          this.#headBytes = true;
          this.#idleSince = 0;
        }
        this.#parse(buf, 0, n);
        this.#stamp();
        this.#afterParse();
        if (this.#pData === null) {
          if (buf === this.#small) {
            // A full small buffer means more is coming: read big from now on.
            if (n === buf.length) this.#large = readPool.pop() ?? new Uint8Array(LARGE_READ_BYTES);
          } else if (n < SMALL_READ_BYTES && this.#current === null) {
            this.#releaseLarge();
          }
        }
      }
    } catch (error) {
      // A bug, not a peer's doing: close rather than hang.
      console.error("Wire: connection failed:", error);
      this.#destroy();
    } finally {
      this.#reading = false;
      this.#settleDone();
    }
  }

  #sleepRead(): Promise<void> {
    return new Promise<void>((resolve) => (this.#readWake = resolve));
  }

  #wakeRead(): void {
    const wake = this.#readWake;
    if (wake !== null) {
      this.#readWake = null;
      wake();
    }
  }

  /**
   * After a read is parsed, gives what it began and did not finish (a head, a request
   * body) its start time for the timeouts. The clock is read at most once per read, and
   * not at all when every message in it was complete (a GET).
   */
  #stamp(): void {
    const current = this.#current;
    const head = this.#headBytes && this.#headStart === 0;
    const body = current !== null && current.startedAt === 0;
    if (head || body) {
      const now = Date.now();
      if (head) this.#headStart = now;
      if (body) current!.startedAt = now;
    }
  }

  #releaseLarge(): void {
    const large = this.#large;
    if (large === null) return;
    this.#large = null;
    if (readPool.length < MAX_POOLED_READ_BUFFERS) readPool.push(large);
  }

  #parse(data: Uint8Array, pos: number, end: number): void {
    const parser = this.#parser ?? this.#takeParser();
    for (;;) {
      const event = parser.execute(data, pos, end);
      pos = parser.offset;
      switch (event) {
        case PARSE_NEED_MORE:
          return;
        case PARSE_HEAD:
          this.#onHead();
          if (this.#stopReading) return;
          break;
        case PARSE_BODY:
          this.#onBody(data, parser.bodyStart, parser.bodyEnd);
          if (this.#stopReading) return;
          break;
        case PARSE_END:
          this.#onEnd();
          if (this.#stopReading || this.#closed) return;
          if (pos < end) {
            // The next pipelined head starts in this buffer.
            this.#headBytes = true;
            if (this.#queue.length >= MAX_PIPELINED) {
              this.#pData = data;
              this.#pPos = pos;
              this.#pEnd = end;
              return;
            }
          }
          break;
        case PARSE_UPGRADE:
          // CONNECT: Wire is not a proxy; the bytes after the head would be a tunnel.
          this.#rejectHead(501);
          return;
        case PARSE_ERROR: {
          const status = parser.error?.status ?? 400;
          // Inside a body, the exchange in progress gets the error (its body stream
          // and signal fail with the ParseError); before a head, a new one answers it.
          if (this.#current !== null) this.#bodyFailed(this.#current, status, parser.error);
          else this.#rejectHead(status);
          return;
        }
      }
    }
  }

  /**
   * An idle keep-alive connection holds no parser: parsers (with their span tables and
   * value caches) are shared through a pool per server, taken when bytes arrive.
   */
  #takeParser(): Parser {
    const cfg = this.#cfg;
    const parser = cfg.parsers.pop() ?? new Parser({
      mode: "request",
      maxHeaderBytes: cfg.maxHeaderBytes,
      maxHeaderCount: cfg.maxHeaderCount,
      maxUrlBytes: cfg.maxUrlBytes,
      upgrade: false,
    });
    this.#parser = parser;
    return parser;
  }

  #releaseParser(): void {
    const parser = this.#parser;
    if (parser === null) return;
    this.#parser = null;
    parser.reset();
    if (this.#cfg.parsers.length < MAX_POOLED_PARSERS) this.#cfg.parsers.push(parser);
  }

  #afterParse(): void {
    if (this.#queue.length > 0 && !this.#writing && !this.#closed) this.#startWriter();
    else this.#checkIdle();
  }

  #onHead(): void {
    const parser = this.#parser!;
    const cfg = this.#cfg;
    const ex = new ServerExchange();
    // 0 when the head came in this read: #stamp sets it if the body is still to come.
    ex.startedAt = this.#headStart;
    this.#headStart = 0;
    this.#headBytes = false;
    this.#requests++;
    const minor = parser.versionMinor;
    const method = parser.method;
    ex.minor = minor;
    ex.head = method === "HEAD";
    ex.keepAlive = parser.keepAlive && !this.#shutdown &&
      (cfg.maxRequestsPerConnection === 0 || this.#requests < cfg.maxRequestsPerConnection);
    if (!ex.keepAlive) this.#lastRequest = true;
    // RFC 9112 §3.2: exactly one Host on HTTP/1.1; never more than one.
    if (parser.hostCount > 1 || (minor === 1 && parser.hostCount === 0)) {
      return this.#rejectHead(400);
    }
    if (parser.contentLength > cfg.maxBodyBytes) return this.#rejectHead(413);
    const host = parser.host;
    let url: string | null;
    if (host === "") url = requestUrl(cfg.scheme, cfg.defaultHost, parser.target);
    else url = validHost(host) ? requestUrl(cfg.scheme, host, parser.target) : null;
    if (url === null) return this.#rejectHead(400);
    const hasBody = parser.hasBody;
    ex.receiving = hasBody;
    ex.remaining = parser.chunked ? -1 : parser.contentLength;
    let body: BodySource | null = null;
    let request: Request;
    try {
      // A GET or HEAD body reaches the handler on the fast route only (the public Request
      // constructor refuses one); on the public route it is drained.
      if (hasBody && (fastRequestActive() || method !== "GET" && method !== "HEAD")) {
        body = new BodySource(this);
      }
      const handle = createRequest(
        method,
        url,
        parser.headers,
        body === null ? null : body.stream,
        parser.contentLength,
      );
      request = handle.request;
      ex.controller = handle.controller;
    } catch {
      // Deno refuses TRACE and TRACK ("forbidden methods"); anything else is a bad request.
      return this.#rejectHead(method === "TRACE" || method === "TRACK" ? 501 : 400);
    }
    ex.request = request;
    ex.live = true;
    ex.body = body;
    ex.info = new LazyServeInfo(this.#remoteAddr);
    ex.expectContinue = parser.expectContinue && minor === 1 && body !== null;
    this.#current = ex;
    this.#queue.push(ex);
    this.#dispatch(ex);
  }

  #dispatch(ex: ServerExchange): void {
    let result: unknown;
    try {
      result = this.#cfg.handler(ex.request!, ex.info!);
    } catch (error) {
      this.#handlerFailed(ex, error);
      return;
    }
    if (result instanceof ResponseClass) {
      ex.response = result;
      ex.state = EX_READY;
      return;
    }
    if (result instanceof Promise) {
      if (this.#awaited === null) {
        // The common case, one handler running at a time: the connection's own callbacks
        // find the exchange in #awaited (no closures per request).
        this.#awaited = ex;
        result.then(this.#onResolved, this.#onRejected);
      } else {
        result.then((value) => this.#settle(ex, value), (error) => this.#handlerFailed(ex, error));
      }
      return;
    }
    if (result !== null && typeof result === "object" && "then" in result) {
      Promise.resolve(result).then(
        (value) => this.#settle(ex, value),
        (error) => this.#handlerFailed(ex, error),
      );
      return;
    }
    this.#handlerFailed(ex, new TypeError(`Handler returned ${kindOf(result)}, not a Response`));
  }

  #onResolved = (value: unknown): void => {
    const ex = this.#awaited;
    this.#awaited = null;
    if (ex !== null) this.#settle(ex, value);
  };

  #onRejected = (error: unknown): void => {
    const ex = this.#awaited;
    this.#awaited = null;
    if (ex !== null) this.#handlerFailed(ex, error);
  };

  #settle(ex: ServerExchange, value: unknown): void {
    if (ex.state !== EX_PENDING) {
      // Answered already (a limit or timeout): drop this response.
      if (value instanceof ResponseClass) value.body?.cancel().catch(ignore);
      return;
    }
    if (value instanceof ResponseClass) {
      ex.response = value;
      ex.state = EX_READY;
      if (ex.wake !== null && this.#queue.length === 1) {
        // The writer waits for this response alone: nothing to batch it with, write now.
        ex.wake = null;
        this.#startWriter();
      } else {
        ex.notify();
      }
      return;
    }
    this.#handlerFailed(ex, new TypeError(`Handler returned ${kindOf(value)}, not a Response`));
  }

  /** The handler threw or gave no Response: ask onError, else a plain 500. */
  #handlerFailed(ex: ServerExchange, error: unknown): void {
    if (ex.state !== EX_PENDING) return;
    let result: unknown;
    try {
      result = this.#cfg.onError(error, ex.request ?? undefined);
    } catch (hookError) {
      console.error("Wire: onError failed:", hookError);
      result = null;
    }
    if (result instanceof ResponseClass) {
      ex.response = result;
      ex.state = EX_READY;
      ex.notify();
      return;
    }
    if (result !== null && typeof result === "object" && "then" in result) {
      Promise.resolve(result).then(
        (value) => this.#errorSettled(ex, value),
        (hookError) => {
          console.error("Wire: onError failed:", hookError);
          this.#errorSettled(ex, null);
        },
      );
      return;
    }
    this.#errorSettled(ex, result);
  }

  #errorSettled(ex: ServerExchange, value: unknown): void {
    if (ex.state !== EX_PENDING) return;
    if (value instanceof ResponseClass) {
      ex.response = value;
      ex.state = EX_READY;
    } else {
      ex.state = EX_ERROR;
      ex.errorStatus = 500;
    }
    ex.notify();
  }

  #onBody(data: Uint8Array, start: number, end: number): void {
    const ex = this.#current!;
    const n = end - start;
    if (ex.remaining > 0) ex.remaining -= n;
    ex.received += n;
    if (ex.received > this.#cfg.maxBodyBytes) {
      this.#bodyFailed(ex, 413, bodyLimitReason(this.#cfg.maxBodyBytes));
      return;
    }
    const body = ex.body;
    if (body !== null && body.state === BODY_OPEN) {
      body.push(data.slice(start, end));
      return;
    }
    ex.discarded += n;
    if (ex.discarded > this.#cfg.maxDrainBytes) {
      // Too much to throw away: this connection ends after the response.
      if (ex.done) this.#closeAfterWrites();
      else {
        ex.keepAlive = false;
        this.#lastRequest = true;
      }
    }
  }

  #onEnd(): void {
    const ex = this.#current;
    this.#current = null;
    if (ex !== null) {
      ex.receiving = false;
      ex.remaining = 0;
      if (ex.body !== null) ex.body.end();
    }
    if (this.#lastRequest) this.#stopReading = true;
  }

  #onEof(): void {
    this.#eof = true;
    this.#stopReading = true;
    const reason = clientClosedReason();
    const current = this.#current;
    if (current !== null && current.receiving) {
      current.receiving = false;
      current.body?.fail(reason);
    }
    this.#current = null;
    this.#headBytes = false;
    this.#headStart = 0;
    // Go's rule: EOF while requests are in flight means the client went away.
    for (const ex of this.#queue) if (!ex.done) ex.abort(reason);
    this.#checkIdle();
  }

  /** A head the server answers itself (bad request, limits, CONNECT): then it closes. */
  #rejectHead(status: number): void {
    const ex = new ServerExchange();
    ex.state = EX_ERROR;
    ex.errorStatus = status;
    ex.keepAlive = false;
    this.#current = null;
    this.#headStart = 0;
    this.#headBytes = false;
    this.#stopReading = true;
    this.#queue.push(ex);
  }

  #headTimeout(): void {
    this.#headStart = 0;
    this.#stopReading = true;
    if (!this.#headBytes) {
      // Nothing was asked on this connection: close quietly (no stray 408 to misread).
      this.#closeAfterWrites();
      return;
    }
    this.#headBytes = false;
    const ex = new ServerExchange();
    ex.state = EX_ERROR;
    ex.errorStatus = 408;
    ex.keepAlive = false;
    this.#queue.push(ex);
    this.#wakeRead();
    this.#afterParse();
  }

  /** The request body failed (limit, timeout): answer `status` if no response started, close. */
  #bodyFailed(ex: ServerExchange, status: number, reason: unknown): void {
    this.#stopReading = true;
    this.#current = null;
    ex.receiving = false;
    ex.abort(reason);
    if (ex.body !== null) {
      ex.body.fail(status === 413 ? new HttpError(413, (reason as Error).message) : reason);
    }
    if (ex.done) {
      this.#closeAfterWrites();
    } else if (!ex.committed) {
      ex.state = EX_ERROR;
      ex.errorStatus = status;
      ex.keepAlive = false;
      ex.notify();
    } else {
      // Mid-response: the response may depend on the body; nothing sane can follow.
      this.#destroy(reason);
      return;
    }
    this.#wakeRead();
    this.#afterParse();
  }

  // BodySink
  onBodyDemand(source: BodySource): void {
    const ex = this.#current;
    if (ex !== null && ex.body === source && ex.expectContinue && !ex.continueSent) {
      ex.continueWanted = true;
      ex.notify();
    }
    this.#wakeRead();
  }

  onBodyCancel(_source: BodySource): void {
    this.#wakeRead();
  }

  // ---- write side ------------------------------------------------------------------

  /** Whether `ex` may keep the connection open, judged when its head is encoded. */
  #mayKeepAlive(ex: ServerExchange): boolean {
    if (!ex.keepAlive) return false;
    // Shutting down, or the client half-closed: the requests already received are all
    // answered; the last answer says close.
    if ((this.#shutdown || this.#eof) && this.#queue.length === 1 && this.#current === null) {
      return false;
    }
    if (ex.receiving) {
      // The client waits for 100 Continue that will never come: it may or may not send
      // the body, so the connection cannot be reused (RFC 9110 §10.1.1).
      if (ex.expectContinue && !ex.continueSent) return false;
      const body = ex.body;
      if (body === null || body.state !== BODY_OPEN || !body.inUse) {
        // It will be drained: only if what is left fits in maxDrainBytes.
        const left = ex.remaining > 0 ? ex.remaining : 0;
        if (ex.discarded + left > this.#cfg.maxDrainBytes) return false;
      }
    }
    return true;
  }

  // WriterWake: the exchange the writer waits for changed.
  resumeWriter(): void {
    const list = Connection.#resumed;
    list.push(this);
    if (list.length === 1) queueMicrotask(Connection.#runResumed);
  }

  /**
   * Starts the write loop, unless the next response is not ready: then the writer waits
   * on that exchange (`wake`) without running, and `resumeWriter` starts it later.
   */
  #startWriter(): void {
    if (this.#writing || this.#closed) return;
    const queue = this.#queue;
    if (queue.length === 0) return;
    const ex = queue[0];
    if (
      ex.state === EX_PENDING && this.#out.length === 0 &&
      !(ex.continueWanted && !ex.continueSent)
    ) {
      ex.wake = this;
      return;
    }
    this.#writeLoop();
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    const out = this.#out;
    let open = true;
    // The batch's write is under way: #writing stays set until it settles.
    let sending = false;
    // One clock read per batch of responses (Date has one-second resolution); 0 after
    // anything that waits.
    let now = 0;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const ex = this.#queue[0];
        if (ex.state === EX_PENDING) {
          // Do not hold finished responses back behind a slow one.
          now = 0;
          await out.flush();
          if (ex.state === EX_PENDING && !this.#closed) {
            if (ex.continueWanted && !ex.continueSent) {
              ex.continueSent = true;
              out.bytes(CONTINUE);
              await out.flush();
              continue;
            }
            // Wait for it without holding a promise: resumeWriter restarts the loop.
            ex.wake = this;
            return;
          }
          if (this.#closed) break;
          continue;
        }
        if (ex.continueWanted && !ex.continueSent && ex.receiving && ex.state === EX_READY) {
          ex.continueSent = true;
          out.bytes(CONTINUE);
        }
        const keep = this.#mayKeepAlive(ex);
        ex.keepAlive = keep;
        if (!keep) this.#lastRequest = true;
        let result: boolean | Promise<boolean>;
        if (ex.state === EX_READY) {
          try {
            if (now === 0) now = Date.now();
            result = writeResponse(out, ex.response!, ex, now);
            if (result instanceof Promise) {
              now = 0;
              result = await result;
            }
          } catch (error) {
            if (out.broken) throw error;
            if (ex.retried && !ex.committed) {
              // onError's Response could not be sent either.
              console.error("Wire: the onError response could not be sent:", error);
              ex.state = EX_ERROR;
              ex.errorStatus = 500;
              continue;
            }
            if (ex.committed || error instanceof BodyAbort) {
              // The head went out; the body failed: the client must see a cut, not a lie.
              console.error("Wire: the response body failed:", error);
              await out.flush().catch(ignore);
              this.#destroy(clientClosedReason());
              break;
            }
            // Not sendable (Response.error(), body already used): onError, else 500.
            ex.state = EX_PENDING;
            ex.retried = true;
            this.#handlerFailed(ex, error);
            continue;
          }
        } else {
          result = this.#writeError(ex);
        }
        this.#queue.shift();
        this.#completed(ex);
        if (!result) {
          open = false;
          break;
        }
        if (this.#queue.length < MAX_PIPELINED) this.#wakeRead();
      }
      // One write for everything answered in this batch, settled through the
      // connection's own callbacks: the loop does not wait for it.
      if (!this.#closed && out.length > 0) {
        const written = out.flush();
        sending = true;
        this.#batchOpen = open;
        written.then(this.#onBatchWritten, this.#onBatchFailed);
        return;
      }
    } catch {
      // A write failed: the peer is gone.
      this.#destroy(clientClosedReason());
    } finally {
      if (!sending) this.#writing = false;
    }
    this.#afterBatch(open);
  }

  #onBatchWritten = (): void => {
    this.#afterBatch(this.#batchOpen);
  };

  #onBatchFailed = (): void => {
    // A write failed: the peer is gone.
    this.#destroy(clientClosedReason());
    this.#afterBatch(false);
  };

  /** After a batch is written: answer what was parsed meanwhile, close, or go idle. */
  #afterBatch(open: boolean): void {
    this.#writing = false;
    if (this.#closed) {
      this.#settleDone();
      return;
    }
    if (open && this.#queue.length > 0) {
      // Requests parsed during that write are answered next (or waited for).
      this.#startWriter();
      return;
    }
    if (!open) {
      this.#stopReading = true;
      this.#finish(true);
      return;
    }
    this.#checkIdle();
  }

  /** Writes a server-made answer (`errorStatus`); returns false: the connection closes. */
  #writeError(ex: ServerExchange): boolean {
    const status = ex.errorStatus;
    const reason = statusText(status);
    const body = reason === "" ? "Error" : reason;
    const keep = ex.keepAlive && status === 500;
    const head = headText(
      status,
      "",
      "content-type: text/plain;charset=UTF-8\r\n",
      FRAME_LENGTH,
      body.length,
      keep ? (ex.minor === 0 ? 2 : 0) : CONNECTION_CLOSE,
      false,
      Date.now(),
    );
    ex.committed = true;
    this.#out.text(ex.head ? head : head + body);
    return keep;
  }

  /** The exchange's response is written: its signal will not abort, `completed` resolves. */
  #completed(ex: ServerExchange): void {
    ex.done = true;
    ex.live = false;
    ex.controller = null;
    ex.info?.complete();
    if (ex.receiving) {
      const body = ex.body;
      if (body === null || !body.inUse) {
        // Nobody read the body: discard the rest (up to maxDrainBytes, else close).
        body?.discard();
        this.#wakeRead();
      }
    }
  }

  /** Close as soon as what is queued has been written. */
  #closeAfterWrites(): void {
    this.#stopReading = true;
    this.#current = null;
    if (this.#queue.length === 0 && !this.#writing) this.#finish(true);
    else this.#wakeRead();
  }

  #checkIdle(): void {
    if (this.#closed || this.#writing) return;
    if (this.#queue.length > 0) {
      this.#startWriter();
      return;
    }
    const current = this.#current;
    if (this.#stopReading && (current === null || !current.receiving)) {
      this.#finish(!this.#eof);
      return;
    }
    if (current === null && !this.#headBytes) {
      this.#idleSince = Date.now();
      // Drops the (empty) queue's backing store: idle connections hold no slots.
      this.#queue.length = 0;
      this.#out.release();
      if (!this.#stopReading) this.#releaseParser();
      if (this.#shutdown) {
        this.#destroy(shutdownReason());
        return;
      }
      this.#onIdle?.();
    }
  }

  /**
   * Ends the connection after the last response: with `linger`, shut the write side and
   * drain what the client still sends for up to LINGER_MS (so it reads our response
   * rather than a reset), then close.
   */
  #finish(linger: boolean): void {
    if (this.#closed || this.#lingering) return;
    const closeWrite = this.#t.closeWrite;
    if (!linger || this.#eof || closeWrite === undefined) {
      this.#destroy();
      return;
    }
    this.#lingering = true;
    this.#lingerUntil = Date.now() + LINGER_MS;
    const current = this.#current;
    this.#current = null;
    if (current !== null && current.body !== null && current.receiving) {
      current.body.fail(
        new TypeError("Cannot read the request body: the connection closed after the response"),
      );
    }
    for (const ex of this.#queue) ex.abort(clientClosedReason());
    this.#t.closeWrite!().catch(() => this.#destroy());
    if (!this.#reading) this.#readLoop();
    else this.#wakeRead();
  }

  async #lingerRead(): Promise<void> {
    const buf = this.#large ?? this.#small;
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await this.#t.read(buf);
      } catch {
        n = null;
      }
      if (n === null || n === 0) break;
    }
    this.#destroy();
  }

  /** Closes now: aborts what is in flight with `reason`, releases everything. */
  #destroy(reason: unknown = clientClosedReason()): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lingering = false;
    const current = this.#current;
    this.#current = null;
    if (current !== null && current.receiving) {
      current.receiving = false;
      current.body?.fail(reason);
      current.abort(reason);
    }
    for (const ex of this.#queue) {
      ex.abort(reason);
      if (ex.body !== null && ex.receiving) ex.body.fail(reason);
      ex.reader?.cancel(reason).catch(ignore);
      ex.info?.complete();
      ex.notify();
    }
    try {
      this.#t.close();
    } catch {
      // Already closed by the peer or the listener: closed is closed.
    }
    this.#clock.delete(this);
    this.#releaseLarge();
    this.#parser = null;
    this.#pData = null;
    this.#wakeRead();
    this.#settleDone();
  }

  #settleDone(): void {
    if (this.#closed && !this.#reading && !this.#writing && !this.#ended) {
      this.#ended = true;
      this.#out.release();
      const hook = this.#onClosed;
      this.#onClosed = null;
      if (hook !== null) hook(this);
    }
  }
}
