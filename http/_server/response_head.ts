/**
 * Response head encoding: the status line and header fields of a Web `Response` as one
 * latin1 string, then into a reused byte buffer with one `encodeInto`.
 *
 * Measured in bench/encode_head_bench.ts: `Headers.forEach` is several times cheaper than
 * `for..of` over a Headers (no entry arrays), and one string plus one `encodeInto` beats
 * encoding each field separately, so the head is built as a string and encoded once.
 *
 * @module
 */

import { statusText } from "../status.ts";
import { dateLine } from "../_codec/date.ts";
import { FRAME_CHUNKED, FRAME_LENGTH } from "../_codec/framing.ts";

/** No `connection` field: HTTP/1.1 keep-alive is the default. */
export const CONNECTION_DEFAULT = 0;
/** `connection: close`: the server closes after this response. */
export const CONNECTION_CLOSE = 1;
/** `connection: keep-alive`: persistence opted into by an HTTP/1.0 client. */
export const CONNECTION_KEEP_ALIVE = 2;
/** `connection: upgrade`: a 101 switching to the protocol its `upgrade` field names. */
export const CONNECTION_UPGRADE = 3;

/**
 * What the scan of a response's header fields fills in: the fields to copy into the head,
 * and what it noted of the fields the server decides itself. The caller owns the record
 * (the encoder's `ResponseParts` is one) and reads it before the next scan.
 */
export interface HeadScan {
  /** The fields to copy, as `name: value\r\n` lines. */
  fields: string;
  /** The `content-length` the handler set; -1 if none or malformed. */
  length: number;
  /** Whether the handler asked for `connection: close`. */
  close: boolean;
  /** Whether the handler set its own `date`. */
  date: boolean;
  /**
   * Input, set before the scan: the body was decoded by a client (see
   * `_codec/decoded_body.ts`), so its `content-encoding` and `content-length` are dropped.
   */
  decoded: boolean;
}

/** Parses a decimal Content-Length value; -1 when it is not plain digits or too big. */
export function parseLength(value: string): number {
  const n = value.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Whether a Connection field value lists the `close` option (case-insensitive). */
function listsClose(value: string): boolean {
  return value.length >= 5 && value.toLowerCase().includes("close");
}

/**
 * Sorts one field into `scan`: copied into its field lines, or noted. The names the
 * server decides itself (Date, Connection, Keep-Alive, Content-Length, Transfer-Encoding,
 * and Content-Encoding of a decoded body) are recognised by length first, so ordinary
 * fields cost one switch.
 */
function sortField(scan: HeadScan, value: string, name: string): void {
  switch (name.length) {
    case 4:
      if (name === "date") scan.date = true;
      break;
    case 10:
      if (name === "connection") {
        if (listsClose(value)) scan.close = true;
        return;
      }
      // Hop-by-hop (RFC 9110 §7.6.1): the server manages its connections and says how
      // long it keeps them itself.
      if (name === "keep-alive") return;
      break;
    case 14:
      if (name === "content-length") {
        if (!scan.decoded) scan.length = parseLength(value);
        return;
      }
      break;
    case 16:
      if (scan.decoded && name === "content-encoding") return;
      break;
    case 17:
      // The server frames the body itself (RFC 9112 §6.1); a handler's value is dropped.
      if (name === "transfer-encoding") return;
      break;
  }
  scan.fields += name + ": " + value + "\r\n";
}

/**
 * The Headers.forEach callback: called with (value, name) and the record to fill as
 * `this` (forEach's thisArg), so no closure is made per response. Names from Headers
 * are lowercase.
 */
function collect(this: HeadScan, value: string, name: string): void {
  sortField(this, value, name);
}

function resetScan(scan: HeadScan): void {
  scan.fields = "";
  scan.length = -1;
  scan.close = false;
  scan.date = false;
}

/**
 * Collects the header fields of `headers` to copy into a response head into
 * `scan.fields`, leaving out Content-Length, Transfer-Encoding and Connection (the server
 * decides those) and noting them in `scan`.
 *
 * @param headers The response's headers.
 * @param scan The record to fill (every field of it is overwritten).
 */
export function scanHeaders(headers: Headers, scan: HeadScan): void {
  resetScan(scan);
  headers.forEach(collect, scan);
}

/**
 * Like {@linkcode scanHeaders} for a list of `[name, value]` pairs whose names may be in
 * any case (already validated as field names and values).
 *
 * @param list The pairs, in order.
 * @param scan The record to fill (every field of it is overwritten).
 */
export function scanHeaderList(
  list: readonly (readonly [string, string])[],
  scan: HeadScan,
): void {
  resetScan(scan);
  for (let i = 0; i < list.length; i++) {
    const pair = list[i];
    const name = pair[0];
    const n = name.length;
    sortField(
      scan,
      pair[1],
      n === 4 || n === 10 || n === 14 || n === 17 || (n === 16 && scan.decoded)
        ? name.toLowerCase()
        : name,
    );
  }
}

const statusLines: string[] = [];

/** `HTTP/1.1 <code> <reason>\r\n`, cached per code for the standard reason phrase. */
export function statusLine(status: number, reason: string): string {
  if (reason === "") {
    const cached = statusLines[status];
    if (cached !== undefined) return cached;
    const line = "HTTP/1.1 " + status + " " + statusText(status) + "\r\n";
    statusLines[status] = line;
    return line;
  }
  return "HTTP/1.1 " + status + " " + reason + "\r\n";
}

/**
 * The whole response head as a latin1 string: status line, the copied fields, `date`
 * (unless the handler set one), the framing field and the connection field, and the
 * empty line.
 *
 * @param status The status code.
 * @param reason The reason phrase; "" for the standard one.
 * @param fieldLines Copied fields from {@linkcode scanHeaders}.
 * @param framing One of the FRAME_ constants.
 * @param length The body length for FRAME_LENGTH.
 * @param connection One of the CONNECTION_ constants.
 * @param hasDate Whether the handler set its own `date`.
 * @param now The current time in epoch milliseconds (for the cached Date).
 * @param keepAliveLine Added when the connection stays open: `keep-alive: timeout=N\r\n`
 * (the idle time left to the client, which load balancers and clients read), or "".
 * @returns The head text.
 */
export function headText(
  status: number,
  reason: string,
  fieldLines: string,
  framing: number,
  length: number,
  connection: number,
  hasDate: boolean,
  now: number,
  keepAliveLine: string,
): string {
  let head = statusLine(status, reason) + fieldLines;
  if (!hasDate) head += dateLine(now);
  if (framing === FRAME_LENGTH) head += "content-length: " + length + "\r\n";
  else if (framing === FRAME_CHUNKED) head += "transfer-encoding: chunked\r\n";
  if (connection === CONNECTION_CLOSE) return head + "connection: close\r\n\r\n";
  if (connection === CONNECTION_UPGRADE) return head + "connection: upgrade\r\n\r\n";
  if (connection === CONNECTION_KEEP_ALIVE) head += "connection: keep-alive\r\n";
  return head + keepAliveLine + "\r\n";
}

/**
 * The `keep-alive: timeout=N` line for a server whose idle connections close after
 * `keepAliveTimeout` ms: whole seconds, rounded down, as node:http sends it.
 *
 * @param keepAliveTimeout The server's keep-alive timeout in milliseconds.
 * @returns The field line.
 */
export function keepAliveLine(keepAliveTimeout: number): string {
  return "keep-alive: timeout=" + Math.floor(keepAliveTimeout / 1000) + "\r\n";
}
