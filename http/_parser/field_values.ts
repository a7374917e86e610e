// Byte-level readers for the header fields that decide message framing and connection
// handling (RFC 9112 §6, §9.3, RFC 9110 §7.6.1, §8.6, §10.1.1). They read field values
// straight from the parser's bytes; nothing here allocates on the normal path.

import { isOws, owsEnd } from "../_codec/ows.ts";
import { LOWER, TOKEN } from "./char_class.ts";

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const CHUNKED = ascii("chunked");
const CLOSE = ascii("close");
const KEEP_ALIVE = ascii("keep-alive");
const UPGRADE = ascii("upgrade");
const CONTINUE = ascii("100-continue");
// Transfer codings registered by RFC 9112 §7 / IANA that Wire recognises but does not decode.
const KNOWN_CODINGS: readonly Uint8Array[] = ["gzip", "x-gzip", "deflate", "compress", "x-compress"]
  .map(ascii);

/** Whether `bytes[start..end)` equals `lower` ignoring ASCII case (`lower` is lower-case). */
export function equalsIgnoreCase(
  bytes: Uint8Array,
  start: number,
  end: number,
  lower: Uint8Array,
): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if (LOWER[bytes[start + i]] !== lower[i]) return false;
  return true;
}

/** Content-Length value is empty. */
export const CL_EMPTY = -1;
/** Content-Length value holds a non-digit. */
export const CL_INVALID = -2;
/** Content-Length value is above Number.MAX_SAFE_INTEGER. */
export const CL_OVERFLOW = -3;

/**
 * Reads a Content-Length value (RFC 9110 §8.6: 1*DIGIT, surrounding OWS allowed):
 * the length, or {@linkcode CL_EMPTY}, {@linkcode CL_INVALID}, {@linkcode CL_OVERFLOW}.
 * A comma-separated list (even "42, 42") is refused as invalid.
 */
export function parseContentLength(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && isOws(bytes[start])) start++;
  end = owsEnd(bytes, start, end);
  if (start === end) return CL_EMPTY;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i] - 0x30;
    if (digit < 0 || digit > 9) return CL_INVALID;
    // Overflow check before the multiply: stay within safe integers (2^53 - 1).
    if (value > (Number.MAX_SAFE_INTEGER - digit) / 10) return CL_OVERFLOW;
    value = value * 10 + digit;
  }
  return value;
}

/** Offset of the first byte of a Content-Length value that is neither a digit nor OWS. */
export function firstNonDigit(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && isOws(bytes[start])) start++;
  const stop = owsEnd(bytes, start, end);
  for (let i = start; i < stop; i++) if (bytes[i] < 0x30 || bytes[i] > 0x39) return i;
  return stop;
}

/** Transfer-Encoding flag: the last coding of the field is chunked. */
export const TE_CHUNKED_LAST = 1;
/** Transfer-Encoding flag: chunked appears before another coding (or twice). */
export const TE_CHUNKED_NOT_LAST = 2;
/** Transfer-Encoding flag: a coding Wire does not know. */
export const TE_UNKNOWN = 4;
/** Transfer-Encoding flag: a known coding other than chunked (gzip, deflate, ...). */
export const TE_OTHER = 8;
/** Transfer-Encoding flag: the field lists no coding at all. */
export const TE_EMPTY = 16;
/** Transfer-Encoding flag: an element is not a token (with optional parameters). */
export const TE_MALFORMED = 32;

/**
 * Reads the transfer-coding list of one Transfer-Encoding field (RFC 9112 §6.1,
 * `#transfer-coding`, parameters skipped) into `TE_*` flags.
 */
export function transferCodings(bytes: Uint8Array, start: number, end: number): number {
  let flags = 0;
  let any = false;
  let i = start;
  while (i < end) {
    // One list element: OWS token [params] OWS, up to "," or the end.
    while (i < end && isOws(bytes[i])) i++;
    if (i === end) break;
    if (bytes[i] === 0x2c) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < end && TOKEN[bytes[i]] === 1) i++;
    const nameEnd = i;
    if (nameEnd === nameStart) flags |= TE_MALFORMED;
    // Skip parameters and anything else up to the next comma; a non-token, non-";"
    // byte right after the name (e.g. "chunked  abc") makes the element malformed.
    while (i < end && isOws(bytes[i])) i++;
    if (i < end && bytes[i] !== 0x2c && bytes[i] !== 0x3b) flags |= TE_MALFORMED;
    while (i < end && bytes[i] !== 0x2c) i++;
    if (any && (flags & TE_CHUNKED_LAST) !== 0) flags |= TE_CHUNKED_NOT_LAST;
    flags &= ~TE_CHUNKED_LAST;
    any = true;
    if (equalsIgnoreCase(bytes, nameStart, nameEnd, CHUNKED)) {
      flags |= TE_CHUNKED_LAST;
    } else {
      let known = false;
      for (const coding of KNOWN_CODINGS) {
        if (equalsIgnoreCase(bytes, nameStart, nameEnd, coding)) known = true;
      }
      flags |= known ? TE_OTHER : TE_UNKNOWN;
    }
  }
  return any ? flags : flags | TE_EMPTY;
}

/** Connection option flag: `close`. */
export const OPTION_CLOSE = 1;
/** Connection option flag: `keep-alive`. */
export const OPTION_KEEP_ALIVE = 2;
/** Connection option flag: `upgrade`. */
export const OPTION_UPGRADE = 4;

/** Reads the connection options of a Connection field (RFC 9110 §7.6.1) into `OPTION_*` flags. */
export function connectionOptions(bytes: Uint8Array, start: number, end: number): number {
  let flags = 0;
  let i = start;
  while (i < end) {
    while (i < end && (isOws(bytes[i]) || bytes[i] === 0x2c)) i++;
    const tokenStart = i;
    while (i < end && bytes[i] !== 0x2c) i++;
    const tokenEnd = owsEnd(bytes, tokenStart, i);
    switch (tokenEnd - tokenStart) {
      case 5:
        if (equalsIgnoreCase(bytes, tokenStart, tokenEnd, CLOSE)) flags |= OPTION_CLOSE;
        break;
      case 7:
        if (equalsIgnoreCase(bytes, tokenStart, tokenEnd, UPGRADE)) flags |= OPTION_UPGRADE;
        break;
      case 10:
        if (equalsIgnoreCase(bytes, tokenStart, tokenEnd, KEEP_ALIVE)) flags |= OPTION_KEEP_ALIVE;
        break;
    }
  }
  return flags;
}

/** Whether an Expect field value is `100-continue` (RFC 9110 §10.1.1), ignoring case and OWS. */
export function isContinue(bytes: Uint8Array, start: number, end: number): boolean {
  while (start < end && isOws(bytes[start])) start++;
  return equalsIgnoreCase(bytes, start, owsEnd(bytes, start, end), CONTINUE);
}
