/**
 * `streamSSE()`: a `text/event-stream` Response fed by a callback (Hono's `streamSSE`),
 * for bare `serve()` handlers and middleware alike.
 *
 * @module
 */

import { formatServerSentEvent, type ServerSentEventMessage } from "./server_sent_event_stream.ts";

/**
 * How often an idle stream sends a comment line: the HTML standard suggests one "every
 * 15 seconds or so" so that proxies do not time the connection out (§9.2.7).
 */
export const DEFAULT_SSE_KEEP_ALIVE = 15_000;

/**
 * Bytes the stream buffers before `write()` waits for the client to read (backpressure).
 */
export const DEFAULT_SSE_BUFFER_BYTES = 64 * 1024;

/** The writer a {@linkcode streamSSE} callback gets. */
export interface SSEStream {
  /**
   * The request's `Last-Event-ID` (the `id` of the last event a reconnecting
   * `EventSource` received), or undefined on a first connection.
   */
  readonly lastEventId: string | undefined;
  /** Aborts when the stream closes: the client left, the callback ended, or `close()`. */
  readonly signal: AbortSignal;
  /** Whether the stream has closed; writes after that do nothing. */
  readonly closed: boolean;
  /**
   * Sends one event. Resolves at once while the buffer has room, and otherwise when the
   * client has read enough (so a slow client slows the writer instead of growing memory).
   *
   * @param message The event.
   * @returns When the event is buffered.
   */
  write(message: ServerSentEventMessage): Promise<void>;
  /**
   * Waits `ms` milliseconds, or less when the stream closes first.
   *
   * @param ms The delay.
   * @returns When the delay is over.
   */
  sleep(ms: number): Promise<void>;
  /** Ends the stream (the client's `EventSource` then reconnects after `retry`). */
  close(): void;
}

/** Options for {@linkcode streamSSE}. */
export interface StreamSSEOptions {
  /**
   * Milliseconds of silence after which a comment line (`:`) is sent; 0 sends none.
   *
   * @default {DEFAULT_SSE_KEEP_ALIVE}
   */
  keepAlive?: number;
  /**
   * A reconnection delay in milliseconds to send first (`retry:`).
   *
   * @default {not sent (browsers wait about 3 s)}
   */
  retry?: number;
  /** More response headers (the event-stream type and `cache-control: no-cache` are set). */
  headers?: HeadersInit;
  /**
   * Called when the callback throws; may still write (an `error` event, say) before the
   * stream closes.
   *
   * @default {logs the error with console.error}
   */
  onError?: (error: unknown, stream: SSEStream) => void | Promise<void>;
}

const encoder = new TextEncoder();
const KEEP_ALIVE_LINE = ":\n\n";

/**
 * Answers with a stream of server-sent events: `run` gets an {@linkcode SSEStream} to
 * write events to, and the stream ends when `run` returns, when it calls `close()`, or
 * when the client goes away (`request.signal` aborts or the server cancels the body),
 * which also aborts `stream.signal` so `run` can stop its work. An idle stream sends a
 * comment every `keepAlive` ms. A HEAD request gets the headers and `run` is not called.
 *
 * @param source The request, or anything with a `request` (a Context).
 * @param run Writes the events.
 * @param options Keep-alive, retry, headers, error hook.
 * @returns The `text/event-stream` response to return.
 *
 * @example Three events, resuming after Last-Event-ID
 * ```ts
 * import { streamSSE } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const handler = (request: Request) =>
 *   streamSSE(request, async (stream) => {
 *     for (let id = Number(stream.lastEventId ?? 0) + 1; id <= 3; id++) {
 *       await stream.write({ id, event: "count", data: `tick ${id}` });
 *     }
 *   });
 * const response = handler(new Request("http://localhost/", { headers: { "last-event-id": "1" } }));
 * assert.equal(response.headers.get("content-type"), "text/event-stream");
 * assert.equal(
 *   await response.text(),
 *   "event: count\nid: 2\ndata: tick 2\n\nevent: count\nid: 3\ndata: tick 3\n\n",
 * );
 * ```
 */
export function streamSSE(
  source: Request | { readonly request: Request },
  run: (stream: SSEStream) => void | Promise<void>,
  options: StreamSSEOptions = {},
): Response {
  const request = source instanceof Request ? source : source?.request;
  if (!(request instanceof Request)) {
    throw new TypeError("Cannot stream events: expected a Request or a { request } context");
  }
  if (typeof run !== "function") {
    throw new TypeError("Cannot stream events: run must be a function");
  }
  const keepAlive = options.keepAlive ?? DEFAULT_SSE_KEEP_ALIVE;
  if (!Number.isFinite(keepAlive) || keepAlive < 0) {
    throw new RangeError(`Cannot stream events: keepAlive ${keepAlive} is not a delay in ms`);
  }
  const headers = new Headers(options.headers);
  headers.set("content-type", "text/event-stream");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-cache");
  if (request.method === "HEAD") return new Response(null, { headers });
  const first = options.retry === undefined
    ? null
    : formatServerSentEvent({ retry: options.retry });

  const writer = new Writer(request, keepAlive);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      writer.attach(controller);
      if (first !== null && !writer.closed) controller.enqueue(encoder.encode(first));
    },
    pull() {
      writer.drained();
    },
    cancel() {
      writer.close();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: DEFAULT_SSE_BUFFER_BYTES }));
  const onError = options.onError;
  Promise.resolve().then(() => run(writer)).then(
    () => writer.close(),
    async (error) => {
      try {
        if (onError !== undefined) await onError(error, writer);
        else console.error("Error in streamSSE callback:", error);
      } catch (inner) {
        console.error("Error in streamSSE onError:", inner);
      }
      writer.close();
    },
  );
  return new Response(body, { headers });
}

class Writer implements SSEStream {
  readonly lastEventId: string | undefined;
  #abort = new AbortController();
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined = undefined;
  #waiters: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #wrote = false;
  #onRequestAbort = () => this.close();
  #request: Request;

  constructor(request: Request, keepAlive: number) {
    this.#request = request;
    this.lastEventId = request.headers.get("last-event-id") ?? undefined;
    if (request.signal.aborted) {
      this.#abort.abort();
      return;
    }
    request.signal.addEventListener("abort", this.#onRequestAbort, { once: true });
    if (keepAlive > 0) this.#timer = setInterval(() => this.#keepAlive(), keepAlive);
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  attach(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#controller = controller;
    if (this.closed) controller.close();
  }

  drained(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  write(message: ServerSentEventMessage): Promise<void> {
    let text: string;
    try {
      text = formatServerSentEvent(message);
    } catch (error) {
      return Promise.reject(error);
    }
    const controller = this.#controller;
    if (this.closed || controller === undefined) return Promise.resolve();
    controller.enqueue(encoder.encode(text));
    this.#wrote = true;
    if ((controller.desiredSize ?? 1) > 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const signal = this.#abort.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  close(): void {
    if (this.closed) return;
    this.#abort.abort();
    clearInterval(this.#timer);
    this.#request.signal.removeEventListener("abort", this.#onRequestAbort);
    try {
      this.#controller?.close();
    } catch {
      // cancelled by the client already
    }
    this.drained();
  }

  #keepAlive(): void {
    const controller = this.#controller;
    if (!this.#wrote && controller !== undefined && (controller.desiredSize ?? 0) > 0) {
      controller.enqueue(encoder.encode(KEEP_ALIVE_LINE));
    }
    this.#wrote = false;
  }
}
