/**
 * Frame heads (RFC 6455 §5.2): FIN, RSV1 and the opcode in the first byte; the mask bit
 * and a 7-bit length, or 126 and a 16-bit length, or 127 and a 64-bit length; then the
 * 4-byte masking key when the client sends. Always the shortest length form.
 *
 * @module
 */

/** FIN: the last frame of a message. */
export const FIN = 0x80;
/** RSV1: with permessage-deflate, the message is compressed (first frame only). */
export const RSV1 = 0x40;

/**
 * How many bytes the head of a frame with `length` bytes of payload takes.
 *
 * @param length The payload length.
 * @param masked Whether a masking key follows the length (client frames).
 * @returns 2, 4 or 10, plus 4 when masked.
 */
export function headSize(length: number, masked: boolean): number {
  const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
  return masked ? size + 4 : size;
}

/**
 * Writes a frame head into `out` at `pos`.
 *
 * @param out The buffer, with room for `headSize(length, masked)` bytes at `pos`.
 * @param pos Where the head starts.
 * @param b0 The first byte: FIN | RSV1 | opcode.
 * @param length The payload length.
 * @param masked Whether to set the mask bit and write `key`.
 * @param key The masking key (32 bits, first byte in the top bits).
 * @returns Where the payload starts.
 */
export function writeHead(
  out: Uint8Array,
  pos: number,
  b0: number,
  length: number,
  masked: boolean,
  key: number,
): number {
  const maskBit = masked ? 0x80 : 0;
  out[pos++] = b0;
  if (length < 126) {
    out[pos++] = maskBit | length;
  } else if (length < 65536) {
    out[pos++] = maskBit | 126;
    out[pos++] = length >>> 8;
    out[pos++] = length & 0xff;
  } else {
    out[pos++] = maskBit | 127;
    // Payloads stay below 2^53: the top 32 bits come from a division, not a shift.
    const high = Math.floor(length / 0x100000000);
    out[pos++] = high >>> 24;
    out[pos++] = (high >>> 16) & 0xff;
    out[pos++] = (high >>> 8) & 0xff;
    out[pos++] = high & 0xff;
    out[pos++] = length >>> 24;
    out[pos++] = (length >>> 16) & 0xff;
    out[pos++] = (length >>> 8) & 0xff;
    out[pos++] = length & 0xff;
  }
  if (masked) {
    out[pos++] = key >>> 24;
    out[pos++] = (key >>> 16) & 0xff;
    out[pos++] = (key >>> 8) & 0xff;
    out[pos++] = key & 0xff;
  }
  return pos;
}
