/**
 * Session test helpers: a recording SessionHost, a session started over one end of an
 * in-memory pipe, and a raw peer on the other end that writes frames it builds itself
 * and reads what the session sends with a frame parser.
 *
 * @module
 */

import type { Duplex } from "../../../http/_codec/duplex.ts";
import { memoryPipe } from "../../../http/_codec/memory_pipe.ts";
import {
  FRAME_CONTROL,
  FRAME_DATA,
  FRAME_ERROR,
  FRAME_NEED_MORE,
  FrameParser,
} from "../../../http/_websocket/frame_parser.ts";
import {
  Session,
  type SessionHost,
  type SessionOptions,
} from "../../../http/_websocket/session.ts";
import { frame, type FrameSpec } from "./_frames.ts";

/** How long any wait in these tests may take before it fails. */
export const WAIT_MS = 5_000;

/** Resolves with `promise`, or rejects after `ms`; the timer is always cleared. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What a session reported, in order. */
export class Recorder implements SessionHost {
  events: string[] = [];
  messages: (string | Uint8Array)[] = [];
  errors: string[] = [];
  closeInfo: { code: number; reason: string; wasClean: boolean } | null = null;
  readonly closedPromise: Promise<{ code: number; reason: string; wasClean: boolean }>;
  #resolveClosed!: (info: { code: number; reason: string; wasClean: boolean }) => void;
  #waiters: (() => void)[] = [];
  /** Called for each message (e.g. to echo it). */
  onMessage: ((data: string | Uint8Array) => void) | null = null;

  constructor() {
    this.closedPromise = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  opened(): void {
    this.events.push("open");
  }
  message(data: string | Uint8Array): void {
    this.events.push("message");
    this.messages.push(data);
    this.onMessage?.(data);
    this.#wake();
  }
  errored(message: string): void {
    this.events.push("error");
    this.errors.push(message);
  }
  closed(code: number, reason: string, wasClean: boolean): void {
    this.events.push("close");
    this.closeInfo = { code, reason, wasClean };
    this.#resolveClosed(this.closeInfo);
    this.#wake();
  }

  /** Waits until `count` messages have arrived. */
  async messagesAt(count: number): Promise<(string | Uint8Array)[]> {
    while (this.messages.length < count && this.closeInfo === null) {
      await within(
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        `${count} messages`,
      );
    }
    return this.messages;
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

/** A frame the peer read: data (one frame's payload) or control, with FIN and opcode. */
export interface PeerFrame {
  opcode: number;
  payload: Uint8Array;
  closeCode?: number;
}

/** The other end of the pipe, speaking raw frames. */
export class Peer {
  readonly duplex: Duplex;
  readonly #parser: FrameParser;
  #frames: PeerFrame[] = [];
  #message: Uint8Array[] = [];
  #eof = false;
  #reading: Promise<void>;
  #waiters: (() => void)[] = [];
  readonly masked: boolean;

  constructor(duplex: Duplex, masked: boolean) {
    this.duplex = duplex;
    this.masked = masked;
    this.#parser = new FrameParser({ expectMasked: !masked, maxPayload: 1 << 26, deflate: true });
    this.#reading = this.#read();
  }

  /** Writes frames (masked when the peer is a client). */
  async send(...specs: FrameSpec[]): Promise<void> {
    for (const spec of specs) {
      await this.write(
        frame({
          ...spec,
          mask: spec.mask === undefined ? (this.masked ? 0x11223344 : null) : spec.mask,
        }),
      );
    }
  }

  /** Writes raw bytes. */
  async write(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) done += await this.duplex.write(bytes.subarray(done));
  }

  /** The next frame (a whole message for data, control frames as they come), or null at EOF. */
  async next(what = "a frame"): Promise<PeerFrame | null> {
    while (this.#frames.length === 0 && !this.#eof) {
      await within(new Promise<void>((resolve) => this.#waiters.push(resolve)), what);
    }
    return this.#frames.shift() ?? null;
  }

  /** Waits for the end of the stream. */
  async end(): Promise<void> {
    await within(this.#reading, "the end of the stream");
  }

  get eof(): boolean {
    return this.#eof;
  }

  close(): void {
    this.duplex.close();
  }

  async #read(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    const parser = this.#parser;
    try {
      for (;;) {
        const n = await this.duplex.read(buf);
        if (n === null || n === 0) break;
        let pos = 0;
        for (;;) {
          const event = parser.execute(buf, pos, n);
          pos = parser.offset;
          if (event === FRAME_NEED_MORE) break;
          if (event === FRAME_ERROR) throw new Error(`peer: bad frame: ${parser.errorMessage}`);
          if (event === FRAME_CONTROL) {
            this.#frames.push({
              opcode: parser.controlOpcode,
              payload: parser.control.slice(),
              closeCode: parser.controlOpcode === 8 ? parser.closeCode : undefined,
            });
          } else if (event === FRAME_DATA) {
            this.#message.push(buf.slice(parser.payloadStart, parser.payloadEnd));
            if (parser.last) {
              const parts = this.#message;
              this.#message = [];
              const payload = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
              let at = 0;
              for (const part of parts) {
                payload.set(part, at);
                at += part.length;
              }
              this.#frames.push({
                opcode: parser.opcode | (parser.compressed ? 0x40 : 0),
                payload,
              });
            }
          }
          this.#wake();
        }
      }
    } catch {
      // The pipe broke: EOF for the test.
    }
    this.#eof = true;
    this.#wake();
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

/** Default session options for tests: a server, small timeouts off. */
export const SERVER: SessionOptions = {
  client: false,
  maxPayload: 1 << 20,
  idleTimeout: 0,
  closeTimeout: 2_000,
  deflate: null,
};

/** A session over one end of a pipe, and a raw peer on the other. */
export function open(
  options: Partial<SessionOptions> = {},
  head: Uint8Array = new Uint8Array(0),
): { session: Session; host: Recorder; peer: Peer; done: Promise<void> } {
  const full = { ...SERVER, ...options };
  const [a, b] = memoryPipe();
  const host = new Recorder();
  const session = new Session(full, host);
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const peer = new Peer(b, !full.client);
  session.start(a, head, resolveDone);
  return { session, host, peer, done };
}
