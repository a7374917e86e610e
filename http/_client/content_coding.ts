/**
 * Content codings (RFC 9110 §8.4): reading a response's `Content-Encoding` list and
 * deciding, before any body byte is read, whether every coding in it can be undone.
 *
 * @module
 */

/** The codings the client decodes (`x-gzip` is gzip, RFC 9110 §8.4.1.3). */
const DECODABLE = new Set(["gzip", "x-gzip", "deflate", "br", "zstd"]);

/**
 * The codings of a `Content-Encoding` value, in the order they were applied (the last
 * one is undone first), lower-cased, without `identity` and empty members.
 *
 * @param value The field value; repeated fields joined with ", ".
 * @returns The codings; empty when the body is not coded.
 */
export function parseCodings(value: string): string[] {
  const codings: string[] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && value.charCodeAt(i) !== 44) continue; // ","
    const coding = value.slice(start, i).trim().toLowerCase();
    start = i + 1;
    if (coding !== "" && coding !== "identity") codings.push(coding);
  }
  return codings;
}

/**
 * Why `codings` cannot be decoded, or "" when they can.
 *
 * @param codings From {@linkcode parseCodings}.
 * @param max The most codings allowed (`maxContentCodings`).
 * @returns The reason, in words, or "".
 */
export function undecodable(codings: string[], max: number): string {
  if (codings.length > max) {
    return `Content-Encoding lists ${codings.length} codings, more than maxContentCodings (${max})`;
  }
  for (const coding of codings) {
    if (!DECODABLE.has(coding)) {
      return `Content-Encoding "${coding}" cannot be decoded (gzip, deflate, br and zstd can)`;
    }
  }
  return "";
}
