const encoder = new TextEncoder();

/** Encodes a string as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Joins byte arrays into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Decodes `bytes[start..end)` as ISO-8859-1: one char per byte. HTTP field bytes are
 * latin1 on the wire; TextDecoder's "latin1" is really windows-1252, hence this.
 */
export function latin1(bytes: Uint8Array, start = 0, end: number = bytes.length): string {
  let out = "";
  // String.fromCharCode over small slices keeps short header values allocation-light.
  for (let i = start; i < end; i += 4096) {
    const stop = i + 4096 < end ? i + 4096 : end;
    out += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

/** Encodes a latin1 string (chars 0-255) into bytes, one byte per char. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Index of the first CRLF at or after `from` in `bytes[..end)`, or -1. */
export function indexOfCrlf(bytes: Uint8Array, from = 0, end: number = bytes.length): number {
  for (let i = from; i < end - 1; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  }
  return -1;
}

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
