/**
 * Access logs: the Common and Combined Log Formats (NCSA / Apache's `common` and
 * `combined`) and one JSON object per line, written in batches off the request path.
 * `serve({ accessLog })` and the `logger()` middleware share them.
 *
 * @module
 */

import { kindOf } from "./_codec/error_text.ts";

/**
 * How long lines wait before they are written together: 100 ms.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_LOG_FLUSH_INTERVAL } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LOG_FLUSH_INTERVAL, 100);
 * ```
 */
export const DEFAULT_LOG_FLUSH_INTERVAL = 100;
/**
 * A batch this large is written at once, without waiting: 64 KiB.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_LOG_BATCH_BYTES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LOG_BATCH_BYTES, 65536);
 * ```
 */
export const DEFAULT_LOG_BATCH_BYTES = 64 * 1024;

/**
 * One request as an access log records it (`serve({ accessLog })` and `logger()`).
 *
 * @example A custom line format reads the entry
 * ```ts
 * import type { AccessLogEntry } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const line = (e: AccessLogEntry) => `${e.method} ${e.url} ${e.status} ${e.duration.toFixed(1)}ms`;
 * assert.equal(line({
 *   time: 0, remoteAddress: "127.0.0.1", method: "GET", url: "/a", protocol: "HTTP/1.1",
 *   status: 200, bytes: 2, duration: 1.25, referer: null, userAgent: null, user: undefined,
 *   requestId: undefined, error: undefined,
 * }), "GET /a 200 1.3ms");
 * ```
 */
export interface AccessLogEntry {
  /** When the request began (its head was read, or it reached the logger), ms since the epoch. */
  time: number;
  /** The client's address (IP for TCP, the socket path or "-" for Unix sockets). */
  remoteAddress: string;
  /** The request method. */
  method: string;
  /** The request target: path and query. */
  url: string;
  /** The protocol, as in the request line. */
  protocol: string;
  /** The response status. */
  status: number;
  /** The response body's size from its Content-Length, or undefined when it has none. */
  bytes: number | undefined;
  /** Milliseconds from that moment to the response being delivered (or given up). */
  duration: number;
  /** The Referer header, or null. */
  referer: string | null;
  /** The User-Agent header, or null. */
  userAgent: string | null;
  /** The authenticated user (`ctx.state.username` for `logger()`), or undefined. */
  user: string | undefined;
  /** The request ID (`ctx.state.requestId` for `logger()`), or undefined. */
  requestId: string | undefined;
  /**
   * Why the exchange ended early (the client closed the connection, a timeout, a
   * shutdown, a body that failed), or undefined when the response was delivered.
   */
  error: string | undefined;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

// Lines of one batch mostly share their second: the last formatted one is reused.
let cachedSecond = NaN;
let cachedTime = "";

/** `[10/Oct/2000:13:55:36 +0000]`, the CLF time in UTC. */
function clfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === cachedSecond) return cachedTime;
  const d = new Date(second * 1000);
  cachedSecond = second;
  return cachedTime = `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${
    two(d.getUTCHours())
  }:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000]`;
}

// Quoted fields escape `"` and `\` and control bytes, as Apache does.
function quoted(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return '"-"';
  let out = '"';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x22 && c !== 0x5c && c >= 0x20 && c !== 0x7f) continue;
    out += value.slice(from, i) +
      (c === 0x22 || c === 0x5c ? "\\" + value[i] : "\\x" + c.toString(16).padStart(2, "0"));
    from = i + 1;
  }
  return out + value.slice(from) + '"';
}

function user(value: string | undefined): string {
  return value === undefined || value === "" ? "-" : value.replace(/[\s"\\]/g, "_");
}

/** `host ident user [time] "request" status bytes`. */
function commonLine(e: AccessLogEntry): string {
  return common(e) + earlyEnd(e);
}

/** The common line plus `"referer" "user-agent"`. */
function combinedLine(e: AccessLogEntry): string {
  return common(e) + " " + quoted(e.referer) + " " + quoted(e.userAgent) + earlyEnd(e);
}

function common(e: AccessLogEntry): string {
  return e.remoteAddress + " - " + user(e.user) + " " + clfTime(e.time) + " " +
    quoted(e.method + " " + e.url + " " + e.protocol) + " " + e.status + " " +
    (e.bytes === undefined ? "-" : e.bytes);
}

/** One JSON object. */
function jsonLine(e: AccessLogEntry): string {
  return JSON.stringify({
    time: new Date(e.time).toISOString(),
    remoteAddress: e.remoteAddress,
    method: e.method,
    url: e.url,
    protocol: e.protocol,
    status: e.status,
    bytes: e.bytes ?? null,
    duration: Math.round(e.duration * 1000) / 1000,
    referer: e.referer,
    userAgent: e.userAgent,
    user: e.user ?? null,
    requestId: e.requestId ?? null,
    error: e.error ?? null,
  });
}

// An exchange cut short gets its reason as one more quoted field at the end.
function earlyEnd(e: AccessLogEntry): string {
  return e.error === undefined ? "" : " " + quoted("ended early: " + e.error);
}

/**
 * A log format: `"common"` (CLF), `"combined"` (CLF plus referer and user agent),
 * `"json"` (one object per line), or a function from an {@linkcode AccessLogEntry} to a
 * line.
 *
 * @example Pick one
 * ```ts
 * import type { AccessLogFormat } from "@wire/http/http";
 *
 * const format: AccessLogFormat = "combined";
 * ```
 */
export type AccessLogFormat = "common" | "combined" | "json" | ((entry: AccessLogEntry) => string);

/**
 * Where and how an access log is written (`serve({ accessLog })`, `logger()`).
 *
 * @example JSON lines into an array
 * ```ts
 * import type { AccessLogOptions } from "@wire/http/http";
 *
 * const lines: string[] = [];
 * const options: AccessLogOptions = { format: "json", write: (text) => void lines.push(text) };
 * ```
 */
export interface AccessLogOptions {
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
}

/**
 * Something that becomes an {@linkcode AccessLogEntry} when its batch is written: the
 * request path only keeps references and clock readings; headers are read and lines
 * formatted later.
 *
 * @example An entry made in advance
 * ```ts
 * import type { AccessLogRecord } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const record: AccessLogRecord = {
 *   entry: () => ({
 *     time: 0, remoteAddress: "-", method: "GET", url: "/", protocol: "HTTP/1.1", status: 204,
 *     bytes: undefined, duration: 0, referer: null, userAgent: null, user: undefined,
 *     requestId: undefined, error: undefined,
 *   }),
 * };
 * assert.equal(record.entry(false).status, 204);
 * ```
 */
export interface AccessLogRecord {
  /**
   * The entry to format.
   *
   * @param withHeaders Whether the format reads the referer and user agent.
   * @returns The entry.
   */
  entry(withHeaders: boolean): AccessLogEntry;
}

const encoder = new TextEncoder();

/**
 * An access log: records go in on the request path, lines are formatted and written in
 * batches every `flushInterval` ms (or at `maxBatchBytes`), one write per batch, in
 * order. A sink that fails is reported once on the console and skipped.
 *
 * @example Log one entry and flush
 * ```ts
 * import { AccessLogWriter } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = new AccessLogWriter("accessLog", { format: "common", write: (t) => void lines.push(t) });
 * log.add({
 *   entry: () => ({
 *     time: Date.UTC(2026, 0, 2, 3, 4, 5), remoteAddress: "127.0.0.1", method: "GET", url: "/",
 *     protocol: "HTTP/1.1", status: 200, bytes: 2, duration: 1, referer: null, userAgent: null,
 *     user: undefined, requestId: undefined, error: undefined,
 *   }),
 * });
 * await log.close();
 * assert.equal(lines[0], '127.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "GET / HTTP/1.1" 200 2\n');
 * ```
 */
export class AccessLogWriter implements AsyncDisposable {
  #write: (text: string) => void | Promise<void>;
  #format: (entry: AccessLogEntry) => string;
  #withHeaders: boolean;
  #interval: number;
  #maxBatch: number;
  #records: AccessLogRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #writing: Promise<void> = Promise.resolve();
  #reported = false;

  /**
   * Checks the options.
   *
   * @param owner Names the option or function in error messages ("accessLog", "logger()").
   * @param options Format, sink and batching.
   */
  constructor(owner: string, options: AccessLogOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Cannot create ${owner}: options must be an object, got ${kindOf(options)}`,
      );
    }
    this.#format = lineFormat(owner, options.format ?? "combined");
    // The common format has no referer or user agent: the request's headers stay unread.
    this.#withHeaders = options.format !== "common";
    const interval = options.flushInterval ?? DEFAULT_LOG_FLUSH_INTERVAL;
    if (typeof interval !== "number" || !Number.isFinite(interval) || interval < 0) {
      throw new RangeError(
        `Cannot create ${owner}: flushInterval ${String(interval)} is not a delay in ms`,
      );
    }
    const maxBatch = options.maxBatchBytes ?? DEFAULT_LOG_BATCH_BYTES;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 0) {
      throw new RangeError(
        `Cannot create ${owner}: maxBatchBytes ${String(maxBatch)} is not a size`,
      );
    }
    const write = options.write;
    if (write !== undefined && typeof write !== "function") {
      throw new TypeError(`Cannot create ${owner}: write must be a function, got ${kindOf(write)}`);
    }
    this.#write = write ?? writeStdout;
    this.#interval = interval;
    this.#maxBatch = maxBatch;
  }

  /**
   * Queues a record; its line is written with the next batch.
   *
   * @param record What to log.
   */
  add(record: AccessLogRecord): void {
    this.#records.push(record);
    // An entry is a few hundred bytes; counting records keeps the hot path free of strings.
    if (this.#records.length * 200 >= this.#maxBatch) {
      this.flush();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onTimer, this.#interval);
    }
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    this.flush();
  };

  /**
   * Writes the queued lines now.
   *
   * @returns When they are written.
   */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const records = this.#records;
    if (records.length === 0) return this.#writing;
    this.#records = [];
    // One write at a time, in order.
    this.#writing = this.#writing.then(async () => {
      let text = "";
      for (const record of records) text += this.#format(record.entry(this.#withHeaders)) + "\n";
      try {
        await this.#write(text);
      } catch (error) {
        if (!this.#reported) console.error("Wire: cannot write the access log:", error);
        this.#reported = true;
      }
    });
    return this.#writing;
  }

  /**
   * Writes what is queued and stops the timer (for tests and shutdown); records added
   * later are still logged.
   *
   * @returns When the queue is written.
   */
  close(): Promise<void> {
    return this.flush();
  }

  /**
   * Same as {@linkcode AccessLogWriter.close}, for `await using`.
   *
   * @returns When the queue is written.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.flush();
  }
}

/**
 * The client's address as logs show it: the IP for TCP, the socket path (or "-") for
 * Unix sockets.
 *
 * @param addr The remote address.
 * @returns The text for the log's host field.
 *
 * @example An IPv6 peer
 * ```ts
 * import { logAddress } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(logAddress({ transport: "tcp", hostname: "::1", port: 5 }), "::1");
 * ```
 */
export function logAddress(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") return addr.hostname;
  return "path" in addr && addr.path !== "" ? addr.path : "-";
}

/**
 * Why an exchange ended early, for a log line: the message of the abort reason (or of
 * its cause), without the "Request aborted: " prefix.
 *
 * @param error What `completed` rejected with or the request's signal aborted with.
 * @returns A short text.
 *
 * @example A client that went away
 * ```ts
 * import { logReason } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(logReason(new Error("Request aborted: the client closed the connection")), "the client closed the connection");
 * ```
 */
export function logReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const reason = cause ?? error;
  if (reason instanceof Error || reason instanceof DOMException) {
    return reason.message.replace(/^Request aborted: /, "");
  }
  return String(reason);
}

/**
 * One line of `format` for `entry`, without the line end (for a sink of your own).
 *
 * @param entry The request to describe.
 * @param format `"common"`, `"combined"` or `"json"`.
 * @returns The line.
 *
 * @example The common format
 * ```ts
 * import { formatAccessLog } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const line = formatAccessLog({
 *   time: Date.UTC(2000, 9, 10, 13, 55, 36), remoteAddress: "127.0.0.1", method: "GET",
 *   url: "/a", protocol: "HTTP/1.0", status: 404, bytes: undefined, duration: 1,
 *   referer: null, userAgent: null, user: undefined, requestId: undefined, error: undefined,
 * }, "common");
 * assert.equal(line, '127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.0" 404 -');
 * ```
 */
export function formatAccessLog(
  entry: AccessLogEntry,
  format: "common" | "combined" | "json",
): string {
  return lineFormat("formatAccessLog", format)(entry);
}

function lineFormat(owner: string, format: AccessLogFormat): (entry: AccessLogEntry) => string {
  if (typeof format === "function") return format;
  if (format === "common") return commonLine;
  if (format === "combined") return combinedLine;
  if (format === "json") return jsonLine;
  throw new TypeError(
    `Cannot create ${owner}: format must be "common", "combined", "json" or a function, got ${
      JSON.stringify(format)
    }`,
  );
}

async function writeStdout(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}
