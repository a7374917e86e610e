/**
 * What follows a head: the body's framing (RFC 9112 §6.3), whether the connection stays
 * open, and whether the message switches protocols. One small pure function, decided
 * once per message from the facts the field readers gathered, as llhttp's
 * `llhttp__after_headers_complete`, so the byte loop never needs to know the rules.
 *
 * @module
 */

import { FRAME_CHUNKED, FRAME_CLOSE, FRAME_LENGTH, FRAME_NONE } from "../_codec/framing.ts";
import type { ParseErrorCode } from "../parse_error.ts";
import {
  OPTION_CLOSE,
  OPTION_KEEP_ALIVE,
  OPTION_UPGRADE,
  TE_CHUNKED_NOT_LAST,
  TE_MALFORMED,
  TE_OTHER,
  TE_UNKNOWN,
} from "./field_values.ts";
import type { HeadFacts } from "./head_facts.ts";

/** Mask of a non-negative outcome's low bits: the body's FRAME_* (_codec/framing.ts). */
export const FRAMING_FRAME = 3;
/** Outcome flag: the connection stays open after this message. */
export const FRAMING_KEEP_ALIVE = 4;
/** Outcome flag: CONNECT, an Upgrade request, or a 101: the parser reports PARSE_UPGRADE. */
export const FRAMING_UPGRADE = 8;
/** Outcome flag: a 1xx response other than 101: the final response's head follows. */
export const FRAMING_INTERIM = 16;

/** Error outcome: Content-Length together with Transfer-Encoding (RFC 9112 §6.1). */
export const FRAMING_LENGTH_WITH_CODING = -1;
/** Error outcome: Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1). */
export const FRAMING_CODING_ON_HTTP10 = -2;
/** Error outcome: a request's Transfer-Encoding does not end in one chunked coding. */
export const FRAMING_NOT_CHUNKED = -3;
/** Error outcome: a request's Transfer-Encoding has a coding Wire does not decode. */
export const FRAMING_UNSUPPORTED_CODING = -4;

/** How the parser reports an error outcome: its ParseError's code, status and message. */
export interface FramingError {
  /** The ParseError code. */
  readonly code: ParseErrorCode;
  /** The status a server answers with. */
  readonly status: number;
  /** The message (the parser appends "at offset N"). */
  readonly text: string;
}

/** The rejection of each error outcome, at index `-outcome - 1`. */
export const FRAMING_ERRORS: readonly FramingError[] = [
  {
    code: "UNEXPECTED_CONTENT_LENGTH",
    status: 400,
    text: "Cannot parse head: Content-Length together with Transfer-Encoding",
  },
  {
    code: "INVALID_TRANSFER_ENCODING",
    status: 400,
    text: "Cannot parse head: Transfer-Encoding in an HTTP/1.0 request",
  },
  {
    code: "INVALID_TRANSFER_ENCODING",
    status: 400,
    text: "Cannot parse head: Transfer-Encoding does not end in one chunked coding",
  },
  {
    code: "INVALID_TRANSFER_ENCODING",
    status: 501,
    text: "Cannot parse head: Transfer-Encoding has a coding other than chunked (not implemented)",
  },
];

/**
 * Decides what follows a complete head. Outcomes:
 *
 * - FRAME_NONE: no body, PARSE_END comes next (no framing field, Content-Length 0, a
 *   HEAD response or `expectNoBody`, 1xx, 204, 304, CONNECT, 101).
 * - FRAME_LENGTH: `facts.contentLength` bytes (RFC 9112 §6.3 rule 6).
 * - FRAME_CHUNKED: Transfer-Encoding ending in chunked (rule 4).
 * - FRAME_CLOSE: until the connection closes: a response without framing fields (rule 8)
 *   or with a Transfer-Encoding not ending in chunked (rule 4); a request only with the
 *   lenient flags. Never keep-alive.
 *
 * plus the FRAMING_KEEP_ALIVE, FRAMING_UPGRADE and FRAMING_INTERIM flags; or one of the
 * negative FRAMING_* errors (see {@linkcode FRAMING_ERRORS}), checked in this order:
 * Content-Length with Transfer-Encoding, then the request's codings.
 *
 * Keep-alive (RFC 9112 §9.3): HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with
 * `Connection: keep-alive`; a response framed by Transfer-Encoding on HTTP/1.0 closes
 * after (RFC 9112 §6.1: its framing is faulty). With lenient `chunkedLength` the
 * Content-Length of a message with Transfer-Encoding is ignored (the caller reports -1).
 *
 * @param facts The head's facts; not changed.
 * @returns The outcome.
 */
export function bodyFraming(facts: HeadFacts): number {
  const isRequest = facts.isRequest;
  const http11 = facts.http11;
  const conn = facts.connFlags;
  let keepAlive = (conn & OPTION_CLOSE) === 0 && (http11 || (conn & OPTION_KEEP_ALIVE) !== 0);

  // Framing, RFC 9112 §6.3.
  let frame = FRAME_NONE;
  if (facts.teSeen) {
    frame = codingFrame(facts);
    if (frame < 0) return frame;
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 response means faulty framing:
    // close after. (A request that far is HTTP/1.1 or lenient.)
    if (!http11 && !isRequest) keepAlive = false;
  } else if (facts.contentLength > 0) {
    frame = FRAME_LENGTH;
  } else if (facts.contentLength < 0 && !isRequest) {
    frame = FRAME_CLOSE;
  }

  let flags = 0;
  if (isRequest) {
    if (facts.connect) {
      flags = FRAMING_UPGRADE;
      frame = FRAME_NONE;
    } else if (facts.upgradeOption && (conn & OPTION_UPGRADE) !== 0 && facts.hasUpgradeHeader) {
      flags = FRAMING_UPGRADE;
    }
    if (facts.noBody) frame = FRAME_NONE;
  } else {
    const status = facts.status;
    if (status === 101) {
      flags = FRAMING_UPGRADE;
      frame = FRAME_NONE;
    } else if (status < 200) {
      flags = FRAMING_INTERIM;
      frame = FRAME_NONE;
    } else if (status === 204 || status === 304 || facts.noBody) {
      frame = FRAME_NONE;
    }
  }
  if (frame === FRAME_CLOSE) keepAlive = false;
  return keepAlive ? frame | flags | FRAMING_KEEP_ALIVE : frame | flags;
}

/**
 * The frame of a message with Transfer-Encoding (RFC 9112 §6.3 rules 3 and 4), or a
 * negative FRAMING_* error. Apart from {@linkcode bodyFraming} so that the common case,
 * without the field, stays small enough for V8 to inline into the parser.
 */
function codingFrame(facts: HeadFacts): number {
  if (facts.contentLength >= 0 && !facts.lenientChunkedLength) return FRAMING_LENGTH_WITH_CODING;
  const flags = facts.teFlags;
  const chunkedFinal = facts.teChunkedLast &&
    (flags & (TE_CHUNKED_NOT_LAST | TE_MALFORMED)) === 0;
  if (!facts.isRequest) return chunkedFinal ? FRAME_CHUNKED : FRAME_CLOSE;
  // A request: an HTTP/1.0 one may not use it; a body not ending in chunked has no
  // length a server can find (the lenient flags read it until the close).
  if (!facts.http11 && !facts.lenientTransferEncoding) return FRAMING_CODING_ON_HTTP10;
  if (chunkedFinal && (flags & (TE_UNKNOWN | TE_OTHER)) === 0) return FRAME_CHUNKED;
  if (facts.lenientTransferEncoding || facts.lenientChunkedLength) {
    return chunkedFinal ? FRAME_CHUNKED : FRAME_CLOSE;
  }
  return !chunkedFinal && (flags & TE_UNKNOWN) === 0
    ? FRAMING_NOT_CHUNKED
    : FRAMING_UNSUPPORTED_CODING;
}
