/**
 * The `logger()` middleware: an access log in the common, combined or JSON format,
 * written in batches off the request path (koa-logger, morgan, Hono's `logger`).
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import { HttpError } from "../http/http_error.ts";
import {
  type AccessLogEntry,
  type AccessLogOptions,
  type AccessLogRecord,
  AccessLogWriter,
  logAddress,
  logReason,
} from "../http/access_log.ts";

/** Options for {@linkcode logger}: the access log's, plus which requests to leave out. */
export interface LoggerOptions extends AccessLogOptions {
  /**
   * Leaves a request out of the log when it returns true (health checks, say).
   *
   * @default {log every request}
   */
  // deno-lint-ignore no-explicit-any
  skip?: (ctx: Context<any, any>) => boolean;
}

/** The middleware {@linkcode logger} returns, with control over its buffer. */
export interface AccessLogMiddleware<S extends object = Record<string, unknown>>
  extends Middleware<S>, AsyncDisposable {
  /**
   * Writes the lines waiting in the buffer now.
   *
   * @returns When they are written.
   */
  flush(): Promise<void>;
  /**
   * Writes what is waiting and stops the timer (for tests and shutdown: an open timer
   * keeps the test sanitizers unhappy). The middleware keeps logging after it.
   *
   * @returns When the buffer is written.
   */
  close(): Promise<void>;
}

/**
 * Logs every request once its response is delivered (`info.completed`), with the
 * status, the response's Content-Length (`-` when it has none; the server's own access
 * log counts the bytes it wrote), the time to delivery, the client's address, and, for
 * an exchange cut short, the reason (the client closed the connection, a timeout, a
 * shutdown). A thrown error is logged with its status (500 unless an `HttpError`) and
 * rethrown.
 *
 * The request path only keeps references and clock readings: headers are read and
 * lines formatted and written in batches every `flushInterval` ms (or at
 * `maxBatchBytes`), one write per batch. Put it first in the chain (after `requestId()`
 * to log the ID).
 *
 * @param options Format, sink, batching, skip.
 * @returns The middleware, with `flush()` and `close()`.
 *
 * @example Combined format into an array
 * ```ts
 * import { compose, logger } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = logger({ format: "combined", write: (text) => void lines.push(...text.trimEnd().split("\n")) });
 * const handler = compose(log, () => new Response("hi", { headers: { "content-length": "2" } }));
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * await handler(new Request("http://localhost/a?b=1", { headers: { "user-agent": "curl/8" } }), info);
 * await log.close();
 * assert.match(lines[0], /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/a\?b=1 HTTP\/1\.1" 200 2 "-" "curl\/8"$/);
 * ```
 */
export function logger<S extends object = Record<string, unknown>>(
  options: LoggerOptions = {},
): AccessLogMiddleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create logger(): options must be an object");
  }
  const skip = options.skip;
  const sink = new AccessLogWriter("logger()", options);

  const middleware = function logger(
    // deno-lint-ignore no-explicit-any
    ctx: Context<any, any>,
    next: Next,
  ): Promise<Response> {
    if (skip !== undefined && skip(ctx)) return next();
    const record = new LogRecord(ctx, sink);
    // The chain's own promise goes back untouched (no extra layer in the onion); the
    // record watches it from a side branch.
    const answer = next();
    answer.then(record.answered, record.threw);
    return answer;
  } as AccessLogMiddleware<S>;
  middleware.flush = () => sink.flush();
  middleware.close = () => sink.close();
  middleware[Symbol.asyncDispose] = () => sink.close();
  return middleware;
}

/**
 * What the request path records: references and numbers only. The request's method,
 * target and headers and the response's Content-Length are read when the batch is
 * formatted, off the request path (reading a response's headers early would also take
 * the server off its fast route for static bodies). The server keeps a request's header
 * list per request, so reading it later is safe.
 */
class LogRecord implements AccessLogRecord {
  readonly request: Request;
  readonly start: number;
  status = 0;
  response: Response | null = null;
  duration = 0;
  error: string | undefined = undefined;
  user: string | undefined = undefined;
  requestId: string | undefined = undefined;
  // deno-lint-ignore no-explicit-any
  #ctx: Context<any, any>;
  #sink: AccessLogWriter;

  // deno-lint-ignore no-explicit-any
  constructor(ctx: Context<any, any>, sink: AccessLogWriter) {
    this.request = ctx.request;
    this.start = performance.now();
    this.#ctx = ctx;
    this.#sink = sink;
  }

  get remoteAddr(): Deno.Addr {
    return this.#ctx.info.remoteAddr;
  }

  /** The chain answered: wait for the response to be delivered (or not). */
  answered = (response: Response): void => {
    this.#settle(response.status, response);
    this.#ctx.info.completed.then(this.delivered, this.failed);
  };

  /** The chain threw: its status (the caller answers it), logged now. */
  threw = (error: unknown): void => {
    this.#settle(error instanceof HttpError ? error.status : 500, null);
    this.duration = performance.now() - this.start;
    this.#sink.add(this);
  };

  delivered = (): void => {
    this.duration = performance.now() - this.start;
    this.#sink.add(this);
  };

  failed = (error: unknown): void => {
    this.duration = performance.now() - this.start;
    this.error = logReason(error);
    this.#sink.add(this);
  };

  #settle(status: number, response: Response | null): void {
    this.status = status;
    this.response = response;
    const state = this.#ctx.state as { username?: unknown; requestId?: unknown };
    if (typeof state.username === "string") this.user = state.username;
    if (typeof state.requestId === "string") this.requestId = state.requestId;
  }

  /** The entry formats read (`withHeaders`: with the referer and user agent). */
  entry(withHeaders: boolean): AccessLogEntry {
    const request = this.request;
    const url = request.url;
    const scheme = url.indexOf("://");
    const slash = scheme === -1 ? -1 : url.indexOf("/", scheme + 3);
    const headers = withHeaders ? request.headers : null;
    const length = this.response?.headers.get("content-length") ?? null;
    return {
      time: performance.timeOrigin + this.start,
      remoteAddress: logAddress(this.remoteAddr),
      method: request.method,
      url: slash === -1 ? "/" : url.slice(slash),
      protocol: "HTTP/1.1",
      status: this.status,
      bytes: length === null ? undefined : Number(length),
      duration: this.duration,
      referer: headers === null ? null : headers.get("referer"),
      userAgent: headers === null ? null : headers.get("user-agent"),
      user: this.user,
      requestId: this.requestId,
      error: this.error,
    };
  }
}
