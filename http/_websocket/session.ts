/**
 * The protocol state machine of one WebSocket connection, either role, over a
 * {@linkcode Duplex}: reading and parsing frames, assembling and inflating messages,
 * answering pings, the close handshake with its timeout, the idle ping, and sending
 * through a {@linkcode FrameOutput}. What the application sees (events, or streams) is
 * a {@linkcode SessionHost} in front of it.
 *
 * Reading: one small read buffer (2 KiB) while messages are small, a pooled 64 KiB one
 * after a read fills it, and, for a long frame, reads straight into the message's own
 * buffer, where it is unmasked: a large payload is copied once, from the socket to the
 * message. Frames are handled synchronously as they are parsed; only a compressed
 * message stops the loop until it is inflated, which keeps messages in order.
 *
 * Closing (RFC 6455 §7): the side that closes first sends a close frame and waits up to
 * `closeTimeout` for the peer's; a received close frame is echoed (code and reason). Then
 * the server ends the TCP connection at once, while the client waits for the server to
 * end it (up to `closeTimeout`). A protocol failure sends its close code (1002, 1007,
 * 1009) and ends the connection once that frame is written.
 *
 * @module
 */

import type { Duplex } from "../_codec/duplex.ts";
import { errorText } from "../_codec/error_text.ts";
import { CLOSE_ABNORMAL, CLOSE_GOING_AWAY, CLOSE_NO_STATUS, closePayload } from "./close_code.ts";
import { type DeflateParams, type DeflateTuning, PerMessageDeflate } from "./deflate.ts";
import { flushDue, FrameOutput } from "./frame_output.ts";
import { unwatchIdle, watchIdle } from "./idle_wheel.ts";
import { MessageAssembler, type MessageSink } from "./message_assembler.ts";
import {
  FRAME_CONTROL,
  FRAME_DATA,
  FRAME_ERROR,
  FRAME_NEED_MORE,
  FrameParser,
  OP_CLOSE,
  OP_PING,
  OP_PONG,
} from "./frame_parser.ts";
import { FIN } from "./frame_writer.ts";
import { borrowReadBuffer, returnReadBuffer, SMALL_READ } from "./read_buffers.ts";
import { byteLength, SendQueue } from "./send_queue.ts";

/** readyState values (WHATWG WebSocket). */
export const CONNECTING = 0;
/** The connection is open. */
export const OPEN = 1;
/** The close handshake is under way. */
export const CLOSING = 2;
/** The connection is closed. */
export const CLOSED = 3;

/**
 * Reads go straight into a message's buffer when this much of its frame is still to
 * come: the payload is then copied once (by the read), and no pooled buffer is held.
 */
const DIRECT_READ_MIN = 512;

/** setTimeout's longest delay: longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** What the session reports to the socket (or stream) in front of it. */
export interface SessionHost {
  /** The connection is open. */
  opened(): void;
  /** A message: text, or bytes of an exact-length Uint8Array the host may keep. */
  message(data: string | Uint8Array): void;
  /** Something failed (the close event follows). */
  errored(message: string, cause?: unknown): void;
  /** The connection is closed; called once. */
  closed(code: number, reason: string, wasClean: boolean): void;
}

/** How a session is set up. */
export interface SessionOptions {
  /** The client role: masks what it sends, expects unmasked frames. */
  client: boolean;
  /** Largest message in bytes (decompressed). */
  maxPayload: number;
  /** Seconds of silence before a ping; 0 for never. */
  idleTimeout: number;
  /** Milliseconds to wait for the close handshake. */
  closeTimeout: number;
  /** permessage-deflate as negotiated, or null. */
  deflate: { params: DeflateParams; tuning: DeflateTuning } | null;
}

/** One WebSocket connection's protocol. */
export class Session implements MessageSink {
  /** CONNECTING, OPEN, CLOSING or CLOSED. */
  readyState: number = CONNECTING;

  readonly #host: SessionHost;
  readonly #options: SessionOptions;
  readonly #parser: FrameParser;
  readonly #out: FrameOutput;
  readonly #send: SendQueue;
  readonly #deflate: PerMessageDeflate | null;
  #duplex: Duplex | null = null;
  #done: (() => void) | null = null;

  // Reading.
  #reading = false;
  #paused = false;
  #resume: (() => void) | null = null;
  readonly #messages: MessageAssembler;

  // Closing.
  #closeSent = false;
  #closeReceived = false;
  #peerCode = CLOSE_NO_STATUS;
  #peerReason = "";
  /** The close timeout's timer (0 while waiting for the close frame's write instead). */
  #closeTimer: ReturnType<typeof setTimeout> | 0 | undefined = undefined;

  // Idle ping.
  #watched = false;
  #active = false;
  #pingSent = false;

  /** Bytes passed to send() after the close frame: counted, not sent (WHATWG). */
  #afterClose = 0;

  /**
   * @param options Role, limits and the negotiated extension.
   * @param host Who hears about the connection.
   */
  constructor(options: SessionOptions, host: SessionHost) {
    this.#options = options;
    this.#host = host;
    const deflate = options.deflate;
    this.#parser = new FrameParser({
      expectMasked: !options.client,
      maxPayload: options.maxPayload,
      deflate: deflate !== null,
    });
    this.#out = new FrameOutput(options.client, (error) => this.#ioFailed(error));
    this.#deflate = deflate === null
      ? null
      : new PerMessageDeflate(deflate.params, !options.client, deflate.tuning, options.maxPayload);
    this.#messages = new MessageAssembler(this.#parser, this.#deflate, this);
    this.#send = new SendQueue(this.#out, this.#deflate, (message, error) => {
      if (this.readyState === CLOSED) return;
      this.#host.errored(message, error);
      this.#finish(CLOSE_ABNORMAL, "", false);
    });
  }

  /** Application bytes queued and not yet written (WHATWG bufferedAmount). */
  get bufferedAmount(): number {
    return this.#send.buffered + this.#afterClose;
  }

  /**
   * Starts the connection over `duplex`: `head` holds bytes read already; the host
   * hears `opened` (unless `close()` came first, on a server socket still connecting).
   *
   * @param duplex The connection.
   * @param head Bytes already read behind the handshake.
   * @param done Called once the duplex is closed.
   */
  start(duplex: Duplex, head: Uint8Array, done: (() => void) | null): void {
    if (this.readyState === CLOSED) {
      duplex.close();
      done?.();
      return;
    }
    this.#duplex = duplex;
    this.#done = done;
    this.#out.start(duplex);
    const idle = this.#options.idleTimeout;
    if (idle > 0 && idle * 500 < MAX_TIMER_MS) {
      // The first tick may come at once: it only clears this flag.
      this.#active = true;
      this.#watched = true;
      watchIdle(this, idle);
    }
    if (this.readyState === CONNECTING) {
      this.readyState = OPEN;
      this.#host.opened();
    } else {
      this.#armCloseTimer();
    }
    if (this.readyState !== CLOSED) this.#readLoop(duplex, head.length > 0 ? head.slice() : EMPTY);
  }

  /**
   * The connection never opened (no 101, or a refused handshake): error and close events
   * with 1006.
   *
   * @param message Why.
   * @param cause The underlying error, if any.
   */
  failConnecting(message: string, cause?: unknown): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.#send.shutdown(new Error(message));
    this.#host.errored(message, cause);
    this.#host.closed(CLOSE_ABNORMAL, "", false);
  }

  /**
   * Sends a message. Strings are text; bytes are copied (the caller may reuse them).
   * Ignored (but counted in bufferedAmount) once closing, as the WHATWG API says.
   *
   * @param data Text, bytes or a Blob.
   */
  send(data: string | Uint8Array | Blob): void {
    if (this.readyState !== OPEN || this.#closeSent) this.#afterClose += byteLength(data);
    else this.#send.send(data);
  }

  /**
   * Resolves when everything queued so far is written (and any Blob or compression
   * ahead of it is done); rejects if the connection closes first.
   *
   * @returns The promise.
   */
  flushed(): Promise<void> {
    return this.#send.flushed();
  }

  /**
   * Starts the close handshake (the caller checked the code and reason). On a server
   * socket not yet attached, the close frame goes out when it is.
   *
   * @param code The close code, or undefined for a close frame without one.
   * @param reason The reason (at most 123 bytes of UTF-8).
   */
  close(code: number | undefined, reason: string): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    const wasOpen = this.readyState === OPEN;
    this.readyState = CLOSING;
    this.#sendClose(closePayload(code, reason));
    if (wasOpen) this.#armCloseTimer();
  }

  /** The server shuts down: close with 1001, unless closing already. */
  shutdown(): void {
    if (this.readyState === OPEN) this.close(CLOSE_GOING_AWAY, "server shutting down");
  }

  /**
   * Ends the connection now, without a handshake: close event 1006.
   *
   * @param reason Why, for the error event when given.
   */
  abort(reason?: string): void {
    if (this.readyState === CLOSED) return;
    if (reason !== undefined) this.#host.errored(reason);
    this.#finish(CLOSE_ABNORMAL, "", false);
  }

  /** Stops reading the socket until `resume()` (a stream's reader is behind). */
  pause(): void {
    this.#paused = true;
  }

  /** Reads again after `pause()`. */
  resume(): void {
    this.#paused = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  // ---- reading ----

  async #readLoop(duplex: Duplex, head: Uint8Array): Promise<void> {
    this.#reading = true;
    const parser = this.#parser;
    const messages = this.#messages;
    let small: Uint8Array | null = null;
    let full = false;
    try {
      if (head.length > 0 && !(await this.#feed(head, 0, head.length))) return;
      while (this.#reading) {
        if (this.#paused) {
          await new Promise<void>((resolve) => (this.#resume = resolve));
          if (!this.#reading) return;
        }
        // Which buffer: the rest of a long frame goes straight into its message; after a
        // read that filled its buffer (more is waiting) a pooled 64 KiB one, given back
        // after the read; else the connection's small one, which is all an idle
        // connection holds.
        let buf: Uint8Array;
        let start = 0;
        let n: number | null;
        const frameBuf = messages.frameBuf;
        if (frameBuf !== null && parser.inDataPayload && parser.remaining >= DIRECT_READ_MIN) {
          buf = frameBuf;
          start = messages.frameFill;
          n = await duplex.read(buf.subarray(start, start + parser.remaining));
          full = false;
        } else if (full) {
          buf = borrowReadBuffer();
          try {
            n = await duplex.read(buf);
            full = n === buf.length;
            if (n !== null && n > 0) {
              this.#active = true;
              if (!(await this.#feed(buf, 0, n))) return;
              flushDue();
              continue;
            }
          } finally {
            returnReadBuffer(buf);
          }
        } else {
          buf = small ??= new Uint8Array(SMALL_READ);
          n = await duplex.read(buf);
          full = n === buf.length;
        }
        if (n === null || n === 0) break;
        this.#active = true;
        if (!(await this.#feed(buf, start, start + n))) return;
        flushDue();
      }
      if (this.#reading) this.#ended(null);
    } catch (error) {
      this.#ended(error);
    }
  }

  /**
   * Parses `buf[start..end)`; resolves false once reading should stop. Synchronous
   * unless a compressed message is inflating (it waits, then goes on in `buf`).
   */
  #feed(buf: Uint8Array, start: number, end: number): boolean | Promise<boolean> {
    const pos = this.#process(buf, start, end);
    if (pos < end || this.#messages.inflating !== null) return this.#feedLater(buf, pos, end);
    return this.#reading;
  }

  async #feedLater(buf: Uint8Array, pos: number, end: number): Promise<boolean> {
    const messages = this.#messages;
    while (messages.inflating !== null) {
      await messages.inflating;
      if (!this.#reading) return false;
      if (pos < end) pos = this.#process(buf, pos, end);
    }
    return this.#reading;
  }

  /** Handles frames in `buf[pos..end)`; returns where it stopped (early while inflating). */
  #process(buf: Uint8Array, pos: number, end: number): number {
    const parser = this.#parser;
    while (this.#reading) {
      const event = parser.execute(buf, pos, end);
      pos = parser.offset;
      if (event === FRAME_DATA) {
        this.#messages.data(buf, parser.payloadStart, parser.payloadEnd);
        if (this.#messages.inflating !== null) return pos;
      } else if (event === FRAME_CONTROL) {
        this.#control();
      } else if (event === FRAME_NEED_MORE) {
        return end;
      } else if (event === FRAME_ERROR) {
        this.#fail(parser.errorCode, parser.errorMessage);
        return end;
      }
    }
    return end;
  }

  /** MessageSink: whether messages are still delivered. */
  get acceptsMessages(): boolean {
    return this.readyState === OPEN;
  }

  /** MessageSink: a message is complete. */
  messageAssembled(data: string | Uint8Array): void {
    this.#host.message(data);
  }

  /** MessageSink: a message broke a rule. */
  messageFailed(code: number, message: string): void {
    this.#fail(code, message);
  }

  #control(): void {
    const parser = this.#parser;
    const opcode = parser.controlOpcode;
    if (opcode === OP_PING) {
      if (this.readyState === OPEN && !this.#closeSent) {
        this.#out.frame(FIN | OP_PONG, parser.control, 0);
      }
    } else if (opcode === OP_CLOSE) {
      const payload = parser.control;
      this.#closeReceived = true;
      this.#peerCode = parser.closeCode;
      this.#peerReason = payload.length > 2 ? decoder.decode(payload.subarray(2)) : "";
      // Nothing after a close frame is read (RFC 6455 §5.5.1).
      this.#reading = false;
      if (!this.#closeSent) {
        this.readyState = CLOSING;
        // Echo the code and the reason, as ws and Deno do.
        const code = this.#peerCode === CLOSE_NO_STATUS ? undefined : this.#peerCode;
        this.#sendClose(closePayload(code, payload.subarray(2)));
        this.#armCloseTimer();
      }
      this.#bothClosed();
    }
    // A pong only shows the peer is there: #active is set by the read.
  }

  /** Both close frames are out or in: the server ends the connection, the client waits. */
  #bothClosed(): void {
    if (this.#options.client) {
      // The server closes TCP first (RFC 6455 §7.1.1); the close timer bounds the wait.
      this.#waitForEnd();
      return;
    }
    this.flushed().then(
      () => this.#finish(this.#peerCode, this.#peerReason, true),
      () => this.#finish(this.#peerCode, this.#peerReason, true),
    );
  }

  /** Client after the close handshake: read (and drop) until the server ends TCP. */
  async #waitForEnd(): Promise<void> {
    const duplex = this.#duplex;
    if (duplex === null) return;
    const scratch = new Uint8Array(256);
    try {
      while (this.readyState !== CLOSED) {
        const n = await duplex.read(scratch);
        if (n === null || n === 0) break;
      }
    } catch {
      // The end either way.
    }
    this.#finish(this.#peerCode, this.#peerReason, true);
  }

  /** The read side ended (EOF, or an error) before a close handshake completed. */
  #ended(error: unknown): void {
    this.#reading = false;
    if (this.readyState === CLOSED || this.#closeReceived) return;
    if (error !== null && this.#failing === 0) this.#host.errored(errorText(error), error);
    if (this.#failing !== 0) {
      this.#finish(this.#failing, this.#failReason, false);
      return;
    }
    this.#finish(CLOSE_ABNORMAL, "", false);
  }

  // ---- failing and closing ----

  #failing = 0;
  #failReason = "";

  /** Fails the connection (RFC 6455 §7.1.7): send `code`, then close once it is written. */
  #fail(code: number, message: string): void {
    if (this.readyState === CLOSED || this.#failing !== 0) return;
    this.#failing = code;
    this.#failReason = message;
    this.#reading = false;
    this.#host.errored(message);
    // Nothing more goes out but the close frame, if none went yet.
    this.#send.drop(new Error(message));
    if (!this.#closeSent) {
      this.#closeSent = true;
      this.#out.frame(FIN | OP_CLOSE, closePayload(code, message), 0);
    }
    this.readyState = CLOSING;
    this.#armCloseTimer();
    this.#out.flushed().then(
      () => this.#finish(code, message, false),
      () => this.#finish(code, message, false),
    );
  }

  /** A write failed: the connection is gone. */
  #ioFailed(error: unknown): void {
    if (this.readyState === CLOSED) return;
    if (this.#failing === 0 && !this.#closeReceived) this.#host.errored(errorText(error), error);
    this.#finish(
      this.#failing || CLOSE_ABNORMAL,
      this.#failReason,
      this.#closeReceived && this.#closeSent,
    );
  }

  #sendClose(payload: Uint8Array): void {
    this.#closeSent = true;
    this.#send.close(payload);
  }

  /**
   * Bounds the wait for the close handshake: `closeTimeout` ms; 0 ends the connection
   * once the close frame is written; past 2^31 ms (setTimeout's limit) there is no bound.
   */
  #armCloseTimer(): void {
    if (this.#closeTimer !== undefined || this.#duplex === null) return;
    const ms = this.#options.closeTimeout;
    if (ms >= MAX_TIMER_MS) return;
    const expire = () => {
      this.#closeTimer = undefined;
      if (this.#closeReceived) this.#finish(this.#peerCode, this.#peerReason, true);
      else if (this.#failing !== 0) this.#finish(this.#failing, this.#failReason, false);
      else this.#finish(CLOSE_ABNORMAL, "", false);
    };
    if (ms === 0) {
      this.#closeTimer = 0;
      this.#out.flushed().then(expire, expire);
    } else {
      this.#closeTimer = setTimeout(expire, ms);
    }
  }

  /** Called by the idle wheel every half idleTimeout. */
  idleTick(): void {
    if (this.readyState !== OPEN) return;
    if (this.#active || this.#paused) {
      this.#active = false;
      this.#pingSent = false;
      return;
    }
    if (!this.#pingSent) {
      this.#pingSent = true;
      this.#out.frame(FIN | OP_PING, EMPTY, 0);
      return;
    }
    // As Deno.upgradeWebSocket: error and close events, code 1001.
    const reason = "No response from ping frame";
    this.#host.errored(reason);
    this.#failing = CLOSE_GOING_AWAY;
    this.#failReason = reason;
    this.#reading = false;
    this.readyState = CLOSING;
    this.#sendClose(closePayload(CLOSE_GOING_AWAY, reason));
    this.#armCloseTimer();
    this.flushed().then(
      () => this.#finish(CLOSE_GOING_AWAY, reason, false),
      () => this.#finish(CLOSE_GOING_AWAY, reason, false),
    );
  }

  /** Closes everything and reports the close, once. */
  #finish(code: number, reason: string, wasClean: boolean): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.#reading = false;
    if (this.#closeTimer !== 0) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    if (this.#watched) {
      this.#watched = false;
      unwatchIdle(this, this.#options.idleTimeout);
    }
    this.#send.shutdown(new Error("The WebSocket is closed"));
    this.#messages.reset();
    try {
      this.#duplex?.close();
    } catch {
      // Closed already.
    }
    this.#deflate?.close();
    this.resume();
    this.#host.closed(code, reason, wasClean);
    const done = this.#done;
    this.#done = null;
    done?.();
  }
}
