/**
 * Takes a Web `Response` apart into what the encoder needs: status, reason phrase,
 * header field lines, and the body as text, bytes, a stream or nothing.
 *
 * The public route (`response.headers`, `response.body`) makes Deno build a Headers
 * object and a ReadableStream even for `new Response("hello")`, and reading that stream
 * costs several microseconds per response (bench/encode_head_bench.ts, "body"). Deno
 * keeps the body source and header list of a Response in internal fields; when a probe
 * at load time finds them with exactly the expected shape and behaviour, the fast route
 * reads static bodies and the header list from there. The one thing it writes is the
 * "consumed" mark of a static body it sent (Deno's own serve sets the same flag), so a
 * Response sent twice fails the second time as with Deno.serve. If the probe fails
 * (another Deno version), every response takes the public route.
 *
 * @module
 */

import { type HeadScan, scanHeaderList, scanHeaders } from "./response_head.ts";
import { symbolNamed } from "./deno_internals.ts";
import { isDecoded } from "../_codec/decoded_body.ts";

/** No body. */
export const KIND_NONE = 0;
/** A string body, sent as UTF-8. */
export const KIND_TEXT = 1;
/** A byte body. */
export const KIND_BYTES = 2;
/** A streamed body. */
export const KIND_STREAM = 3;

/**
 * A Response taken apart; one shared instance is refilled per response. The header scan
 * fills its `fields`, `length`, `close` and `date` ({@linkcode HeadScan}).
 */
export interface ResponseParts extends HeadScan {
  status: number;
  /** Reason phrase; "" for the standard one. */
  reason: string;
  /** One of the KIND_ constants. */
  kind: number;
  /**
   * Filled by the public route, which cannot tell a static body from a stream (both come
   * as `response.body`): the writer then guesses from how the stream behaves.
   */
  publicRoute: boolean;
  text: string;
  bytes: Uint8Array | null;
  stream: ReadableStream<Uint8Array> | null;
}

/** A fresh, empty parts record. */
export function newParts(): ResponseParts {
  return {
    status: 200,
    reason: "",
    fields: "",
    length: -1,
    close: false,
    date: false,
    decoded: false,
    kind: KIND_NONE,
    publicRoute: false,
    text: "",
    bytes: null,
    stream: null,
  };
}

const DEFAULT_TEXT_TYPE = "text/plain;charset=UTF-8";
const DEFAULT_TEXT_FIELD = "content-type: " + DEFAULT_TEXT_TYPE + "\r\n";
// The same field line object for the same type, so the encoder's head cache can compare
// field strings by identity.
const typeLines = new Map<string, string>();

function typeLine(type: string): string {
  let line = typeLines.get(type);
  if (line === undefined) {
    line = "content-type: " + type + "\r\n";
    if (typeLines.size < 64) typeLines.set(type, line);
  }
  return line;
}

/** Deno's `ReadableStream` global is a lazy accessor (about 27 ns a read): read it once. */
const ReadableStreamClass = ReadableStream;
let INNER: symbol | undefined;
let LAZY_BODY: symbol | undefined;
let LAZY_TYPE: symbol | undefined;
let LAZY_CONSUMED: symbol | undefined;
let fastEnabled = false;

interface InnerBody {
  streamOrStatic: ReadableStream<Uint8Array> | { body: unknown; consumed: boolean };
}
interface InnerResponse {
  /** "default", or "error" for `Response.error()` (what the public `type` getter reads). */
  type: string;
  /** Deno's fetch decoded the body's content coding (absent on other responses). */
  bodyDecoded?: boolean;
  status: number;
  statusMessage: string;
  headerList: [string, string][];
  body: InnerBody | null;
}

/** Checks, on sample responses, that Deno's internal fields look and behave as assumed. */
function probe(): boolean {
  try {
    const lazy = new Response("ab");
    INNER = symbolNamed(lazy, "response");
    LAZY_BODY = symbolNamed(lazy, "lazy static body");
    LAZY_TYPE = symbolNamed(lazy, "lazy static content type");
    LAZY_CONSUMED = symbolNamed(lazy, "serve fast consumed");
    if (
      INNER === undefined || LAZY_BODY === undefined || LAZY_TYPE === undefined ||
      LAZY_CONSUMED === undefined
    ) return false;
    const any = (r: Response) => r as unknown as Record<symbol, unknown>;
    if (any(lazy)[LAZY_BODY] !== "ab" || any(lazy)[LAZY_TYPE] !== null) return false;
    if (lazy.status !== 200 || lazy.statusText !== "") return false;
    if (any(lazy)[LAZY_BODY] !== "ab") return false; // status getters keep it lazy
    const json = Response.json(1);
    if (any(json)[LAZY_BODY] !== "1" || any(json)[LAZY_TYPE] !== "application/json") return false;
    // Touching headers or body must end the lazy state (the public objects take over).
    const touched = new Response("ab");
    void touched.headers;
    if (any(touched)[LAZY_BODY] !== null) return false;
    if (lazyPartsMatch(touched) === false) return false;
    // Static sources with headers live in the inner response.
    const withHeaders = new Response("xy", {
      status: 201,
      statusText: "Made",
      headers: { "X-A": "1" },
    });
    const inner = any(withHeaders)[INNER] as InnerResponse;
    if (inner.status !== 201 || inner.statusMessage !== "Made") return false;
    const list = inner.headerList;
    if (!Array.isArray(list) || list.length !== 2 || list[0][0] !== "X-A") return false;
    const text = inner.body?.streamOrStatic as { body: unknown; consumed: boolean };
    if (text.body !== "xy" || text.consumed !== false) return false;
    // The header list is the one the public Headers object edits.
    withHeaders.headers.set("x-b", "2");
    if (inner.headerList.length !== 3) return false;
    const bytes = new Response(new Uint8Array([1, 2]));
    const bytesSource = (any(bytes)[INNER] as InnerResponse).body?.streamOrStatic as {
      body: unknown;
    };
    if (!(bytesSource.body instanceof Uint8Array) || bytesSource.body.length !== 2) return false;
    const stream = new Response(new ReadableStream());
    const streamSource = (any(stream)[INNER] as InnerResponse).body?.streamOrStatic;
    if (!(streamSource instanceof ReadableStream) || streamSource !== stream.body) return false;
    if ((any(new Response(null))[INNER] as InnerResponse).body !== null) return false;
    if ((any(lazy)[INNER] as InnerResponse).type !== lazy.type) return false;
    // A static 200 whose init names only a Content-Type keeps the type out of the list
    // (a lazy type), and moves it into the list once the headers are read.
    const typed = new Response("t", { headers: { "content-type": "application/json" } });
    const typedInner = any(typed)[INNER] as InnerResponse;
    if (any(typed)[LAZY_BODY] !== null || typedInner.headerList.length !== 0) return false;
    if (any(typed)[LAZY_TYPE] !== "application/json") return false;
    if (typed.headers.get("content-type") !== "application/json") return false;
    const materialized = (any(typed)[INNER] as InnerResponse).headerList;
    if (any(typed)[LAZY_TYPE] !== null || materialized.length !== 1) return false;
    const initOnly = new Response("t", { status: 200 });
    if (any(initOnly)[LAZY_TYPE] !== DEFAULT_TEXT_TYPE) return false;
    // A sent body is used up, as Deno.serve leaves it: marking a lazy body (the flag Deno's
    // own serve sets) or a static source consumed must make the Response say so.
    const sentLazy = new Response("s");
    if (any(sentLazy)[LAZY_CONSUMED] !== false) return false;
    any(sentLazy)[LAZY_CONSUMED] = true;
    if (!sentLazy.bodyUsed) return false;
    const sentStatic = new Response("s", { status: 201 });
    const sentSource = (any(sentStatic)[INNER] as InnerResponse).body?.streamOrStatic as {
      consumed: boolean;
    };
    sentSource.consumed = true;
    if (!sentStatic.bodyUsed) return false;
    const error = Response.error();
    if ((any(error)[INNER] as InnerResponse).type !== "error" || error.type !== "error") {
      return false;
    }
    return true;
  } catch {
    return false;
  }
}

function lazyPartsMatch(touched: Response): boolean {
  const inner = (touched as unknown as Record<symbol, unknown>)[INNER!] as InnerResponse;
  const list = inner.headerList;
  return list.length === 1 && list[0][1] === DEFAULT_TEXT_TYPE;
}

fastEnabled = probe();

/**
 * Switches the internal-field fast route on or off (tests run both routes). Turning it
 * on has no effect when the load-time probe failed.
 *
 * @param enabled Whether to use the fast route.
 * @returns Whether the fast route is now in use.
 */
export function setFastResponse(enabled: boolean): boolean {
  fastEnabled = enabled && probe();
  return fastEnabled;
}

/**
 * Fills `parts` from `response`. Throws a TypeError when the response cannot be sent
 * (a network error from `Response.error()`, or a body already used).
 *
 * @param response The handler's Response.
 * @param parts The record to fill.
 */
export function readParts(response: Response, parts: ResponseParts): void {
  parts.bytes = null;
  parts.stream = null;
  parts.text = "";
  parts.publicRoute = false;
  if (fastEnabled) {
    const slots = response as unknown as Record<symbol, unknown>;
    const lazy = slots[LAZY_BODY!];
    if (typeof lazy === "string") {
      // `new Response(string)` or `Response.json(value)` with no init: status 200, one field.
      if (slots[LAZY_CONSUMED!] === true) throw usedError();
      slots[LAZY_CONSUMED!] = true;
      parts.status = 200;
      parts.reason = "";
      const type = slots[LAZY_TYPE!];
      parts.fields = typeof type === "string" ? typeLine(type) : DEFAULT_TEXT_FIELD;
      parts.length = -1;
      parts.close = false;
      parts.date = false;
      parts.kind = KIND_TEXT;
      parts.text = lazy;
      return;
    }
    const inner = slots[INNER!] as InnerResponse | undefined;
    if (inner !== undefined && inner.type !== "error") {
      parts.status = inner.status;
      parts.reason = inner.statusMessage;
      const body = inner.body;
      const source = body === null ? null : body.streamOrStatic;
      parts.decoded = inner.bodyDecoded === true ||
        (source instanceof ReadableStreamClass && isDecoded(source));
      scanHeaderList(inner.headerList, parts);
      // A 200 with a static body and only a Content-Type in its init (or none, with a
      // typed body) keeps that type beside the list until the headers are touched; Deno
      // then appends it to the list.
      const type = slots[LAZY_TYPE!];
      if (typeof type === "string") parts.fields += typeLine(type);
      if (body === null || source === null) {
        parts.kind = KIND_NONE;
        return;
      }
      if (!(source instanceof ReadableStreamClass)) {
        if (source.consumed) throw usedError();
        source.consumed = true;
        const value = source.body;
        if (typeof value === "string") {
          parts.kind = KIND_TEXT;
          parts.text = value;
          return;
        }
        if (value instanceof Uint8Array) {
          parts.kind = KIND_BYTES;
          parts.bytes = value;
          return;
        }
      }
      // A stream (or a static source of another shape): the public stream. A Blob or
      // FormData body knows its length: sent with Content-Length, not chunked.
      streamBody(response, parts);
      const known = (body as { length?: unknown }).length;
      if (parts.length < 0 && typeof known === "number" && known >= 0) parts.length = known;
      return;
    }
  }
  if (response.type === "error") {
    throw new TypeError("Cannot send the response: it is a network error (Response.error())");
  }
  parts.publicRoute = true;
  parts.status = response.status;
  parts.reason = response.statusText;
  parts.decoded = isDecoded(response.body);
  scanHeaders(response.headers, parts);
  streamBody(response, parts);
}

/** A Response whose body was sent (or read) before: Deno.serve's words for it. */
function usedError(): TypeError {
  return new TypeError(
    "Cannot send the response: its body has already been consumed (a Response can be sent once)",
  );
}

function streamBody(response: Response, parts: ResponseParts): void {
  if (response.bodyUsed) throw usedError();
  const stream = response.body;
  if (stream === null) {
    parts.kind = KIND_NONE;
    return;
  }
  if (stream.locked) throw new TypeError("Cannot send the response: its body stream is locked");
  parts.kind = KIND_STREAM;
  parts.stream = stream;
}
