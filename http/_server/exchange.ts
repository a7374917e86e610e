/**
 * One request/response exchange on a server connection, the `ServeInfo` handed to the
 * handler, and the reasons a request's `signal` is aborted with.
 *
 * @module
 */

import type { ServeInfo } from "../handler.ts";
import { HttpError } from "../http_error.ts";
import { statusText } from "../status.ts";
import type { BodySource } from "./body_source.ts";
import type { ResponseContext } from "./write_response.ts";
import { abortRequest } from "./request.ts";

/** The handler has not answered yet. */
export const EX_PENDING = 0;
/** `response` holds the handler's (or onError's) Response. */
export const EX_READY = 1;
/** The server answers with `errorStatus` itself, whatever the handler does. */
export const EX_ERROR = 2;

/**
 * `ServeInfo` with `completed` made on first use: most handlers never look at it, so no
 * promise is created per request unless one does.
 */
export class Info implements ServeInfo {
  readonly remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  #done = false;
  #promise: Promise<void> | null = null;
  #resolve: (() => void) | null = null;

  constructor(remoteAddr: Deno.NetAddr | Deno.UnixAddr) {
    this.remoteAddr = remoteAddr;
  }

  /** Resolves when the response has been written, or the exchange was cut short. */
  get completed(): Promise<void> {
    if (this.#promise === null) {
      this.#promise = this.#done
        ? Promise.resolve()
        : new Promise<void>((resolve) => (this.#resolve = resolve));
    }
    return this.#promise;
  }

  /** Marks the exchange complete. */
  complete(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#resolve !== null) this.#resolve();
  }
}

/** The client closed the connection (or it failed) before the exchange finished. */
export function clientClosedReason(): DOMException {
  return new DOMException("Request aborted: the client closed the connection", "AbortError");
}

/** A timeout (`headersTimeout` or `requestTimeout`) cut the request short. */
export function timeoutReason(name: string, ms: number): DOMException {
  return new DOMException(`Request aborted: ${name} of ${ms} ms elapsed`, "TimeoutError");
}

/** The server shut down (its deadline passed) before the exchange finished. */
export function shutdownReason(): DOMException {
  return new DOMException("Request aborted: the server is shutting down", "AbortError");
}

/** The request body went past `maxBodyBytes`. */
export function bodyLimitReason(limit: number): DOMException {
  return new DOMException(
    `Request aborted: the body exceeds maxBodyBytes (${limit} bytes)`,
    "AbortError",
  );
}

/** Whoever writes the responses: resumed when the exchange it waits for changes. */
export interface WriterWake {
  /** Called once per wait, when the awaited exchange changed (answered, failed, 100-continue due). */
  resumeWriter(): void;
}

/** One exchange: the request as parsed, the handler's answer, and its progress. */
export class Exchange implements ResponseContext {
  /** The request given to the handler; null for server-made error answers. */
  request: Request | null = null;
  /** Aborts `request.signal` on the public route (null on the fast route). */
  controller: AbortController | null = null;
  /** `request.signal` may still abort: false once the exchange finished or was aborted. */
  live = false;
  info: Info | null = null;
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

/** A short description of a value a handler returned instead of a Response. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `a ${typeof value}`;
}

/**
 * The error hook used when `serve` is given none: an HttpError becomes its own status
 * (its message shown when `expose`), anything else is logged and answered with 500.
 *
 * @param error What the handler threw (or the reason its Response was unusable).
 * @returns The response to send.
 */
export function defaultOnError(error: unknown): Response {
  if (error instanceof HttpError) {
    const body = error.expose ? error.message : statusText(error.status);
    const response = new Response(body, { status: error.status, headers: error.headers });
    return response;
  }
  console.error("Wire: the handler failed:", error);
  return new Response("Internal Server Error", { status: 500 });
}
