// The project's own parser cases: one table covering every protocol rule of DESIGN.md and
// the parser contract. parser_test.ts runs each case whole; parser_split_test.ts runs each
// one cut at every byte and fed one byte at a time.

import { assert } from "../../_assert.ts";
import { PARSE_END, PARSE_ERROR, PARSE_NEED_MORE } from "../../../http/parse_event.ts";
import type { ParseErrorCode } from "../../../http/parse_error.ts";
import type { RunOptions, RunResult, SeenMessage } from "./_corpus.ts";

/** Fields of a message to check (others are not compared). */
export type ExpectedMessage = Partial<SeenMessage>;

/** One table case: input, options, and what the parser must report. */
export interface ParserCase {
  /** States the rule, e.g. "rejects Content-Length with Transfer-Encoding". */
  name: string;
  input: string;
  options?: RunOptions;
  /** Complete messages, in order (default: none). */
  messages?: ExpectedMessage[];
  /** The rejection, after `messages`. */
  error?: { code: ParseErrorCode; status: number; offset?: number };
  /** Stream offset where another protocol starts (CONNECT, Upgrade, 101). */
  upgradeOffset?: number;
  /** A message is in progress at the end: "head" (its head was reported) or "start". */
  pending?: "head" | "start";
  /** Outcome of finish() after the input: "end" completes a message, "clean", "error". */
  finish?: "end" | "clean" | "error";
}

const GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
const CHUNKED_POST = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

function rejects(
  name: string,
  input: string,
  code: ParseErrorCode,
  status = 400,
  offset?: number,
  options?: RunOptions,
): ParserCase {
  return { name, input, options, error: { code, status, offset } };
}

/** Every table case. */
export const PARSER_CASES: ParserCase[] = [
  // --- request line and heads ---------------------------------------------------------
  {
    name: "parses a GET head: method, target, version and fields in order",
    input: "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Two: 2\r\n\r\n",
    messages: [{
      method: "GET",
      target: "/a/b?c=d",
      version: "1.1",
      headers: [["Host", "example.com"], ["Accept", "*/*"], ["X-Two", "2"]],
      body: "",
      keepAlive: true,
    }],
  },
  {
    name: "keeps header name case and value bytes, strips leading whitespace only",
    input:
      "GET / HTTP/1.1\r\nhOsT: a\r\nX-V:  \t spaced out \t\r\nX-Empty:\r\nX-Latin: caf\xe9\r\n\r\n",
    messages: [{
      headers: [["hOsT", "a"], ["X-V", "spaced out \t"], ["X-Empty", ""], ["X-Latin", "caf\xe9"]],
    }],
  },
  {
    name: "decodes obs-text as latin1 in a large head (whole-head decode path)",
    input: "GET /" + "p".repeat(80) + " HTTP/1.1\r\nX-Long: " + "v".repeat(100) +
      " caf\xe9 \x80\xff\r\nX-Ascii: " + "a".repeat(60) + "\r\n\r\n",
    messages: [{
      target: "/" + "p".repeat(80),
      headers: [["X-Long", "v".repeat(100) + " caf\xe9 \x80\xff"], ["X-Ascii", "a".repeat(60)]],
    }],
  },
  {
    name: "decodes a reason phrase with obs-text as latin1 in a large head",
    input: "HTTP/1.1 500 Ori\xc3\xabntatie " + "r".repeat(100) + "\r\nX-Pad: " + "x".repeat(300) +
      "\r\nContent-Length: 0\r\n\r\n",
    options: { mode: "response" },
    messages: [{ status: 500, reason: "Ori\xc3\xabntatie " + "r".repeat(100) }],
  },
  {
    name: "ignores empty lines before a request line (RFC 9112 §2.2)",
    input: "\r\n\r\n" + GET,
    messages: [{ method: "GET", target: "/" }],
  },
  {
    name: "parses pipelined requests in order",
    input:
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
      "DELETE /3 HTTP/1.1\r\nHost: a\r\n\r\n",
    messages: [
      { method: "GET", target: "/1", body: "" },
      { method: "POST", target: "/2", body: "abc" },
      { method: "DELETE", target: "/3", body: "" },
    ],
  },
  {
    name: "accepts absolute-form, asterisk-form and CONNECT authority-form targets",
    input: "GET http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n" +
      "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    messages: [{ target: "http://example.com/x?y" }, { method: "OPTIONS", target: "*" }],
  },
  {
    name: "accepts visible ASCII that browsers leave unescaped in targets",
    input: 'GET /a|b{c}^d"e#f HTTP/1.1\r\nHost: a\r\n\r\n',
    messages: [{ target: '/a|b{c}^d"e#f' }],
  },
  {
    name: "interns registered methods and accepts every registered method",
    input: "PROPFIND /d HTTP/1.1\r\nHost: a\r\n\r\nM-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n" +
      "QUERY /q HTTP/1.1\r\nHost: a\r\n\r\n",
    messages: [{ method: "PROPFIND" }, { method: "M-SEARCH" }, { method: "QUERY" }],
  },
  rejects(
    "rejects a method with a non-token byte",
    "G@T / HTTP/1.1\r\n\r\n",
    "INVALID_METHOD",
    400,
    1,
  ),
  rejects("rejects an empty method", " / HTTP/1.1\r\n\r\n", "INVALID_METHOD", 400, 0),
  rejects(
    "rejects an unregistered method with 501 (RFC 9110 §9.1)",
    "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n",
    "INVALID_METHOD",
    501,
    0,
  ),
  {
    name: "accepts an unregistered method with lenient.methods",
    input: "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n",
    options: { lenient: { methods: true } },
    messages: [{ method: "BREW", target: "/pot" }],
  },
  rejects("rejects two spaces after the method", "GET  / HTTP/1.1\r\n\r\n", "INVALID_URL", 400, 4),
  rejects(
    "rejects a control byte in the target",
    "GET /a\x01 HTTP/1.1\r\n\r\n",
    "INVALID_URL",
    400,
    6,
  ),
  rejects("rejects DEL in the target", "GET /a\x7f HTTP/1.1\r\n\r\n", "INVALID_URL", 400, 6),
  rejects(
    "rejects non-ASCII bytes in the target",
    "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
    "INVALID_URL",
    400,
    8,
  ),
  rejects("rejects a target in no valid form", "GET foo HTTP/1.1\r\n\r\n", "INVALID_URL", 400, 4),
  rejects(
    "rejects a lone * followed by more",
    "OPTIONS *x HTTP/1.1\r\n\r\n",
    "INVALID_URL",
    400,
    8,
  ),
  rejects(
    "rejects CONNECT without host:port",
    "CONNECT /path HTTP/1.1\r\nHost: a\r\n\r\n",
    "INVALID_URL",
    400,
    8,
  ),
  rejects("rejects HTTP/2.0 with 505", "GET / HTTP/2.0\r\n\r\n", "INVALID_VERSION", 505, 11),
  rejects("rejects HTTP/0.9 with 505", "GET / HTTP/0.9\r\n\r\n", "INVALID_VERSION", 505, 11),
  rejects(
    "rejects an HTTP/0.9 request line (no version) with 505",
    "GET /\r\n\r\n",
    "INVALID_VERSION",
    505,
    5,
  ),
  rejects("rejects a malformed protocol name", "GET / HTTX/1.1\r\n\r\n", "INVALID_VERSION", 400, 9),
  rejects("rejects a two-digit version", "GET / HTTP/1.10\r\n\r\n", "INVALID_VERSION", 400, 14),
  rejects(
    "rejects an unsupported version before its line ends",
    "GET / HTTP/5.6",
    "INVALID_VERSION",
    505,
    11,
  ),
  {
    name: "accepts any d.d version with lenient.version",
    input: "GET / HTTP/5.6\r\nHost: a\r\n\r\n",
    options: { lenient: { version: true } },
    messages: [{ version: "5.6", keepAlive: true }],
  },

  // --- line endings -------------------------------------------------------------------
  rejects(
    "rejects a bare CR after the request line",
    "GET / HTTP/1.1\rHost: a\r\n\r\n",
    "STRICT",
    400,
    15,
  ),
  rejects(
    "rejects a bare LF after the request line",
    "GET / HTTP/1.1\nHost: a\r\n\r\n",
    "STRICT",
    400,
    14,
  ),
  rejects(
    "rejects a bare CR inside a header value",
    "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
    "STRICT",
    400,
    21,
  ),
  rejects(
    "rejects a bare LF ending a header line",
    "GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n",
    "STRICT",
    400,
    20,
  ),
  rejects("rejects a bare CR ending the head", "GET / HTTP/1.1\r\nX: a\r\n\rZ", "STRICT", 400, 23),
  {
    name: "accepts bare LF line ends with lenient.optionalCrBeforeLf",
    input: "GET / HTTP/1.1\nHost: a\n\n",
    options: { lenient: { optionalCrBeforeLf: true } },
    messages: [{ headers: [["Host", "a"]] }],
  },
  {
    name: "accepts CR without LF as a line end with lenient.optionalLfAfterCr",
    input: "GET / HTTP/1.1\rHost: a\r\n\r\n",
    options: { lenient: { optionalLfAfterCr: true } },
    messages: [{ headers: [["Host", "a"]] }],
  },

  // --- header fields ------------------------------------------------------------------
  rejects(
    "rejects whitespace before the colon",
    "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
    20,
  ),
  rejects(
    "rejects obs-fold (RFC 9112 §5.2)",
    "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
    22,
  ),
  rejects(
    "rejects whitespace before the first field line",
    "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
    16,
  ),
  rejects(
    "rejects a non-token byte in a name",
    "GET / HTTP/1.1\r\nX@Y: a\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
    17,
  ),
  rejects(
    "rejects a control byte in a name",
    "GET / HTTP/1.1\r\nX\x01: a\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
    17,
  ),
  rejects(
    "rejects an empty name",
    "GET / HTTP/1.1\r\n: a\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
    16,
  ),
  rejects(
    "rejects a line without a colon",
    "GET / HTTP/1.1\r\nHost\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
    20,
  ),
  rejects(
    "rejects a control byte in a value",
    "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",
    "INVALID_HEADER_VALUE",
    400,
    20,
  ),
  rejects(
    "rejects NUL in a value",
    "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    "INVALID_HEADER_VALUE",
    400,
    20,
  ),
  rejects(
    "rejects DEL in a value",
    "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n",
    "INVALID_HEADER_VALUE",
    400,
    20,
  ),
  {
    name: "accepts control bytes in values with lenient.headerValueRelaxed",
    input: "GET / HTTP/1.1\r\nX: a\x0cb\r\n\r\n",
    options: { lenient: { headerValueRelaxed: true } },
    messages: [{ headers: [["X", "a\x0cb"]] }],
  },
  {
    name: "rejects NUL in values even with lenient.headers",
    input: "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    options: { lenient: { headers: true } },
    error: { code: "INVALID_HEADER_VALUE", status: 400, offset: 20 },
  },
  {
    name: "joins obs-fold lines and keeps whitespace before colons with lenient.headers",
    input: "GET / HTTP/1.1\r\nX: a\r\n b\r\nY :c\r\nConnection:\r\n close\r\n\r\n",
    options: { lenient: { headers: true } },
    messages: [{
      headers: [["X", "a b"], ["Y ", "c"], ["Connection", "close"]],
      keepAlive: false,
    }],
  },
  {
    name: "reports hostCount and the trimmed first Host",
    input: "GET / HTTP/1.1\r\nHost: a.example \r\nhost: b\r\n\r\n",
    messages: [{
      headers: [["Host", "a.example "], ["host", "b"]],
      hostCount: 2,
      host: "a.example",
    }],
  },
  {
    name: "trims only SP and HTAB (OWS) from the end of Host",
    input: "GET / HTTP/1.1\r\nHost: a\xa0 \t\r\n\r\n",
    messages: [{ headers: [["Host", "a\xa0 \t"]], hostCount: 1, host: "a\xa0" }],
  },

  // --- Content-Length -----------------------------------------------------------------
  {
    name: "reads a Content-Length body",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    messages: [{ body: "hello", contentLength: 5, chunked: false, hostCount: 1, host: "a" }],
  },
  {
    name: "accepts repeated Content-Length fields with the same value",
    input: "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
    messages: [{ body: "abc" }],
  },
  {
    name: "accepts Content-Length with leading zeros and surrounding whitespace",
    input: "POST / HTTP/1.1\r\nContent-Length:  003 \t\r\n\r\nabc",
    messages: [{ body: "abc" }],
  },
  rejects(
    "rejects differing Content-Length fields",
    "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "INVALID_CONTENT_LENGTH",
    400,
    53,
  ),
  rejects(
    'rejects a Content-Length list ("3, 3")',
    "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
    "INVALID_CONTENT_LENGTH",
  ),
  rejects(
    "rejects an empty Content-Length",
    "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
    "INVALID_CONTENT_LENGTH",
  ),
  rejects(
    "rejects a signed Content-Length",
    "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
    "INVALID_CONTENT_LENGTH",
  ),
  rejects(
    "rejects a negative Content-Length",
    "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    "INVALID_CONTENT_LENGTH",
  ),
  rejects(
    "rejects a Content-Length with inner whitespace",
    "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
    "INVALID_CONTENT_LENGTH",
  ),
  rejects(
    "rejects a Content-Length above Number.MAX_SAFE_INTEGER",
    "POST / HTTP/1.1\r\nContent-Length: 9007199254740992\r\n\r\n",
    "INVALID_CONTENT_LENGTH",
  ),
  {
    name: "accepts a Content-Length of Number.MAX_SAFE_INTEGER",
    input: "POST / HTTP/1.1\r\nContent-Length: 9007199254740991\r\n\r\nab",
    messages: [],
    pending: "head",
    finish: "error",
  },
  rejects(
    "rejects Content-Length together with Transfer-Encoding",
    "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "UNEXPECTED_CONTENT_LENGTH",
  ),
  {
    name: "lets Transfer-Encoding win over Content-Length with lenient.chunkedLength",
    input:
      "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
    options: { lenient: { chunkedLength: true } },
    messages: [{ body: "ab", contentLength: -1, chunked: true }],
  },

  // --- Transfer-Encoding and chunked ---------------------------------------------------
  {
    name: "decodes chunks with extensions and collects trailers",
    input: CHUNKED_POST +
      '4;a=b;c="d\\"e"\r\nWiki\r\n5 ; x\r\npedia\r\n0\r\nX-Sum: 9\r\nX-Two: 2\r\n\r\n',
    messages: [{ body: "Wikipedia", trailers: [["X-Sum", "9"], ["X-Two", "2"]] }],
  },
  {
    name: "decodes upper-case hex and zero-padded sizes",
    input: CHUNKED_POST + "00A\r\n0123456789\r\n000\r\n\r\n",
    messages: [{ body: "0123456789", trailers: [] }],
  },
  {
    name: "reads Transfer-Encoding case-insensitively and across fields",
    input:
      "POST / HTTP/1.1\r\nTransfer-Encoding: \r\ntransfer-encoding: CHUNKED\r\n\r\n1\r\nx\r\n0\r\n\r\n",
    messages: [{ body: "x" }],
  },
  rejects(
    "rejects a request whose final coding is not chunked",
    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    "INVALID_TRANSFER_ENCODING",
    400,
  ),
  rejects(
    "rejects chunked applied twice",
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
    "INVALID_TRANSFER_ENCODING",
    400,
  ),
  rejects(
    "answers 501 to an unknown transfer coding",
    "POST / HTTP/1.1\r\nTransfer-Encoding: pigeons\r\n\r\n",
    "INVALID_TRANSFER_ENCODING",
    501,
  ),
  rejects(
    "answers 501 to a coding Wire does not implement before chunked",
    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    "INVALID_TRANSFER_ENCODING",
    501,
  ),
  rejects(
    "rejects Transfer-Encoding in an HTTP/1.0 request",
    "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "INVALID_TRANSFER_ENCODING",
    400,
  ),
  {
    name: "reads a non-chunked request body to EOF with lenient.transferEncoding",
    input: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc",
    options: { lenient: { transferEncoding: true } },
    pending: "head",
    finish: "end",
    messages: [{ body: "abc", keepAlive: false }],
  },
  {
    name: "keeps an HTTP/1.0 keep-alive request with lenient.transferEncoding open",
    input: "POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "2\r\nhi\r\n0\r\n\r\n",
    options: { lenient: { transferEncoding: true } },
    messages: [{ body: "hi", chunked: true, keepAlive: true }],
  },
  rejects("rejects a non-hex chunk size", CHUNKED_POST + "g\r\n", "INVALID_CHUNK_SIZE", 400, 58),
  rejects("rejects an empty chunk size line", CHUNKED_POST + "\r\n", "INVALID_CHUNK_SIZE", 400, 58),
  rejects(
    "rejects a chunk size above Number.MAX_SAFE_INTEGER",
    CHUNKED_POST + "20000000000000\r\n",
    "INVALID_CHUNK_SIZE",
    400,
    71,
  ),
  rejects(
    "rejects chunk data not followed by CRLF",
    CHUNKED_POST + "3\r\nabcX\r\n0\r\n\r\n",
    "INVALID_CHUNK_SIZE",
    400,
    64,
  ),
  rejects("rejects a bare LF after a chunk size", CHUNKED_POST + "3\nabc", "STRICT", 400, 59),
  rejects(
    "rejects whitespace after a chunk size",
    CHUNKED_POST + "3 \r\nabc",
    "INVALID_CHUNK_SIZE",
    400,
    60,
  ),
  rejects(
    "rejects an empty chunk extension",
    CHUNKED_POST + "3;\r\nabc",
    "INVALID_CHUNK_EXTENSION",
    400,
    60,
  ),
  rejects(
    "rejects an unterminated quoted chunk extension",
    CHUNKED_POST + '3;a="b\r\nabc',
    "INVALID_CHUNK_EXTENSION",
    400,
    64,
  ),
  {
    name: "accepts whitespace after a chunk size with lenient.spacesAfterChunkSize",
    input: CHUNKED_POST + "3  \r\nabc\r\n0\r\n\r\n",
    options: { lenient: { spacesAfterChunkSize: true } },
    messages: [{ body: "abc" }],
  },
  {
    name: "accepts chunk data without CRLF with lenient.optionalCrlfAfterChunk",
    input: CHUNKED_POST + "3\r\nabc0\r\n\r\n",
    options: { lenient: { optionalCrlfAfterChunk: true } },
    messages: [{ body: "abc" }],
  },
  rejects(
    "rejects obs-fold in trailers",
    CHUNKED_POST + "0\r\nX: a\r\n b\r\n\r\n",
    "INVALID_HEADER_TOKEN",
    400,
  ),

  // --- connection handling ------------------------------------------------------------
  {
    name: "keeps HTTP/1.1 alive and closes on Connection: close",
    input:
      "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n",
    messages: [{ keepAlive: true }, { keepAlive: false }],
  },
  {
    name: "closes HTTP/1.0 unless Connection: keep-alive",
    input: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
    messages: [{ version: "1.0", keepAlive: true }, { version: "1.0", keepAlive: false }],
  },
  {
    name: "refuses data after a message that closes the connection",
    input: "GET / HTTP/1.1\r\nConnection: close\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    messages: [{ keepAlive: false }],
    error: { code: "CLOSED_CONNECTION", status: 400, offset: 39 },
  },
  {
    name: "ignores empty lines after a message that closes the connection",
    input: "GET / HTTP/1.0\r\n\r\n\r\n\r\n",
    messages: [{ keepAlive: false }],
    finish: "clean",
  },
  {
    name: "parses on after a closing message with lenient.keepAlive",
    input: "GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.1\r\n\r\n",
    options: { lenient: { keepAlive: true } },
    messages: [{ target: "/1", keepAlive: false }, { target: "/2", keepAlive: true }],
  },
  {
    name: "ignores data after a closing message with lenient.dataAfterClose",
    input: "GET /1 HTTP/1.0\r\n\r\nGARBAGE",
    options: { lenient: { dataAfterClose: true } },
    messages: [{ target: "/1" }],
    finish: "clean",
  },
  {
    name: "sets expectContinue for HTTP/1.1 Expect: 100-continue only",
    input: "POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx" +
      "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\ny",
    messages: [{ body: "x", expectContinue: true }, { body: "y", expectContinue: false }],
  },

  // --- upgrade ------------------------------------------------------------------------
  {
    name: "reports an Upgrade request as PARSE_UPGRADE at the end of its head",
    input:
      "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
    messages: [{ target: "/ws", upgrade: true }],
    upgradeOffset: 70,
  },
  {
    name: "reads an Upgrade request's body before the upgrade",
    input:
      "POST /u HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\nContent-Length: 2\r\n\r\nabNEW",
    messages: [{ body: "ab", upgrade: true }],
    upgradeOffset: 74,
  },
  {
    name: "treats Upgrade as an ordinary header with upgrade: false",
    input: "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    options: { upgrade: false },
    messages: [{ upgrade: false, keepAlive: true }],
  },
  {
    name: "needs both Connection: upgrade and Upgrade to upgrade",
    input:
      "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n",
    messages: [{ upgrade: false }, { upgrade: false }],
  },
  {
    name: "reports CONNECT as PARSE_UPGRADE even with upgrade: false",
    input:
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nContent-Length: 4\r\n\r\nTLS!",
    options: { upgrade: false },
    messages: [{ method: "CONNECT", target: "example.com:443", upgrade: true, body: "" }],
    upgradeOffset: 78,
  },

  // --- responses ----------------------------------------------------------------------
  {
    name: "parses a response status line, headers and Content-Length body",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    options: { mode: "response" },
    messages: [{ status: 200, reason: "OK", version: "1.1", body: "hi", keepAlive: true }],
  },
  {
    name: "accepts a status line without reason phrase",
    input: "HTTP/1.1 204\r\n\r\nHTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
    options: { mode: "response" },
    messages: [{ status: 204, reason: "" }, { status: 200, reason: "" }],
  },
  {
    name: "reads a body until close when a response has no framing",
    input: "HTTP/1.1 200 OK\r\n\r\nstream",
    options: { mode: "response" },
    pending: "head",
    finish: "end",
    messages: [{ body: "stream", keepAlive: false }],
  },
  {
    name: "gives 204, 304 and 1xx responses no body",
    input: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n" +
      "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
    options: { mode: "response" },
    messages: [{ status: 100, body: "" }, { status: 204, body: "" }, { status: 304, body: "" }],
  },
  {
    name: "gives the response to a HEAD request no body (expectNoBody)",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
    options: { mode: "response", noBody: true },
    messages: [{ body: "", keepAlive: true }, { body: "", keepAlive: true }],
  },
  {
    name: "reports a 101 response as PARSE_UPGRADE",
    input:
      "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00",
    options: { mode: "response" },
    messages: [{ status: 101, upgrade: true }],
    upgradeOffset: 77,
  },
  {
    name: "reads a response whose final coding is not chunked until close",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzz",
    options: { mode: "response" },
    pending: "head",
    finish: "end",
    messages: [{ body: "zz", keepAlive: false }],
  },
  {
    name: "closes after a chunked HTTP/1.0 response (RFC 9112 §6.1)",
    input:
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
    options: { mode: "response" },
    messages: [{ body: "z", keepAlive: false }],
  },
  {
    name: "rejects Content-Length with Transfer-Encoding in a response",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    options: { mode: "response" },
    error: { code: "UNEXPECTED_CONTENT_LENGTH", status: 400 },
  },
  {
    name: "rejects a status code that is not three digits",
    input: "HTTP/1.1 2000 OK\r\n\r\n",
    options: { mode: "response" },
    error: { code: "INVALID_STATUS", status: 400, offset: 12 },
  },
  {
    name: "rejects a status code below 100",
    input: "HTTP/1.1 099 Odd\r\n\r\n",
    options: { mode: "response" },
    error: { code: "INVALID_STATUS", status: 400, offset: 9 },
  },
  {
    name: "rejects a control byte in the reason phrase",
    input: "HTTP/1.1 200 O\x01K\r\n\r\n",
    options: { mode: "response" },
    error: { code: "INVALID_STATUS", status: 400, offset: 14 },
  },
  {
    name: "rejects HTTP/2.0 responses with 505",
    input: "HTTP/2.0 200 OK\r\n\r\n",
    options: { mode: "response" },
    error: { code: "INVALID_VERSION", status: 505, offset: 5 },
  },

  // --- end of input -------------------------------------------------------------------
  { name: "finishes cleanly between messages", input: GET, messages: [{}], finish: "clean" },
  {
    name: "fails finish() inside a head",
    input: "GET / HTTP/1.1\r\nHo",
    pending: "start",
    finish: "error",
  },
  {
    name: "fails finish() inside a Content-Length body",
    input: "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
    pending: "head",
    finish: "error",
  },
  {
    name: "fails finish() inside a chunked body",
    input: CHUNKED_POST + "5\r\nab",
    pending: "head",
    finish: "error",
  },
];

/** Asserts that a run matches a table case. */
export function checkCase(c: ParserCase, result: RunResult): void {
  const complete = result.messages.filter((m) => m !== result.finishedMessage);
  const expected = c.messages ?? [];
  const wantComplete = c.finish === "end" ? expected.slice(0, -1) : expected;
  assert.equal(complete.length, wantComplete.length, "number of complete messages");
  const seen = c.finish === "end" ? result.messages : complete;
  for (let i = 0; i < expected.length; i++) {
    for (const [key, value] of Object.entries(expected[i])) {
      assert.deepEqual(seen[i][key as keyof SeenMessage], value, `message ${i + 1} ${key}`);
    }
  }
  if (c.error === undefined) {
    assert.equal(result.error, null, `unexpected error: ${result.error?.message}`);
  } else {
    assert.notEqual(result.error, null, "expected an error");
    assert.equal(result.error!.code, c.error.code, result.error!.message);
    assert.equal(result.error!.status, c.error.status, "status");
    if (c.error.offset !== undefined) assert.equal(result.error!.offset, c.error.offset, "offset");
    assert.match(result.error!.message, /^Cannot parse .* at offset \d+$/);
  }
  assert.equal(result.upgradeOffset, c.upgradeOffset ?? -1, "upgrade offset");
  if (c.pending === "head") {
    assert.notEqual(result.pending ?? result.finishedMessage, null, "pending head");
  }
  if (c.pending === "start") {
    assert.equal(result.pending, null, "no head yet");
    assert.equal(result.pendingStarted, true, "message started");
  }
  if (c.pending === undefined && c.error === undefined && result.upgradeOffset < 0) {
    assert.equal(result.pending, null, "no message left incomplete");
  }
  if (c.finish === "end") assert.equal(result.finish, PARSE_END, "finish() ends the message");
  if (c.finish === "clean") assert.equal(result.finish, PARSE_NEED_MORE, "finish() is clean");
  if (c.finish === "error") assert.equal(result.finish, PARSE_ERROR, "finish() fails");
}
