/**
 * The shape of a conformance case: what the client sends, in steps, and what it expects
 * back, in Autobahn|Testsuite's terms (expected event lists for OK and NON-STRICT, and
 * the expected end of the connection).
 *
 * @module
 */
import type { WsEvent } from "../_connection.ts";
import type { FrameSpec } from "../_frame.ts";

/** One thing the client does, in order. */
export type Step =
  /** A frame, optionally chopped into `chop`-byte writes, `sync`: in its own segment. */
  | { kind: "frame"; frame: FrameSpec; chop?: number; sync?: boolean }
  /** A message (compressed if permessage-deflate was agreed), in `fragmentSize` frames. */
  | { kind: "message"; payload: Uint8Array; binary: boolean; fragmentSize?: number; chop?: number }
  /** Raw bytes (e.g. one frame's header, then its payload in later steps). */
  | { kind: "raw"; bytes: Uint8Array; sync?: boolean }
  /** A close frame with `code` (none if undefined) and raw `reason` bytes. */
  | { kind: "close"; code?: number; reason?: Uint8Array }
  /**
   * Autobahn's `continueLater`: waits the runner's `pauseMs`; if the connection is still
   * open, records `{timeout, label}` and goes on, otherwise stops sending.
   */
  | { kind: "pause"; label: string }
  /**
   * Waits (up to the runner's `waitMs`) until the events so far equal `events`; records a
   * timeout event if they never do.
   */
  | { kind: "await"; events: WsEvent[] }
  /** `count` echo round trips of `message(i)`, checked; records `{echoes: count}`. */
  | {
    kind: "echo";
    count: number;
    message: (i: number) => { payload: Uint8Array; binary: boolean };
    fragmentSize?: number;
  };

/** How the connection should end (Autobahn's `expectedClose`). */
export interface ExpectedClose {
  /** The client sends the first close frame (true) or the server fails/closes (false). */
  byClient: boolean;
  /** Close codes accepted from the server. */
  codes: number[];
  /** Both close frames must cross before TCP ends. */
  requireClean: boolean;
  /** A close by the wrong side fails the case outright (the UTF-8 cases). */
  wrongEndpointFatal?: boolean;
  /** A close code outside `codes` fails the case (section 7) rather than being NON-STRICT. */
  wrongCodeFatal?: boolean;
}

/** One conformance case. */
export interface Case {
  /** Autobahn's number ("6.4.1"); "X.*" for cases of our own. */
  id: string;
  description: string;
  expectation: string;
  steps: Step[];
  /** Event lists for OK and, where the suite allows it, NON-STRICT. */
  ok: WsEvent[];
  nonStrict?: WsEvent[];
  close: ExpectedClose;
  /** Outcome is reported, never judged (Autobahn's INFORMATIONAL cases). */
  informational?: boolean;
  /** permessage-deflate offers; the case is UNIMPLEMENTED if the server declines them. */
  offers?: string[];
  /** Runs alone, after the others, so its time is its own (limits and performance). */
  serial?: boolean;
  /** Payload bytes the client sends, for a throughput figure. */
  bytes?: number;
  /** Round trips the case makes, for a rate figure. */
  roundTrips?: number;
  /** Bound for the whole case. @default 10000 */
  timeoutMs?: number;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes from a latin1 string such as Autobahn's "\xce\xba". */
export function bytes(latin1: string): Uint8Array {
  return Uint8Array.from(latin1, (c) => c.charCodeAt(0));
}

/** `pattern` repeated to `length` bytes (Autobahn's `payload_len`). */
export function repeat(pattern: Uint8Array | string, length: number): Uint8Array {
  const unit = typeof pattern === "string" ? bytes(pattern) : pattern;
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += unit.length) {
    out.set(unit.subarray(0, Math.min(unit.length, length - at)), at);
  }
  return out;
}

/** Expected-event helpers. */
export const ev = {
  text: (payload: Uint8Array | string): WsEvent => ({
    type: "message",
    data: typeof payload === "string" ? utf8(payload) : payload,
    binary: false,
  }),
  binary: (payload: Uint8Array): WsEvent => ({ type: "message", data: payload, binary: true }),
  pong: (payload: Uint8Array | string = ""): WsEvent => ({
    type: "pong",
    data: typeof payload === "string" ? utf8(payload) : payload,
  }),
  timeout: (label: string): WsEvent => ({ type: "timeout", label }),
  echoes: (count: number): WsEvent => ({ type: "echoes", count }),
};

/** Step helpers. */
export const send = {
  frame: (frame: FrameSpec, chop?: number, sync?: boolean): Step => ({
    kind: "frame",
    frame,
    chop,
    sync,
  }),
  text: (payload: Uint8Array | string, extra: Partial<FrameSpec> = {}, chop?: number): Step => ({
    kind: "frame",
    frame: { opcode: 1, payload: typeof payload === "string" ? utf8(payload) : payload, ...extra },
    chop,
  }),
  close: (code?: number, reason?: Uint8Array | string): Step => ({
    kind: "close",
    code,
    reason: typeof reason === "string" ? utf8(reason) : reason,
  }),
};

/** Close codes (RFC 6455 §7.4.1). */
export const NORMAL = 1000;
export const PROTOCOL_ERROR = 1002;
export const INVALID_PAYLOAD = 1007;

/** The usual endings: a clean close the client starts, or the server failing the connection. */
export const CLIENT_CLOSES: ExpectedClose = { byClient: true, codes: [NORMAL], requireClean: true };
export const SERVER_FAILS: ExpectedClose = {
  byClient: false,
  codes: [PROTOCOL_ERROR],
  requireClean: false,
};
