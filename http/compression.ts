/**
 * Response compression: gzip, deflate, brotli and zstd, negotiated from the request's
 * Accept-Encoding. `compressResponse` is what `serve({ automaticCompression })` and the
 * `compress()` middleware run for each response.
 *
 * @module
 */

import { chooseCoding, identityRefused } from "./_compression/accept_encoding.ts";
import {
  type Coding,
  type CodingLevels,
  CODINGS,
  compressBytes,
  createCompressor,
  flushFlag,
} from "./_compression/codecs.ts";
import { compressibleType } from "./_compression/compressible.ts";
import { peekBody } from "./_compression/peek_body.ts";
import { type ChunkSource, zlibStream } from "./_compression/zlib_stream.ts";
import { functionOption, NON_NEGATIVE_INTEGER, numberOption } from "./_codec/options.ts";
import { kindOf } from "./_codec/error_text.ts";

/**
 * A content coding Wire compresses with (and decodes): `br` (brotli, RFC 7932), `zstd`
 * (RFC 8878), `gzip` and `deflate` (RFC 9110 §8.4.1).
 *
 * @example Prefer gzip
 * ```ts
 * import type { ContentCoding } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const order: ContentCoding[] = ["gzip", "br"];
 * assert.equal(order[0], "gzip");
 * ```
 */
export type ContentCoding = Coding;

/**
 * The codings `compressResponse` offers, in its order of preference when a client
 * weighs several alike: brotli, zstd, gzip, deflate.
 *
 * @example The default order
 * ```ts
 * import { DEFAULT_COMPRESSION_ENCODINGS } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(DEFAULT_COMPRESSION_ENCODINGS, ["br", "zstd", "gzip", "deflate"]);
 * ```
 */
export const DEFAULT_COMPRESSION_ENCODINGS: readonly ContentCoding[] = CODINGS;
/**
 * Bodies smaller than this many bytes are sent as they are: the coding's header and a
 * round trip through the compressor cost more than they save (1 KiB, as npm's
 * compression and nginx's `gzip_min_length` advice).
 *
 * @example The default threshold
 * ```ts
 * import { DEFAULT_COMPRESSION_THRESHOLD } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_COMPRESSION_THRESHOLD, 1024);
 * ```
 */
export const DEFAULT_COMPRESSION_THRESHOLD = 1024;
/**
 * gzip and deflate level: zlib's own default, and npm compression's.
 *
 * @example The default level
 * ```ts
 * import { DEFAULT_GZIP_LEVEL } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_GZIP_LEVEL, 6);
 * ```
 */
export const DEFAULT_GZIP_LEVEL = 6;
/**
 * Brotli quality for responses compressed on the fly: 4 compresses better than gzip 6
 * at about its speed (the library's default, 11, is for files compressed ahead of time).
 *
 * @example The default quality
 * ```ts
 * import { DEFAULT_BROTLI_QUALITY } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_BROTLI_QUALITY, 4);
 * ```
 */
export const DEFAULT_BROTLI_QUALITY = 4;
/**
 * zstd level: the library's default.
 *
 * @example The default level
 * ```ts
 * import { DEFAULT_ZSTD_LEVEL } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_ZSTD_LEVEL, 3);
 * ```
 */
export const DEFAULT_ZSTD_LEVEL = 3;
/**
 * Bodies up to this size that are whole when the response is made (a string, bytes, or
 * a stream with a Content-Length) are compressed in one call and sent with a
 * Content-Length; larger ones and live streams are compressed chunk by chunk (1 MiB).
 *
 * @example The default
 * ```ts
 * import { DEFAULT_COMPRESSION_BUFFER_BYTES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_COMPRESSION_BUFFER_BYTES, 1024 * 1024);
 * ```
 */
export const DEFAULT_COMPRESSION_BUFFER_BYTES = 1024 * 1024;
/**
 * Output chunk size of a streaming compressor (16 KiB, node:zlib's default): with the
 * coding's window, what one compressed stream holds in memory.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_COMPRESSION_CHUNK_SIZE } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_COMPRESSION_CHUNK_SIZE, 16 * 1024);
 * ```
 */
export const DEFAULT_COMPRESSION_CHUNK_SIZE = 16 * 1024;

/**
 * Options of {@linkcode compressResponse}, the `compress()` middleware and
 * `serve({ automaticCompression })`.
 *
 * @example Only gzip, for bodies of 4 KiB and more
 * ```ts
 * import type { CompressionOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: CompressionOptions = { encodings: ["gzip"], threshold: 4096 };
 * assert.equal(options.threshold, 4096);
 * ```
 */
export interface CompressionOptions {
  /**
   * Codings to offer, in order of preference when the client weighs several alike.
   *
   * @default {["br", "zstd", "gzip", "deflate"]}
   */
  encodings?: readonly ContentCoding[];
  /**
   * Bodies with fewer bytes (known from Content-Length, or because the body is whole
   * when the response is made) are not compressed. A live stream is compressed whatever
   * its size.
   *
   * @default {1024}
   */
  threshold?: number;
  /**
   * Decides from the Content-Type whether a response is worth compressing. A response
   * without a Content-Type is never compressed.
   *
   * @default {isCompressible}
   */
  filter?: (contentType: string) => boolean;
  /**
   * gzip and deflate level, 0 to 9.
   *
   * @default {6}
   */
  gzipLevel?: number;
  /**
   * Brotli quality, 0 to 11.
   *
   * @default {4}
   */
  brotliQuality?: number;
  /**
   * zstd level, 1 to 22.
   *
   * @default {3}
   */
  zstdLevel?: number;
  /**
   * Whole bodies up to this size are compressed in one call and get a Content-Length.
   *
   * @default {1048576}
   */
  bufferBytes?: number;
  /**
   * Output chunk size of streaming compression, 1 KiB or more.
   *
   * @default {16384}
   */
  chunkSize?: number;
}

interface Resolved {
  encodings: readonly Coding[];
  threshold: number;
  filter: (contentType: string) => boolean;
  levels: CodingLevels;
  bufferBytes: number;
}

const ACTION = "compress a response";
const NO_OPTIONS: CompressionOptions = {};
const resolvedCache = new WeakMap<CompressionOptions, Resolved>();

function resolve(options: CompressionOptions): Resolved {
  let resolved = resolvedCache.get(options);
  if (resolved !== undefined) return resolved;
  const encodings = options.encodings ?? DEFAULT_COMPRESSION_ENCODINGS;
  if (!Array.isArray(encodings)) {
    throw new TypeError(`Cannot ${ACTION}: encodings must be an array, got ${kindOf(encodings)}`);
  }
  for (const coding of encodings) {
    if (!CODINGS.includes(coding)) {
      throw new TypeError(
        `Cannot ${ACTION}: encodings holds ${JSON.stringify(coding)}, not one of ${
          CODINGS.join(", ")
        }`,
      );
    }
  }
  const level = (name: string, value: unknown, fallback: number, min: number, max: number) =>
    numberOption(ACTION, name, value, fallback, { min, max, integer: true });
  resolved = {
    encodings,
    threshold: numberOption(
      ACTION,
      "threshold",
      options.threshold,
      DEFAULT_COMPRESSION_THRESHOLD,
      NON_NEGATIVE_INTEGER,
    ),
    filter: functionOption(ACTION, "filter", options.filter, isCompressible),
    levels: {
      gzipLevel: level("gzipLevel", options.gzipLevel, DEFAULT_GZIP_LEVEL, 0, 9),
      brotliQuality: level("brotliQuality", options.brotliQuality, DEFAULT_BROTLI_QUALITY, 0, 11),
      zstdLevel: level("zstdLevel", options.zstdLevel, DEFAULT_ZSTD_LEVEL, 1, 22),
      chunkSize: level(
        "chunkSize",
        options.chunkSize,
        DEFAULT_COMPRESSION_CHUNK_SIZE,
        1024,
        Number.MAX_SAFE_INTEGER,
      ),
    },
    bufferBytes: numberOption(
      ACTION,
      "bufferBytes",
      options.bufferBytes,
      DEFAULT_COMPRESSION_BUFFER_BYTES,
      NON_NEGATIVE_INTEGER,
    ),
  };
  resolvedCache.set(options, resolved);
  return resolved;
}

/**
 * Whether a Content-Type is worth compressing: `text/*`, JSON, XML, JavaScript, SVG,
 * WebAssembly, `+json` and `+xml` types and a few others; never images (but SVG, BMP and
 * icons), video, audio, WOFF fonts or archives, which are compressed already.
 *
 * @param contentType A Content-Type value (parameters and case are ignored).
 * @returns True when compressing helps.
 *
 * @example Text yes, images no
 * ```ts
 * import { isCompressible } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isCompressible("application/json; charset=utf-8"), true);
 * assert.equal(isCompressible("image/svg+xml"), true);
 * assert.equal(isCompressible("image/png"), false);
 * ```
 */
export function isCompressible(contentType: string): boolean {
  return compressibleType(contentType);
}

function hasToken(list: string, token: string): boolean {
  const lower = list.toLowerCase();
  let from = 0;
  for (;;) {
    const at = lower.indexOf(token, from);
    if (at === -1) return false;
    const before = at === 0 ? 0x2c : lower.charCodeAt(at - 1);
    const after = at + token.length >= lower.length ? 0x2c : lower.charCodeAt(at + token.length);
    const edge = (c: number) => c === 0x2c || c === 0x20 || c === 0x09 || c === 0x3d;
    if (edge(before) && edge(after)) return true;
    from = at + 1;
  }
}

/** Adds Accept-Encoding to Vary (RFC 9110 §12.5.5) unless it is there or Vary is `*`. */
function addVary(headers: Headers): void {
  const vary = headers.get("vary");
  if (vary === null) headers.append("vary", "Accept-Encoding");
  else if (vary.trim() !== "*" && !hasToken(vary, "accept-encoding")) {
    headers.set("vary", `${vary}, Accept-Encoding`);
  }
}

function rebuild(
  response: Response,
  body: ReadableStream<Uint8Array> | Uint8Array | null,
  headers: Headers,
): Response {
  return new Response(body as BodyInit | null, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/**
 * Compresses `response` for `request` when that helps and the client accepts it, and
 * returns the Response to send (`response` itself when nothing changes).
 *
 * Left as they are: 1xx, 204, 206 and 304 responses and those without a body; a
 * response that has a Content-Encoding already or says `Cache-Control: no-transform`; a
 * Content-Type the filter refuses (or none); bodies under the threshold (unless the
 * client refused identity with `identity;q=0` or `*;q=0`); clients that do not accept
 * one of the codings (no Accept-Encoding, `identity` weighed higher, `q=0`); HEAD
 * requests, whose response has no body to encode. For the others (HEAD included),
 * Accept-Encoding is added to `Vary` (even when the client gets the identity body, so
 * caches keep the two apart) and, when a
 * coding is chosen, Content-Encoding is set, Content-Length dropped or replaced,
 * Accept-Ranges dropped, and a strong ETag made weak (RFC 9110 §8.8.3: the bytes differ).
 *
 * A body that is whole when the response is made (string, bytes, a stream with a
 * Content-Length up to `bufferBytes`) is compressed in one call and sent with a
 * Content-Length. A live stream is compressed chunk by chunk with a flush after each
 * chunk, so every server-sent event goes out when it is written; cancelling the result
 * cancels the original body.
 *
 * @param request The request (its method and Accept-Encoding).
 * @param response The handler's response.
 * @param options Codings, threshold, filter and levels (checked when first used: a bad
 *   one throws synchronously; remembered per options object).
 * @returns The response to send.
 *
 * @example gzip a JSON response
 * ```ts
 * import { compressResponse } from "@wire/http/http";
 * import { gunzipSync } from "node:zlib";
 * import assert from "node:assert/strict";
 *
 * const data = JSON.stringify({ items: Array(200).fill("wire") });
 * const request = new Request("http://localhost/", { headers: { "accept-encoding": "gzip" } });
 * const response = await compressResponse(request, Response.json(JSON.parse(data)));
 * assert.equal(response.headers.get("content-encoding"), "gzip");
 * assert.equal(response.headers.get("vary"), "Accept-Encoding");
 * const body = new Uint8Array(await response.arrayBuffer());
 * assert.equal(gunzipSync(body).toString(), data);
 * ```
 */
export function compressResponse(
  request: Request,
  response: Response,
  options: CompressionOptions = NO_OPTIONS,
): Promise<Response> {
  // Bad options throw here, synchronously; everything after is a Promise.
  const config = resolve(options);
  // The decision is synchronous, and a response left as it is costs no async frame: on
  // the small-file path of bench/static.ts this function ran on every request.
  try {
    const coding = choose(request, response, config);
    if (coding === null) return Promise.resolve(response);
    if (coding === IDENTITY) return Promise.resolve(withVary(response));
    return encode(request, response, config, coding);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `choose()`'s answer for a response that goes as it is, with Accept-Encoding in Vary. */
const IDENTITY = "identity";

/**
 * What to do with `response`: null to leave it as it is, IDENTITY to add Vary only, or
 * the coding to encode it with. Reads only the fields it needs, in the order that
 * settles the common cases soonest (each Headers lookup costs about 0.2 µs on Deno 2.9).
 */
function choose(
  request: Request,
  response: Response,
  config: Resolved,
): Coding | typeof IDENTITY | null {
  const status = response.status;
  if (status < 200 || status === 204 || status === 206 || status === 304) return null;
  const source = response.headers;
  const type = source.get("content-type");
  if (type === null || !config.filter(type)) return null;
  const encoding = source.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return null;
  const cacheControl = source.get("cache-control");
  if (cacheControl !== null && hasToken(cacheControl, "no-transform")) return null;
  // HEAD: nothing is encoded (no body), but Vary is what the GET would carry (§9.3.2).
  if (request.method === "HEAD") return IDENTITY;
  const accept = request.headers.get("accept-encoding");
  if (accept === null) return IDENTITY;
  const coding = chooseCoding(accept, config.encodings) as Coding | null;
  if (coding === null) return IDENTITY;
  const lengthText = source.get("content-length");
  if (lengthText !== null && isSmall(Number(lengthText), accept, config)) return IDENTITY;
  // `response.body` is read only now that a coding is chosen: on Deno, reading it turns
  // a static body into a stream, which costs the response its fast route to the socket.
  if (response.body === null) return IDENTITY;
  return coding;
}

/**
 * Whether a body of `size` bytes goes as it is: under the threshold, unless the client
 * refused identity (`identity;q=0`, or `*;q=0` without an identity entry: RFC 9110
 * §12.5.3).
 */
function isSmall(size: number, accept: string, config: Resolved): boolean {
  return size < config.threshold && !identityRefused(accept);
}

/** `response` with Accept-Encoding in its Vary (a copy when its headers are immutable). */
function withVary(response: Response): Response {
  try {
    addVary(response.headers);
    return response;
  } catch {
    // Immutable headers (a fetch() Response): copy them.
    const headers = new Headers(response.headers);
    addVary(headers);
    return rebuild(response, response.body, headers);
  }
}

async function encode(
  request: Request,
  response: Response,
  config: Resolved,
  coding: Coding,
): Promise<Response> {
  const source = response.headers;
  const lengthText = source.get("content-length");
  const length = lengthText === null ? -1 : Number(lengthText);
  const accept = request.headers.get("accept-encoding") ?? "";
  const body = response.body!;
  const headers = new Headers(source);
  addVary(headers);
  let whole: Uint8Array | null = null;
  let rest: ChunkSource | null = null;
  if (length >= 0 && length <= config.bufferBytes) {
    whole = await response.bytes();
  } else if (length < 0) {
    const peeked = await peekBody(body, config.bufferBytes);
    whole = peeked.whole;
    rest = peeked.source;
  } else {
    const reader = body.getReader();
    rest = { read: () => reader.read(), cancel: (reason) => reader.cancel(reason) };
  }
  // Known only now when there was no Content-Length: too small to be worth it.
  if (whole !== null && isSmall(whole.length, accept, config)) {
    return rebuild(response, whole, headers);
  }
  headers.delete("accept-ranges");
  headers.set("content-encoding", coding);
  const etag = headers.get("etag");
  if (etag !== null && etag.startsWith('"')) headers.set("etag", `W/${etag}`);
  if (whole !== null) {
    const encoded = compressBytes(coding, whole, config.levels);
    headers.set("content-length", String(encoded.length));
    return rebuild(response, encoded, headers);
  }
  headers.delete("content-length");
  const levels = config.levels;
  const stream = zlibStream(rest!, () => createCompressor(coding, levels), {
    flush: flushFlag(coding),
    maxBytes: Infinity,
    tooLarge: () => new RangeError("Cannot compress a response: no limit applies"),
  });
  return rebuild(response, stream, headers);
}
