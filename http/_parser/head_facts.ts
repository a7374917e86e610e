/**
 * What a head's framing fields said, gathered while its field lines are read: the record
 * the body-framing decision (body_framing.ts) reads at the end of the head. One record
 * per parser, cleared per message, so reading a head allocates nothing for it.
 *
 * @module
 */

import { hex } from "./hex.ts";
import {
  CL_EMPTY,
  CL_OVERFLOW,
  connectionOptions,
  firstNonDigit,
  isContinue,
  OPTION_CLOSE,
  parseContentLength,
  TE_CHUNKED_LAST,
  TE_CHUNKED_NOT_LAST,
  TE_EMPTY,
  transferCodings,
} from "./field_values.ts";
import {
  H_CONNECTION,
  H_CONTENT_LENGTH,
  H_EXPECT,
  H_HOST,
  H_OTHER,
  H_PROXY_CONNECTION,
  H_TRANSFER_ENCODING,
  H_UPGRADE,
} from "./known_names.ts";
import { SPAN_FIELDS } from "./head_strings.ts";

/**
 * The inputs of `bodyFraming` (body_framing.ts): the parser's mode and options (set once), the
 * start line's facts (set by the parser at the end of each head) and what the framing
 * fields said (filled by {@linkcode readField}, cleared by {@linkcode HeadFacts.clear}).
 */
export class HeadFacts {
  /** Request mode; false for responses. */
  isRequest = true;
  /** The `upgrade` option: a request with `Connection: upgrade` and Upgrade is one. */
  upgradeOption = true;
  /** Lenient `chunkedLength`: Transfer-Encoding wins over Content-Length. */
  lenientChunkedLength = false;
  /** Lenient `transferEncoding`: a request body not ending in chunked runs to the close. */
  lenientTransferEncoding = false;

  /** HTTP/1.1 or later (keep-alive by default, Transfer-Encoding allowed). */
  http11 = false;
  /** The request method is CONNECT. */
  connect = false;
  /** The response status code; 0 in request mode. */
  status = 0;
  /** The caller said the message has no body (`expectNoBody`). */
  noBody = false;

  /** Content-Length, or -1 when the head has none. */
  contentLength = -1;
  /** A Transfer-Encoding field was present (even an empty one). */
  teSeen = false;
  /** TE_* flags of all Transfer-Encoding fields, without TE_CHUNKED_LAST. */
  teFlags = 0;
  /** The last coding of the last non-empty Transfer-Encoding field is chunked. */
  teChunkedLast = false;
  /** OPTION_* flags of the Connection (and Proxy-Connection `close`) fields. */
  connFlags = 0;
  /** An Upgrade field was present. */
  hasUpgradeHeader = false;
  /** An Expect field said `100-continue`. */
  expectContinue = false;

  /** Forgets what the previous message's fields said. */
  clear(): void {
    this.contentLength = -1;
    this.teSeen = false;
    this.teFlags = 0;
    this.teChunkedLast = false;
    this.connFlags = 0;
    this.hasUpgradeHeader = false;
    this.expectContinue = false;
  }
}

/**
 * Reads one framing field's value `src[start..end)` into `facts` (for a header kind other
 * than H_OTHER and H_HOST, which the parser counts itself).
 *
 * @param facts The record to fill.
 * @param kind The field's H_* kind.
 * @param src The bytes holding the value.
 * @param start First byte of the value.
 * @param end End (exclusive) of the value.
 * @returns "" when accepted, else the message of an INVALID_CONTENT_LENGTH (400)
 * rejection: the only field a single value can make invalid.
 */
export function readField(
  facts: HeadFacts,
  kind: number,
  src: Uint8Array,
  start: number,
  end: number,
): string {
  switch (kind) {
    case H_CONTENT_LENGTH: {
      const length = parseContentLength(src, start, end);
      if (length < 0) {
        return length === CL_EMPTY
          ? "Cannot parse Content-Length: empty value"
          : length === CL_OVERFLOW
          ? "Cannot parse Content-Length: larger than Number.MAX_SAFE_INTEGER"
          : `Cannot parse Content-Length: byte ${
            hex(src[firstNonDigit(src, start, end)])
          } is not a digit`;
      }
      if (facts.contentLength >= 0 && facts.contentLength !== length) {
        return `Cannot parse Content-Length: ${length} differs from an earlier ${facts.contentLength}`;
      }
      facts.contentLength = length;
      break;
    }
    case H_TRANSFER_ENCODING: {
      const flags = transferCodings(src, start, end);
      facts.teSeen = true;
      if ((flags & TE_EMPTY) === 0) {
        if (facts.teChunkedLast) facts.teFlags |= TE_CHUNKED_NOT_LAST;
        facts.teChunkedLast = (flags & TE_CHUNKED_LAST) !== 0;
        facts.teFlags |= flags & ~TE_CHUNKED_LAST;
      }
      break;
    }
    case H_CONNECTION:
      facts.connFlags |= connectionOptions(src, start, end);
      break;
    case H_PROXY_CONNECTION:
      facts.connFlags |= connectionOptions(src, start, end) & OPTION_CLOSE;
      break;
    case H_UPGRADE:
      facts.hasUpgradeHeader = true;
      break;
    case H_EXPECT:
      if (isContinue(src, start, end)) facts.expectContinue = true;
      break;
  }
  return "";
}

/**
 * Lenient headers: reads the framing fields of a complete head from their decoded values,
 * in order. The parser leaves them until then, because an obs-fold line (RFC 9112 §5.2)
 * may extend a value after its first line was read.
 *
 * @param facts The record to fill.
 * @param spans The head's recorded spans ({@linkcode SPAN_FIELDS} slots each).
 * @param count How many spans there are.
 * @param headers The head's fields, flat, with folded lines joined.
 * @returns "" or the message of an INVALID_CONTENT_LENGTH rejection, as {@linkcode readField}.
 */
export function readFoldedFields(
  facts: HeadFacts,
  spans: Int32Array,
  count: number,
  headers: string[],
): string {
  let field = 0;
  for (let i = 0; i < count; i++) {
    const kind = spans[i * SPAN_FIELDS + 4];
    if (spans[i * SPAN_FIELDS] < 0) continue;
    field++;
    if (kind === H_OTHER || kind === H_HOST) continue;
    const value = headers[field * 2 - 1];
    const bytes = Uint8Array.from(value, (c) => c.charCodeAt(0));
    const error = readField(facts, kind, bytes, 0, bytes.length);
    if (error !== "") return error;
  }
  return "";
}
