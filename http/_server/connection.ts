/**
 * One server connection: read, parse, call the handler, write; over any byte reader and
 * writer pair (a socket, or memory for `inject`).
 *
 * The read loop (here) reads the socket, feeds the parser, hands each request to the
 * handler ({@linkcode Dispatcher}) as soon as its head is parsed, and feeds request bodies
 * (only while a body reader waits: backpressure). The write loop ({@linkcode WriteLoop})
 * answers the exchanges strictly in order, a batch of pipelined responses in one write.
 * Pipelined requests are parsed one after another: the next only once every response
 * before it is encoded and under 64 KiB wait unsent (#mayParseAhead), so a client that
 * pipelines and does not read holds one response, and `sendTimeout` then cuts it off.
 * A half-sent head holds a 1 KiB read buffer and, once parked, only its bytes (#park).
 * Timeouts are checked by a shared coarse clock (one interval per server), not by a
 * timer per request.
 *
 * The connection's lifecycle is one integer, `#phase`, that only moves forward: its
 * phases and what moves it from one to the next are in phases.ts.
 *
 * @module
 */

import { HttpError } from "../http_error.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../parse_event.ts";
import type { Parser } from "../parser.ts";
import { BODY_OPEN, type BodySink, type BodySource } from "./body_source.ts";
import { ServerExchange } from "./exchange.ts";
import {
  PHASE_ANSWERING,
  PHASE_CLOSED,
  PHASE_LAST_REQUEST,
  PHASE_LINGERING,
  PHASE_NEW,
  PHASE_READING,
  PHASE_RELEASED,
  PHASE_UPGRADED,
} from "./phases.ts";
import {
  bodyLimitReason,
  clientClosedReason,
  shutdownReason,
  timeoutReason,
} from "./abort_reasons.ts";
import type { ConnectionConfig } from "./config.ts";
import type { Transport } from "./transport.ts";
import type { Clock, Timed } from "./clock.ts";
import { Dispatcher } from "./dispatcher.ts";
import { MAX_UNSENT_BYTES, WriteLoop, type WriteLoopHost } from "./write_loop.ts";
import { openExchange } from "./open_exchange.ts";
import { mayKeepAlive } from "./keep_alive.ts";
import { openUpgradeSlot } from "./upgrade.ts";
import { readProxyHeader } from "./proxy_header.ts";
import { exchangeEnded, exchangeStarted } from "./observe.ts";
import type { UpgradeTarget } from "../_codec/duplex.ts";
import { ignore } from "../_codec/ignore.ts";
import { returnParser, takeParser } from "./pools.ts";
import { ReadBuffers } from "./read_buffers.ts";

export * from "./phases.ts";

/**
 * After a response that closes the connection, the write side is shut and the read
 * side drained for at most this long before closing, so a client still sending (a body
 * past a limit, pipelined requests) reads the response instead of a TCP reset (Go's
 * rstAvoidanceDelay).
 */
const LINGER_MS = 500;
/** `#headStart` when no head is in progress. */
const NO_HEAD = -1;
/** `#headStart` when a head began in the read being parsed: `#stamp` sets its time. */
const HEAD_UNSTAMPED = 0;
const EMPTY = new Uint8Array(0);

/**
 * Serves HTTP/1.1 over one transport until either side closes it. `run()` resolves
 * when the connection is closed; it never rejects.
 */
export class Connection implements BodySink, WriteLoopHost, Timed {
  #transport: Transport;
  #config: ConnectionConfig;
  #clock: Clock;
  #remoteAddr: Deno.Addr;
  /** The socket's peer (`#remoteAddr` becomes the PROXY header's source, if any). */
  #peerAddr: Deno.Addr;
  #writer: WriteLoop;
  #dispatcher: Dispatcher;
  /** One of the PHASE_ constants; it only grows (see the module doc). */
  #phase = PHASE_NEW;
  /** Taken from the config's pool when bytes arrive, given back when idle. */
  #parser: Parser | null = null;
  /** The message whose head was parsed and whose END has not come. */
  #current: ServerExchange | null = null;
  /**
   * When the head in progress began (the read that brought its first byte; for the first
   * request, the connection opening): NO_HEAD if none, HEAD_UNSTAMPED until `#stamp`
   * reads the clock for this read.
   */
  #headStart = NO_HEAD;
  /** Since when nothing is in progress (NEW: since the opening); 0 while busy. */
  #idleSince: number;
  #requests = 0;
  /** `shutdown()` was called: the requests received are answered, the last with close. */
  #shuttingDown = false;
  /** The client ended its side (EOF): nothing more will come; no lingering. */
  #inputEnded = false;
  /** The read loop runs (it is started again to linger). */
  #reading = false;
  #lingerUntil = 0;
  #readWake: (() => void) | null = null;
  #buffers = new ReadBuffers();
  /** Parsing paused mid-buffer (pipelining depth): resume here before reading. */
  #paused: Uint8Array | null = null;
  #pausedAt = 0;
  #pausedEnd = 0;
  /** The exchange of an Upgrade request whose handler may switch protocols. */
  #upgrading: ServerExchange | null = null;
  /** Bytes read behind an Upgrade request: the new protocol's first input. */
  #switchHead: Uint8Array | null = null;
  /** What took the connection over after a 101 (PHASE_UPGRADED). */
  #upgradeTarget: UpgradeTarget | null = null;
  /** Called once when released; a hook rather than a promise per connection (idle memory). */
  #onClosed: ((connection: Connection) => void) | null = null;
  #onIdle: (() => void) | null = null;

  /**
   * @param transport The byte stream pair.
   * @param remoteAddr The peer, for ServeInfo.
   * @param config Handler, limits and timeouts.
   * @param clock The shared clock that checks timeouts.
   */
  constructor(
    transport: Transport,
    remoteAddr: Deno.Addr,
    config: ConnectionConfig,
    clock: Clock,
  ) {
    this.#transport = transport;
    this.#remoteAddr = remoteAddr;
    this.#peerAddr = remoteAddr;
    this.#config = config;
    this.#clock = clock;
    this.#writer = new WriteLoop(transport, this, config.keepAliveLine, config.counters);
    this.#dispatcher = new Dispatcher(config, this.#writer);
    this.#idleSince = Date.now();
  }

  /** One of the PHASE_ constants: where the connection is in its lifecycle. */
  get phase(): number {
    return this.#phase;
  }

  /** Whether nothing is in progress: no request, no response, no partial head. */
  get idle(): boolean {
    return this.#writer.queue.length === 0 && !this.#writer.busy && this.#current === null &&
      this.#headStart === NO_HEAD;
  }

  /** Whether a message is cut in the middle: a head, or a body, is still arriving. */
  get waitingForInput(): boolean {
    return this.#current !== null || this.#headStart !== NO_HEAD;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#phase >= PHASE_CLOSED;
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
    if (this.#config.proxyProtocol === null) this.#readLoop();
    else this.#readProxyHeader();
  }

  /**
   * `proxyProtocol`: the PROXY header comes before any HTTP byte and names the client
   * (http/_server/proxy_header.ts). It counts as the read loop running; without a valid
   * header in time the connection closes quietly.
   */
  async #readProxyHeader(): Promise<void> {
    this.#reading = true;
    const header = await readProxyHeader(this.#transport, this.#config.proxyProtocol!);
    this.#reading = false;
    if (header === null) this.#destroy();
    else {
      if (header.source !== null) this.#remoteAddr = header.source;
      this.#transport = header.transport;
    }
    if (this.#phase < PHASE_CLOSED) this.#readLoop();
    else this.#settleDone();
  }

  /**
   * Graceful shutdown: an idle connection closes at once; otherwise the requests already
   * received finish, their responses carry `connection: close`, and nothing more is read.
   */
  shutdown(): void {
    if (this.#phase >= PHASE_CLOSED || this.#shuttingDown) return;
    this.#shuttingDown = true;
    if (this.#phase === PHASE_UPGRADED) {
      // The new protocol closes politely (a WebSocket sends 1001) and reports its end.
      this.#upgradeTarget!.shutdown();
      return;
    }
    this.#advance(this.#current !== null ? PHASE_LAST_REQUEST : PHASE_ANSWERING);
    if (this.#writer.queue.length === 0 && !this.#writer.busy && this.#current === null) {
      // Responses held for a batch go out first; then the connection closes. Otherwise
      // idle, or a partial head that will never be answered (or requests held back).
      if (this.#writer.unsent > 0) this.#writer.start();
      else this.#destroy(shutdownReason());
    }
  }

  /** Pending reads keep the process alive again (the default). */
  ref(): void {
    this.#transport.ref?.();
  }

  /** Pending reads no longer keep the process alive (the server's `unref()`). */
  unref(): void {
    this.#transport.unref?.();
  }

  /** Cuts everything short (shutdown deadline): signals abort with `reason`, the socket closes. */
  abort(reason: unknown = shutdownReason()): void {
    if (this.#phase === PHASE_UPGRADED) this.#upgradeTarget!.abort(reason);
    else this.#destroy(reason);
  }

  /**
   * Called by the clock: enforces sendTimeout, headersTimeout, requestTimeout,
   * keepAliveTimeout, linger.
   */
  checkTimeouts(now: number): void {
    const phase = this.#phase;
    if (phase >= PHASE_CLOSED || phase === PHASE_UPGRADED) return;
    // A peer that takes no byte for sendTimeout (it does not read) is cut off.
    if (this.#writer.stalledFor(now) >= this.#config.sendTimeout) {
      this.#destroy(timeoutReason("sendTimeout", this.#config.sendTimeout));
      return;
    }
    if (phase === PHASE_LINGERING) {
      if (now >= this.#lingerUntil) this.#destroy();
      return;
    }
    const config = this.#config;
    const headLimit = config.headersTimeout < config.requestTimeout
      ? config.headersTimeout
      : config.requestTimeout;
    if (phase === PHASE_NEW) {
      // Nothing was asked on this connection: close quietly (no stray 408 to misread).
      if (now - this.#idleSince >= headLimit) this.#closeAfterWrites();
      return;
    }
    const headStart = this.#headStart;
    if (headStart > 0 && phase < PHASE_ANSWERING) {
      if (now - headStart >= headLimit) this.#headTimeout();
      return;
    }
    const current = this.#current;
    if (current !== null) {
      if (current.receiving && now - current.startedAt >= config.requestTimeout) {
        this.#bodyFailed(current, 408, timeoutReason("requestTimeout", config.requestTimeout));
      }
      return;
    }
    if (
      this.#writer.queue.length === 0 && !this.#writer.busy && this.#idleSince !== 0 &&
      now - this.#idleSince >= config.keepAliveTimeout
    ) {
      this.#destroy();
    }
  }

  /**
   * Every rule for parsing the next request before the responses before it are out:
   * only once every earlier response is encoded (so handlers of pipelined requests run
   * one after another, as with Deno.serve, and each response's size is known before the
   * next handler runs) and fewer than MAX_UNSENT_BYTES wait to be taken by the socket. A
   * peer that pipelines many requests and does not read holds one response and 64 KiB.
   */
  #mayParseAhead(): boolean {
    const writer = this.#writer;
    return writer.queue.length === 0 && writer.unsent < MAX_UNSENT_BYTES;
  }

  /** Holds the unparsed `data[pos..end)` until #mayParseAhead allows it (no read before). */
  #pause(data: Uint8Array, pos: number, end: number): void {
    this.#paused = data;
    this.#pausedAt = pos;
    this.#pausedEnd = end;
  }

  /** WriteLoopHost: a request held back is parsed as soon as the responses are encoded. */
  get parsingAhead(): boolean {
    return this.#paused !== null && this.#phase === PHASE_READING;
  }

  /** Moves the phase forward to `phase` (never back). */
  #advance(phase: number): void {
    if (this.#phase < phase) this.#phase = phase;
  }

  // ---- read side -------------------------------------------------------------------

  async #readLoop(): Promise<void> {
    this.#reading = true;
    try {
      while (this.#phase < PHASE_CLOSED) {
        if (this.#phase === PHASE_LINGERING) {
          await this.#lingerRead();
          break;
        }
        if (this.#paused !== null) {
          if (!this.#mayParseAhead()) {
            await this.#sleepRead();
            continue;
          }
          const data = this.#paused;
          this.#paused = null;
          this.#parse(data, this.#pausedAt, this.#pausedEnd);
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
          } else if (current.discarded > this.#config.maxDrainBytes) {
            // Too much to drain: close once its response is out.
            if (current.done) this.#closeAfterWrites();
            else await this.#sleepRead();
            if (this.#phase >= PHASE_ANSWERING) break;
            continue;
          }
        } else if (this.#phase >= PHASE_ANSWERING) {
          break;
        }
        const into = this.#buffers.next();
        let n: number | null;
        try {
          n = await this.#transport.read(into);
        } catch {
          n = null;
        }
        const phase = this.#phase;
        if (phase >= PHASE_CLOSED) break;
        if (phase === PHASE_LINGERING) {
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
        this.#config.counters.bytesIn += n;
        if (this.#current === null) {
          // Bytes of a head. The first request's head timer runs from the opening.
          if (this.#headStart === NO_HEAD) {
            this.#headStart = phase === PHASE_NEW ? this.#idleSince : HEAD_UNSTAMPED;
          }
          this.#idleSince = 0;
        }
        if (phase === PHASE_NEW) this.#phase = PHASE_READING;
        // A parked head comes first, parsed again from its first byte by a fresh parser.
        const buffers = this.#buffers;
        buffers.filled(n);
        this.#parse(buffers.data, 0, buffers.end);
        this.#stamp();
        this.#afterParse();
        // The socket had no more: a head left half-sent waits for a slow client.
        if (n < into.length && this.#headStart !== NO_HEAD) this.#park();
        if (this.#paused === null) buffers.adapt(n, this.#current !== null);
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
    // A head held back by #mayParseAhead is complete or not, but it waits on us: its
    // time starts when it is parsed.
    const head = this.#headStart === HEAD_UNSTAMPED && this.#paused === null;
    const body = current !== null && current.startedAt === 0;
    if (head || body) {
      const now = Date.now();
      if (head) this.#headStart = now;
      if (body) current!.startedAt = now;
    }
  }

  #parse(data: Uint8Array, pos: number, end: number): void {
    if (
      this.#current === null && pos < end && !this.#mayParseAhead() &&
      (this.#parser === null || this.#parser.idle)
    ) {
      // A new request while a response is unsent: it waits (see #mayParseAhead).
      this.#pause(data, pos, end);
      return;
    }
    const parser = this.#parser ?? this.#takeParser();
    for (;;) {
      const from = pos;
      const event = parser.execute(data, pos, end);
      pos = parser.offset;
      // Every byte of a body counts against the body limits as it came on the wire: data,
      // and for a chunked body its size lines, extensions, CRLFs and trailers too.
      const current = this.#current;
      if (current !== null && pos > from && this.#countBody(current, pos - from)) return;
      switch (event) {
        case PARSE_NEED_MORE:
          return;
        case PARSE_HEAD:
          this.#onHead(false);
          if (this.#phase >= PHASE_ANSWERING) return;
          break;
        case PARSE_BODY:
          this.#onBody(data, parser.bodyStart, parser.bodyEnd);
          if (this.#phase >= PHASE_ANSWERING) return;
          break;
        case PARSE_END:
          this.#onEnd();
          if (this.#upgrading !== null) {
            // The Upgrade request's body has ended: the rest is the new protocol's.
            this.#keepSwitchHead(data, pos, end);
            return;
          }
          if (this.#phase >= PHASE_ANSWERING) return;
          if (pos < end) {
            // The next pipelined head starts in this buffer.
            this.#headStart = HEAD_UNSTAMPED;
            if (!this.#mayParseAhead()) {
              this.#pause(data, pos, end);
              return;
            }
          }
          break;
        case PARSE_UPGRADE:
          // CONNECT: Wire is not a proxy; the bytes after the head would be a tunnel.
          if (parser.method === "CONNECT") {
            this.#refuseHead(501);
            return;
          }
          this.#onHead(true);
          // Refused (a bad Host, a body over the limit): answered, nothing more parsed.
          if (this.#upgrading === null) return;
          if (!parser.hasBody) {
            this.#keepSwitchHead(data, pos, end);
            return;
          }
          break;
        case PARSE_ERROR: {
          const status = parser.error?.status ?? 400;
          // Inside a body, the exchange in progress gets the error (its body stream
          // and signal fail with the ParseError); before a head, a new one answers it.
          if (this.#current !== null) this.#bodyFailed(this.#current, status, parser.error);
          else this.#refuseHead(status);
          return;
        }
      }
    }
  }

  /** An idle keep-alive connection holds no parser: one is taken when bytes arrive. */
  #takeParser(): Parser {
    const parser = takeParser(this.#config);
    this.#parser = parser;
    return parser;
  }

  /**
   * A head left half-sent (the client paused mid-head: a slow client, or slowloris) keeps
   * only its bytes, with room for the next read behind them (read_buffers.ts); its parser
   * goes back to the pool. Heads over PARK_MAX_BYTES keep their parser (bounded re-scans).
   */
  #park(): void {
    const parser = this.#parser;
    if (parser === null || this.#current !== null || this.#paused !== null) return;
    if (this.#buffers.park(parser)) this.#releaseParser();
  }

  #releaseParser(): void {
    const parser = this.#parser;
    if (parser === null) return;
    this.#parser = null;
    returnParser(this.#config, parser);
  }

  #afterParse(): void {
    if (this.#writer.queue.length > 0 && !this.#writer.busy && this.#phase < PHASE_CLOSED) {
      this.#writer.start();
    } else {
      this.#checkIdle();
    }
  }

  /** Keeps the bytes read behind an Upgrade request for the protocol that may take over. */
  #keepSwitchHead(data: Uint8Array, pos: number, end: number): void {
    this.#switchHead = pos < end ? data.slice(pos, end) : EMPTY;
    this.#advance(PHASE_ANSWERING);
  }

  #onHead(upgrade: boolean): void {
    const parser = this.#parser!;
    const config = this.#config;
    const ex = new ServerExchange();
    // 0 when the head came in this read: #stamp sets it if the body is still to come.
    const headStart = this.#headStart;
    ex.startedAt = headStart > 0 ? headStart : 0;
    this.#headStart = NO_HEAD;
    this.#requests++;
    ex.minor = parser.versionMinor;
    ex.head = parser.method === "HEAD";
    ex.keepAlive = parser.keepAlive && !this.#shuttingDown &&
      (config.maxRequestsPerConnection === 0 ||
        this.#requests < config.maxRequestsPerConnection);
    if (!ex.keepAlive) this.#advance(PHASE_LAST_REQUEST);
    const refused = openExchange(ex, parser, config, this, this.#remoteAddr, this.#peerAddr);
    if (refused !== 0) return this.#refuseHead(refused);
    if (upgrade) {
      // The handler may switch protocols (upgradeWebSocket, upgrade); if it answers
      // otherwise, the connection closes after that answer: the bytes behind the head
      // are the other protocol's.
      ex.upgrade = openUpgradeSlot(ex.request!, ex.info!.remoteAddr);
      ex.keepAlive = false;
      this.#upgrading = ex;
      this.#advance(PHASE_LAST_REQUEST);
    }
    this.#current = ex;
    this.#writer.push(ex);
    exchangeStarted(ex, config.counters, config.observers);
    this.#dispatcher.call(ex);
  }

  #onBody(data: Uint8Array, start: number, end: number): void {
    const ex = this.#current!;
    if (ex.remaining > 0) ex.remaining -= end - start;
    const body = ex.body;
    if (body !== null && body.state === BODY_OPEN) body.push(data.slice(start, end));
  }

  /**
   * Counts `n` more bytes of `ex`'s body (as sent: chunk framing included) against
   * maxBodyBytes and, when nobody reads the body, maxDrainBytes. Returns true when
   * nothing more is parsed: the body failed (413), or its response is out and the rest
   * is too much to drain (the connection closes).
   */
  #countBody(ex: ServerExchange, n: number): boolean {
    const config = this.#config;
    ex.received += n;
    if (ex.received > config.maxBodyBytes) {
      this.#bodyFailed(ex, 413, bodyLimitReason(config.maxBodyBytes));
      return true;
    }
    const body = ex.body;
    if (body !== null && body.state === BODY_OPEN) return false;
    ex.discarded += n;
    if (ex.discarded > config.maxDrainBytes) {
      // Too much to throw away: this connection ends after the response.
      if (ex.done) this.#closeAfterWrites();
      else {
        ex.keepAlive = false;
        this.#advance(PHASE_LAST_REQUEST);
      }
    }
    return this.#phase >= PHASE_ANSWERING;
  }

  #onEnd(): void {
    const ex = this.#current;
    this.#current = null;
    if (ex !== null) ex.endBody();
    if (this.#phase === PHASE_LAST_REQUEST) this.#phase = PHASE_ANSWERING;
  }

  #onEof(): void {
    this.#inputEnded = true;
    this.#advance(PHASE_ANSWERING);
    const reason = clientClosedReason();
    const current = this.#current;
    if (current !== null && current.receiving) current.failBody(reason);
    this.#current = null;
    this.#headStart = NO_HEAD;
    // Go's rule: EOF while requests are in flight means the client went away. Answers
    // already made are still written (a half-closed client reads them), but a streamed
    // body is not started or continued: an idle SSE stream would hold the connection
    // (and a graceful shutdown) forever for nobody.
    for (const ex of this.#writer.queue) {
      if (ex.done) continue;
      ex.abort(reason);
      ex.peerGone = true;
      ex.reader?.cancel(reason).catch(ignore);
    }
    this.#checkIdle();
  }

  /** A head the server answers itself (bad request, limits, CONNECT): then it closes. */
  #refuseHead(status: number): void {
    this.#config.counters.reject(status);
    const ex = new ServerExchange();
    ex.refuse(status);
    this.#current = null;
    this.#headStart = NO_HEAD;
    this.#advance(PHASE_ANSWERING);
    this.#writer.push(ex);
  }

  /** A head that began did not complete in time: 408, then close. */
  #headTimeout(): void {
    this.#headStart = NO_HEAD;
    this.#advance(PHASE_ANSWERING);
    this.#config.counters.reject(408);
    const ex = new ServerExchange();
    ex.refuse(408);
    this.#writer.push(ex);
    this.#wakeRead();
    this.#afterParse();
  }

  /** The request body failed (limit, timeout): answer `status` if no response started, close. */
  #bodyFailed(ex: ServerExchange, status: number, reason: unknown): void {
    this.#config.counters.reject(status);
    this.#advance(PHASE_ANSWERING);
    this.#current = null;
    ex.abort(reason);
    ex.failBody(status === 413 ? new HttpError(413, (reason as Error).message) : reason);
    if (ex.done) {
      this.#closeAfterWrites();
    } else if (!ex.committed) {
      ex.refuse(status);
    } else {
      // Mid-response: the response may depend on the body; nothing sane can follow.
      this.#destroy(reason);
      return;
    }
    this.#wakeRead();
    this.#afterParse();
  }

  /** BodySink: a reader waits for body bytes (and 100 Continue is due, if asked for). */
  onBodyDemand(source: BodySource): void {
    const ex = this.#current;
    if (ex !== null && ex.body === source && ex.expectContinue && !ex.continueSent) {
      ex.continueWanted = true;
      ex.notify();
    }
    this.#wakeRead();
  }

  /** BodySink: the handler cancelled the body; the rest is discarded. */
  onBodyCancel(_source: BodySource): void {
    this.#wakeRead();
  }

  // ---- the write loop's host ---------------------------------------------------------

  /** WriteLoopHost: judges keep-alive for `ex` (keep_alive.ts); a no ends the reading. */
  decideKeepAlive(ex: ServerExchange): void {
    // Shutting down, or the client half-closed: the last request received says close.
    const last = (this.#shuttingDown || this.#inputEnded) && this.#writer.queue.length === 1 &&
      this.#current === null;
    const keep = mayKeepAlive(ex, last, this.#config.maxDrainBytes);
    ex.keepAlive = keep;
    if (!keep) this.#advance(PHASE_LAST_REQUEST);
  }

  /** WriteLoopHost: `ex` is answered; read on (a body to drain, room for more requests). */
  responded(ex: ServerExchange, open: boolean): void {
    // Nobody read the body: the reader drains the rest (up to maxDrainBytes, else close).
    if (ex.complete()) this.#wakeRead();
    this.#ended(ex, undefined);
    if (!open) return;
    // The next pipelined request is parsed now, so its response can join this batch
    // (a handler that answers at once is encoded in the same turn of the write loop).
    // (#paused is null while #parse runs: this never re-enters it.)
    if (this.#paused !== null && this.#mayParseAhead()) this.#resumeParse();
    else this.#wakeRead();
  }

  /** Parses the input held back by #mayParseAhead; the read loop reads on once it is used. */
  #resumeParse(): void {
    const data = this.#paused!;
    this.#paused = null;
    this.#parse(data, this.#pausedAt, this.#pausedEnd);
    this.#stamp();
    if (this.#paused === null) this.#wakeRead();
  }

  /**
   * WriteLoopHost: the 101 of `ex` is written: HTTP is over on this connection. The socket,
   * with the bytes read behind the request head, goes to what the handler upgraded to;
   * the connection stays only as the server's handle on it, until it reports its end.
   */
  switched(ex: ServerExchange): void {
    const slot = ex.upgrade!;
    const target = slot.target!;
    ex.switched = true;
    this.#phase = PHASE_UPGRADED;
    this.#clock.delete(this);
    this.#current = null;
    this.#upgrading = null;
    this.#releaseParser();
    this.#buffers.release();
    this.#writer.release();
    ex.complete();
    this.#ended(ex, undefined);
    const head = this.#switchHead ?? EMPTY;
    this.#switchHead = null;
    this.#upgradeTarget = target;
    try {
      target.attach(this.#transport, head, slot.remoteAddr, () => this.#upgradeDone());
    } catch (error) {
      console.error("Wire: the upgraded protocol failed to start:", error);
      this.#upgradeDone();
      try {
        this.#transport.close();
      } catch {
        // Closed by the target already.
      }
    }
  }

  /** The upgraded protocol closed the socket: the connection is released. */
  #upgradeDone(): void {
    if (this.#phase !== PHASE_UPGRADED) return;
    this.#phase = PHASE_CLOSED;
    this.#upgradeTarget = null;
    this.#settleDone();
  }

  /** WriteLoopHost: `ex`'s body broke after its head went out: tell onError. */
  bodyFailed(ex: ServerExchange, error: unknown): void {
    this.#dispatcher.report(ex, error);
  }

  /** WriteLoopHost: `ex`'s Response cannot be sent: onError's turn. */
  unsendable(ex: ServerExchange, error: unknown): void {
    this.#dispatcher.failed(ex, error);
  }

  /** WriteLoopHost: after a batch, answer what was parsed meanwhile, close, or go idle. */
  batchWritten(open: boolean): void {
    if (this.#phase >= PHASE_CLOSED) {
      this.#settleDone();
      return;
    }
    // Unsent bytes went: a request held back may be parsed now.
    if (this.#paused !== null) this.#wakeRead();
    if (open && this.#writer.queue.length > 0) {
      // Requests parsed during that write are answered next (or waited for).
      this.#writer.start();
      return;
    }
    if (!open) {
      this.#advance(PHASE_ANSWERING);
      this.#finish(true);
      return;
    }
    this.#checkIdle();
  }

  // ---- the end -----------------------------------------------------------------------

  /** Close as soon as what is queued has been written. */
  #closeAfterWrites(): void {
    this.#advance(PHASE_ANSWERING);
    this.#current = null;
    if (this.#writer.queue.length === 0 && !this.#writer.busy) this.#finish(true);
    else this.#wakeRead();
  }

  #checkIdle(): void {
    if (this.#phase >= PHASE_CLOSED || this.#writer.busy) return;
    if (this.#writer.queue.length > 0 || this.#writer.unsent > 0) {
      // Responses to write, or held for a batch (they leave when it is complete).
      this.#writer.start();
      return;
    }
    const current = this.#current;
    if (this.#phase >= PHASE_ANSWERING && (current === null || !current.receiving)) {
      this.#finish(!this.#inputEnded);
      return;
    }
    if (current === null && this.#headStart === NO_HEAD) {
      // Idle between requests (a shutdown never gets here: it moved the phase on).
      this.#idleSince = Date.now();
      // Idle connections hold no queue slots, output buffer or parser.
      this.#writer.release();
      this.#releaseParser();
      this.#onIdle?.();
    }
  }

  /**
   * Ends the connection after the last response: with `linger`, shut the write side and
   * drain what the client still sends for up to LINGER_MS (so it reads our response
   * rather than a reset), then close.
   */
  #finish(linger: boolean): void {
    if (this.#phase >= PHASE_LINGERING) return;
    const closeWrite = this.#transport.closeWrite;
    if (!linger || this.#inputEnded || closeWrite === undefined) {
      this.#destroy();
      return;
    }
    this.#phase = PHASE_LINGERING;
    this.#lingerUntil = Date.now() + LINGER_MS;
    const current = this.#current;
    this.#current = null;
    if (current !== null && current.receiving) {
      current.failBody(
        new TypeError("Cannot read the request body: the connection closed after the response"),
      );
    }
    for (const ex of this.#writer.queue) ex.abort(clientClosedReason());
    this.#transport.closeWrite!().catch(() => this.#destroy());
    if (!this.#reading) this.#readLoop();
    else this.#wakeRead();
  }

  async #lingerRead(): Promise<void> {
    const buf = this.#buffers.next();
    while (this.#phase < PHASE_CLOSED) {
      let n: number | null;
      try {
        n = await this.#transport.read(buf);
      } catch {
        n = null;
      }
      if (n === null || n === 0) break;
    }
    this.#destroy();
  }

  /** Closes now: aborts what is in flight with `reason`, releases everything. */
  #destroy(reason?: unknown): void {
    if (this.#phase >= PHASE_CLOSED) return;
    this.#phase = PHASE_CLOSED;
    // The reason is made only when something in flight needs it: a connection that closes
    // between requests (most of them) makes no DOMException.
    if (reason === undefined && (this.#current !== null || this.#writer.queue.length > 0)) {
      reason = clientClosedReason();
    }
    const current = this.#current;
    this.#current = null;
    if (current !== null && current.receiving) {
      current.failBody(reason);
      current.abort(reason);
    }
    for (const ex of this.#writer.queue) {
      ex.cutShort(reason);
      this.#ended(ex, reason);
    }
    try {
      this.#transport.close();
    } catch {
      // Already closed by the peer or the listener: closed is closed.
    }
    this.#clock.delete(this);
    this.#buffers.release();
    this.#parser = null;
    this.#paused = null;
    this.#wakeRead();
    this.#settleDone();
  }

  /** `ex` is over (delivered, or cut short with `reason`): counted, logged, traced. */
  #ended(ex: ServerExchange, reason: unknown): void {
    const config = this.#config;
    // The client a trusted proxy named (or the PROXY header's source), else the peer.
    const client = ex.info?.remoteAddr ?? this.#remoteAddr;
    exchangeEnded(ex, config.counters, config.observers, client, reason);
  }

  /** Once closed and both loops have stopped: release, and call `onClosed` once. */
  #settleDone(): void {
    if (this.#phase === PHASE_CLOSED && !this.#reading && !this.#writer.busy) {
      this.#phase = PHASE_RELEASED;
      this.#writer.release();
      const hook = this.#onClosed;
      this.#onClosed = null;
      if (hook !== null) hook(this);
    }
  }
}
