/**
 * One request/response exchange on a server connection: the request as parsed, the
 * answer to send, and how far writing it got.
 *
 * An exchange's answer moves through three states, each change made by one method:
 *
 * ```text
 *   PENDING ──respond(response)──▶ READY
 *      ▲                             │
 *      └─────────unsendable()────────┘  nothing of it was written: onError's turn (once)
 *
 *   PENDING or READY ──refuse(status), answerWith(status)──▶ SERVER_ANSWER
 *      the server answers itself; a Response the handler gives later is dropped
 * ```
 *
 * Every method that changes the answer wakes the writer waiting for this exchange, if
 * one is (`notify`). Independently of that, `abort` fires the request's signal, and
 * `complete` marks the response written.
 *
 * @module
 */

import type { OtelSpan } from "../_codec/telemetry.ts";
import type { LazyServeInfo } from "./serve_info.ts";
import type { UpgradeSlot } from "./upgrade.ts";
import type { BodySource } from "./body_source.ts";
import type { ResponseContext } from "./write_response.ts";
import { abortRequest } from "./request.ts";
import { errorResponse } from "./error_response.ts";
import { ignore } from "../_codec/ignore.ts";

/** The handler has not answered yet. */
export const EX_PENDING = 0;
/** `response` holds the handler's (or onError's) Response. */
export const EX_READY = 1;
/**
 * `response` holds the server's own answer (`errorResponse`): a limit, a timeout, a bad
 * request, or a 500 when the handler and onError both failed. Whatever the handler still
 * returns is dropped, and no 100 Continue precedes it.
 */
export const EX_SERVER_ANSWER = 2;

/** Whoever writes the responses: resumed when the exchange it waits for changes. */
export interface WriterWake {
  /** Called once per wait, when the awaited exchange changed (answered, failed, 100-continue due). */
  resumeWriter(): void;
}

/** One exchange: the request as parsed, the answer to send, and its progress. */
export class ServerExchange implements ResponseContext {
  /** The request given to the handler; null for an answer to a head that was refused. */
  request: Request | null = null;
  /** Aborts `request.signal` on the public route (null on the fast route). */
  controller: AbortController | null = null;
  /** `request.signal` may still abort: false once the exchange finished or was aborted. */
  live = false;
  /** The handler's second argument (null for a refused head). */
  info: LazyServeInfo | null = null;
  /** What to send, once `state` is not EX_PENDING. */
  response: Response | null = null;
  /** One of the EX_ states. */
  state: number = EX_PENDING;
  /** Request body source, or null when the request has none (or it is not exposed). */
  body: BodySource | null = null;
  /** The body is still arriving (or being discarded). */
  receiving = false;
  /** Bytes of a Content-Length body not yet received; -1 for chunked. */
  remaining = -1;
  /** Body bytes received so far. */
  received = 0;
  /** Body bytes thrown away (nobody read them). */
  discarded = 0;
  /** The handler's Response could not be sent once already (onError's turn). */
  retried = false;
  /** When the request's head began (epoch ms), for requestTimeout. */
  startedAt = 0;
  /** The request asked for `Expect: 100-continue`. */
  expectContinue = false;
  /** The handler read the body, so 100 Continue is due. */
  continueWanted = false;
  continueSent = false;
  /** The writer waits for this exchange: wake it on any change. */
  wake: WriterWake | null = null;
  /** The response has been fully written (or given up). */
  done = false;
  /** Counted, logged and traced as over (observe.ts's exchangeEnded ran). */
  ended = false;
  /** performance.now() when the handler was called; set only when logging or tracing. */
  startTime = 0;
  /** The OpenTelemetry server span, when tracing. */
  span: OtelSpan | null = null;

  // ResponseContext
  head = false;
  minor = 1;
  keepAlive = true;
  committed = false;
  reader: { cancel(reason?: unknown): Promise<void> } | null = null;
  peerGone = false;
  /** The request asked to switch protocols (an Upgrade request): its slot, else null. */
  upgrade: UpgradeSlot | null = null;
  /** The 101 of this exchange's upgrade is in the output. */
  switching = false;
  /** The connection was handed over to the upgrade's target. */
  switched = false;

  /** Wakes a writer waiting on this exchange. */
  notify(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      wake.resumeWriter();
    }
  }

  /**
   * The handler (or onError) answered: `response` is what to send.
   *
   * @param response The Response to write.
   */
  respond(response: Response): void {
    this.response = response;
    this.state = EX_READY;
    this.notify();
  }

  /**
   * The server answers with `status` itself and closes the connection after it (a limit,
   * a timeout, a request it cannot serve).
   *
   * @param status The status to answer (400, 408, 413, ...).
   */
  refuse(status: number): void {
    this.keepAlive = false;
    this.answerWith(status);
  }

  /**
   * The server answers with `status` itself; the connection may stay open (a 500 when the
   * handler and onError both failed, the request itself being fine).
   *
   * @param status The status to answer.
   */
  answerWith(status: number): void {
    this.response = errorResponse(status);
    this.state = EX_SERVER_ANSWER;
    this.notify();
  }

  /** The Response could not be sent (nothing of it was written): back to onError. */
  unsendable(): void {
    this.state = EX_PENDING;
    this.retried = true;
  }

  /** Aborts the request's signal with `reason`, if it is still live. */
  abort(reason: unknown): void {
    if (!this.live) return;
    this.live = false;
    abortRequest(this.request!, this.controller, reason);
    this.controller = null;
  }

  /** Every body byte arrived: the body stream, if any, closes. */
  endBody(): void {
    this.receiving = false;
    this.remaining = 0;
    this.body?.end();
  }

  /**
   * No more body bytes will come: the body stream, if any, errors with `reason`.
   *
   * @param reason What a reader of the body sees.
   */
  failBody(reason: unknown): void {
    this.receiving = false;
    this.body?.fail(reason);
  }

  /**
   * The response is written (or given up): the signal will not abort, `completed`
   * resolves. Returns whether the rest of the request body is now to be discarded
   * (nobody read it): then the connection must read on to drain it.
   *
   * @returns True when an unread body is to be discarded.
   */
  complete(): boolean {
    this.done = true;
    this.live = false;
    this.controller = null;
    this.info?.complete();
    const target = this.upgrade?.target;
    if (target && !this.switching) {
      // The handler took the upgrade but another response went out (onError's, a 500).
      target.fail(new TypeError("Cannot switch protocols: the response sent was not the 101"));
    }
    if (!this.receiving) return false;
    const body = this.body;
    if (body !== null && body.inUse) return false;
    // Nobody read the body: discard the rest (up to maxDrainBytes, else close).
    body?.discard();
    return true;
  }

  /**
   * The connection closed under this exchange: its signal aborts, its body and its
   * response stream are cancelled with `reason`, `completed` rejects (the response was
   * not delivered), and a waiting writer wakes to find the connection closed.
   *
   * @param reason Why (client gone, shutdown deadline, a write failed).
   */
  cutShort(reason: unknown): void {
    this.abort(reason);
    if (this.body !== null && this.receiving) this.body.fail(reason);
    this.reader?.cancel(reason).catch(ignore);
    this.info?.fail(reason);
    // The 101 was never sent: whatever was to take the connection over learns it.
    if (!this.switched) this.upgrade?.target?.fail(reason);
    this.notify();
  }
}
