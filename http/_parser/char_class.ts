/**
 * 256-entry byte tables for the HTTP/1.1 parser (RFC 9110 §5.6.2, RFC 9112), built once:
 * one indexed load per byte says whether it may appear where the parser is.
 *
 * @module
 */

function table(fill: (byte: number) => number): Uint8Array {
  const out = new Uint8Array(256);
  for (let b = 0; b < 256; b++) out[b] = fill(b);
  return out;
}

const TCHAR_EXTRA = "!#$%&'*+-.^_`|~";

/** 1 for tchar (RFC 9110 §5.6.2): letters, digits and ``!#$%&'*+-.^_`|~``. */
export const TOKEN: Uint8Array = table((b) =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ||
    TCHAR_EXTRA.includes(String.fromCharCode(b))
    ? 1
    : 0
);

/**
 * 1 for bytes allowed inside a field value or reason phrase: HTAB, SP, VCHAR and obs-text
 * (RFC 9110 §5.5). CR, LF, NUL, the other controls and DEL are 0.
 */
export const VALUE: Uint8Array = table((b) => b === 0x09 || (b >= 0x20 && b !== 0x7f) ? 1 : 0);

/**
 * {@linkcode VALUE} for the lenient header modes: also the control characters and DEL,
 * but never NUL, CR or LF.
 */
export const VALUE_LENIENT: Uint8Array = table((b) =>
  b === 0x00 || b === 0x0a || b === 0x0d ? 0 : 1
);

/**
 * 1 for bytes allowed in a request-target: visible ASCII (0x21-0x7e). RFC 3986 is
 * narrower, but browsers send `|`, `{`, `}`, `^`, `"` and `#` unescaped in real requests
 * (the WHATWG URL percent-encode sets leave them), so only controls, SP, DEL and
 * non-ASCII bytes are refused.
 */
export const URL_CHAR: Uint8Array = table((b) => b > 0x20 && b < 0x7f ? 1 : 0);

/** Hex digit value of a byte, or {@linkcode NOT_HEX}. */
export const HEX_VALUE: Uint8Array = table((b) =>
  b >= 0x30 && b <= 0x39
    ? b - 0x30
    : b >= 0x41 && b <= 0x46
    ? b - 0x37
    : b >= 0x61 && b <= 0x66
    ? b - 0x57
    : 0xff
);

/** Sentinel in {@linkcode HEX_VALUE} for a byte that is not a hex digit. */
export const NOT_HEX = 0xff;

/** ASCII lower-case of a byte (other bytes map to themselves). */
export const LOWER: Uint8Array = table((b) => b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
