/**
 * Options of `serveFile` and `serveDir`, and their defaults.
 *
 * @module
 */

/**
 * How `serveFile` and `serveDir` make a file's ETag: `"stat"` from its size and
 * modification time (as nginx), `"hash"` from a SHA-256 of its content (computed once
 * per version of the file and remembered), or `false` for none.
 *
 * @example Hash the content
 * ```ts
 * import type { EtagMode } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const mode: EtagMode = "hash";
 * assert.equal(mode, "hash");
 * ```
 */
export type EtagMode = "stat" | "hash" | false;

/**
 * A coding of precompressed sibling files: `file.br`, `file.zst`, `file.gz`.
 *
 * @example The three
 * ```ts
 * import type { PrecompressedCoding } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const codings: PrecompressedCoding[] = ["br", "zstd", "gzip"];
 * assert.equal(codings.length, 3);
 * ```
 */
export type PrecompressedCoding = "br" | "zstd" | "gzip";

/**
 * The ETag mode when none is given: size and modification time.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_ETAG_MODE } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_ETAG_MODE, "stat");
 * ```
 */
export const DEFAULT_ETAG_MODE: EtagMode = "stat";
/**
 * Most ranges of a multi-range request that are honoured: past it the Range field is
 * ignored and the whole file is sent (RFC 9110 §14.2 lets a server ignore it).
 *
 * @example The default
 * ```ts
 * import { DEFAULT_MAX_RANGES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_RANGES, 50);
 * ```
 */
export const DEFAULT_MAX_RANGES = 50;
/**
 * Bytes read from a file per chunk of a streamed body (512 KiB: big reads, one write
 * each; bench/static.ts measured 256 KiB to 1 MiB alike against nginx).
 *
 * @example The default
 * ```ts
 * import { DEFAULT_FILE_CHUNK_SIZE } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_FILE_CHUNK_SIZE, 512 * 1024);
 * ```
 */
export const DEFAULT_FILE_CHUNK_SIZE = 512 * 1024;
/**
 * Files up to this size are read whole, with one synchronous read, and sent as a static
 * body (in the same write as the head); larger ones are streamed.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_SMALL_FILE_BYTES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_SMALL_FILE_BYTES, 64 * 1024);
 * ```
 */
export const DEFAULT_SMALL_FILE_BYTES = 64 * 1024;
/**
 * Bytes of small files `serveFile` and `serveDir` keep in memory per options object
 * (8 MiB), each checked against a fresh stat on every request.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_FILE_CACHE_BYTES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_FILE_CACHE_BYTES, 8 * 1024 * 1024);
 * ```
 */
export const DEFAULT_FILE_CACHE_BYTES = 8 * 1024 * 1024;
/**
 * The precompressed codings looked for when `precompressed: true`, in order of
 * preference: `.br`, `.zst`, `.gz`.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_PRECOMPRESSED } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(DEFAULT_PRECOMPRESSED, ["br", "zstd", "gzip"]);
 * ```
 */
export const DEFAULT_PRECOMPRESSED: readonly PrecompressedCoding[] = ["br", "zstd", "gzip"];
/**
 * The index files `serveDir` looks for in a directory.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_INDEX } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(DEFAULT_INDEX, ["index.html"]);
 * ```
 */
export const DEFAULT_INDEX: readonly string[] = ["index.html"];

/**
 * Options of `serveFile` (and of `serveDir`, which passes them on).
 *
 * @example Cache for a day, ETags from content, precompressed siblings
 * ```ts
 * import type { ServeFileOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: ServeFileOptions = {
 *   cacheControl: "public, max-age=86400",
 *   etag: "hash",
 *   precompressed: true,
 * };
 * assert.equal(options.etag, "hash");
 * ```
 */
export interface ServeFileOptions {
  /**
   * How the ETag is made: `"stat"` (size and modification time), `"hash"` (SHA-256 of
   * the content, remembered per version of the file), or `false` for none.
   *
   * @default {"stat"}
   */
  etag?: EtagMode;
  /**
   * Whether to send Last-Modified (and honour If-Modified-Since / If-Unmodified-Since).
   *
   * @default {true}
   */
  lastModified?: boolean;
  /**
   * A Cache-Control value for files served (also on 304s).
   *
   * @default {undefined}
   */
  cacheControl?: string;
  /**
   * More header fields for 200, 206 and 304 responses (they cannot replace the ones
   * the file's metadata sets).
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
  /**
   * The Content-Type; by default the one of the file's extension (`contentType()`),
   * else `application/octet-stream`.
   *
   * @default {from the extension}
   */
  contentType?: string;
  /**
   * Serve a precompressed sibling (`file.br`, `file.zst`, `file.gz`) when the client
   * accepts its coding, as nginx's `gzip_static`/`brotli_static`: `true` looks for the
   * three in that order of preference, a list for those listed. Responses then carry
   * `Vary: Accept-Encoding`; the sibling's own size and dates make its ETag.
   *
   * @default {false}
   */
  precompressed?: boolean | readonly PrecompressedCoding[];
  /**
   * Most ranges honoured in one request; past it the whole file is sent.
   *
   * @default {50}
   */
  maxRanges?: number;
  /**
   * Bytes per read when streaming a large file.
   *
   * @default {524288}
   */
  chunkSize?: number;
  /**
   * Files up to this size are read whole and sent in the same write as the head.
   *
   * @default {65536}
   */
  smallFileBytes?: number;
  /**
   * Bytes of small files kept in memory (0: none). A kept file is used only while a
   * fresh stat of its path shows the same device, inode, size, modification and change
   * times; otherwise it is read again (and, under `serveDir`, its path checked again).
   *
   * @default {8388608}
   */
  fileCacheBytes?: number;
}

/**
 * Options of `serveDir`: where the files are, the URL prefix they are served at, and
 * what to do with directories, dotfiles and symbolic links.
 *
 * @example Serve ./public at /static with a listing
 * ```ts
 * import type { ServeDirOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: ServeDirOptions = { root: "./public", urlRoot: "/static", listing: true };
 * assert.equal(options.urlRoot, "/static");
 * ```
 */
export interface ServeDirOptions extends ServeFileOptions {
  /** The directory served. Nothing outside it is ever read. */
  root: string;
  /**
   * The URL path the root is served at (`"/static"`; a leading slash is optional). A
   * request outside it is answered 404 (`serveStatic()` passes it on instead).
   *
   * @default {""}
   */
  urlRoot?: string;
  /**
   * Index files tried, in order, for a request naming a directory; `false` for none.
   *
   * @default {["index.html"]}
   */
  index?: string | readonly string[] | false;
  /**
   * List a directory's entries (an HTML page) when it has no index file; 404 otherwise.
   *
   * @default {false}
   */
  listing?: boolean;
  /**
   * Paths with a segment that starts with "." (`.env`, `.git/config`): `"ignore"` answers
   * 404 as if they did not exist, `"deny"` 403, `"allow"` serves them.
   *
   * @default {"ignore"}
   */
  dotfiles?: "ignore" | "deny" | "allow";
  /**
   * Follow symbolic links wherever they lead. When false, a link is followed only while
   * its target stays inside the root (checked on the resolved path); one leading out is
   * 404.
   *
   * @default {false}
   */
  followSymlinks?: boolean;
}
