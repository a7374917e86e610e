/**
 * Close codes (RFC 6455 §7.4, the IANA "WebSocket Close Code Number Registry") and the
 * close frame's payload: a 2-byte code and a UTF-8 reason of at most 123 bytes, so the
 * whole payload fits a control frame's 125.
 *
 * @module
 */

/** Normal closure. */
export const CLOSE_NORMAL = 1000;
/** The endpoint is going away: a server shutting down, a page navigated away. */
export const CLOSE_GOING_AWAY = 1001;
/** The peer broke the protocol. */
export const CLOSE_PROTOCOL_ERROR = 1002;
/** Reported when a close frame carried no code; never sent. */
export const CLOSE_NO_STATUS = 1005;
/** Reported when the connection closed without a close frame; never sent. */
export const CLOSE_ABNORMAL = 1006;
/** A text message was not UTF-8, or compressed data was corrupt. */
export const CLOSE_INVALID_DATA = 1007;
/** A message exceeded maxPayload. */
export const CLOSE_TOO_BIG = 1009;

/** Longest close reason in UTF-8 bytes (125 minus the code's 2). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Whether `code` may appear in a close frame: 1000-1003 and 1007-1014 (1012-1014 added
 * by IANA), and 3000-4999 (libraries, frameworks and applications). 1004 is reserved;
 * 1005, 1006 and 1015 are for reporting only; 1016-2999 are unassigned.
 *
 * @param code The code from a frame (or to put in one).
 * @returns True when the code is allowed on the wire.
 */
export function isWireCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/**
 * Whether an application may pass `code` to `close()`: 1000 or 3000-4999, as the WHATWG
 * WebSocket standard allows (other codes belong to the protocol).
 *
 * @param code The code given to `close()`.
 * @returns True when allowed.
 */
export function isApplicationCloseCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}

const encoder = new TextEncoder();

/**
 * The payload of a close frame: empty when `code` is undefined, else the code and the
 * reason (which the caller has checked is at most 123 bytes).
 *
 * @param code The close code, or undefined for an empty close frame.
 * @param reason The reason, UTF-8 encoded; cut at a code point to fit 123 bytes.
 * @returns The payload bytes.
 */
export function closePayload(code: number | undefined, reason: Uint8Array | string): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const bytes = typeof reason === "string" ? encoder.encode(reason) : reason;
  let length = Math.min(bytes.length, MAX_CLOSE_REASON_BYTES);
  // A reason cut short must not end inside a code point (the peer would fail with 1007).
  if (length < bytes.length) { while (length > 0 && (bytes[length] & 0xc0) === 0x80) length--; }
  const payload = new Uint8Array(2 + length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(bytes.subarray(0, length), 2);
  return payload;
}

/**
 * Checks `close(code, reason)` as the WHATWG standard does: the code is converted as an
 * IDL `[Clamp] unsigned short` and must be 1000 or 3000-4999; the reason is a
 * USVString of at most 123 UTF-8 bytes; a reason without a code means 1000.
 *
 * @param code The code given.
 * @param reason The reason given.
 * @returns The code (undefined for none) and the reason.
 */
export function checkClose(code: unknown, reason: unknown): [number | undefined, string] {
  let closeCode: number | undefined = undefined;
  if (code !== undefined) {
    closeCode = clampUnsignedShort(code);
    if (!isApplicationCloseCode(closeCode)) {
      throw new DOMException(
        `The close code must be either 1000 or in the range of 3000 to 4999, got ${closeCode}`,
        "InvalidAccessError",
      );
    }
  }
  let closeReason = "";
  if (reason !== undefined) {
    closeReason = String(reason).toWellFormed();
    if (encoder.encode(closeReason).length > MAX_CLOSE_REASON_BYTES) {
      throw new DOMException(
        `The close reason must be at most ${MAX_CLOSE_REASON_BYTES} bytes of UTF-8`,
        "SyntaxError",
      );
    }
  }
  if (closeCode === undefined && closeReason !== "") closeCode = 1000;
  return [closeCode, closeReason];
}

/** WebIDL's [Clamp] unsigned short: clamp to 0-65535, round half to even, NaN is 0. */
function clampUnsignedShort(value: unknown): number {
  let x = Number(value);
  if (Number.isNaN(x)) return 0;
  x = Math.min(Math.max(x, 0), 65535);
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
