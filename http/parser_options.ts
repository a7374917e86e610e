/**
 * Options of the HTTP/1.1 `Parser`: mode, limits and the lenient flags.
 *
 * @module
 */

/**
 * Longest chunk extension list (bytes after a chunk size, up to its CR) accepted by
 * default; `ParserOptions.maxChunkExtensionBytes` changes it.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_MAX_CHUNK_EXTENSION_BYTES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_CHUNK_EXTENSION_BYTES, 16384);
 * ```
 */
export const DEFAULT_MAX_CHUNK_EXTENSION_BYTES = 16 * 1024;

/**
 * Named relaxations of the strict RFC 9112 rules, for peers known to be sloppy (mostly
 * servers a client talks to). Every flag is off by default. The names follow llhttp's
 * lenient flags so that its test corpus maps one to one.
 *
 * @example A client parser that accepts bare LF line ends
 * ```ts
 * import { PARSE_HEAD, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const parser = new Parser({ mode: "response", lenient: { optionalCrBeforeLf: true } });
 * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\nContent-Length: 0\n\n");
 * assert.equal(parser.execute(bytes), PARSE_HEAD);
 * ```
 */
export interface ParserLenientFlags {
  /**
   * Header lines as llhttp's `lenient headers`: control characters in values,
   * whitespace between a name and its colon (kept in the name), obs-fold lines joined to
   * the previous value, and a CR not followed by LF ending a header line.
   *
   * @default {false}
   */
  headers?: boolean;
  /**
   * Control characters (other than NUL, CR and LF) inside header values.
   *
   * @default {false}
   */
  headerValueRelaxed?: boolean;
  /**
   * Content-Length together with Transfer-Encoding: Transfer-Encoding decides the framing
   * and Content-Length is dropped (`contentLength` stays -1). A request whose final coding
   * is not chunked is then read until the connection closes, as llhttp does.
   *
   * @default {false}
   */
  chunkedLength?: boolean;
  /**
   * Keep parsing after a message that asked to close the connection (`keepAlive` still
   * reports false for it).
   *
   * @default {false}
   */
  keepAlive?: boolean;
  /**
   * Transfer-Encoding whose final coding is not chunked, or on HTTP/1.0, in a request:
   * the body is read until the connection closes instead of answering 400/501.
   *
   * @default {false}
   */
  transferEncoding?: boolean;
  /**
   * Any `HTTP/d.d` version, not only 1.0 and 1.1 (versions from 1.1 up keep the
   * connection alive by default).
   *
   * @default {false}
   */
  version?: boolean;
  /**
   * Silently ignore bytes after a message that closes the connection, instead of
   * reporting CLOSED_CONNECTION.
   *
   * @default {false}
   */
  dataAfterClose?: boolean;
  /**
   * A CR not followed by LF ends a line (start line, header line, chunk lines).
   *
   * @default {false}
   */
  optionalLfAfterCr?: boolean;
  /**
   * A bare LF ends a line anywhere CRLF is expected.
   *
   * @default {false}
   */
  optionalCrBeforeLf?: boolean;
  /**
   * Chunk data not followed by CRLF: the next chunk-size line starts right after it.
   *
   * @default {false}
   */
  optionalCrlfAfterChunk?: boolean;
  /**
   * Spaces or tabs between a chunk size and its CRLF.
   *
   * @default {false}
   */
  spacesAfterChunkSize?: boolean;
  /**
   * Any token as a request method, not only the registered ones (unknown methods are
   * otherwise rejected with 501, RFC 9110 §9.1).
   *
   * @default {false}
   */
  methods?: boolean;
}

/**
 * Options for {@linkcode Parser}.
 *
 * @example Tighter limits for a server
 * ```ts
 * import { PARSE_ERROR, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const parser = new Parser({ mode: "request", maxUrlBytes: 8, upgrade: false });
 * const bytes = new TextEncoder().encode("GET /much/too/long HTTP/1.1\r\n\r\n");
 * assert.equal(parser.execute(bytes), PARSE_ERROR);
 * assert.equal(parser.error?.status, 414);
 * ```
 */
export interface ParserOptions {
  /**
   * Parse requests (a server) or responses (a client).
   *
   * @default {"request"}
   */
  mode?: "request" | "response";
  /**
   * Largest head (start line, field lines and the empty line, with their CRLFs), and
   * largest trailer section: HEADER_OVERFLOW (431) past it.
   *
   * @default {16384}
   */
  maxHeaderBytes?: number;
  /**
   * Most field lines in a head or a trailer section: HEADER_OVERFLOW (431) past it.
   *
   * @default {100}
   */
  maxHeaderCount?: number;
  /**
   * Longest request-target: URI_TOO_LONG (414) past it.
   *
   * @default {8192}
   */
  maxUrlBytes?: number;
  /**
   * Longest chunk extension list of one chunk: CHUNK_EXTENSIONS_OVERFLOW (400) past it.
   *
   * @default {16384}
   */
  maxChunkExtensionBytes?: number;
  /**
   * Request mode: report `Connection: upgrade` + `Upgrade` requests as PARSE_UPGRADE.
   * When false they are ordinary messages (for a server without upgrade support).
   * CONNECT is always PARSE_UPGRADE: the bytes after its head are a tunnel, never a
   * request, so the server answers it (e.g. 501) and closes.
   *
   * @default {true}
   */
  upgrade?: boolean;
  /** Relaxations of the strict rules, all off by default. */
  lenient?: ParserLenientFlags;
}
