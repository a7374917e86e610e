/** Lowercase hex digits, indexed by nibble. */
const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** The last chunk with no trailers: `0\r\n\r\n` (RFC 9112 §7.1). */
export const LAST_CHUNK: Uint8Array = new Uint8Array([48, 13, 10, 13, 10]);

/** Most bytes a chunk-size line takes: 13 hex digits (2^52) plus CRLF. */
export const MAX_CHUNK_HEAD = 15;

/**
 * Writes the chunk-size line for `size` (hex digits, CRLF) into `out` at `offset` and
 * returns the offset after it. `size` must be a positive safe integer.
 */
export function writeChunkHead(out: Uint8Array, offset: number, size: number): number {
  let digits = 1;
  for (let v = size; v >= 16; v = Math.floor(v / 16)) digits++;
  let v = size;
  for (let i = offset + digits - 1; i >= offset; i--) {
    out[i] = HEX[v % 16];
    v = Math.floor(v / 16);
  }
  out[offset + digits] = 13;
  out[offset + digits + 1] = 10;
  return offset + digits + 2;
}

/**
 * Frames `data` as one chunk (size line, data, CRLF) in a single new buffer, so a
 * chunk goes out in one write. Empty data frames to nothing (an empty chunk would end
 * the body).
 */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.length === 0) return data;
  const out = new Uint8Array(data.length + MAX_CHUNK_HEAD + 2);
  const start = writeChunkHead(out, 0, data.length);
  out.set(data, start);
  out[start + data.length] = 13;
  out[start + data.length + 1] = 10;
  return out.subarray(0, start + data.length + 2);
}

/**
 * Encodes the last chunk followed by trailer fields (RFC 9112 §7.1.2). Names and values
 * must already be valid field tokens and values; the caller validates them.
 */
export function encodeLastChunk(trailers?: Headers): Uint8Array {
  if (trailers === undefined) return LAST_CHUNK;
  let text = "0\r\n";
  for (const [name, value] of trailers) text += `${name}: ${value}\r\n`;
  text += "\r\n";
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
