/**
 * Judging a case the way Autobahn|Testsuite does (its `Case.onConnectionLost`): the
 * events against the expected lists, then how the connection ended, combined into one
 * verdict. Where Autobahn would pass a must-fail case whose connection the server never
 * failed (the client dropping it after the wait, "FAILED BY CLIENT" in its close column),
 * this suite says FAILED: RFC 6455 requires the server to _Fail the WebSocket Connection_.
 *
 * @module
 */
import type { CloseState, WsEvent } from "./_connection.ts";
import type { Case } from "./cases/_case.ts";

/** A case's outcome; OK, NON-STRICT and INFORMATIONAL are passes. */
export type Verdict = "OK" | "NON-STRICT" | "FAILED" | "INFORMATIONAL" | "UNIMPLEMENTED";

/** The close column, as Autobahn names it. */
export type CloseBehavior =
  | "OK"
  | "FAILED"
  | "UNCLEAN"
  | "WRONG CODE"
  | "FAILED BY CLIENT"
  | "INFORMATIONAL";

/** One case's result. */
export interface CaseResult {
  id: string;
  description: string;
  verdict: Verdict;
  /** The events column: did what came back match an expected list? */
  behavior: Verdict;
  closeBehavior: CloseBehavior;
  /** Why, in words. */
  result: string;
  closeResult: string;
  remoteCode: number | null;
  durationMs: number;
  /** Throughput or round-trip rate, for performance cases. */
  rate?: string;
  /** The permessage-deflate response, when one was agreed. */
  extension?: string;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether two events are the same (type, payload, binary flag, label). */
export function sameEvent(a: WsEvent, b: WsEvent): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "message":
      return b.type === "message" && a.binary === b.binary && sameBytes(a.data, b.data);
    case "ping":
    case "pong":
      return (b.type === "ping" || b.type === "pong") && sameBytes(a.data, b.data);
    case "timeout":
      return b.type === "timeout" && a.label === b.label;
    case "echoes":
      return b.type === "echoes" && a.count === b.count;
  }
}

/** Whether `got` equals `want` event for event (`prefix`: is a prefix of it). */
export function sameEvents(got: WsEvent[], want: WsEvent[], prefix = false): boolean {
  if (prefix ? got.length > want.length : got.length !== want.length) return false;
  return got.every((e, i) => sameEvent(e, want[i]));
}

/** A short description of events for reports ("message(text, 13 B), pong(4 B)"). */
export function describeEvents(events: WsEvent[]): string {
  if (events.length === 0) return "nothing";
  const parts = events.slice(0, 6).map((e) => {
    switch (e.type) {
      case "message":
        return `message(${e.binary ? "binary" : "text"}, ${e.data.length} B)`;
      case "ping":
      case "pong":
        return `${e.type}(${e.data.length} B)`;
      case "timeout":
        return `timeout(${e.label})`;
      case "echoes":
        return `${e.count} echoes`;
    }
  });
  return parts.join(", ") + (events.length > 6 ? `, … (${events.length} events)` : "");
}

/** What the runner knows when judging. */
export interface Observed {
  events: WsEvent[];
  close: CloseState;
  /** The server never failed the connection, though the case required it. */
  serverNeverFailed: boolean;
}

/** Judges a finished case. */
export function judge(
  c: Case,
  seen: Observed,
): Omit<CaseResult, "durationMs" | "id" | "description"> {
  let behavior: Verdict = "FAILED";
  let result = `Got ${describeEvents(seen.events)}; expected ${describeEvents(c.ok)}` +
    (c.nonStrict ? ` (or ${describeEvents(c.nonStrict)})` : "");
  if (sameEvents(seen.events, c.ok)) {
    behavior = "OK";
    result = "Events as expected";
  } else if (c.nonStrict && sameEvents(seen.events, c.nonStrict)) {
    behavior = "NON-STRICT";
    result = "Events as allowed non-strictly";
  }
  const close = seen.close;
  const expected = c.close;
  let closeBehavior: CloseBehavior;
  let closeResult: string;
  if (close.failedByMe !== null) {
    closeBehavior = "FAILED";
    closeResult = `The client failed the connection: ${close.failedByMe}`;
  } else if (seen.serverNeverFailed) {
    closeBehavior = "FAILED";
    closeResult = "The server did not fail the connection (the client dropped it)";
  } else if ((close.closedByMe ?? false) !== expected.byClient) {
    closeBehavior = "FAILED";
    closeResult = "The connection was closed by the wrong endpoint";
  } else if (expected.requireClean && !close.wasClean) {
    closeBehavior = "UNCLEAN";
    closeResult = "The TCP connection ended without a closing handshake";
  } else if (close.remoteCode !== null && !expected.codes.includes(close.remoteCode)) {
    closeBehavior = "WRONG CODE";
    closeResult = `Close code ${close.remoteCode}; expected ${expected.codes.join(" or ")}`;
  } else if (close.droppedByMe) {
    closeBehavior = "FAILED BY CLIENT";
    closeResult = "The client had to end the TCP connection (the server should, RFC 6455 §7.1.1)";
  } else {
    closeBehavior = "OK";
    closeResult = "Connection was properly closed";
  }
  if (expected.wrongEndpointFatal && (close.closedByMe ?? false) !== expected.byClient) {
    behavior = "FAILED";
  }

  let verdict: Verdict;
  if (c.informational) {
    verdict = "INFORMATIONAL";
    result = `${result}; close: ${closeResult} (code ${close.remoteCode ?? "none"})`;
    closeBehavior = "INFORMATIONAL";
  } else if (behavior === "FAILED" || closeBehavior === "FAILED" || closeBehavior === "UNCLEAN") {
    verdict = "FAILED";
  } else if (closeBehavior === "WRONG CODE") {
    verdict = expected.wrongCodeFatal ? "FAILED" : "NON-STRICT";
  } else if (closeBehavior === "FAILED BY CLIENT" || behavior === "NON-STRICT") {
    verdict = "NON-STRICT";
  } else {
    verdict = "OK";
  }
  return { verdict, behavior, closeBehavior, result, closeResult, remoteCode: close.remoteCode };
}
