/**
 * The response for one file whose metadata is known: validators, preconditions,
 * precompressed siblings, ranges, and the body (read whole when small, streamed when
 * large). Shared by `serveFile` and `serveDir`.
 *
 * Metadata and small files are read with synchronous calls, as nginx reads them
 * (blocking, without `aio threads`): on a local filesystem a stat takes about 1 µs and a
 * 1 KiB read 2-3 µs, while each asynchronous Deno fs call costs about 9 µs in its hop to
 * a worker thread (bench/static.ts's small-file scenario went from about half to about
 * nine tenths of nginx's rate). Large files stream with asynchronous reads.
 *
 * @module
 */

import { acceptsEncodings } from "../accept_encoding.ts";
import { contentType } from "../content_type.ts";
import {
  DEFAULT_ETAG_MODE,
  DEFAULT_FILE_CACHE_BYTES,
  DEFAULT_FILE_CHUNK_SIZE,
  DEFAULT_MAX_RANGES,
  DEFAULT_PRECOMPRESSED,
  DEFAULT_SMALL_FILE_BYTES,
  type EtagMode,
  type PrecompressedCoding,
  type ServeFileOptions,
} from "../static_options.ts";
import { formatHttpDate } from "../_codec/date.ts";
import { kindOf } from "../_codec/error_text.ts";
import { NON_NEGATIVE_INTEGER, numberOption, POSITIVE_INTEGER } from "../_codec/options.ts";
import { evaluatePreconditions, ifRangeMatches, NOT_MODIFIED, PROCEED } from "./conditional.ts";
import { bytesHashEtag, contentHashEtag } from "./content_hash.ts";
import { type CachedFile, FileCache } from "./file_cache.ts";
import { fileStream, type Piece } from "./file_stream.ts";
import { multipartByteranges } from "./multipart.ts";
import { type ByteRange, parseRange, RANGE_UNSATISFIABLE } from "./range.ts";
import { statEtag } from "./validators.ts";

/** `serveFile`'s options, checked and with their defaults. */
export interface FileConfig {
  etag: EtagMode;
  lastModified: boolean;
  cacheControl: string | null;
  headers: [string, string][];
  contentType: string | null;
  precompressed: readonly PrecompressedCoding[];
  maxRanges: number;
  chunkSize: number;
  smallFileBytes: number;
  /** Small files already read (null when `fileCacheBytes` is 0). */
  cache: FileCache | null;
}

const SIBLING_EXTENSION: Record<PrecompressedCoding, string> = {
  br: ".br",
  zstd: ".zst",
  gzip: ".gz",
};

/**
 * Checks `options` and fills in the defaults.
 *
 * @param options The caller's options.
 * @param action What the caller does, for messages ("serve a file").
 * @returns The resolved configuration.
 */
export function resolveFileConfig(options: ServeFileOptions, action: string): FileConfig {
  const etag = options.etag ?? DEFAULT_ETAG_MODE;
  if (etag !== "stat" && etag !== "hash" && etag !== false) {
    throw new TypeError(
      `Cannot ${action}: etag must be "stat", "hash" or false, got ${JSON.stringify(etag)}`,
    );
  }
  let precompressed: readonly PrecompressedCoding[] = [];
  if (options.precompressed === true) precompressed = DEFAULT_PRECOMPRESSED;
  else if (Array.isArray(options.precompressed)) {
    for (const coding of options.precompressed) {
      if (!(coding in SIBLING_EXTENSION)) {
        throw new TypeError(
          `Cannot ${action}: precompressed holds ${JSON.stringify(coding)}, not br, zstd or gzip`,
        );
      }
    }
    precompressed = options.precompressed;
  } else if (options.precompressed !== undefined && options.precompressed !== false) {
    throw new TypeError(
      `Cannot ${action}: precompressed must be a boolean or a list, got ${
        kindOf(options.precompressed)
      }`,
    );
  }
  const headers: [string, string][] = [];
  if (options.headers !== undefined) {
    new Headers(options.headers).forEach((value, name) => headers.push([name, value]));
  }
  const cacheBytes = numberOption(
    action,
    "fileCacheBytes",
    options.fileCacheBytes,
    DEFAULT_FILE_CACHE_BYTES,
    NON_NEGATIVE_INTEGER,
  );
  return {
    etag,
    lastModified: options.lastModified ?? true,
    cacheControl: options.cacheControl ?? null,
    headers,
    contentType: options.contentType ?? null,
    precompressed,
    maxRanges: numberOption(action, "maxRanges", options.maxRanges, DEFAULT_MAX_RANGES, {
      min: 1,
      integer: true,
    }),
    chunkSize: numberOption(
      action,
      "chunkSize",
      options.chunkSize,
      DEFAULT_FILE_CHUNK_SIZE,
      POSITIVE_INTEGER,
    ),
    smallFileBytes: numberOption(
      action,
      "smallFileBytes",
      options.smallFileBytes,
      DEFAULT_SMALL_FILE_BYTES,
      NON_NEGATIVE_INTEGER,
    ),
    cache: cacheBytes > 0 ? new FileCache(cacheBytes) : null,
  };
}

/** The metadata of `path`, following links; null when it cannot be had. */
export function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

/** Formatted Last-Modified values by mtime second (files change rarely). */
const dates = new Map<number, string>();
const MAX_DATES = 512;

function httpDate(ms: number): string {
  let text = dates.get(ms);
  if (text === undefined) {
    text = formatHttpDate(ms);
    if (dates.size >= MAX_DATES) dates.clear();
    dates.set(ms, text);
  }
  return text;
}

/**
 * A Response with `fields` appended one by one: on Deno 2.9 that costs about a fifth of
 * passing them as `init.headers`, whose WebIDL conversion dominated the small-file path
 * (bench/static.ts; 4 fields: 1.9 µs against 9.4 µs).
 */
function respond(
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null,
  status: number,
  fields: [string, string][],
): Response {
  const response = status === 200 ? new Response(body) : new Response(body, { status });
  const headers = response.headers;
  for (let i = 0; i < fields.length; i++) headers.append(fields[i][0], fields[i][1]);
  return response;
}

/** A bodiless answer with `headers`. */
function empty(status: number, headers: [string, string][]): Response {
  return respond(null, status, headers);
}

/**
 * Answers `request` (GET or HEAD) with the file at `path`.
 *
 * @param request The request.
 * @param path The file (already checked to be one, and allowed).
 * @param info Its metadata.
 * @param config The options.
 * @param allowed Checks a sibling path before it is served (symlink policy); null: any.
 * @returns The response (a Promise only while a large file is hashed).
 */
export function fileResponse(
  request: Request,
  path: string,
  info: Deno.FileInfo,
  config: FileConfig,
  allowed: ((path: string) => boolean) | null,
): Response | Promise<Response> {
  const cache = config.cache;
  if (cache !== null && config.precompressed.length === 0 && info.size <= config.smallFileBytes) {
    // The common case first, before any other work: a plain GET of a cached small file.
    const template = cache.get(path, info)?.template ?? null;
    if (template !== null && isPlainGet(request)) return template.clone();
  }
  const type = config.contentType ?? contentType(path) ?? "application/octet-stream";
  let servePath = path;
  let coding: PrecompressedCoding | null = null;
  if (config.precompressed.length > 0 && request.headers.has("accept-encoding")) {
    let candidates = config.precompressed as PrecompressedCoding[];
    while (candidates.length > 0) {
      const best = acceptsEncodings(request, ...candidates) as PrecompressedCoding | undefined;
      if (best === undefined) break;
      const sibling = path + SIBLING_EXTENSION[best];
      const siblingInfo = statOrNull(sibling);
      if (
        siblingInfo !== null && siblingInfo.isFile &&
        (allowed === null || cache?.get(sibling, siblingInfo) || allowed(sibling))
      ) {
        servePath = sibling;
        info = siblingInfo;
        coding = best;
        break;
      }
      candidates = candidates.filter((candidate) => candidate !== best);
    }
  }
  const file: ServedFile = {
    path: servePath,
    info,
    type,
    coding,
    bytes: null,
    etag: null,
    entry: null,
  };
  if (info.size <= config.smallFileBytes) {
    const entry = cache?.get(servePath, info) ?? null;
    if (entry !== null) {
      file.bytes = entry.bytes;
      file.etag = entry.etag;
      file.entry = entry;
    } else if (config.etag === "hash" || cache !== null) {
      // Read now: the hash needs the bytes, and the cache keeps them for next time.
      readSmall(file, config, cache);
    } else if (config.etag === "stat") {
      file.etag = statEtag(info.size, info.mtime?.getTime() ?? null);
    }
    return respondWith(request, file, config);
  }
  if (config.etag === "hash") {
    return contentHashEtag(servePath, info).then((etag) => {
      file.etag = etag;
      return respondWith(request, file, config);
    });
  }
  if (config.etag === "stat") file.etag = statEtag(info.size, info.mtime?.getTime() ?? null);
  return respondWith(request, file, config);
}

/** A GET without Range or preconditions: the cached 200 answers it as it is. */
function isPlainGet(request: Request): boolean {
  if (request.method !== "GET") return false;
  const headers = request.headers;
  return !headers.has("range") && !headers.has("if-none-match") &&
    !headers.has("if-modified-since") && !headers.has("if-match") &&
    !headers.has("if-unmodified-since");
}

/** The file chosen for a response (the original or a precompressed sibling). */
interface ServedFile {
  path: string;
  info: Deno.FileInfo;
  type: string;
  coding: PrecompressedCoding | null;
  /** Its content, once read (small files only). */
  bytes: Uint8Array<ArrayBuffer> | null;
  etag: string | null;
  /** Its cache entry, if it has one. */
  entry: CachedFile | null;
}

/** Reads a small file whole, makes its ETag, and caches both. */
function readSmall(file: ServedFile, config: FileConfig, cache: FileCache | null): void {
  const bytes = Deno.readFileSync(file.path) as Uint8Array<ArrayBuffer>;
  const info = file.info;
  file.bytes = bytes;
  if (config.etag === "hash") file.etag = bytesHashEtag(bytes);
  else if (config.etag === "stat") file.etag = statEtag(info.size, info.mtime?.getTime() ?? null);
  // A file that changed between its stat and its read is not remembered.
  if (cache !== null && bytes.length === info.size) {
    file.entry = cache.set(file.path, info, bytes, file.etag);
  }
}

function respondWith(request: Request, file: ServedFile, config: FileConfig): Response {
  const entry = file.entry;
  const method = request.method;
  const requestHeaders = request.headers;
  if (entry !== null && entry.template !== null && isPlainGet(request)) {
    return entry.template.clone();
  }
  const info = file.info;
  const etag = file.etag;
  const mtime = info.mtime?.getTime() ?? null;
  // HTTP-dates have whole seconds: compare at that precision.
  const lastModified = config.lastModified && mtime !== null
    ? Math.floor(mtime / 1000) * 1000
    : NaN;
  const headers: [string, string][] = [];
  if (etag !== null) headers.push(["etag", etag]);
  if (!Number.isNaN(lastModified)) headers.push(["last-modified", httpDate(lastModified)]);
  if (config.cacheControl !== null) headers.push(["cache-control", config.cacheControl]);
  if (config.precompressed.length > 0) headers.push(["vary", "Accept-Encoding"]);
  for (const field of config.headers) headers.push(field);
  const precondition = evaluatePreconditions(requestHeaders, method, etag, lastModified);
  if (precondition !== PROCEED) {
    return empty(precondition, precondition === NOT_MODIFIED ? headers : []);
  }
  headers.push(["content-type", file.type], ["accept-ranges", "bytes"]);
  if (file.coding !== null) headers.push(["content-encoding", file.coding]);
  const head = method === "HEAD";
  let bytes = file.bytes;
  if (bytes === null && !head && info.size <= config.smallFileBytes) {
    bytes = Deno.readFileSync(file.path) as Uint8Array<ArrayBuffer>;
  }
  // The bytes read are what is sent, should the file have changed since its stat.
  const size = bytes === null ? info.size : bytes.length;
  const servePath = file.path;
  let ranges: ByteRange[] | null = null;
  const range = head ? null : requestHeaders.get("range");
  if (range !== null) {
    const ifRange = requestHeaders.get("if-range");
    if (ifRange === null || ifRangeMatches(ifRange, etag, lastModified)) {
      const parsed = parseRange(range, size, config.maxRanges);
      if (parsed === RANGE_UNSATISFIABLE) {
        headers.push(["content-range", `bytes */${size}`]);
        return empty(416, headers);
      }
      if (typeof parsed !== "number") ranges = parsed;
    }
  }
  if (ranges === null) {
    headers.push(["content-length", String(size)]);
    if (head) return empty(200, headers);
    if (entry !== null) return (entry.template ??= respond(bytes!, 200, headers)).clone();
    if (bytes !== null) return respond(bytes, 200, headers);
    return respond(
      fileStream(servePath, [{ start: 0, end: size }], config.chunkSize),
      200,
      headers,
    );
  }
  if (ranges.length === 1) {
    const { start, end } = ranges[0];
    headers.push(
      ["content-range", `bytes ${start}-${end}/${size}`],
      ["content-length", String(end + 1 - start)],
    );
    const body = bytes !== null
      ? bytes.subarray(start, end + 1)
      : fileStream(servePath, [{ start, end: end + 1 }], config.chunkSize);
    return respond(body, 206, headers);
  }
  const multipart = multipartByteranges(ranges, size, file.type);
  const at = headers.findIndex(([name]) => name === "content-type");
  headers[at] = ["content-type", multipart.contentType];
  headers.push(["content-length", String(multipart.length)]);
  if (bytes !== null) {
    return respond(joinPieces(multipart.pieces, bytes, multipart.length), 206, headers);
  }
  return respond(fileStream(servePath, multipart.pieces, config.chunkSize), 206, headers);
}

/** A multipart body of a small file, laid out in one buffer. */
function joinPieces(
  pieces: readonly Piece[],
  file: Uint8Array,
  length: number,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    const part = piece instanceof Uint8Array ? piece : file.subarray(piece.start, piece.end);
    out.set(part, at);
    at += part.length;
  }
  return out;
}
