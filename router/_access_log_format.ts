/**
 * Access log lines (internal): the Common Log Format, the Combined Log Format (NCSA /
 * Apache's `common` and `combined`), and one JSON object per line.
 *
 * @module
 */

/** One request, as `logger()` records it. */
export interface AccessLogEntry {
  /** When the request reached the logger, in ms since the epoch. */
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
  /** Milliseconds from the request reaching the logger to the response being delivered. */
  duration: number;
  /** The Referer header, or null. */
  referer: string | null;
  /** The User-Agent header, or null. */
  userAgent: string | null;
  /** The authenticated user (`ctx.state.username`), or undefined. */
  user: string | undefined;
  /** The request ID (`ctx.state.requestId`), or undefined. */
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
export function clfTime(ms: number): string {
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
export function commonLine(e: AccessLogEntry): string {
  return common(e) + earlyEnd(e);
}

/** The common line plus `"referer" "user-agent"`. */
export function combinedLine(e: AccessLogEntry): string {
  return common(e) + " " + quoted(e.referer) + " " + quoted(e.userAgent) + earlyEnd(e);
}

function common(e: AccessLogEntry): string {
  return e.remoteAddress + " - " + user(e.user) + " " + clfTime(e.time) + " " +
    quoted(e.method + " " + e.url + " " + e.protocol) + " " + e.status + " " +
    (e.bytes === undefined ? "-" : e.bytes);
}

/** One JSON object. */
export function jsonLine(e: AccessLogEntry): string {
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
