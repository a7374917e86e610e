/**
 * The Range field for bytes (RFC 9110 §14.1.2): single, open-ended, suffix and multiple
 * ranges, checked against the representation's size.
 *
 * @module
 */

/** A byte range, `start` to `end` inclusive (as Content-Range writes it). */
export interface ByteRange {
  start: number;
  end: number;
}

/** The Range field is to be ignored: a full 200 is sent (malformed, or too many ranges). */
export const RANGE_IGNORED = 0;
/** No range overlaps the representation: 416 with `content-range: bytes *\/size`. */
export const RANGE_UNSATISFIABLE = 1;

/** Most digits of a position: 2^53 has 16, and 15 keep every value exact. */
const MAX_DIGITS = 15;

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Parses a Range value for a representation of `size` bytes.
 *
 * Returns the satisfiable ranges in the order asked, with ends clamped to the size;
 * ranges that overlap are merged, in ascending order (RFC 9110 §14.2 lets a server
 * coalesce them, and it keeps a client from asking for the same bytes many times).
 * A malformed value, another unit, or more than `maxRanges` ranges yields
 * RANGE_IGNORED (the RFC lets a server ignore Range); a value whose ranges all lie past
 * the end yields RANGE_UNSATISFIABLE.
 *
 * @param value The Range field value.
 * @param size The representation's size.
 * @param maxRanges Most ranges honoured.
 * @returns The ranges, or one of the RANGE_ constants.
 */
export function parseRange(value: string, size: number, maxRanges: number): ByteRange[] | number {
  const len = value.length;
  let i = 0;
  while (i < len && isOws(value.charCodeAt(i))) i++;
  if (value.slice(i, i + 6).toLowerCase() !== "bytes=") return RANGE_IGNORED;
  i += 6;
  const ranges: ByteRange[] = [];
  let count = 0;
  let sawSpec = false;
  while (i < len) {
    const c = value.charCodeAt(i);
    if (isOws(c) || c === 0x2c) {
      i++;
      continue;
    }
    if (++count > maxRanges) return RANGE_IGNORED;
    sawSpec = true;
    let first = -1;
    const firstAt = i;
    while (i < len && value.charCodeAt(i) >= 0x30 && value.charCodeAt(i) <= 0x39) i++;
    if (i > firstAt) {
      if (i - firstAt > MAX_DIGITS) return RANGE_IGNORED;
      first = Number(value.slice(firstAt, i));
    }
    if (value.charCodeAt(i) !== 0x2d) return RANGE_IGNORED;
    i++;
    let last = -1;
    const lastAt = i;
    while (i < len && value.charCodeAt(i) >= 0x30 && value.charCodeAt(i) <= 0x39) i++;
    if (i > lastAt) {
      if (i - lastAt > MAX_DIGITS) return RANGE_IGNORED;
      last = Number(value.slice(lastAt, i));
    }
    while (i < len && isOws(value.charCodeAt(i))) i++;
    if (i < len && value.charCodeAt(i) !== 0x2c) return RANGE_IGNORED;
    if (first === -1) {
      if (last === -1) return RANGE_IGNORED; // "-" alone
      // suffix-range: the last `last` bytes; "-0" selects nothing.
      if (last > 0 && size > 0) ranges.push({ start: Math.max(0, size - last), end: size - 1 });
    } else {
      if (last !== -1 && last < first) return RANGE_IGNORED; // invalid range-spec
      if (first < size) {
        ranges.push({ start: first, end: last === -1 ? size - 1 : Math.min(last, size - 1) });
      }
    }
  }
  if (!sawSpec) return RANGE_IGNORED;
  if (ranges.length === 0) return RANGE_UNSATISFIABLE;
  return ranges.length === 1 ? ranges : coalesce(ranges);
}

/** Merges overlapping or touching ranges (sorted) when any overlap; else keeps the order. */
function coalesce(ranges: ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let overlap = false;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start <= sorted[i - 1].end + 1) overlap = true;
  }
  if (!overlap) return ranges;
  const merged: ByteRange[] = [{ ...sorted[0] }];
  for (let i = 1; i < sorted.length; i++) {
    const last = merged[merged.length - 1];
    if (sorted[i].start <= last.end + 1) last.end = Math.max(last.end, sorted[i].end);
    else merged.push({ ...sorted[i] });
  }
  return merged;
}
