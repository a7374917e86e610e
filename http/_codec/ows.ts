/**
 * Optional whitespace (OWS: SP and HTAB, RFC 9110 §5.6.3) around field values, trimmed
 * on bytes (the parser's field readers) and on strings (values handed to `Headers`).
 *
 * @module
 */

/** Whether `byte` is SP or HTAB. */
export function isOws(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}

/** End of `bytes[start..end)` with trailing SP/HTAB removed. */
export function owsEnd(bytes: Uint8Array, start: number, end: number): number {
  while (end > start && isOws(bytes[end - 1])) end--;
  return end;
}

/**
 * `text` without trailing SP/HTAB. Field values arrive with trailing whitespace kept
 * (as llhttp reports them); `Headers` stores them without it (Fetch "normalize").
 */
export function trimOwsEnd(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}
