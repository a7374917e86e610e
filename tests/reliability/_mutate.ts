// A seeded mutation fuzzer over the shared conformance corpus, and a strict checker for what
// a server sends back. The corpus is read at test time from ../shared/conformance (relative to
// the repository); `loadSeeds` returns null when it is absent so the tests can skip.

import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../../http/parse_event.ts";
import { Parser } from "../../http/parser.ts";
import { pick } from "./_fd.ts";
import { concat } from "../../net/_bytes.ts";

/** Folder of the shared corpus: the repository's parent holds `shared/conformance/`. */
export const CORPUS_URL: URL = new URL("../../../shared/conformance/", import.meta.url);

const encoder = new TextEncoder();

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

interface CorpusCase {
  raw: string;
  server?: false | { raw?: string };
}

/**
 * The seed inputs: every request of the corpus (the server variant when it has one, which
 * adds the Host header a server requires), a few responses sent as requests, and hand-made
 * requests with bodies. Null when the corpus folder is not there.
 */
export async function loadSeeds(): Promise<Uint8Array[] | null> {
  let requests: CorpusCase[];
  let responses: CorpusCase[];
  try {
    requests = JSON.parse(await Deno.readTextFile(new URL("llhttp-requests.json", CORPUS_URL)));
    responses = JSON.parse(await Deno.readTextFile(new URL("llhttp-responses.json", CORPUS_URL)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const seeds: Uint8Array[] = [];
  for (const c of requests) {
    seeds.push(bytesOf(c.raw));
    if (c.server && c.server.raw !== undefined) seeds.push(bytesOf(c.server.raw));
  }
  for (let i = 0; i < responses.length; i += 8) seeds.push(bytesOf(responses[i].raw));
  for (const text of HANDMADE) seeds.push(encoder.encode(text));
  return seeds;
}

const HANDMADE = [
  "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
  "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
  "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n",
  "PUT /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
  "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
  "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /g HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody",
];

const INTERESTING_BYTES = [
  0x00,
  0x0d,
  0x0a,
  0x20,
  0x09,
  0x3a,
  0x7f,
  0x80,
  0xff,
  0x30,
  0x39,
  0x61,
  0x66,
  0x3b,
  0x2c,
  0x22,
  0x2f,
  0x3f,
  0x25,
  0x2d,
  0x2b,
];

const INTERESTING_NUMBERS = [
  "0",
  "1",
  "-1",
  "00000000000000000000001",
  "4294967296",
  "9007199254740993",
  "18446744073709551616",
  "99999999999999999999999999",
  "0x10",
  "1e3",
  "",
  " 5",
  "5 ",
  "+5",
  "ffffffffffffffff",
  "7fffffffffffffff0",
];

const INTERESTING_LINES = [
  "Transfer-Encoding: chunked",
  "Transfer-Encoding: gzip, chunked",
  "Transfer-Encoding: chunked, gzip",
  "Transfer-Encoding: identity",
  "Content-Length: 5",
  "Content-Length: 1, 2",
  "Content-Length: 0",
  "Expect: 100-continue",
  "Connection: close",
  "Connection: keep-alive",
  "Connection: upgrade\r\nUpgrade: websocket",
  "Host: a",
  "Host: b",
  " folded",
  "X-Bad : value",
  ": empty-name",
  "X-Nul: a\0b",
  "Te: trailers",
];

/** Seeded mutations of seed inputs; `next()` gives a new request's bytes. */
export class Mutator {
  #seeds: Uint8Array[];
  #random: () => number;
  #maxBytes: number;
  /** How many times each mutation ran (by name), for the report. */
  counts: Record<string, number> = {};

  constructor(seeds: Uint8Array[], random: () => number, maxBytes = 64 * 1024) {
    if (seeds.length === 0) throw new RangeError("Cannot fuzz: no seed inputs");
    this.#seeds = seeds;
    this.#random = random;
    this.#maxBytes = maxBytes;
  }

  /** A seed input with 1 to 4 mutations applied (about 1 in 16 is sent unmutated). */
  next(): Uint8Array {
    const random = this.#random;
    let bytes: Uint8Array = this.#seeds[pick(random, this.#seeds.length)].slice();
    if (random() < 1 / 16) return bytes;
    const rounds = 1 + pick(random, 4);
    for (let i = 0; i < rounds; i++) {
      bytes = this.#mutate(bytes);
      if (bytes.length > this.#maxBytes) bytes = bytes.slice(0, this.#maxBytes);
    }
    return bytes;
  }

  #count(name: string): void {
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }

  #mutate(bytes: Uint8Array): Uint8Array {
    const random = this.#random;
    const len = bytes.length;
    const at = pick(random, len + 1);
    switch (pick(random, 16)) {
      case 0: {
        if (len === 0) return bytes;
        this.#count("flip-bit");
        const out = bytes.slice();
        out[Math.min(at, len - 1)] ^= 1 << pick(random, 8);
        return out;
      }
      case 1: {
        if (len === 0) return bytes;
        this.#count("set-byte");
        const out = bytes.slice();
        out[Math.min(at, len - 1)] = INTERESTING_BYTES[pick(random, INTERESTING_BYTES.length)];
        return out;
      }
      case 2: {
        this.#count("insert-byte");
        const b = random() < 0.7
          ? INTERESTING_BYTES[pick(random, INTERESTING_BYTES.length)]
          : pick(random, 256);
        return splice(bytes, at, 0, Uint8Array.of(b));
      }
      case 3: {
        this.#count("delete-range");
        return splice(bytes, at, 1 + pick(random, 8), new Uint8Array(0));
      }
      case 4: {
        this.#count("duplicate-range");
        const size = 1 + pick(random, 32);
        return splice(bytes, at, 0, bytes.slice(at, at + size));
      }
      case 5: {
        this.#count("truncate");
        return bytes.slice(0, at);
      }
      case 6: {
        this.#count("splice-seed");
        const other = this.#seeds[pick(random, this.#seeds.length)];
        const from = pick(random, other.length + 1);
        return concat2(bytes.subarray(0, at), other.subarray(from));
      }
      case 7: {
        this.#count("append-seed");
        return concat2(bytes, this.#seeds[pick(random, this.#seeds.length)]);
      }
      case 8: {
        const digits = findDigits(bytes, at);
        if (digits === null) return bytes;
        this.#count("replace-number");
        const number = INTERESTING_NUMBERS[pick(random, INTERESTING_NUMBERS.length)];
        return splice(bytes, digits[0], digits[1] - digits[0], encoder.encode(number));
      }
      case 9: {
        const line = lineAround(bytes, at);
        if (line === null) return bytes;
        this.#count("duplicate-line");
        const copies = random() < 0.1 ? 100 + pick(random, 200) : 1;
        const text = bytes.slice(line[0], line[1]);
        const parts: Uint8Array[] = [];
        for (let i = 0; i < copies; i++) parts.push(text);
        return splice(bytes, line[1], 0, concat(parts));
      }
      case 10: {
        const line = lineAround(bytes, at);
        if (line === null) return bytes;
        this.#count("delete-line");
        return splice(bytes, line[0], line[1] - line[0], new Uint8Array(0));
      }
      case 11: {
        const crlf = findCrlf(bytes, at);
        if (crlf < 0) return bytes;
        this.#count("break-crlf");
        const choice = pick(random, 3);
        const replacement = choice === 0
          ? Uint8Array.of(0x0a)
          : choice === 1
          ? Uint8Array.of(0x0d)
          : Uint8Array.of(0x0d, 0x0d, 0x0a);
        return splice(bytes, crlf, 2, replacement);
      }
      case 12: {
        const crlf = findCrlf(bytes, at);
        if (crlf < 0) return bytes;
        this.#count("insert-header");
        const line = INTERESTING_LINES[pick(random, INTERESTING_LINES.length)];
        return splice(bytes, crlf + 2, 0, encoder.encode(line + "\r\n"));
      }
      case 13: {
        if (len === 0) return bytes;
        this.#count("flip-case");
        const out = bytes.slice();
        const i = Math.min(at, len - 1);
        const b = out[i];
        if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) out[i] = b ^ 0x20;
        return out;
      }
      case 14: {
        const crlf = findCrlf(bytes, at);
        if (crlf < 0) return bytes;
        this.#count("oversize");
        // Past the default head (16 KiB) or URL (8 KiB) limits: 414 and 431 paths.
        const size = 8000 + pick(random, 12000);
        const filler = new Uint8Array(size).fill(0x61);
        if (random() < 0.5) {
          return splice(
            bytes,
            crlf + 2,
            0,
            concat2(encoder.encode("X-Big: "), concat2(filler, encoder.encode("\r\n"))),
          );
        }
        const space = bytes.indexOf(0x20);
        if (space < 0) return bytes;
        return splice(bytes, space + 1, 0, concat2(Uint8Array.of(0x2f), filler));
      }
      default: {
        if (len === 0) return bytes;
        this.#count("random-bytes");
        const size = 1 + pick(random, 16);
        const junk = new Uint8Array(size);
        for (let i = 0; i < size; i++) junk[i] = pick(random, 256);
        return splice(bytes, at, random() < 0.5 ? size : 0, junk);
      }
    }
  }
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const start = Math.min(at, bytes.length);
  const end = Math.min(start + remove, bytes.length);
  const out = new Uint8Array(bytes.length - (end - start) + insert.length);
  out.set(bytes.subarray(0, start), 0);
  out.set(insert, start);
  out.set(bytes.subarray(end), start + insert.length);
  return out;
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** The first run of decimal digits at or after `at` (wrapping), as [start, end). */
function findDigits(bytes: Uint8Array, at: number): [number, number] | null {
  for (let k = 0; k < bytes.length; k++) {
    const i = (at + k) % bytes.length;
    if (isDigit(bytes[i])) {
      let start = i;
      while (start > 0 && isDigit(bytes[start - 1])) start--;
      let end = i;
      while (end < bytes.length && isDigit(bytes[end])) end++;
      return [start, end];
    }
  }
  return null;
}

/** Offset of the first CRLF at or after `at` (wrapping), or -1. */
function findCrlf(bytes: Uint8Array, at: number): number {
  for (let k = 0; k + 1 < bytes.length; k++) {
    const i = (at + k) % (bytes.length - 1);
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) return i;
  }
  return -1;
}

/** The CRLF-terminated line holding `at` (with its CRLF), as [start, end), or null. */
function lineAround(bytes: Uint8Array, at: number): [number, number] | null {
  const end = findCrlf(bytes, at);
  if (end < 0) return null;
  let start = Math.min(at, end);
  while (start > 0 && !(bytes[start - 1] === 0x0a && bytes[start - 2] === 0x0d)) start--;
  return [start, end + 2];
}

/** What a server's reply to one fuzz input was. */
export interface ReplyVerdict {
  /** Statuses of the final responses, in order. */
  statuses: number[];
  /** Number of 1xx interim responses. */
  interim: number;
  /** How many of the responses came from the handler (it marks them). */
  fromHandler: number;
  /** Whether the last final response left the connection open. */
  lastKeepAlive: boolean;
  /** Empty when the reply is fine; otherwise what is wrong with it. */
  problem: string;
}

/** The header a fuzz handler sets so the checker knows a response came from it. */
export const HANDLER_MARK = "x-fuzz-method";

const decoder = new TextDecoder("latin1");

/**
 * Checks everything the server sent for one input: a sequence of complete, well-formed
 * HTTP/1.1 responses (strict parse), each with a Date header and a valid status, nothing
 * after a response that closes the connection, and every response the server made up itself
 * (an error status for bad input) closing the connection. `reset` says the connection ended
 * with a reset rather than a FIN: a response cut short is then reported as `truncated`.
 */
export function checkReply(reply: Uint8Array, reset: boolean): ReplyVerdict {
  const verdict: ReplyVerdict = {
    statuses: [],
    interim: 0,
    fromHandler: 0,
    lastKeepAlive: false,
    problem: "",
  };
  const parser = new Parser({ mode: "response" });
  let pos = 0;
  let inResponse = false;
  let closed = false;
  let status = 0;
  let marked = false;
  let headers: string[] = [];
  // Until the parser asks for more: it may owe an END with no bytes left to feed.
  for (let more = true; more;) {
    if (closed && pos < reply.length) {
      verdict.problem = `${reply.length - pos} bytes after a response that closes the connection`;
      return verdict;
    }
    if (!inResponse) {
      // A response to HEAD has framing headers but no body: the handler marks those.
      const headEnd = indexOfHeadEnd(reply, pos);
      if (headEnd > 0) {
        const head = decoder.decode(reply.subarray(pos, headEnd)).toLowerCase();
        if (head.includes(`\r\n${HANDLER_MARK}: head\r\n`)) parser.expectNoBody();
      }
    }
    const event = parser.execute(reply, pos, reply.length);
    pos = parser.offset;
    switch (event) {
      case PARSE_NEED_MORE:
        pos = reply.length;
        more = false;
        break;
      case PARSE_HEAD: {
        inResponse = true;
        status = parser.status;
        headers = parser.headers;
        marked = false;
        let hasDate = false;
        for (let i = 0; i < headers.length; i += 2) {
          const name = headers[i].toLowerCase();
          if (name === HANDLER_MARK) marked = true;
          if (name === "date") hasDate = true;
        }
        if (parser.versionMajor !== 1 || parser.versionMinor !== 1) {
          verdict.problem = `status line version ${parser.versionMajor}.${parser.versionMinor}`;
          return verdict;
        }
        if (status < 100 || status > 599) {
          verdict.problem = `status ${status}`;
          return verdict;
        }
        if (!hasDate && status >= 200) {
          verdict.problem = `${status} response without a Date header`;
          return verdict;
        }
        break;
      }
      case PARSE_BODY:
        break;
      case PARSE_END:
        inResponse = false;
        if (status < 200) {
          verdict.interim++;
          break;
        }
        verdict.statuses.push(status);
        if (marked) verdict.fromHandler++;
        verdict.lastKeepAlive = parser.keepAlive;
        if (!parser.keepAlive) closed = true;
        else if (!marked) {
          verdict.problem = `server-made ${status} keeps the connection open`;
          return verdict;
        }
        break;
      case PARSE_ERROR:
        verdict.problem = `malformed response: ${parser.error!.code}: ${parser.error!.message}`;
        return verdict;
      case PARSE_UPGRADE:
        verdict.problem = `unexpected upgrade (${parser.status})`;
        return verdict;
    }
  }
  if (inResponse || !parser.idle) {
    const event = parser.finish();
    if (event === PARSE_END) {
      // A close-delimited body (legal, e.g. a streamed reply to HTTP/1.0) ended by the close.
      verdict.statuses.push(status);
      if (marked) verdict.fromHandler++;
      if (reset) verdict.problem = "close-delimited response ended by a reset";
      return verdict;
    }
    if (event === PARSE_ERROR || inResponse) {
      verdict.problem = reset ? "truncated by a reset" : "response cut short by the close";
      return verdict;
    }
  }
  return verdict;
}

function indexOfHeadEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (
      bytes[i] === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a
    ) {
      return i + 4;
    }
  }
  return -1;
}

/** What a strict request parser (the server's settings: no upgrades) makes of an input. */
export interface InputShape {
  /** Requests complete in the input before anything else. */
  complete: number;
  /** What follows them: nothing (or blank lines), a partial request, or bytes it rejects. */
  rest: "idle" | "partial" | "error";
}

/**
 * Parses an input as the server would (request mode, default limits, no upgrades), to know
 * which replies it owes: a close without any response is only right when no request was
 * complete and nothing was rejected, and a connection kept alive must answer every
 * complete request before closing.
 */
export function inputShape(input: Uint8Array): InputShape {
  const parser = new Parser({ mode: "request", upgrade: false });
  let complete = 0;
  let pos = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const event = parser.execute(input, pos, input.length);
    pos = parser.offset;
    if (event === PARSE_END) complete++;
    else if (event === PARSE_ERROR) return { complete, rest: "error" };
    else if (event === PARSE_NEED_MORE) break;
  }
  return { complete, rest: parser.idle ? "idle" : "partial" };
}
