/**
 * ISO-8859-1 both ways: field bytes are latin1 on the wire, and TextDecoder's "latin1" is
 * really windows-1252, so the parser decodes by hand; heads are written one byte per
 * char.
 *
 * @module
 */

const asciiDecoder = new TextDecoder();

/**
 * Decodes up to 16 bytes at `b[s..s+n)` as ISO-8859-1 with one String.fromCharCode call.
 * Explicit arguments are several times cheaper than `apply` over a typed array and than
 * a TextDecoder call for short fields.
 */
function latin1Short(b: Uint8Array, s: number, n: number): string {
  switch (n) {
    case 0:
      return "";
    case 1:
      return String.fromCharCode(b[s]);
    case 2:
      return String.fromCharCode(b[s], b[s + 1]);
    case 3:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
      );
    case 9:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
      );
    case 10:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
      );
    case 11:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
      );
    case 12:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
      );
    case 13:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
      );
    case 14:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
      );
    case 15:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
        b[s + 14],
      );
    case 16:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
        b[s + 14],
        b[s + 15],
      );
  }
  throw new RangeError(`Cannot decode ${n} bytes at once`);
}

/** Decodes `bytes[start..end)` as ISO-8859-1, 16 bytes per String.fromCharCode call. */
export function latin1Span(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 16) return latin1Short(bytes, start, end - start);
  let out = "";
  for (let i = start; i < end; i += 16) {
    out += latin1Short(bytes, i, end - i < 16 ? end - i : 16);
  }
  return out;
}

/**
 * Decodes `bytes[start..end)` as ISO-8859-1 (one char per byte). One TextDecoder call
 * when the bytes are ASCII (checked after the fact: any byte >= 0x80 either shortens the
 * string or becomes U+FFFD), by hand otherwise.
 */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 8) {
    let out = "";
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
    return out;
  }
  const text = asciiDecoder.decode(bytes.subarray(start, end));
  if (text.length === end - start && text.indexOf("\ufffd") === -1) return text;
  let out = "";
  for (let i = start; i < end; i += 1024) {
    const stop = i + 1024 < end ? i + 1024 : end;
    out += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * Writes `text` (chars 0-255) into `out` at `offset`, one byte per char, and returns
 * the offset after it. `out` must have `text.length` free bytes. ASCII text (the common
 * case) goes through one `encodeInto`; text with chars 128-255 (legal latin1 field
 * bytes, but two bytes each in UTF-8) is copied char by char.
 *
 * @param text The text to write.
 * @param out The buffer.
 * @param offset Where to start.
 * @returns The offset after the written bytes.
 */
export function writeLatin1(text: string, out: Uint8Array, offset: number): number {
  const n = text.length;
  const result = encoder.encodeInto(text, out.subarray(offset, offset + n));
  if (result.read === n && result.written === n) return offset + n;
  for (let i = 0; i < n; i++) out[offset + i] = text.charCodeAt(i);
  return offset + n;
}
