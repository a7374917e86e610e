import { H_HOST, H_OTHER, headerKind } from "./_parser/known_names.ts";
import { HEX_VALUE, NOT_HEX, TOKEN, URL_CHAR, VALUE, VALUE_LENIENT } from "./_parser/char_class.ts";
import {
  S_BODY_EOF,
  S_BODY_LENGTH,
  S_CHUNK_DATA,
  S_CHUNK_DATA_CR,
  S_CHUNK_DATA_LF,
  S_CHUNK_SIZE,
  S_CHUNK_SIZE_LF,
  S_CHUNK_SIZE_START,
  S_CHUNK_SIZE_WS,
  S_CLOSED,
  S_DISCARD,
  S_END_NOW,
  S_ERROR,
  S_EXT_BEFORE_NAME,
  S_FIELD_LF,
  S_FIELD_START,
  S_LINE_LF,
  S_METHOD,
  S_NAME,
  S_NAME_WS,
  S_REASON,
  S_REQ_LINE_END,
  S_REQ_VERSION,
  S_RES_VERSION,
  S_RES_VERSION_SP,
  S_SECTION_END_LF,
  S_START,
  S_STATUS,
  S_STATUS_END,
  S_TARGET,
  S_TRAILERS_BEGIN,
  S_UPGRADED,
  S_VALUE,
  S_VALUE_OWS,
} from "./_parser/state.ts";
import {
  chunkExtensions,
  EXT_BAD_BYTE,
  EXT_BARE_LF,
  EXT_LINE_DONE,
  ExtensionScan,
} from "./_parser/chunk_extensions.ts";
import { checkRequestTarget } from "./_parser/request_target.ts";
import { HeadStrings, METHODS, SPAN_FIELDS } from "./_parser/head_strings.ts";
import { HeadFacts, readField, readFoldedFields } from "./_parser/head_facts.ts";
import {
  bodyFraming,
  FRAMING_ERRORS,
  FRAMING_FRAME,
  FRAMING_INTERIM,
  FRAMING_KEEP_ALIVE,
  FRAMING_UPGRADE,
} from "./_parser/body_framing.ts";
import { hex } from "./_parser/hex.ts";
import { FRAME_CHUNKED, FRAME_CLOSE, FRAME_LENGTH, FRAME_NONE } from "./_codec/framing.ts";
import { latin1 } from "./_codec/latin1.ts";
import { owsEnd, trimOwsEnd } from "./_codec/ows.ts";
import { numberOption, type NumberRule } from "./_codec/options.ts";
import { ParseError, type ParseErrorCode } from "./parse_error.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
  type ParseEvent,
} from "./parse_event.ts";
import { DEFAULT_MAX_CHUNK_EXTENSION_BYTES, type ParserOptions } from "./parser_options.ts";
import {
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADER_COUNT,
  DEFAULT_MAX_URL_BYTES,
} from "./_parser/limits.ts";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const MAX_HEX_PREFIX = Math.floor(Number.MAX_SAFE_INTEGER / 16);
// "HTTP/" then digit "." digit.
const VERSION_BYTES = [0x48, 0x54, 0x54, 0x50, 0x2f];
const EMPTY = new Uint8Array(0);

/** A parser limit: a whole number of bytes or fields, from 1 to 2^53-1. */
const PARSER_LIMIT: NumberRule = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };

/**
 * A resumable, pull-style HTTP/1.1 parser for requests (servers) or responses
 * (clients): RFC 9112 framing, strict by default. One event per
 * {@linkcode Parser.execute} call; the caller loops. Fed bytes split anywhere (even one
 * at a time) it reports the same messages as fed whole: a partial head is copied into
 * the parser's own buffer (bounded by `maxHeaderBytes`), so the caller may reuse its
 * buffer after PARSE_NEED_MORE, and scanning resumes where it stopped.
 *
 * Every message is PARSE_HEAD, then PARSE_BODY*, then PARSE_END. PARSE_UPGRADE replaces
 * PARSE_HEAD for CONNECT requests, Upgrade requests and 101 responses (the head fields
 * are set as for PARSE_HEAD). For CONNECT and 101 nothing more is parsed: the bytes from
 * `offset` belong to the new protocol. An Upgrade request that declares a body
 * (`hasBody`) is followed by its PARSE_BODY* and PARSE_END; after that (and in every
 * other case) `execute` keeps returning PARSE_UPGRADE without consuming anything.
 *
 * Rejected input gives PARSE_ERROR with a {@linkcode ParseError} in `error`; the parser
 * stays in that state, so the bytes behind a bad message are never parsed as another one.
 *
 * @example Parse two pipelined requests
 * ```ts
 * import { PARSE_END, PARSE_HEAD, PARSE_NEED_MORE, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode(
 *   "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
 * );
 * const parser = new Parser({ mode: "request" });
 * const targets: string[] = [];
 * let pos = 0;
 * for (;;) {
 *   const event = parser.execute(bytes, pos, bytes.length);
 *   pos = parser.offset;
 *   if (event === PARSE_NEED_MORE) break;
 *   if (event === PARSE_HEAD) targets.push(parser.target);
 *   if (event === PARSE_END) assert.equal(parser.keepAlive, true);
 * }
 * assert.deepEqual(targets, ["/a", "/b"]);
 * ```
 *
 * @example Read a chunked response body
 * ```ts
 * import { PARSE_BODY, PARSE_END, PARSE_HEAD, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
 * );
 * const parser = new Parser({ mode: "response" });
 * assert.equal(parser.execute(bytes, 0, bytes.length), PARSE_HEAD);
 * assert.equal(parser.status, 200);
 * assert.equal(parser.chunked, true);
 * assert.equal(parser.execute(bytes, parser.offset, bytes.length), PARSE_BODY);
 * const body = bytes.subarray(parser.bodyStart, parser.bodyEnd);
 * assert.equal(new TextDecoder().decode(body), "hello");
 * assert.equal(parser.execute(bytes, parser.offset, bytes.length), PARSE_END);
 * ```
 */
export class Parser {
  /** Whether this parser reads requests or responses. */
  readonly mode: "request" | "response";

  /** Request method (interned for registered methods); "" in response mode. */
  method: string = "";
  /** Request-target as sent (latin1); "" in response mode. */
  target: string = "";
  /** HTTP major version of the current message. */
  versionMajor: number = 0;
  /** HTTP minor version of the current message. */
  versionMinor: number = 0;
  /** Response status code; 0 in request mode. */
  status: number = 0;
  /** Response reason phrase (latin1, may be empty); "" in request mode. */
  reason: string = "";
  /**
   * Header fields in order, flat: `[name, value, name, value, ...]`. Names as sent,
   * values without leading whitespace (trailing whitespace kept, as llhttp reports it),
   * both latin1. A new array per message: callers may keep it.
   */
  headers: string[] = [];
  /** Trailer fields of a chunked message, flat like `headers`; set at PARSE_END. */
  trailers: string[] = [];
  /** Content-Length of the current message, or -1 when it has none. */
  contentLength: number = -1;
  /** Whether the body is chunked. */
  chunked: boolean = false;
  /**
   * Whether the connection stays open after this message: HTTP/1.1 unless
   * `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`; false for a body
   * delimited by the connection closing.
   */
  keepAlive: boolean = false;
  /** Whether this message is a CONNECT, an Upgrade request or a 101 (PARSE_UPGRADE). */
  upgrade: boolean = false;
  /** Whether an HTTP/1.1 request carries `Expect: 100-continue`. */
  expectContinue: boolean = false;
  /** Number of Host fields in the head (a server answers 400 unless it is 1 on HTTP/1.1). */
  hostCount: number = 0;
  /** Value of the first Host field, without surrounding whitespace; "" when none. */
  host: string = "";
  /** Whether PARSE_BODY events may follow the head; false means PARSE_END comes next. */
  hasBody: boolean = false;
  /** Whether the body runs until the connection closes (response mode). */
  bodyUntilClose: boolean = false;
  /** Start of the body bytes in the caller's `data` after PARSE_BODY. */
  bodyStart: number = 0;
  /** End (exclusive) of the body bytes in the caller's `data` after PARSE_BODY. */
  bodyEnd: number = 0;
  /** The rejection after PARSE_ERROR; null otherwise. */
  error: ParseError | null = null;
  /** Index in the caller's `data` where the last `execute` call stopped. */
  offset: number = 0;

  readonly #isRequest: boolean;
  readonly #maxHeaderBytes: number;
  readonly #maxHeaderCount: number;
  readonly #maxUrlBytes: number;
  readonly #maxExtensionBytes: number;
  readonly #valueTable: Uint8Array;
  readonly #lenientHeaders: boolean;
  readonly #lenientKeepAlive: boolean;
  readonly #lenientVersion: boolean;
  readonly #lenientDataAfterClose: boolean;
  readonly #lenientLfAfterCr: boolean;
  readonly #lenientCrBeforeLf: boolean;
  readonly #lenientCrlfAfterChunk: boolean;
  readonly #lenientSpacesAfterChunkSize: boolean;
  readonly #lenientMethods: boolean;

  #state: number = S_START;
  /** Stream offset of data[#callStart] in the current call. */
  #consumed = 0;
  #callStart = 0;

  // The head (or trailer section) being parsed: virtual offsets from its first byte.
  // Bytes [0, #headLen) are in #headBuf; byte v >= #headLen is data[#base + v].
  #headBuf: Uint8Array = new Uint8Array(0);
  #headLen = 0;
  #base = 0;
  /** First data index not yet copied into #headBuf. */
  #seg = 0;
  #spans: Int32Array = new Int32Array(64 * SPAN_FIELDS);
  #spanCount = 0;
  #fieldCount = 0;
  #lastValueEmpty = false;
  #folding = false;
  #inTrailers = false;
  #nameStart = 0;
  #nameEnd = 0;
  #valueStart = 0;
  #kind = H_OTHER;
  #methodEnd = 0;
  #targetStart = 0;
  #targetEnd = 0;
  #reasonStart = 0;
  #reasonEnd = 0;
  #versionPos = 0;
  #statusDigits = 0;

  // What the head's fields said: the framing fields in #facts, the first Host here.
  readonly #facts = new HeadFacts();
  #hostIndex = -1;
  /** The strings of the head or trailer section, made once it is complete. */
  readonly #strings = new HeadStrings();
  /** Where the chunk-extension sub-machine stopped. */
  readonly #extensionScan = new ExtensionScan();

  // Body state.
  #noBody = false;
  /** Message fields are as #resetMessage leaves them (set by reset()). */
  #fresh = false;
  #remaining = 0;
  #extensionBytes = 0;
  #upgradeAfterBody = false;
  #interim = false;

  /**
   * Creates a parser for one connection.
   *
   * @param options Mode, limits, `upgrade` and lenient flags.
   */
  constructor(options: ParserOptions = {}) {
    const mode = options.mode ?? "request";
    if (mode !== "request" && mode !== "response") {
      throw new TypeError(`Cannot create Parser: mode must be "request" or "response"`);
    }
    this.mode = mode;
    this.#isRequest = mode === "request";
    this.#maxHeaderBytes = limit(
      "maxHeaderBytes",
      options.maxHeaderBytes,
      DEFAULT_MAX_HEADER_BYTES,
    );
    this.#maxHeaderCount = limit(
      "maxHeaderCount",
      options.maxHeaderCount,
      DEFAULT_MAX_HEADER_COUNT,
    );
    this.#maxUrlBytes = limit("maxUrlBytes", options.maxUrlBytes, DEFAULT_MAX_URL_BYTES);
    this.#maxExtensionBytes = limit(
      "maxChunkExtensionBytes",
      options.maxChunkExtensionBytes,
      DEFAULT_MAX_CHUNK_EXTENSION_BYTES,
    );
    const lenient = options.lenient ?? {};
    this.#lenientHeaders = lenient.headers === true;
    this.#valueTable = lenient.headers === true || lenient.headerValueRelaxed === true
      ? VALUE_LENIENT
      : VALUE;
    this.#lenientKeepAlive = lenient.keepAlive === true;
    this.#lenientVersion = lenient.version === true;
    this.#lenientDataAfterClose = lenient.dataAfterClose === true;
    this.#lenientLfAfterCr = lenient.optionalLfAfterCr === true;
    this.#lenientCrBeforeLf = lenient.optionalCrBeforeLf === true;
    this.#lenientCrlfAfterChunk = lenient.optionalCrlfAfterChunk === true;
    this.#lenientSpacesAfterChunkSize = lenient.spacesAfterChunkSize === true;
    this.#lenientMethods = lenient.methods === true;
    const facts = this.#facts;
    facts.isRequest = this.#isRequest;
    facts.upgradeOption = options.upgrade ?? true;
    facts.lenientChunkedLength = lenient.chunkedLength === true;
    facts.lenientTransferEncoding = lenient.transferEncoding === true;
  }

  /**
   * Parses `data[start..end)` until one event, and sets `offset` to where it stopped.
   * Call again from `offset` for the next event; after PARSE_NEED_MORE, call with the next
   * bytes of the stream (the old buffer may be reused).
   *
   * @param data The caller's buffer.
   * @param start First new byte.
   * @param end End (exclusive) of the new bytes.
   * @returns One of the `PARSE_*` events.
   */
  execute(data: Uint8Array, start = 0, end: number = data.length): ParseEvent {
    this.#callStart = start;
    // The head loop or the body loop (see "the state machine" below).
    const state = this.#state;
    const event = state <= S_TRAILERS_BEGIN
      ? this.#head(data, start, end, state)
      : this.#body(data, start, end, state);
    this.#consumed += this.offset - start;
    return event;
  }

  /**
   * Whether the parser is between messages: nothing of a next message consumed yet
   * (empty lines between messages do not count). False in the middle of a message, after
   * an upgrade and after an error. A server uses it to tell an idle keep-alive connection
   * from a slow request.
   */
  get idle(): boolean {
    const state = this.#state;
    return state === S_START || state === S_CLOSED || state === S_DISCARD;
  }

  /**
   * Size in bytes of the parser's own buffer for partial heads: it grows only while a
   * head arrives in pieces and never beyond `maxHeaderBytes`.
   */
  get bufferSize(): number {
    return this.#headBuf.length;
  }

  /**
   * A copy of the head that began and is not complete yet, from its first byte (empty
   * lines before it left out); empty when no head is in progress (between messages, in
   * a body or its trailers, after an error). Feeding these bytes to a fresh parser brings
   * it to where this one is: a server holding many slow, half-sent heads keeps the bytes
   * and returns the parser to its pool.
   *
   * @param room Bytes of room (zeros) after the head in the returned buffer, for the next
   * bytes to be read in behind it (then a fresh parser parses both in one piece).
   * @returns The bytes of the head so far, `pendingHeadLength + room` bytes in all.
   *
   * @example Park a half-sent head and resume it in another parser
   * ```ts
   * import { PARSE_HEAD, PARSE_NEED_MORE, Parser } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const bytes = new TextEncoder().encode("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
   * const first = new Parser({ mode: "request" });
   * assert.equal(first.execute(bytes, 0, 20), PARSE_NEED_MORE);
   * const parked = first.pendingHead();
   * assert.equal(parked.length, 20);
   * const second = new Parser({ mode: "request" });
   * assert.equal(second.execute(parked), PARSE_NEED_MORE);
   * assert.equal(second.execute(bytes, 20), PARSE_HEAD);
   * assert.equal(second.target, "/slow");
   * ```
   */
  pendingHead(room = 0): Uint8Array {
    if (!Number.isSafeInteger(room) || room < 0) {
      throw new RangeError(
        `Cannot copy the pending head: room must be a whole number >= 0, got ${room}`,
      );
    }
    const length = this.pendingHeadLength;
    if (length === 0 && room === 0) return EMPTY;
    const out = new Uint8Array(length + room);
    if (length > 0) out.set(this.#headBuf.subarray(0, length));
    return out;
  }

  /** The length of {@linkcode Parser.pendingHead}, without copying: 0 when no head is in progress. */
  get pendingHeadLength(): number {
    const state = this.#state;
    if (state <= S_START || state > S_SECTION_END_LF || this.#inTrailers) return 0;
    return this.#headLen;
  }

  /**
   * Tells the parser the peer closed the connection (EOF).
   *
   * @returns PARSE_END when a body delimited by the close (or an empty message) ends here,
   * PARSE_NEED_MORE when between messages (a clean close), PARSE_ERROR when the close cuts
   * a message short (INVALID_EOF_STATE).
   *
   * @example End a body that runs until the connection closes
   * ```ts
   * import { PARSE_BODY, PARSE_END, PARSE_HEAD, Parser } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const parser = new Parser({ mode: "response" });
   * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\r\n\r\npartial");
   * assert.equal(parser.execute(bytes), PARSE_HEAD);
   * assert.equal(parser.execute(bytes, parser.offset), PARSE_BODY);
   * assert.equal(parser.finish(), PARSE_END);
   * ```
   */
  finish(): ParseEvent {
    this.#callStart = 0;
    this.offset = 0;
    switch (this.#state) {
      case S_START:
      case S_CLOSED:
      case S_DISCARD:
      case S_UPGRADED:
        return PARSE_NEED_MORE;
      case S_ERROR:
        return PARSE_ERROR;
      case S_BODY_EOF:
      case S_END_NOW: {
        const event = this.#end(0);
        if ((this.#state as number) === S_START) this.#state = S_CLOSED;
        return event;
      }
    }
    return this.#fail(
      "INVALID_EOF_STATE",
      400,
      "Cannot parse message: the connection closed in the middle of it",
      0,
    );
  }

  /**
   * The next message has no body whatever its framing headers say: call it before
   * feeding the response to a HEAD request (or, in request mode, to skip a body). It
   * holds across 1xx responses and is cleared at the end of the message.
   *
   * @example Parse the response to a HEAD request
   * ```ts
   * import { PARSE_END, PARSE_HEAD, Parser } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const parser = new Parser({ mode: "response" });
   * parser.expectNoBody();
   * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n");
   * assert.equal(parser.execute(bytes), PARSE_HEAD);
   * assert.equal(parser.contentLength, 42);
   * assert.equal(parser.hasBody, false);
   * assert.equal(parser.execute(bytes, parser.offset), PARSE_END);
   * ```
   */
  expectNoBody(): void {
    this.#noBody = true;
  }

  /** Back to a fresh state, as if newly constructed (for a new connection). */
  reset(): void {
    this.#state = S_START;
    this.#consumed = 0;
    this.#noBody = false;
    this.error = null;
    this.offset = 0;
    this.#resetMessage();
    this.headers = [];
    // The next message starts from these values: S_START need not reset them again
    // (a server's pooled parser is reset after every keep-alive request).
    this.#fresh = true;
    // The value cache (in #strings) stays: it holds only short values of non-secret
    // fields, and a hit returns a string equal to the bytes, so the next client cannot
    // tell it is there.
  }

  #resetMessage(): void {
    this.method = "";
    this.target = "";
    this.versionMajor = 0;
    this.versionMinor = 0;
    this.status = 0;
    this.reason = "";
    if (this.trailers.length > 0) this.trailers = [];
    this.contentLength = -1;
    this.chunked = false;
    this.keepAlive = false;
    this.upgrade = false;
    this.expectContinue = false;
    this.hostCount = 0;
    this.host = "";
    this.hasBody = false;
    this.bodyUntilClose = false;
    this.#facts.clear();
    this.#hostIndex = -1;
    this.#upgradeAfterBody = false;
    this.#interim = false;
    this.#beginSection(false);
  }

  #beginSection(trailers: boolean): void {
    this.#inTrailers = trailers;
    this.#headLen = 0;
    this.#spanCount = 0;
    this.#fieldCount = 0;
    this.#folding = false;
    this.#lastValueEmpty = false;
  }

  // --- errors ------------------------------------------------------------------------

  #fail(code: ParseErrorCode, status: number, text: string, index: number): ParseEvent {
    const at = this.#consumed + index - this.#callStart;
    this.error = new ParseError(code, `${text} at offset ${at}`, status, at);
    this.#state = S_ERROR;
    // The offending byte may lie in an earlier call's bytes (e.g. the start of a method).
    this.offset = index < this.#callStart ? this.#callStart : index;
    return PARSE_ERROR;
  }

  #failByte(
    code: ParseErrorCode,
    status: number,
    what: string,
    data: Uint8Array,
    index: number,
  ): ParseEvent {
    return this.#fail(code, status, `Cannot parse ${what}: byte ${hex(data[index])}`, index);
  }

  #bareCr(data: Uint8Array, index: number, what: string): ParseEvent {
    return this.#fail(
      "STRICT",
      400,
      `Cannot parse ${what}: CR not followed by LF (byte ${hex(data[index])})`,
      index,
    );
  }

  #bareLf(index: number, what: string): ParseEvent {
    return this.#fail("STRICT", 400, `Cannot parse ${what}: LF without CR`, index);
  }

  /**
   * Reports the next body bytes from p (up to #remaining, which a Content-Length or a
   * chunk size set): parsing stays in `state` while more remain, then goes to `next`.
   */
  #bodyBytes(p: number, end: number, state: number, next: number): ParseEvent {
    const available = end - p;
    const take = available < this.#remaining ? available : this.#remaining;
    this.bodyStart = p;
    this.bodyEnd = p + take;
    this.#remaining -= take;
    this.#state = this.#remaining === 0 ? next : state;
    this.offset = p + take;
    return PARSE_BODY;
  }

  // --- head buffer -------------------------------------------------------------------

  /** Copies data[#seg..to) to the head buffer. */
  #flush(data: Uint8Array, to: number): void {
    const count = to - this.#seg;
    if (count <= 0) return;
    const need = this.#headLen + count;
    if (need > this.#headBuf.length) {
      let size = this.#headBuf.length === 0 ? 1024 : this.#headBuf.length * 2;
      while (size < need) size *= 2;
      if (size > this.#maxHeaderBytes) size = this.#maxHeaderBytes;
      const grown = new Uint8Array(size);
      grown.set(this.#headBuf.subarray(0, this.#headLen));
      this.#headBuf = grown;
    }
    this.#headBuf.set(data.subarray(this.#seg, to), this.#headLen);
    this.#headLen = need;
    this.#seg = to;
  }

  /** The head so far as one contiguous buffer; its virtual offset 0 is at #srcOff. */
  #srcOff = 0;
  #contiguous(data: Uint8Array, p: number): Uint8Array {
    if (this.#headLen > 0) {
      this.#flush(data, p);
      this.#srcOff = 0;
      return this.#headBuf;
    }
    this.#srcOff = this.#base;
    return data;
  }

  /** Out of bytes inside a head: overflow when the limit cut it, else buffer and wait. */
  #headOut(data: Uint8Array, p: number, end: number, state: number): ParseEvent {
    if (p < end) {
      const what = this.#inTrailers ? "trailer section" : "head";
      return this.#fail(
        "HEADER_OVERFLOW",
        431,
        `Cannot parse ${what}: larger than ${this.#maxHeaderBytes} bytes`,
        p,
      );
    }
    this.#flush(data, end);
    this.#state = state;
    this.offset = end;
    return PARSE_NEED_MORE;
  }

  #pushSpan(
    nameStart: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
    kind: number,
  ) {
    const index = this.#spanCount * SPAN_FIELDS;
    if (index + SPAN_FIELDS > this.#spans.length) {
      const grown = new Int32Array(this.#spans.length * 2);
      grown.set(this.#spans);
      this.#spans = grown;
    }
    const spans = this.#spans;
    spans[index] = nameStart;
    spans[index + 1] = nameEnd;
    spans[index + 2] = valueStart;
    spans[index + 3] = valueEnd;
    spans[index + 4] = kind;
    this.#spanCount++;
  }

  // --- the state machine ---------------------------------------------------------------

  // Two loops, as llhttp builds its grammar: #head reads start lines and field sections
  // (a head, or the trailers of a chunked body), #body what follows a head. Each ends a
  // call with one event, so a call crosses from one to the other only where a chunked
  // body's last chunk leads into its trailer section.
  //
  // The switches use literal case labels with the state's name in a comment: V8 compiles
  // a switch over Smi literals to a jump table, but one over imported constants to a
  // chain of comparisons (bench/parser_bench.ts: about 20% on heads and 2x on chunked
  // bodies). tests/http/parser/parser_test.ts checks each label against its constant.

  /** The head states, S_START to S_TRAILERS_BEGIN; `p` starts at `start`. */
  #head(data: Uint8Array, start: number, end: number, state: number): ParseEvent {
    let p = start;
    // Resuming inside a head or trailer section: virtual offsets continue from #headLen.
    let stop = end;
    if (state > S_START && state <= S_SECTION_END_LF) {
      this.#base = start - this.#headLen;
      this.#seg = start;
      const limit = this.#base + this.#maxHeaderBytes;
      stop = limit < end ? limit : end;
    }
    head: for (;;) {
      switch (state) {
        case 0 /* S_START */: {
          // RFC 9112 §2.2: ignore empty lines before a start line.
          while (p < end && (data[p] === CR || data[p] === LF)) p++;
          if (p === end) {
            this.#state = S_START;
            this.offset = end;
            return PARSE_NEED_MORE;
          }
          if (this.#fresh) this.#fresh = false;
          else this.#resetMessage();
          this.#base = p;
          this.#seg = p;
          const limit = p + this.#maxHeaderBytes;
          stop = limit < end ? limit : end;
          this.#versionPos = 0;
          state = this.#isRequest ? S_METHOD : S_RES_VERSION;
          continue;
        }

        case 1 /* S_METHOD */: {
          while (p < stop && TOKEN[data[p]] === 1) p++;
          if (p === stop) return this.#headOut(data, p, end, state);
          const length = p - this.#base;
          if (data[p] !== SP || length === 0) {
            return this.#failByte("INVALID_METHOD", 400, "method", data, p);
          }
          const src = this.#contiguous(data, p);
          const off = this.#srcOff;
          let method = METHODS.get(src, off, off + length);
          if (method === undefined) {
            if (!this.#lenientMethods) {
              return this.#fail(
                "INVALID_METHOD",
                501,
                `Cannot parse method: ${
                  JSON.stringify(latin1(src, off, off + length))
                } is not a registered method`,
                this.#base,
              );
            }
            method = latin1(src, off, off + length);
          }
          this.method = method;
          this.#methodEnd = length;
          p++;
          this.#targetStart = p - this.#base;
          state = S_TARGET;
          continue;
        }

        case 2 /* S_TARGET */: {
          while (p < stop && URL_CHAR[data[p]] === 1) p++;
          const length = p - this.#base - this.#targetStart;
          if (length > this.#maxUrlBytes) {
            return this.#fail(
              "URI_TOO_LONG",
              414,
              `Cannot parse request-target: longer than ${this.#maxUrlBytes} bytes`,
              this.#base + this.#targetStart + this.#maxUrlBytes,
            );
          }
          if (p === stop) return this.#headOut(data, p, end, state);
          const byte = data[p];
          if (byte === SP && length > 0) {
            this.#targetEnd = p - this.#base;
            const src = this.#contiguous(data, p);
            const off = this.#srcOff;
            const error = checkRequestTarget(
              src,
              off + this.#targetStart,
              off + this.#targetEnd,
              this.method === "CONNECT",
            );
            if (error !== "") {
              return this.#fail("INVALID_URL", 400, error, this.#base + this.#targetStart);
            }
            p++;
            // Fast path: "HTTP/1.1\r\n" or "HTTP/1.0\r\n" in one check.
            if (
              p + 10 <= stop && data[p] === 0x48 && data[p + 1] === 0x54 &&
              data[p + 2] === 0x54 && data[p + 3] === 0x50 && data[p + 4] === 0x2f &&
              data[p + 5] === 0x31 && data[p + 6] === 0x2e && (data[p + 7] & 0xfe) === 0x30 &&
              data[p + 8] === CR && data[p + 9] === LF
            ) {
              this.versionMajor = 1;
              this.versionMinor = data[p + 7] - 0x30;
              p += 10;
              state = S_FIELD_START;
              continue;
            }
            this.#versionPos = 0;
            state = S_REQ_VERSION;
            continue;
          }
          if ((byte === CR || byte === LF) && length > 0) {
            return this.#fail(
              "INVALID_VERSION",
              505,
              "Cannot parse request line: no HTTP-version (HTTP/0.9 is not supported)",
              p,
            );
          }
          return this.#failByte("INVALID_URL", 400, "request-target", data, p);
        }

        case 3 /* S_REQ_VERSION */:
        case 5 /* S_RES_VERSION */: {
          while (p < stop) {
            const byte = data[p];
            const pos = this.#versionPos;
            if (pos < 5) {
              if (byte !== VERSION_BYTES[pos]) {
                return this.#failByte("INVALID_VERSION", 400, "HTTP-version", data, p);
              }
            } else if (pos === 6) {
              if (byte !== 0x2e) {
                return this.#failByte("INVALID_VERSION", 400, "HTTP-version", data, p);
              }
            } else {
              const digit = byte - 0x30;
              if (digit < 0 || digit > 9) {
                return this.#failByte("INVALID_VERSION", 400, "HTTP-version", data, p);
              }
              if (pos === 5) this.versionMajor = digit;
              else this.versionMinor = digit;
            }
            p++;
            this.#versionPos = pos + 1;
            if (pos === 7) break;
          }
          if (this.#versionPos < 8) return this.#headOut(data, p, end, state);
          if (
            !this.#lenientVersion &&
            (this.versionMajor !== 1 || (this.versionMinor !== 0 && this.versionMinor !== 1))
          ) {
            return this.#fail(
              "INVALID_VERSION",
              505,
              `Cannot parse HTTP-version: HTTP/${this.versionMajor}.${this.versionMinor} is not supported`,
              p - 3,
            );
          }
          state = state === S_REQ_VERSION ? S_REQ_LINE_END : S_RES_VERSION_SP;
          continue;
        }

        case 4 /* S_REQ_LINE_END */: {
          if (p === stop) return this.#headOut(data, p, end, state);
          const byte = data[p];
          if (byte === CR) {
            p++;
            state = S_LINE_LF;
          } else if (byte === LF) {
            if (!this.#lenientCrBeforeLf) return this.#bareLf(p, "request line");
            p++;
            state = S_FIELD_START;
          } else {
            return this.#failByte(
              "INVALID_VERSION",
              400,
              "request line after HTTP-version",
              data,
              p,
            );
          }
          continue;
        }

        case 6 /* S_RES_VERSION_SP */: {
          if (p === stop) return this.#headOut(data, p, end, state);
          if (data[p] !== SP) {
            return this.#failByte(
              "INVALID_VERSION",
              400,
              "status line after HTTP-version",
              data,
              p,
            );
          }
          p++;
          this.#statusDigits = 0;
          state = S_STATUS;
          continue;
        }

        case 7 /* S_STATUS */: {
          while (p < stop && this.#statusDigits < 3) {
            const digit = data[p] - 0x30;
            if (digit < 0 || digit > 9) {
              return this.#failByte("INVALID_STATUS", 400, "status code", data, p);
            }
            this.status = this.status * 10 + digit;
            this.#statusDigits++;
            p++;
          }
          if (this.#statusDigits < 3) return this.#headOut(data, p, end, state);
          if (this.status < 100) {
            return this.#fail(
              "INVALID_STATUS",
              400,
              `Cannot parse status code: ${this.status}`,
              p - 3,
            );
          }
          state = S_STATUS_END;
          continue;
        }

        case 8 /* S_STATUS_END */: {
          if (p === stop) return this.#headOut(data, p, end, state);
          const byte = data[p];
          if (byte === SP) {
            p++;
            this.#reasonStart = p - this.#base;
            state = S_REASON;
          } else if (byte === CR || byte === LF) {
            this.#reasonStart = this.#reasonEnd = p - this.#base;
            if (byte === LF && !this.#lenientCrBeforeLf) return this.#bareLf(p, "status line");
            p++;
            state = byte === CR ? S_LINE_LF : S_FIELD_START;
          } else {
            return this.#failByte("INVALID_STATUS", 400, "status code", data, p);
          }
          continue;
        }

        case 9 /* S_REASON */: {
          while (p < stop && VALUE[data[p]] === 1) p++;
          if (p === stop) return this.#headOut(data, p, end, state);
          const byte = data[p];
          if (byte === CR) {
            this.#reasonEnd = p - this.#base;
            p++;
            state = S_LINE_LF;
          } else if (byte === LF && this.#lenientCrBeforeLf) {
            this.#reasonEnd = p - this.#base;
            p++;
            state = S_FIELD_START;
          } else if (byte === LF) {
            return this.#bareLf(p, "status line");
          } else {
            return this.#failByte("INVALID_STATUS", 400, "reason phrase", data, p);
          }
          continue;
        }

        case 10 /* S_LINE_LF */: {
          if (p === stop) return this.#headOut(data, p, end, state);
          if (data[p] === LF) p++;
          else if (!this.#lenientLfAfterCr) return this.#bareCr(data, p, "start line");
          state = S_FIELD_START;
          continue;
        }

        case 11 /* S_FIELD_START */: {
          // Fast path: whole `name: value CRLF` lines in one tight loop, the common case.
          // Anything else (a line cut by the end of the data, odd bytes, obs-fold, lenient
          // forms, the empty line) is left to the per-state code, which decides exactly.
          const base = this.#base;
          const values = this.#valueTable;
          this.#folding = false;
          while (p < stop && TOKEN[data[p]] === 1 && this.#fieldCount < this.#maxHeaderCount) {
            const nameStart = p;
            p++;
            while (p < stop && TOKEN[data[p]] === 1) p++;
            if (p === stop || data[p] !== COLON) {
              this.#nameStart = nameStart - base;
              state = S_NAME;
              continue head;
            }
            const nameEnd = p;
            const kind = this.#inTrailers ? H_OTHER : headerKind(data, nameStart, nameEnd);
            p++;
            let byte = 0;
            while (p < stop && ((byte = data[p]) === SP || byte === HTAB)) p++;
            const valueStart = p;
            while (p < stop && values[data[p]] === 1) p++;
            if (p + 1 >= stop || data[p] !== CR || data[p + 1] !== LF) {
              this.#nameStart = nameStart - base;
              this.#nameEnd = nameEnd - base;
              this.#kind = kind;
              if (p === valueStart) {
                state = S_VALUE_OWS;
              } else {
                this.#valueStart = valueStart - base;
                state = S_VALUE;
              }
              continue head;
            }
            this.#lastValueEmpty = p === valueStart;
            this.#pushSpan(nameStart - base, nameEnd - base, valueStart - base, p - base, kind);
            this.#fieldCount++;
            if (kind !== H_OTHER) {
              const event = this.#special(kind, data, valueStart, p, p);
              if (event !== PARSE_NEED_MORE) return event;
            }
            p += 2;
          }
          if (p === stop) return this.#headOut(data, p, end, state);
          const byte = data[p];
          if (byte === CR) {
            p++;
            state = S_SECTION_END_LF;
            continue;
          }
          if (byte === LF) {
            if (!this.#lenientCrBeforeLf) return this.#bareLf(p, "header section end");
            p++;
            return this.#sectionEnd(data, p);
          }
          if (byte === SP || byte === HTAB) {
            if (this.#spanCount === 0) {
              return this.#fail(
                "INVALID_HEADER_TOKEN",
                400,
                "Cannot parse header: whitespace at the start of the first field line",
                p,
              );
            }
            if (!this.#lenientHeaders) {
              return this.#fail(
                "INVALID_HEADER_TOKEN",
                400,
                "Cannot parse header: obs-fold (a field line starting with whitespace)",
                p,
              );
            }
            // Lenient obs-fold: the line continues the previous value (RFC 9112 §5.2).
            this.#folding = true;
            if (this.#lastValueEmpty) {
              state = S_VALUE_OWS;
            } else {
              this.#valueStart = p - this.#base;
              state = S_VALUE;
            }
            continue;
          }
          if (this.#fieldCount >= this.#maxHeaderCount) {
            return this.#fail(
              "HEADER_OVERFLOW",
              431,
              `Cannot parse header: more than ${this.#maxHeaderCount} fields`,
              p,
            );
          }
          this.#folding = false;
          this.#nameStart = p - this.#base;
          state = S_NAME;
          continue;
        }

        case 12 /* S_NAME */: {
          while (p < stop && TOKEN[data[p]] === 1) p++;
          if (p === stop) return this.#headOut(data, p, end, state);
          const byte = data[p];
          const nameEnd = p - this.#base;
          if (byte === 0x3a && nameEnd > this.#nameStart) {
            this.#nameEnd = nameEnd;
            this.#kind = this.#inTrailers ? H_OTHER : this.#nameKind(data, p, nameEnd);
            p++;
            state = S_VALUE_OWS;
            continue;
          }
          if ((byte === SP || byte === HTAB) && nameEnd > this.#nameStart && this.#lenientHeaders) {
            state = S_NAME_WS;
            continue;
          }
          return this.#failByte("INVALID_HEADER_TOKEN", 400, "header name", data, p);
        }

        case 13 /* S_NAME_WS */: {
          while (p < stop && (data[p] === SP || data[p] === HTAB)) p++;
          if (p === stop) return this.#headOut(data, p, end, state);
          if (data[p] !== 0x3a) {
            return this.#failByte("INVALID_HEADER_TOKEN", 400, "header name", data, p);
          }
          // llhttp keeps the whitespace in the name; the kind ignores it.
          const nameEnd = p - this.#base;
          this.#nameEnd = nameEnd;
          if (this.#inTrailers) {
            this.#kind = H_OTHER;
          } else {
            const src = this.#contiguous(data, p);
            const off = this.#srcOff;
            const trimmed = owsEnd(src, off + this.#nameStart, off + nameEnd);
            this.#kind = headerKind(src, off + this.#nameStart, trimmed);
          }
          p++;
          state = S_VALUE_OWS;
          continue;
        }

        case 14 /* S_VALUE_OWS */: {
          while (p < stop && (data[p] === SP || data[p] === HTAB)) p++;
          if (p === stop) return this.#headOut(data, p, end, state);
          this.#valueStart = p - this.#base;
          state = S_VALUE;
          continue;
        }

        case 15 /* S_VALUE */: {
          const table = this.#valueTable;
          while (p < stop && table[data[p]] === 1) p++;
          if (p === stop) return this.#headOut(data, p, end, state);
          const byte = data[p];
          if (byte === CR) {
            const event = this.#field(data, p);
            if (event !== PARSE_NEED_MORE) return event;
            p++;
            state = S_FIELD_LF;
            continue;
          }
          if (byte === LF) {
            if (!this.#lenientCrBeforeLf) return this.#bareLf(p, "header value");
            const event = this.#field(data, p);
            if (event !== PARSE_NEED_MORE) return event;
            p++;
            state = S_FIELD_START;
            continue;
          }
          return this.#failByte("INVALID_HEADER_VALUE", 400, "header value", data, p);
        }

        case 16 /* S_FIELD_LF */: {
          if (p === stop) return this.#headOut(data, p, end, state);
          if (data[p] === LF) p++;
          else if (!this.#lenientLfAfterCr && !this.#lenientHeaders) {
            return this.#bareCr(data, p, "header line");
          }
          state = S_FIELD_START;
          continue;
        }

        case 17 /* S_SECTION_END_LF */: {
          if (p === stop) return this.#headOut(data, p, end, state);
          if (data[p] === LF) p++;
          else if (!this.#lenientLfAfterCr) return this.#bareCr(data, p, "header section end");
          return this.#sectionEnd(data, p);
        }

        case 18 /* S_TRAILERS_BEGIN */: {
          this.#beginSection(true);
          this.#base = p;
          this.#seg = p;
          const limit = p + this.#maxHeaderBytes;
          stop = limit < end ? limit : end;
          state = S_FIELD_START;
          continue;
        }

        default:
          throw new Error(`Parser reached unknown head state ${state}`);
      }
    }
  }

  /** Bodies and what comes after the last message: every state above S_TRAILERS_BEGIN. */
  #body(data: Uint8Array, start: number, end: number, state: number): ParseEvent {
    let p = start;
    for (;;) {
      switch (state) {
        case 20 /* S_END_NOW */:
          return this.#end(p);

        case 21 /* S_BODY_LENGTH */:
          if (p === end) return this.#needMore(state, end);
          return this.#bodyBytes(p, end, S_BODY_LENGTH, S_END_NOW);

        case 22 /* S_BODY_EOF */: {
          if (p === end) return this.#needMore(state, end);
          this.bodyStart = p;
          this.bodyEnd = end;
          this.#state = S_BODY_EOF;
          this.offset = end;
          return PARSE_BODY;
        }

        case 23 /* S_CHUNK_SIZE_START */: {
          if (p === end) return this.#needMore(state, end);
          const digit = HEX_VALUE[data[p]];
          if (digit === NOT_HEX) {
            return this.#failByte("INVALID_CHUNK_SIZE", 400, "chunk size", data, p);
          }
          this.#remaining = digit;
          this.#extensionBytes = 0;
          p++;
          state = S_CHUNK_SIZE;
          continue;
        }

        case 24 /* S_CHUNK_SIZE */: {
          let size = this.#remaining;
          let digit = 0;
          while (p < end && (digit = HEX_VALUE[data[p]]) !== NOT_HEX) {
            if (size > MAX_HEX_PREFIX || size * 16 + digit > Number.MAX_SAFE_INTEGER) {
              return this.#fail(
                "INVALID_CHUNK_SIZE",
                400,
                "Cannot parse chunk size: larger than Number.MAX_SAFE_INTEGER",
                p,
              );
            }
            size = size * 16 + digit;
            p++;
          }
          this.#remaining = size;
          if (p === end) return this.#needMore(state, end);
          const byte = data[p];
          if (byte === CR) {
            p++;
            state = S_CHUNK_SIZE_LF;
          } else if (byte === 0x3b) {
            p++;
            this.#extensionBytes = 1;
            state = S_EXT_BEFORE_NAME;
          } else if (byte === SP || byte === HTAB) {
            state = S_CHUNK_SIZE_WS;
          } else if (byte === LF) {
            if (!this.#lenientCrBeforeLf) return this.#bareLf(p, "chunk size line");
            p++;
            state = this.#chunkLineDone();
          } else {
            return this.#failByte("INVALID_CHUNK_SIZE", 400, "chunk size", data, p);
          }
          continue;
        }

        case 25 /* S_CHUNK_SIZE_WS */: {
          const from = p;
          while (p < end && (data[p] === SP || data[p] === HTAB)) p++;
          if (this.#extensionOverflow(p - from)) return this.#extensionsTooLong(p);
          if (p === end) return this.#needMore(state, end);
          const byte = data[p];
          if (byte === 0x3b) {
            p++;
            state = S_EXT_BEFORE_NAME;
          } else if ((byte === CR || byte === LF) && this.#lenientSpacesAfterChunkSize) {
            if (byte === LF && !this.#lenientCrBeforeLf) return this.#bareLf(p, "chunk size line");
            p++;
            state = byte === CR ? S_CHUNK_SIZE_LF : this.#chunkLineDone();
          } else {
            return this.#failByte("INVALID_CHUNK_SIZE", 400, "chunk size", data, p);
          }
          continue;
        }

        case 26 /* S_EXT_BEFORE_NAME */:
        case 27 /* S_EXT_NAME */:
        case 28 /* S_EXT_AFTER_NAME */:
        case 29 /* S_EXT_BEFORE_VALUE */:
        case 30 /* S_EXT_VALUE */:
        case 31 /* S_EXT_QUOTED */:
        case 32 /* S_EXT_QUOTED_PAIR */:
        case 33 /* S_EXT_AFTER_VALUE */: {
          const from = p;
          const scan = this.#extensionScan;
          const next = chunkExtensions(data, p, end, state, this.#lenientCrBeforeLf, scan);
          p = scan.position;
          // The CR or LF ending the line is not part of the extensions. The length check
          // comes first so that the outcome does not depend on where the input was cut.
          const lineEnd = next === S_CHUNK_SIZE_LF || next === EXT_LINE_DONE ? 1 : 0;
          if (this.#extensionOverflow(p - from - lineEnd)) {
            return this.#extensionsTooLong(p - lineEnd);
          }
          if (next === EXT_BAD_BYTE) {
            return this.#failByte("INVALID_CHUNK_EXTENSION", 400, "chunk extension", data, p);
          }
          if (next === EXT_BARE_LF) return this.#bareLf(p, "chunk extension");
          if (next === EXT_LINE_DONE) {
            state = this.#chunkLineDone();
            continue;
          }
          if (p === end) return this.#needMore(next, end);
          state = next;
          continue;
        }

        case 34 /* S_CHUNK_SIZE_LF */: {
          if (p === end) return this.#needMore(state, end);
          if (data[p] === LF) p++;
          else if (!this.#lenientLfAfterCr) return this.#bareCr(data, p, "chunk size line");
          state = this.#chunkLineDone();
          continue;
        }

        case 18 /* S_TRAILERS_BEGIN */:
          // The last chunk's size line is done: its trailer section is a field section.
          return this.#head(data, p, end, state);

        case 35 /* S_CHUNK_DATA */:
          if (p === end) return this.#needMore(state, end);
          return this.#bodyBytes(p, end, S_CHUNK_DATA, S_CHUNK_DATA_CR);

        case 36 /* S_CHUNK_DATA_CR */: {
          if (p === end) return this.#needMore(state, end);
          const byte = data[p];
          if (byte === CR) {
            p++;
            state = S_CHUNK_DATA_LF;
          } else if (byte === LF && this.#lenientCrBeforeLf) {
            p++;
            state = S_CHUNK_SIZE_START;
          } else if (this.#lenientCrlfAfterChunk) {
            state = S_CHUNK_SIZE_START;
          } else {
            return this.#fail(
              "INVALID_CHUNK_SIZE",
              400,
              `Cannot parse chunk: expected CRLF after the chunk data, got byte ${hex(byte)}`,
              p,
            );
          }
          continue;
        }

        case 37 /* S_CHUNK_DATA_LF */: {
          if (p === end) return this.#needMore(state, end);
          if (data[p] === LF) p++;
          else if (!this.#lenientLfAfterCr) return this.#bareCr(data, p, "chunk data end");
          state = S_CHUNK_SIZE_START;
          continue;
        }

        // --- after the last message -----------------------------------------------------

        case 40 /* S_CLOSED */: {
          while (p < end && (data[p] === CR || data[p] === LF)) p++;
          if (p === end) return this.#needMore(state, end);
          return this.#fail(
            "CLOSED_CONNECTION",
            400,
            `Cannot parse message: data after a message that closed the connection (byte ${
              hex(data[p])
            })`,
            p,
          );
        }

        case 43 /* S_DISCARD */:
          return this.#needMore(state, end);

        case 41 /* S_UPGRADED */:
          this.offset = start;
          return PARSE_UPGRADE;

        case 42 /* S_ERROR */:
          this.offset = start;
          return PARSE_ERROR;

        default:
          throw new Error(`Parser reached unknown body state ${state}`);
      }
    }
  }

  #needMore(state: number, end: number): ParseEvent {
    this.#state = state;
    this.offset = end;
    return PARSE_NEED_MORE;
  }

  #extensionOverflow(count: number): boolean {
    this.#extensionBytes += count;
    return this.#extensionBytes > this.#maxExtensionBytes;
  }

  /** Extensions went over the limit; `p` is the end of the counted bytes. */
  #extensionsTooLong(p: number): ParseEvent {
    // Report the first byte past the limit, wherever the input was cut.
    const over = p - (this.#extensionBytes - this.#maxExtensionBytes);
    return this.#fail(
      "CHUNK_EXTENSIONS_OVERFLOW",
      400,
      `Cannot parse chunk extensions: longer than ${this.#maxExtensionBytes} bytes`,
      over,
    );
  }

  /** After a chunk-size line: chunk data, or the trailer section after the last chunk. */
  #chunkLineDone(): number {
    return this.#remaining > 0 ? S_CHUNK_DATA : S_TRAILERS_BEGIN;
  }

  /** Kind of the field name ending at virtual `nameEnd` (data index p). */
  #nameKind(data: Uint8Array, p: number, nameEnd: number): number {
    const length = nameEnd - this.#nameStart;
    // Only lengths 4..17 can be a special field; skip the buffer work for the rest.
    if (length < 4 || length > 17) return H_OTHER;
    if (this.#nameStart >= this.#headLen) {
      const at = this.#base + this.#nameStart;
      return headerKind(data, at, at + length);
    }
    const src = this.#contiguous(data, p);
    const at = this.#srcOff + this.#nameStart;
    return headerKind(src, at, at + length);
  }

  /** A field line is complete at data index p (its CR or LF). */
  #field(data: Uint8Array, p: number): ParseEvent {
    const valueEnd = p - this.#base;
    this.#lastValueEmpty = valueEnd === this.#valueStart &&
      (!this.#folding || this.#lastValueEmpty);
    if (this.#folding) {
      this.#pushSpan(-1, -1, this.#valueStart, valueEnd, H_OTHER);
      return PARSE_NEED_MORE;
    }
    const kind = this.#kind;
    this.#pushSpan(this.#nameStart, this.#nameEnd, this.#valueStart, valueEnd, kind);
    this.#fieldCount++;
    if (kind === H_OTHER) return PARSE_NEED_MORE;
    const src = this.#contiguous(data, p);
    const off = this.#srcOff;
    return this.#special(kind, src, off + this.#valueStart, off + valueEnd, p);
  }

  /** A special field is complete: its value is `src[start..end)`; errors at data index `at`. */
  #special(kind: number, src: Uint8Array, start: number, end: number, at: number): ParseEvent {
    if (kind === H_HOST) {
      if (this.#hostIndex < 0) this.#hostIndex = this.#fieldCount - 1;
      this.hostCount++;
      return PARSE_NEED_MORE;
    }
    // With lenient headers a later obs-fold line may extend the value: decide at the end.
    if (this.#lenientHeaders) return PARSE_NEED_MORE;
    const facts = this.#facts;
    const error = readField(facts, kind, src, start, end);
    if (error !== "") return this.#fail("INVALID_CONTENT_LENGTH", 400, error, at);
    // Content-Length is visible from the moment its field is read, not only at PARSE_HEAD.
    this.contentLength = facts.contentLength;
    return PARSE_NEED_MORE;
  }

  /** The empty line ending a head or trailer section was read; p is after it. */
  #sectionEnd(data: Uint8Array, p: number): ParseEvent {
    const src = this.#contiguous(data, p);
    const off = this.#srcOff;
    this.#headLen = 0;
    const target = this.#inTrailers || !this.#isRequest ? 0 : this.#targetEnd - this.#targetStart;
    const fields = this.#strings.fields(
      src,
      off,
      p - this.#base,
      this.#spans,
      this.#spanCount,
      target,
    );
    if (this.#inTrailers) {
      this.trailers = fields;
      return this.#end(p);
    }
    this.headers = fields;
    return this.#headEnd(src, off, p);
  }

  /** The head's strings are made; decides what follows it (body_framing.ts); p is after it. */
  #headEnd(src: Uint8Array, off: number, p: number): ParseEvent {
    const isRequest = this.#isRequest;
    const strings = this.#strings;
    if (isRequest) {
      this.target = strings.decode(src, off, this.#targetStart, this.#targetEnd);
    } else {
      const from = this.#reasonStart;
      const to = this.#reasonEnd;
      this.reason = to === from ? "" : strings.decode(src, off, from, to);
    }
    const facts = this.#facts;
    if (this.#lenientHeaders) {
      // Special fields were left for now: obs-fold lines may have extended them.
      const error = readFoldedFields(facts, this.#spans, this.#spanCount, this.headers);
      this.contentLength = facts.contentLength;
      if (error !== "") return this.#fail("INVALID_CONTENT_LENGTH", 400, error, p);
    }
    if (this.#hostIndex >= 0) this.host = trimOwsEnd(this.headers[this.#hostIndex * 2 + 1]);

    const major = this.versionMajor;
    const http11 = major > 1 || (major === 1 && this.versionMinor >= 1);
    facts.http11 = http11;
    facts.connect = this.method === "CONNECT";
    facts.status = this.status;
    facts.noBody = this.#noBody;
    const outcome = bodyFraming(facts);
    if (outcome < 0) {
      const error = FRAMING_ERRORS[-outcome - 1];
      return this.#fail(error.code, error.status, error.text, p);
    }
    // Lenient chunkedLength: Transfer-Encoding wins, the Content-Length is ignored.
    if (facts.teSeen) this.contentLength = -1;
    if (isRequest) this.expectContinue = facts.expectContinue && http11;
    if ((outcome & FRAMING_INTERIM) !== 0) this.#interim = true;
    const frame = outcome & FRAMING_FRAME;
    const upgrade = (outcome & FRAMING_UPGRADE) !== 0;
    this.keepAlive = (outcome & FRAMING_KEEP_ALIVE) !== 0;
    this.chunked = frame === FRAME_CHUNKED;
    this.bodyUntilClose = frame === FRAME_CLOSE;
    this.hasBody = frame !== FRAME_NONE;
    this.upgrade = upgrade;
    this.offset = p;
    switch (frame) {
      case FRAME_NONE:
        this.#state = upgrade ? S_UPGRADED : S_END_NOW;
        break;
      case FRAME_LENGTH:
        this.#remaining = this.contentLength;
        this.#state = S_BODY_LENGTH;
        break;
      case FRAME_CHUNKED:
        this.#state = S_CHUNK_SIZE_START;
        break;
      default:
        this.#state = S_BODY_EOF;
    }
    if (upgrade) {
      this.#upgradeAfterBody = frame !== FRAME_NONE;
      return PARSE_UPGRADE;
    }
    return PARSE_HEAD;
  }

  /** The message is complete at data index p. */
  #end(p: number): ParseEvent {
    this.offset = p;
    if (this.#upgradeAfterBody) {
      this.#state = S_UPGRADED;
    } else if (this.#interim) {
      this.#state = S_START;
    } else {
      this.#noBody = false;
      if (this.keepAlive || this.#lenientKeepAlive) this.#state = S_START;
      else this.#state = this.#lenientDataAfterClose ? S_DISCARD : S_CLOSED;
    }
    return PARSE_END;
  }
}

function limit(name: string, value: number | undefined, fallback: number): number {
  return numberOption("create Parser", name, value, fallback, PARSER_LIMIT);
}
