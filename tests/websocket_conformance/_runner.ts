/**
 * Runs one case against a server: connect, play the steps, end the connection as
 * Autobahn|Testsuite's client would, and judge. Waits are event-driven (the case moves on
 * the moment the expected echo or close arrives) and bounded; only a server that
 * misbehaves makes a case wait out its bounds.
 *
 * @module
 */
import { Connection, type WsEvent } from "./_connection.ts";
import { type CaseResult, judge, sameEvents } from "./_verdict.ts";
import type { Case, Step } from "./cases/_case.ts";

/** Timing of the client's waits. */
export interface RunnerOptions {
  /** Autobahn's `continueLater` pauses in 6.4 (its value: 1000). @default 1000 */
  pauseMs?: number;
  /** How long to wait for what the server should do next: an echo, a pong, failing the
   * connection (Autobahn's `killAfter`). @default 1000 */
  waitMs?: number;
  /** How long to wait for the server to end TCP after the closing handshake. @default 1000 */
  closeTimeoutMs?: number;
}

const DEFAULT_CASE_TIMEOUT_MS = 10_000;

function formatRate(c: Case, ms: number): string | undefined {
  const s = Math.max(ms, 0.001) / 1000;
  if (c.bytes !== undefined) return `${(c.bytes / s / 1e6).toFixed(1)} MB/s`;
  if (c.roundTrips !== undefined) return `${Math.round(c.roundTrips / s)} round trips/s`;
  return undefined;
}

/** Plays one step; returns false when the connection is gone and the steps should stop. */
async function play(
  conn: Connection,
  step: Step,
  options: Required<RunnerOptions>,
  deadline: number,
): Promise<boolean> {
  switch (step.kind) {
    case "frame":
      await conn.sendFrame(step.frame, step.chop ?? 0, step.sync ?? false);
      return true;
    case "message":
      await conn.sendMessage(step.payload, step.binary, step.fragmentSize ?? 0, step.chop ?? 0);
      return true;
    case "raw":
      await conn.sendRaw(step.bytes, 0, step.sync ?? false);
      return true;
    case "close":
      await conn.sendClose(step.code, step.reason);
      return true;
    case "pause": {
      const ended = await conn.waitFor(() => serverEnded(conn), options.pauseMs);
      if (ended) return false;
      conn.events.push({ type: "timeout", label: step.label });
      return true;
    }
    case "await": {
      const ok = await conn.waitFor(
        () => sameEvents(conn.events, step.events) || serverEnded(conn),
        options.waitMs,
      );
      if (!ok || !sameEvents(conn.events, step.events)) {
        conn.events.push({ type: "timeout", label: "awaited events" });
      }
      return true;
    }
    case "echo":
      await echoLoop(conn, step, deadline);
      return true;
  }
}

/** The server has closed, or sent its close frame. */
function serverEnded(conn: Connection): boolean {
  return !conn.tcpOpen || conn.close.remoteCode !== null || conn.close.closedByMe === false;
}

async function echoLoop(conn: Connection, step: Extract<Step, { kind: "echo" }>, deadline: number) {
  for (let i = 0; i < step.count; i++) {
    if (!conn.open) return;
    const { payload, binary } = step.message(i);
    const at = conn.events.length;
    conn.sendMessage(payload, binary, step.fragmentSize ?? 0);
    await conn.waitFor(() => conn.events.length > at || !conn.open, deadline - performance.now());
    const got = conn.events[at];
    const want: WsEvent = { type: "message", data: payload, binary };
    if (got === undefined) {
      conn.events.push({ type: "timeout", label: `echo ${i + 1}` });
      return;
    }
    if (!sameEvents([got], [want])) return; // the mismatch stays in the events
    conn.events.splice(at, 1);
  }
  conn.events.push({ type: "echoes", count: step.count });
}

/** Runs `c` against the echo server at `url`. */
export async function runCase(url: URL, c: Case, opts: RunnerOptions = {}): Promise<CaseResult> {
  const options: Required<RunnerOptions> = {
    pauseMs: opts.pauseMs ?? 1000,
    waitMs: opts.waitMs ?? 1000,
    closeTimeoutMs: opts.closeTimeoutMs ?? 1000,
  };
  const started = performance.now();
  const deadline = started + (c.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS);
  const base = { id: c.id, description: c.description };
  let conn: Connection;
  try {
    conn = await Connection.open(url, {
      offers: c.offers,
      signal: AbortSignal.timeout(Math.max(1000, options.waitMs * 5)),
    });
  } catch (error) {
    return {
      ...base,
      verdict: "FAILED",
      behavior: "FAILED",
      closeBehavior: "FAILED",
      result: `Opening handshake failed: ${(error as Error).message}`,
      closeResult: "The WebSocket opening handshake was never completed",
      remoteCode: null,
      durationMs: performance.now() - started,
    };
  }
  const remaining = () => Math.max(0, deadline - performance.now());
  try {
    if (c.offers && !conn.deflate) {
      await conn.sendClose(1000);
      await conn.waitFor(() => !conn.tcpOpen, options.closeTimeoutMs);
      return {
        ...base,
        verdict: "UNIMPLEMENTED",
        behavior: "UNIMPLEMENTED",
        closeBehavior: "OK",
        result: "The server declined permessage-deflate",
        closeResult: "",
        remoteCode: conn.close.remoteCode,
        durationMs: performance.now() - started,
      };
    }
    const timer = setTimeout(() => conn.drop(), remaining());
    let stepsMs = 0;
    let serverNeverFailed = false;
    try {
      const t0 = performance.now();
      for (const step of c.steps) {
        if (!conn.tcpOpen || serverEnded(conn)) break;
        if (!await play(conn, step, options, deadline)) break;
      }
      if (c.close.byClient) {
        // Wait for the expected events (or for them to become impossible), then close.
        const settled = () =>
          !conn.open || sameEvents(conn.events, c.ok) ||
          (c.nonStrict !== undefined && sameEvents(conn.events, c.nonStrict)) ||
          !(sameEvents(conn.events, c.ok, true) ||
            (c.nonStrict !== undefined && sameEvents(conn.events, c.nonStrict, true)));
        await conn.waitFor(settled, c.ok.length > 0 ? remaining() : 0);
        stepsMs = performance.now() - t0;
        if (conn.open) conn.sendClose(1000);
      } else {
        await conn.flushed();
        const failed = await conn.waitFor(() => serverEnded(conn), options.waitMs);
        stepsMs = performance.now() - t0;
        if (!failed) serverNeverFailed = true;
      }
      // After the closing handshake the server should end TCP first (RFC 6455 §7.1.1).
      if (!serverNeverFailed) {
        await conn.waitFor(() => !conn.tcpOpen, options.closeTimeoutMs);
      }
    } finally {
      clearTimeout(timer);
      conn.drop();
      await conn.reading;
    }
    const verdict = judge(c, { events: conn.events, close: conn.close, serverNeverFailed });
    return {
      ...base,
      ...verdict,
      durationMs: performance.now() - started,
      rate: verdict.behavior === "OK" ? formatRate(c, stepsMs) : undefined,
      extension: conn.deflate?.response,
    };
  } finally {
    conn.drop();
    await conn.reading;
  }
}
