/**
 * Stable codes of {@linkcode ParseError}, in the spirit of llhttp's `HPE_*` codes. Use
 * them to tell rejections apart without matching messages.
 *
 * @example Compare an error's code
 * ```ts
 * import { ParseError, ParseErrorCode } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const error = new ParseError(ParseErrorCode.INVALID_METHOD, "Cannot parse method", 400, 0);
 * assert.equal(error.code, "INVALID_METHOD");
 * ```
 */
export const ParseErrorCode = {
  /** The method is not a token, or (strict mode) not a registered method: 400 or 501. */
  INVALID_METHOD: "INVALID_METHOD",
  /** The request-target holds a byte it may not, or is in the wrong form: 400. */
  INVALID_URL: "INVALID_URL",
  /** The request-target is longer than `maxUrlBytes`: 414. */
  URI_TOO_LONG: "URI_TOO_LONG",
  /** The HTTP-version is malformed (400) or not 1.0/1.1 (505). */
  INVALID_VERSION: "INVALID_VERSION",
  /** The status code of a response is not three digits from 100: 400. */
  INVALID_STATUS: "INVALID_STATUS",
  /** A header name holds a non-token byte, whitespace before the colon, or an obs-fold: 400. */
  INVALID_HEADER_TOKEN: "INVALID_HEADER_TOKEN",
  /** A header value holds a control character: 400. */
  INVALID_HEADER_VALUE: "INVALID_HEADER_VALUE",
  /** The head is larger than `maxHeaderBytes` or has more than `maxHeaderCount` fields: 431. */
  HEADER_OVERFLOW: "HEADER_OVERFLOW",
  /** Content-Length is empty, not digits, too large, or repeated with another value: 400. */
  INVALID_CONTENT_LENGTH: "INVALID_CONTENT_LENGTH",
  /** Content-Length together with Transfer-Encoding: 400. */
  UNEXPECTED_CONTENT_LENGTH: "UNEXPECTED_CONTENT_LENGTH",
  /** Transfer-Encoding not ending in chunked, on HTTP/1.0, or with codings Wire lacks: 400 or 501. */
  INVALID_TRANSFER_ENCODING: "INVALID_TRANSFER_ENCODING",
  /** A chunk-size line is not hex digits (or overflows), or chunk data lacks its CRLF: 400. */
  INVALID_CHUNK_SIZE: "INVALID_CHUNK_SIZE",
  /** A chunk extension breaks the RFC 9112 §7.1.1 grammar: 400. */
  INVALID_CHUNK_EXTENSION: "INVALID_CHUNK_EXTENSION",
  /** The chunk extensions of one chunk are longer than `maxChunkExtensionBytes`: 400. */
  CHUNK_EXTENSIONS_OVERFLOW: "CHUNK_EXTENSIONS_OVERFLOW",
  /** A bare CR or bare LF where CRLF is required (RFC 9112 §2.2): 400. */
  STRICT: "STRICT",
  /** The peer closed the connection in the middle of a message: 400. */
  INVALID_EOF_STATE: "INVALID_EOF_STATE",
  /** Bytes arrived after a message that closes the connection: 400. */
  CLOSED_CONNECTION: "CLOSED_CONNECTION",
} as const;

/** One of the {@linkcode ParseErrorCode} strings. */
export type ParseErrorCode = (typeof ParseErrorCode)[keyof typeof ParseErrorCode];

/**
 * Bad bytes on the wire: what the parser reports for a message it rejects. The parser
 * does not throw it; it stops in a sticky error state and exposes it as `parser.error`.
 * The connection answers `status` and closes.
 *
 * @example Read the fields of a rejection
 * ```ts
 * import { Parser, PARSE_ERROR } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const parser = new Parser({ mode: "request" });
 * const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n");
 * assert.equal(parser.execute(bytes, 0, bytes.length), PARSE_ERROR);
 * assert.equal(parser.error?.code, "INVALID_HEADER_TOKEN");
 * assert.equal(parser.error?.status, 400);
 * assert.equal(parser.error?.offset, 19);
 * ```
 */
export class ParseError extends SyntaxError {
  /** Stable code naming the rule that was broken. */
  readonly code: ParseErrorCode;
  /** The HTTP status a server answers with: 400, 414, 431, 501 or 505. */
  readonly status: number;
  /** Byte offset of the offending byte within the stream fed to the parser so far. */
  readonly offset: number;

  /**
   * Creates a rejection; the parser builds these, tests and servers may too.
   *
   * @param code One of {@linkcode ParseErrorCode}.
   * @param message What could not be parsed and where, e.g. "Cannot parse chunk size: byte 0x47 at offset 12".
   * @param status The HTTP status to answer with.
   * @param offset Byte offset of the offending byte in the stream.
   * @param options `cause`, as for any Error.
   */
  constructor(
    code: ParseErrorCode,
    message: string,
    status: number,
    offset: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ParseError";
    this.code = code;
    this.status = status;
    this.offset = offset;
  }
}
