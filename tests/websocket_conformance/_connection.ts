/**
 * One raw client connection of the conformance suite: its own handshake, a frame writer
 * that can chop its output into pieces, and a reader that records what the server sends
 * as events (messages, pings, pongs) and follows the closing handshake the way
 * Autobahn|Testsuite's client does (RFC 6455 §5.5.1, §7), noting who closed what first.
 *
 * @module
 */
import { Deflater } from "./_deflate.ts";
import {
  closePayload,
  encodeFrame,
  type Frame,
  FrameDecoder,
  FrameError,
  type FrameSpec,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
} from "./_frame.ts";
import { type DeflateParams, handshake } from "./_handshake.ts";
import { InflateError, Inflater } from "./_inflate.ts";

/** What the client saw, in order: the unit that cases compare (Autobahn's `received`). */
export type WsEvent =
  | { type: "message"; data: Uint8Array; binary: boolean }
  | { type: "ping"; data: Uint8Array }
  | { type: "pong"; data: Uint8Array }
  | { type: "timeout"; label: string }
  | { type: "echoes"; count: number };

/** How the connection ended, from the client's side. */
export interface CloseState {
  /** Who sent the first close frame: true the client, false the server, null nobody. */
  closedByMe: boolean | null;
  /** Both close frames crossed before the TCP connection ended. */
  wasClean: boolean;
  /** The code in the server's close frame (null: none, or an empty close frame). */
  remoteCode: number | null;
  remoteReason: string;
  /** The client ended the TCP connection (the server should, RFC 6455 §7.1.1). */
  droppedByMe: boolean;
  /** Why the client failed the connection (the server broke the protocol), if it did. */
  failedByMe: string | null;
  tcpClosed: boolean;
}

/** Options for one connection. */
export interface ConnectionOptions {
  /** permessage-deflate offers, each one element of Sec-WebSocket-Extensions. */
  offers?: string[];
  /** Bound on the connect and the handshake. */
  signal: AbortSignal;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Close codes a server may send (RFC 6455 §7.4.1, §7.4.2, IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/** Yields to the event loop so the bytes written so far leave as their own segment. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A raw WebSocket client connection. */
export class Connection {
  readonly events: WsEvent[] = [];
  readonly close: CloseState = {
    closedByMe: null,
    wasClean: false,
    remoteCode: null,
    remoteReason: "",
    droppedByMe: false,
    failedByMe: null,
    tcpClosed: false,
  };
  readonly deflate: DeflateParams | null;
  /** Bytes the client has written, for throughput figures. */
  bytesOut = 0;
  bytesIn = 0;

  readonly #conn: Deno.Conn;
  readonly #decoder = new FrameDecoder();
  readonly #deflater: Deflater | null;
  readonly #inflater: Inflater | null;
  readonly #random: () => number;
  #writeChain: Promise<void> = Promise.resolve();
  #waiters = new Set<() => void>();
  #sentClose = false;
  #gotClose = false;
  #fragOpcode = 0;
  #fragCompressed = false;
  #fragments: Uint8Array[] = [];
  #fragBytes = 0;
  readonly reading: Promise<void>;

  private constructor(conn: Deno.Conn, leftover: Uint8Array, deflate: DeflateParams | null) {
    this.#conn = conn;
    this.deflate = deflate;
    this.#deflater = deflate
      ? new Deflater({
        windowBits: deflate.clientWindowBits,
        contextTakeover: deflate.clientContext,
      })
      : null;
    this.#inflater = deflate
      ? new Inflater({
        windowBits: deflate.serverWindowBits,
        contextTakeover: deflate.serverContext,
      })
      : null;
    let seed = 0x5eed;
    this.#random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    this.#decoder.push(leftover);
    this.reading = this.#readLoop();
  }

  /** Connects to `url` (ws://) and completes the opening handshake. */
  static async open(url: URL, options: ConnectionOptions): Promise<Connection> {
    const port = Number(url.port || 80);
    const conn = await Deno.connect({ hostname: url.hostname, port });
    try {
      conn.setNoDelay(true);
      const onAbort = () => conn.close();
      options.signal.addEventListener("abort", onAbort, { once: true });
      try {
        const result = await handshake(conn, url, options.offers ?? [], options.signal);
        return new Connection(conn, result.leftover, result.deflate);
      } finally {
        options.signal.removeEventListener("abort", onAbort);
      }
    } catch (error) {
      try {
        conn.close();
      } catch { /* already closed by the abort */ }
      throw error;
    }
  }

  /** True while frames may still be sent and received. */
  get open(): boolean {
    return !this.close.tcpClosed && !this.#gotClose && !this.#sentClose;
  }

  get tcpOpen(): boolean {
    return !this.close.tcpClosed;
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Resolves true once `done()` holds (checked at every event), false after `ms`. */
  waitFor(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), ms);
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(value);
      };
      this.#waiters.add(check);
    });
  }

  #maskKey(): Uint8Array {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, this.#random());
    return key;
  }

  /** Queues bytes for writing, in `chop`-byte pieces; resolves when written (or dropped). */
  sendRaw(bytes: Uint8Array, chop = 0, sync = false): Promise<void> {
    const run = async () => {
      if (this.close.tcpClosed) return;
      const piece = chop > 0 ? chop : bytes.length;
      // Octet-wise chops of a small frame each get their own turn of the event loop, so
      // the server really reads them one by one; bulk chops just go out as separate writes.
      const pause = chop > 0 && chop <= 4 && bytes.length <= 1024;
      try {
        for (let at = 0; at < bytes.length || at === 0; at += piece) {
          const part = bytes.subarray(at, Math.min(bytes.length, at + piece));
          let done = 0;
          while (done < part.length) done += await this.#conn.write(part.subarray(done));
          this.bytesOut += part.length;
          if (pause) await yieldTurn();
          if (bytes.length === 0) break;
        }
        if (sync) await yieldTurn();
      } catch {
        // The server closed while we wrote: what it said before that is in the events.
      }
    };
    const next = this.#writeChain.then(run);
    this.#writeChain = next;
    return next;
  }

  /**
   * Sends one frame as given (masked with a fresh key unless `mask: false`). A close
   * frame sent this way is raw bytes to the client's state, as in Autobahn's `sendFrame`;
   * `sendClose()` starts the closing handshake.
   */
  sendFrame(spec: FrameSpec, chop = 0, sync = false): Promise<void> {
    return this.sendRaw(encodeFrame(spec, this.#maskKey()), chop, sync);
  }

  /**
   * Sends a message: compressed when permessage-deflate was negotiated and `compress`
   * allows, in frames of `fragmentSize` bytes (0: one frame).
   */
  sendMessage(
    payload: Uint8Array,
    binary: boolean,
    fragmentSize = 0,
    chop = 0,
    compress = true,
  ): Promise<void> {
    let body = payload;
    let rsv = 0;
    if (this.#deflater && compress) {
      body = this.#deflater.deflate(payload);
      rsv = 4;
    }
    const size = fragmentSize > 0 ? fragmentSize : Math.max(1, body.length);
    let last: Promise<void> = Promise.resolve();
    for (let at = 0, first = true; first || at < body.length; at += size, first = false) {
      const end = Math.min(body.length, at + size);
      last = this.sendFrame({
        opcode: first ? (binary ? OP_BINARY : OP_TEXT) : OP_CONTINUATION,
        fin: end >= body.length,
        rsv: first ? rsv : 0,
        payload: body.subarray(at, end),
      }, chop);
    }
    return last;
  }

  /** Sends a close frame with `code` (none when undefined) and a raw reason. */
  sendClose(code?: number, reason?: Uint8Array): Promise<void> {
    if (!this.#sentClose) {
      this.#sentClose = true;
      if (this.close.closedByMe === null) this.close.closedByMe = !this.#gotClose;
    }
    return this.sendFrame({ opcode: OP_CLOSE, payload: closePayload(code, reason) });
  }

  /** Ends the TCP connection from the client's side. */
  drop(): void {
    if (this.close.tcpClosed) return;
    this.close.droppedByMe = true;
    this.close.tcpClosed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#notify();
  }

  /** Fails the connection (RFC 6455 §7.1.7): a close frame if none was sent, then drop. */
  async #fail(reason: string, code: number): Promise<void> {
    if (this.close.failedByMe === null) this.close.failedByMe = reason;
    if (!this.#sentClose) await this.sendClose(code);
    await this.#writeChain;
    this.drop();
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(256 * 1024);
    try {
      this.#drain();
      while (!this.close.tcpClosed) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        this.bytesIn += n;
        this.#decoder.push(buf.slice(0, n));
        this.#drain();
      }
    } catch {
      // A reset by the server, or our own drop(), ends the connection like a close does.
    }
    if (!this.close.tcpClosed) {
      this.close.tcpClosed = true;
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
    this.#notify();
  }

  #drain(): void {
    for (;;) {
      if (this.close.tcpClosed || this.close.failedByMe !== null) return;
      let frame: Frame | null;
      try {
        frame = this.#decoder.next();
      } catch (error) {
        this.#fail((error as Error).message, 1002);
        return;
      }
      if (frame === null) return;
      if (this.#gotClose) continue; // nothing counts after the server's close frame
      const problem = this.#onFrame(frame);
      if (problem) {
        this.#fail(problem.message, problem.code);
        return;
      }
      this.#notify();
    }
  }

  /** Handles one frame; returns the violation it shows, if any. */
  #onFrame(f: Frame): FrameError | null {
    if (f.masked) return new FrameError("Server sent a masked frame (RFC 6455 §5.1)");
    const control = f.opcode >= 8;
    if (control) {
      if (f.opcode !== OP_CLOSE && f.opcode !== OP_PING && f.opcode !== OP_PONG) {
        return new FrameError(`Server sent reserved opcode ${f.opcode}`);
      }
      if (!f.fin) return new FrameError("Server sent a fragmented control frame");
      if (f.payload.length > 125) return new FrameError("Server sent a control frame over 125 B");
      if (f.rsv !== 0) return new FrameError(`Server set RSV bits ${f.rsv} on a control frame`);
      if (f.opcode === OP_PING) {
        this.events.push({ type: "ping", data: f.payload });
        if (!this.#sentClose) this.sendFrame({ opcode: OP_PONG, payload: f.payload });
      } else if (f.opcode === OP_PONG) {
        this.events.push({ type: "pong", data: f.payload });
      } else {
        return this.#onClose(f.payload);
      }
      return null;
    }
    if (f.opcode !== OP_TEXT && f.opcode !== OP_BINARY && f.opcode !== OP_CONTINUATION) {
      return new FrameError(`Server sent reserved opcode ${f.opcode}`);
    }
    const compressedAllowed = this.#inflater !== null && f.opcode !== OP_CONTINUATION;
    if (f.rsv !== 0 && !(compressedAllowed && f.rsv === 4)) {
      return new FrameError(`Server set RSV bits ${f.rsv} on opcode ${f.opcode}`);
    }
    if (f.opcode === OP_CONTINUATION) {
      if (this.#fragOpcode === 0) return new FrameError("Server sent a continuation of nothing");
    } else {
      if (this.#fragOpcode !== 0) {
        return new FrameError("Server started a message inside a fragmented one");
      }
      this.#fragOpcode = f.opcode;
      this.#fragCompressed = f.rsv === 4;
    }
    this.#fragments.push(f.payload);
    this.#fragBytes += f.payload.length;
    if (this.#fragBytes > MAX_MESSAGE_BYTES) return new FrameError("Message too big", 1009);
    if (!f.fin) return null;
    let data = this.#fragments.length === 1 ? this.#fragments[0] : new Uint8Array(this.#fragBytes);
    if (this.#fragments.length > 1) {
      let at = 0;
      for (const part of this.#fragments) data.set(part, at), at += part.length;
    }
    const binary = this.#fragOpcode === OP_BINARY;
    const compressed = this.#fragCompressed;
    this.#fragOpcode = 0;
    this.#fragments = [];
    this.#fragBytes = 0;
    if (compressed) {
      try {
        data = this.#inflater!.inflate(data);
      } catch (error) {
        if (error instanceof InflateError) return new FrameError(error.message, 1007);
        throw error;
      }
    }
    if (!binary) {
      try {
        decoder.decode(data);
      } catch {
        return new FrameError("Server sent a text message that is not UTF-8", 1007);
      }
    }
    this.events.push({ type: "message", data, binary });
    return null;
  }

  #onClose(payload: Uint8Array): FrameError | null {
    if (payload.length === 1) return new FrameError("Server sent a close frame of 1 byte");
    let code: number | null = null;
    let reason = "";
    if (payload.length >= 2) {
      code = (payload[0] << 8) | payload[1];
      if (!isValidCloseCode(code)) return new FrameError(`Server sent close code ${code}`);
      try {
        reason = decoder.decode(payload.subarray(2));
      } catch {
        return new FrameError("Server sent a close reason that is not UTF-8", 1007);
      }
    }
    this.#gotClose = true;
    this.close.remoteCode = code;
    this.close.remoteReason = reason;
    this.close.wasClean = true;
    if (!this.#sentClose) {
      // The server started the closing handshake: echo its code (RFC 6455 §5.5.1).
      this.close.closedByMe = false;
      this.#sentClose = true;
      this.sendRaw(
        encodeFrame(
          { opcode: OP_CLOSE, payload: closePayload(code ?? undefined) },
          this.#maskKey(),
        ),
      );
    }
    return null;
  }

  /** Waits for the writes queued so far. */
  flushed(): Promise<void> {
    return this.#writeChain;
  }
}
