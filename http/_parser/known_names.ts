/**
 * The names the parser knows: the header kinds it interprets itself, the registered
 * methods, and the interning table that turns common method and header-name bytes into
 * shared strings without decoding them.
 *
 * @module
 */

import { METHODS } from "../methods.ts";
import { LOWER } from "./char_class.ts";

// Header kinds: the fields the parser itself must understand (RFC 9112 §6, §9.6, RFC 9110 §7.2, §7.8, §10.1.1).
/** Any header the parser does not interpret. */
export const H_OTHER = 0;
/** `Content-Length`. */
export const H_CONTENT_LENGTH = 1;
/** `Transfer-Encoding`. */
export const H_TRANSFER_ENCODING = 2;
/** `Connection`. */
export const H_CONNECTION = 3;
/** `Proxy-Connection` (obsolete, but llhttp and browsers honour its `close`). */
export const H_PROXY_CONNECTION = 4;
/** `Upgrade`. */
export const H_UPGRADE = 5;
/** `Host`. */
export const H_HOST = 6;
/** `Expect`. */
export const H_EXPECT = 7;

const KIND_NAMES: readonly (readonly [string, number])[] = [
  ["content-length", H_CONTENT_LENGTH],
  ["transfer-encoding", H_TRANSFER_ENCODING],
  ["connection", H_CONNECTION],
  ["proxy-connection", H_PROXY_CONNECTION],
  ["upgrade", H_UPGRADE],
  ["host", H_HOST],
  ["expect", H_EXPECT],
];
const KIND_BYTES: readonly Uint8Array[] = KIND_NAMES.map(([name]) =>
  Uint8Array.from(name, (c) => c.charCodeAt(0))
);
// By length: index into KIND_NAMES, or -1. Each special name has a distinct length.
const KIND_BY_LENGTH = new Int8Array(32).fill(-1);
for (let i = 0; i < KIND_NAMES.length; i++) KIND_BY_LENGTH[KIND_NAMES[i][0].length] = i;

/**
 * The header kind of the name in `bytes[start..end)`, compared ASCII case-insensitively:
 * one of the `H_*` constants.
 */
export function headerKind(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length >= 32) return H_OTHER;
  const index = KIND_BY_LENGTH[length];
  if (index < 0) return H_OTHER;
  const expected = KIND_BYTES[index];
  for (let i = 0; i < length; i++) {
    if (LOWER[bytes[start + i]] !== expected[i]) return H_OTHER;
  }
  return KIND_NAMES[index][1];
}

/**
 * A small hash table of strings keyed by their bytes: `get` returns the cached string for
 * `bytes[start..end)` when the same bytes were added before, so common header names (and
 * methods) are decoded once per process, not once per request. Buckets hold at most
 * {@linkcode BUCKET_SIZE} entries; seeded entries are never evicted.
 */
export class InternTable {
  readonly #keys: Uint8Array[][];
  readonly #values: string[][];
  readonly #mask: number;

  /** @param size A power of two: number of buckets. */
  constructor(size: number) {
    this.#keys = [];
    this.#values = [];
    for (let i = 0; i < size; i++) {
      this.#keys.push([]);
      this.#values.push([]);
    }
    this.#mask = size - 1;
  }

  /** Bucket of the bytes: a cheap hash of the length and four sample bytes. */
  #slot(bytes: Uint8Array, start: number, length: number): number {
    return (length * 31 + bytes[start] * 7 + bytes[start + length - 1] * 131 +
      bytes[start + (length >> 1)] * 17 + bytes[start + (length >> 2)]) & this.#mask;
  }

  /** The cached string for the bytes, or undefined. `end` must be greater than `start`. */
  get(bytes: Uint8Array, start: number, end: number): string | undefined {
    const length = end - start;
    const slot = this.#slot(bytes, start, length);
    const keys = this.#keys[slot];
    next: for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key.length !== length) continue;
      for (let i = 0; i < length; i++) if (key[i] !== bytes[start + i]) continue next;
      return this.#values[slot][k];
    }
    return undefined;
  }

  /**
   * Caches `value` (whose latin1 bytes are `bytes[start..end)`) when its bucket has room
   * (at most {@linkcode BUCKET_SIZE} entries), so a flood of odd names cannot grow it.
   */
  set(bytes: Uint8Array, start: number, end: number, value: string): void {
    const slot = this.#slot(bytes, start, end - start);
    if (this.#keys[slot].length >= BUCKET_SIZE) return;
    this.#keys[slot].push(bytes.slice(start, end));
    this.#values[slot].push(value);
  }

  /** Seeds a latin1 string, whatever the bucket holds. */
  add(value: string): void {
    const bytes = Uint8Array.from(value, (c) => c.charCodeAt(0));
    const slot = this.#slot(bytes, 0, bytes.length);
    this.#keys[slot].push(bytes);
    this.#values[slot].push(value);
  }
}

/** Most entries {@linkcode InternTable.set} puts in one bucket. */
export const BUCKET_SIZE = 4;

/**
 * Request methods a strict parser accepts: the IANA HTTP Method Registry plus the
 * extension methods llhttp knows (M-SEARCH, NOTIFY, SUBSCRIBE, UNSUBSCRIBE, PURGE, SOURCE).
 * Anything else is 501 unless `lenient.methods` is set (RFC 9110 §9.1).
 */
export const KNOWN_METHODS: readonly string[] = METHODS;

/** Header names seeded into the name cache in the spellings clients actually send. */
export const COMMON_HEADER_NAMES: readonly string[] = [
  "Host",
  "User-Agent",
  "Accept",
  "Accept-Encoding",
  "Accept-Language",
  "Accept-Charset",
  "Connection",
  "Content-Length",
  "Content-Type",
  "Content-Encoding",
  "Transfer-Encoding",
  "Cookie",
  "Set-Cookie",
  "Cache-Control",
  "Pragma",
  "Referer",
  "Origin",
  "Authorization",
  "If-None-Match",
  "If-Modified-Since",
  "Upgrade",
  "Upgrade-Insecure-Requests",
  "Expect",
  "Date",
  "Server",
  "ETag",
  "Last-Modified",
  "Location",
  "Vary",
  "Keep-Alive",
  "X-Forwarded-For",
  "X-Forwarded-Proto",
  "X-Requested-With",
  "Sec-Fetch-Site",
  "Sec-Fetch-Mode",
  "Sec-Fetch-User",
  "Sec-Fetch-Dest",
  "sec-ch-ua",
  "sec-ch-ua-mobile",
  "sec-ch-ua-platform",
  "DNT",
  "Range",
  "TE",
  "Trailer",
];

/**
 * Header names whose values a parser may keep in its per-connection value cache: common,
 * repeated on every request of a keep-alive connection, and never credentials (so no
 * Authorization, Proxy-Authorization, Cookie or Set-Cookie).
 */
export const CACHEABLE_VALUE_NAMES: readonly string[] = [
  "Host",
  "User-Agent",
  "Accept",
  "Accept-Encoding",
  "Accept-Language",
  "Accept-Charset",
  "Connection",
  "Content-Type",
  "Cache-Control",
  "Pragma",
  "Origin",
  "Upgrade-Insecure-Requests",
  "Sec-Fetch-Site",
  "Sec-Fetch-Mode",
  "Sec-Fetch-User",
  "Sec-Fetch-Dest",
  "sec-ch-ua",
  "sec-ch-ua-mobile",
  "sec-ch-ua-platform",
  "DNT",
  "Keep-Alive",
  "Transfer-Encoding",
  "X-Requested-With",
  "Server",
  "Vary",
  "Content-Encoding",
];
