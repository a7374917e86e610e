/**
 * The strings of a head, made once per message when its section is complete: the byte
 * loop only records where each field's name and value lie (spans), and this turns the
 * spans into the flat `[name, value, ...]` array, the request-target and the reason
 * phrase. Common methods and header names come from process-wide intern tables, common
 * values from a small per-connection cache, the rest is decoded as ISO-8859-1 by hand.
 *
 * @module
 */

import { latin1, latin1Span } from "../_codec/latin1.ts";
import {
  CACHEABLE_VALUE_NAMES,
  COMMON_HEADER_NAMES,
  InternTable,
  KNOWN_METHODS,
} from "./known_names.ts";

/**
 * Int32 slots per recorded field line in the parser's span array: name start, name end,
 * value start, value end (offsets from the section's first byte), header kind. A name
 * start of -1 marks an obs-fold line that continues the previous value.
 */
export const SPAN_FIELDS = 5;

const MAX_INTERNED_NAME = 64;
// Per-parser cache of common field values (see HeadStrings.#cachedValue).
const VALUE_CACHE_SIZE = 64;
const MAX_CACHED_VALUE = 32;
const CACHED_VALUE_NAMES = new Set<string>();
for (const name of CACHEABLE_VALUE_NAMES) {
  CACHED_VALUE_NAMES.add(name);
  CACHED_VALUE_NAMES.add(name.toLowerCase());
}

/** The registered methods as shared strings, looked up by their bytes. */
export const METHODS: InternTable = new InternTable(256);
for (const method of KNOWN_METHODS) METHODS.add(method);

const NAMES = new InternTable(512);
for (const name of COMMON_HEADER_NAMES) {
  NAMES.add(name);
  NAMES.add(name.toLowerCase());
}

/**
 * Decodes the sections of one connection's messages, one at a time: {@linkcode fields}
 * first, then {@linkcode decode} for the other strings of the same section. A parser owns
 * one and keeps it across messages (for the value cache).
 */
export class HeadStrings {
  /** The decoded section, once a long field made decoding it whole worthwhile. */
  #text = "";
  #textLength = 0;
  #valueCache: string[] | null = null;

  /**
   * The recorded field spans of a complete section as a flat [name, value, ...] array.
   *
   * @param src The section's bytes; its first byte is at `off`.
   * @param off Where the section starts in `src`.
   * @param length The section's length in bytes.
   * @param spans The recorded spans ({@linkcode SPAN_FIELDS} slots each).
   * @param count How many spans there are.
   * @param otherChars Bytes of the section's other strings that will be decoded (the
   * request-target), for the choice of decoding strategy.
   * @returns A new array (callers may keep it).
   */
  fields(
    src: Uint8Array,
    off: number,
    length: number,
    spans: Int32Array,
    count: number,
    otherChars: number,
  ): string[] {
    // Strings: a TextDecoder call costs about 250 ns whatever the size, a slice of its
    // result about 25 ns; String.fromCharCode with explicit arguments about 15 ns per
    // call plus 2-4 ns per byte. Small heads decode field by field (and reuse repeated
    // values, see #cachedValue), large ones decode once and slice: the threshold comes
    // from bench/parser_bench.ts (the 5-header GET, 82 bytes of values, is 20% faster
    // field by field; the 15-header GET, 540 bytes, at once).
    let chars = otherChars;
    for (let i = 0; i < count; i++) {
      chars += spans[i * SPAN_FIELDS + 3] - spans[i * SPAN_FIELDS + 2];
    }
    this.#textLength = length;
    this.#text = chars < 160 + 4 * count ? "" : latin1(src, off, off + length);
    const out: string[] = new Array(count * 2);
    let filled = 0;
    for (let i = 0; i < count; i++) {
      const at = i * SPAN_FIELDS;
      const nameStart = spans[at];
      const valueStart = spans[at + 2];
      const valueEnd = spans[at + 3];
      if (nameStart < 0) {
        if (valueEnd > valueStart) out[filled - 1] += this.decode(src, off, valueStart, valueEnd);
        continue;
      }
      const nameEnd = spans[at + 1];
      let name = NAMES.get(src, off + nameStart, off + nameEnd);
      if (name === undefined) {
        name = this.decode(src, off, nameStart, nameEnd);
        // Only short names are cached: the table is process-wide, so a peer must not be
        // able to park long names in it (at most 4 per bucket, 64 bytes each).
        if (nameEnd - nameStart <= MAX_INTERNED_NAME) {
          NAMES.set(src, off + nameStart, off + nameEnd, name);
        }
      }
      let value = "";
      const valueLength = valueEnd - valueStart;
      if (valueLength > 0) {
        if (
          this.#text === "" && valueLength <= MAX_CACHED_VALUE && CACHED_VALUE_NAMES.has(name)
        ) {
          value = this.#cachedValue(src, off, valueStart, valueEnd);
        } else {
          value = this.decode(src, off, valueStart, valueEnd);
        }
      }
      out[filled++] = name;
      out[filled++] = value;
    }
    if (filled !== out.length) out.length = filled;
    return out;
  }

  /**
   * The string of the section bytes [start, end) (offsets from the section start at
   * `off`): a slice of the decoded section, or decoded alone when short; a long field in
   * a small head makes the parser decode the whole section once after all.
   *
   * @param src The section's bytes, as given to {@linkcode fields}.
   * @param off Where the section starts in `src`.
   * @param start First byte, from the section start.
   * @param end End (exclusive), from the section start.
   * @returns The latin1 string.
   */
  decode(src: Uint8Array, off: number, start: number, end: number): string {
    if (this.#text !== "") return this.#text.slice(start, end);
    if (end - start <= 32) return latin1Span(src, off + start, off + end);
    this.#text = latin1(src, off, off + this.#textLength);
    return this.#text.slice(start, end);
  }

  /**
   * A value of a common, non-secret field from the per-connection cache: keep-alive
   * clients repeat Host, User-Agent, Accept... on every request, so the string is
   * compared with the bytes instead of decoded again. Never for credentials
   * (Authorization, Cookie are not listed) and only for values up to MAX_CACHED_VALUE
   * bytes, so a pooled parser that moves to another connection keeps at most 2 KiB.
   */
  #cachedValue(src: Uint8Array, off: number, start: number, end: number): string {
    const from = off + start;
    const length = end - start;
    let hash = length;
    hash = Math.imul(hash ^ src[from], 0x9e3779b1);
    hash = Math.imul(hash ^ src[from + (length >> 1)], 0x85ebca77);
    hash = Math.imul(hash ^ src[from + length - 1], 0xc2b2ae3d);
    hash = Math.imul(hash ^ src[from + (length >> 2)], 0x27d4eb2f);
    const slot = (hash >>> 26) & (VALUE_CACHE_SIZE - 1);
    let cache = this.#valueCache;
    if (cache === null) cache = this.#valueCache = new Array(VALUE_CACHE_SIZE).fill("");
    const cached = cache[slot];
    if (cached.length === length) {
      let i = 0;
      while (i < length && cached.charCodeAt(i) === src[from + i]) i++;
      if (i === length) return cached;
    }
    const value = latin1Span(src, from, from + length);
    cache[slot] = value;
    return value;
  }
}
