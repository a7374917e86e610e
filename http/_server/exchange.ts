/**
 * One request/response exchange on a server connection: the request as parsed, the
 * handler's answer, and how far writing it got.
 *
 * @module
 */

import type { LazyServeInfo } from "./serve_info.ts";
import type { BodySource } from "./body_source.ts";
import type { ResponseContext } from "./write_response.ts";
import { abortRequest } from "./request.ts";

/** The handler has not answered yet. */
export const EX_PENDING = 0;
/** `response` holds the handler's (or onError's) Response. */
export const EX_READY = 1;
/** The server answers with `errorStatus` itself, whatever the handler does. */
export const EX_ERROR = 2;

/** Whoever writes the responses: resumed when the exchange it waits for changes. */
export interface WriterWake {
  /** Called once per wait, when the awaited exchange changed (answered, failed, 100-continue due). */
  resumeWriter(): void;
}

/** One exchange: the request as parsed, the handler's answer, and its progress. */
export class ServerExchange implements ResponseContext {
  /** The request given to the handler; null for server-made error answers. */
  request: Request | null = null;
  /** Aborts `request.signal` on the public route (null on the fast route). */
  controller: AbortController | null = null;
  /** `request.signal` may still abort: false once the exchange finished or was aborted. */
  live = false;
  info: LazyServeInfo | null = null;
  response: Response | null = null;
  state: number = EX_PENDING;
  /** Status of a server-made answer (400, 408, 413, ...). */
  errorStatus = 0;
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

  // ResponseContext
  head = false;
  minor = 1;
  keepAlive = true;
  committed = false;
  reader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  /** Wakes a writer waiting on this exchange. */
  notify(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      wake.resumeWriter();
    }
  }

  /** Aborts the request's signal with `reason`, if it is still live. */
  abort(reason: unknown): void {
    if (!this.live) return;
    this.live = false;
    abortRequest(this.request!, this.controller, reason);
    this.controller = null;
  }
}
