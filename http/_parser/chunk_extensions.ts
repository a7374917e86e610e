/**
 * The chunk-extension sub-machine (RFC 9112 §7.1.1): `*( BWS ";" BWS ext-name
 * [ BWS "=" BWS ext-value ] )` after a chunk size, validated and not kept (no caller reads
 * extensions). The parser's byte loop hands it the S_EXT_* states; it runs to the end of
 * the line or of the data and says where it stopped in a record the parser owns, so a
 * call allocates nothing. The parser counts the bytes against `maxChunkExtensionBytes`
 * and turns the negative outcomes into its errors.
 *
 * @module
 */

import { TOKEN, VALUE } from "./char_class.ts";
import {
  S_CHUNK_SIZE_LF,
  S_EXT_AFTER_NAME,
  S_EXT_AFTER_VALUE,
  S_EXT_BEFORE_NAME,
  S_EXT_BEFORE_VALUE,
  S_EXT_NAME,
  S_EXT_QUOTED,
  S_EXT_QUOTED_PAIR,
  S_EXT_VALUE,
} from "./state.ts";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;

/** Outcome: a bare LF (lenient `optionalCrBeforeLf`) ended the chunk-size line. */
export const EXT_LINE_DONE = -1;
/** Outcome: the byte at `position` may not appear there (INVALID_CHUNK_EXTENSION). */
export const EXT_BAD_BYTE = -2;
/** Outcome: an LF without CR at `position` ends the line (strict mode rejects it). */
export const EXT_BARE_LF = -3;

/** Where {@linkcode chunkExtensions} stopped: an out-record the parser owns and reuses. */
export class ExtensionScan {
  /**
   * After a state: the end of the data. After S_CHUNK_SIZE_LF or EXT_LINE_DONE: just past
   * the CR or LF. After an error: the offending byte.
   */
  position = 0;
}

/**
 * Runs the chunk-extension states over `data[p..end)` from `state`.
 *
 * @param data The caller's bytes.
 * @param p First byte to read.
 * @param end End (exclusive) of the bytes.
 * @param state One of the S_EXT_* states.
 * @param lenientCrBeforeLf Whether a bare LF may end the line.
 * @param out Receives the position where the scan stopped.
 * @returns The state to resume in when the data ran out (an S_EXT_* state),
 * S_CHUNK_SIZE_LF after the line's CR, or EXT_LINE_DONE, EXT_BAD_BYTE, EXT_BARE_LF.
 */
export function chunkExtensions(
  data: Uint8Array,
  p: number,
  end: number,
  state: number,
  lenientCrBeforeLf: boolean,
  out: ExtensionScan,
): number {
  // Literal case labels, as in the parser's loops (a jump table, not a chain of compares);
  // tests/http/parser/parser_test.ts checks each against its constant.
  while (p < end) {
    const byte = data[p];
    switch (state) {
      case 26 /* S_EXT_BEFORE_NAME */:
        if (byte === SP || byte === HTAB) break;
        if (TOKEN[byte] === 1) {
          state = S_EXT_NAME;
          break;
        }
        out.position = p;
        return EXT_BAD_BYTE;
      case 27 /* S_EXT_NAME */:
      case 30 /* S_EXT_VALUE */:
        if (TOKEN[byte] === 1) break;
        if (byte === SP || byte === HTAB) {
          state = state === S_EXT_NAME ? S_EXT_AFTER_NAME : S_EXT_AFTER_VALUE;
          break;
        }
        if (byte === 0x3d && state === S_EXT_NAME) {
          state = S_EXT_BEFORE_VALUE;
          break;
        }
        if (byte === 0x3b) {
          state = S_EXT_BEFORE_NAME;
          break;
        }
        return lineEnd(data, p, lenientCrBeforeLf, out);
      case 28 /* S_EXT_AFTER_NAME */:
        if (byte === SP || byte === HTAB) break;
        if (byte === 0x3d) {
          state = S_EXT_BEFORE_VALUE;
          break;
        }
        if (byte === 0x3b) {
          state = S_EXT_BEFORE_NAME;
          break;
        }
        return lineEnd(data, p, lenientCrBeforeLf, out);
      case 29 /* S_EXT_BEFORE_VALUE */:
        if (byte === SP || byte === HTAB) break;
        if (byte === 0x22) {
          state = S_EXT_QUOTED;
          break;
        }
        if (TOKEN[byte] === 1) {
          state = S_EXT_VALUE;
          break;
        }
        out.position = p;
        return EXT_BAD_BYTE;
      case 31 /* S_EXT_QUOTED */:
        if (byte === 0x22) {
          state = S_EXT_AFTER_VALUE;
          break;
        }
        if (byte === 0x5c) {
          state = S_EXT_QUOTED_PAIR;
          break;
        }
        if (VALUE[byte] === 1) break;
        out.position = p;
        return EXT_BAD_BYTE;
      case 32 /* S_EXT_QUOTED_PAIR */:
        if (VALUE[byte] === 1) {
          state = S_EXT_QUOTED;
          break;
        }
        out.position = p;
        return EXT_BAD_BYTE;
      case 33 /* S_EXT_AFTER_VALUE */:
        if (byte === SP || byte === HTAB) break;
        if (byte === 0x3b) {
          state = S_EXT_BEFORE_NAME;
          break;
        }
        return lineEnd(data, p, lenientCrBeforeLf, out);
    }
    p++;
  }
  out.position = p;
  return state;
}

/** The byte at `p` ends the extensions: the line's CR (or lenient LF), or an error. */
function lineEnd(
  data: Uint8Array,
  p: number,
  lenientCrBeforeLf: boolean,
  out: ExtensionScan,
): number {
  const byte = data[p];
  if (byte === CR) {
    out.position = p + 1;
    return S_CHUNK_SIZE_LF;
  }
  if (byte === LF && lenientCrBeforeLf) {
    out.position = p + 1;
    return EXT_LINE_DONE;
  }
  out.position = p;
  return byte === LF ? EXT_BARE_LF : EXT_BAD_BYTE;
}
