/**
 * The `logger()` middleware: an access log in the common, combined or JSON format,
 * written in batches off the request path (koa-logger, morgan, Hono's `logger`).
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import { HttpError } from "../http/http_error.ts";
import { type AccessLogEntry, combinedLine, commonLine, jsonLine } from "./_access_log_format.ts";

export type { AccessLogEntry };

/** How long lines wait before they are written together: 100 ms. */
export const DEFAULT_LOG_FLUSH_INTERVAL = 100;
/** A batch this large is written at once, without waiting: 64 KiB. */
export const DEFAULT_LOG_BATCH_BYTES = 64 * 1024;

/**
 * A log format: `"common"` (CLF), `"combined"` (CLF plus referer and user agent),
 * `"json"` (one object per line), or a function from an {@linkcode AccessLogEntry} to a
 * line.
 */
export type AccessLogFormat = "common" | "combined" | "json" | ((entry: AccessLogEntry) => string);

/** Options for {@linkcode logger}. */
export interface LoggerOptions {
  /**
   * The line format.
   *
   * @default {"combined"}
   */
  format?: AccessLogFormat;
  /**
   * Where batches of lines go (each line ends with "\n"); awaited before the next batch.
   *
   * @default {writes to Deno.stdout}
   */
  write?: (text: string) => void | Promise<void>;
  /**
   * Milliseconds a line may wait to be batched with others.
   *
   * @default {DEFAULT_LOG_FLUSH_INTERVAL}
   */
  flushInterval?: number;
  /**
   * A batch of this many bytes is written without waiting for the interval.
   *
   * @default {DEFAULT_LOG_BATCH_BYTES}
   */
  maxBatchBytes?: number;
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

const encoder = new TextEncoder();

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
  const format = lineFormat(options.format ?? "combined");
  const interval = options.flushInterval ?? DEFAULT_LOG_FLUSH_INTERVAL;
  if (!Number.isFinite(interval) || interval < 0) {
    throw new RangeError(`Cannot create logger(): flushInterval ${interval} is not a delay in ms`);
  }
  const maxBatch = options.maxBatchBytes ?? DEFAULT_LOG_BATCH_BYTES;
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 0) {
    throw new RangeError(`Cannot create logger(): maxBatchBytes ${maxBatch} is not a size`);
  }
  const skip = options.skip;
  // The common format has no referer or user agent: the request's headers stay unread.
  const withHeaders = options.format !== "common";
  const sink = new Batcher(
    options.write ?? stdoutWriter(),
    (record) => format(record.entry(withHeaders)),
    interval,
    maxBatch,
  );

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
class LogRecord {
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
  #sink: Batcher;

  // deno-lint-ignore no-explicit-any
  constructor(ctx: Context<any, any>, sink: Batcher) {
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
    this.error = reasonOf(error);
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
      remoteAddress: addressOf(this.remoteAddr),
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

function addressOf(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") return addr.hostname;
  return "path" in addr && addr.path !== "" ? addr.path : "-";
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const reason = cause ?? error;
  if (reason instanceof Error || reason instanceof DOMException) {
    return reason.message.replace(/^Request aborted: /, "");
  }
  return String(reason);
}

function lineFormat(format: AccessLogFormat): (entry: AccessLogEntry) => string {
  if (typeof format === "function") return format;
  if (format === "common") return commonLine;
  if (format === "combined") return combinedLine;
  if (format === "json") return jsonLine;
  throw new TypeError(
    `Cannot create logger(): format must be "common", "combined", "json" or a function, got ${
      JSON.stringify(format)
    }`,
  );
}

function stdoutWriter(): (text: string) => Promise<void> {
  return async (text) => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
  };
}

/** Entries waiting to be formatted and written, one batch at a time. */
class Batcher {
  #write: (text: string) => void | Promise<void>;
  #format: (record: LogRecord) => string;
  #interval: number;
  #maxBatch: number;
  #entries: LogRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #writing: Promise<void> = Promise.resolve();
  #reported = false;

  constructor(
    write: (text: string) => void | Promise<void>,
    format: (record: LogRecord) => string,
    interval: number,
    maxBatch: number,
  ) {
    this.#write = write;
    this.#format = format;
    this.#interval = interval;
    this.#maxBatch = maxBatch;
  }

  add(record: LogRecord): void {
    this.#entries.push(record);
    // An entry is a few hundred bytes; counting entries keeps the hot path free of strings.
    if (this.#entries.length * 200 >= this.#maxBatch) {
      this.flush();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.#interval);
    }
  }

  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const entries = this.#entries;
    if (entries.length === 0) return this.#writing;
    this.#entries = [];
    // One write at a time, in order; a failing sink is reported once and skipped.
    this.#writing = this.#writing.then(async () => {
      let text = "";
      for (const record of entries) text += this.#format(record) + "\n";
      try {
        await this.#write(text);
      } catch (error) {
        if (!this.#reported) console.error("logger(): cannot write the access log:", error);
        this.#reported = true;
      }
    });
    return this.#writing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
