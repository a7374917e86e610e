import { assert } from "../../_assert.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../../../http/parse_event.ts";
import { Parser } from "../../../http/parser.ts";
import { ParseError, ParseErrorCode } from "../../../http/parse_error.ts";
import { bytesOf, runParser } from "./_corpus.ts";
import { checkCase, PARSER_CASES } from "./_cases.ts";

for (const c of PARSER_CASES) {
  Deno.test(`Parser ${c.name}`, () => {
    checkCase(c, runParser([bytesOf(c.input)], c.options));
  });
}

const encoder = new TextEncoder();
const text = (value: string) => encoder.encode(value);

Deno.test("ParseError is a SyntaxError with code, status, offset and a located message", () => {
  const parser = new Parser();
  const bytes = text("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n");
  assert.equal(parser.execute(bytes), PARSE_ERROR);
  const error = parser.error!;
  assert.ok(error instanceof ParseError);
  assert.ok(error instanceof SyntaxError);
  assert.equal(error.name, "ParseError");
  assert.equal(error.code, ParseErrorCode.INVALID_HEADER_TOKEN);
  assert.equal(error.status, 400);
  assert.equal(error.offset, 19);
  assert.equal(error.message, "Cannot parse header name: byte 0x20 at offset 19");
});

Deno.test("ParseErrorCode maps every code to its own name", () => {
  for (const [key, value] of Object.entries(ParseErrorCode)) assert.equal(key, value);
});

Deno.test("Parser error offsets count every byte fed across calls", () => {
  const parser = new Parser();
  const first = text("GET / HTTP/1.1\r\n");
  assert.equal(parser.execute(first), PARSE_NEED_MORE);
  const second = text("X@: y\r\n\r\n");
  assert.equal(parser.execute(second), PARSE_ERROR);
  assert.equal(parser.error!.offset, 17);
  assert.equal(parser.offset, 1);
});

Deno.test("Parser stays in its error state: bytes after a rejection are never parsed", () => {
  const parser = new Parser();
  const bad = text("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  assert.equal(parser.execute(bad), PARSE_ERROR);
  const error = parser.error;
  const smuggled = text("GET /admin HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.equal(parser.execute(smuggled, 0, smuggled.length), PARSE_ERROR);
  assert.equal(parser.offset, 0);
  assert.equal(parser.error, error);
  assert.equal(parser.finish(), PARSE_ERROR);
  parser.reset();
  assert.equal(parser.error, null);
  assert.equal(parser.execute(smuggled), PARSE_HEAD);
  assert.equal(parser.target, "/admin");
});

Deno.test("Parser stays upgraded: execute after PARSE_UPGRADE consumes nothing", () => {
  const parser = new Parser();
  const bytes = text("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  assert.equal(parser.execute(bytes), PARSE_UPGRADE);
  const offset = parser.offset;
  assert.equal(new TextDecoder().decode(bytes.subarray(offset)), "GET / HTTP/1.1\r\n\r\n");
  assert.equal(parser.execute(bytes, offset, bytes.length), PARSE_UPGRADE);
  assert.equal(parser.offset, offset);
  assert.equal(parser.idle, false);
  assert.equal(parser.finish(), PARSE_NEED_MORE);
});

Deno.test("Parser reports bodies as views into the caller's buffer", () => {
  const parser = new Parser();
  const bytes = text("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbodyGET");
  assert.equal(parser.execute(bytes), PARSE_HEAD);
  assert.equal(parser.hasBody, true);
  assert.equal(parser.execute(bytes, parser.offset), PARSE_BODY);
  assert.equal(parser.bodyStart, 38);
  assert.equal(parser.bodyEnd, 42);
  assert.equal(parser.offset, 42);
  assert.equal(parser.execute(bytes, parser.offset), PARSE_END);
  assert.equal(parser.offset, 42);
  assert.equal(parser.execute(bytes, parser.offset), PARSE_NEED_MORE);
  assert.equal(parser.offset, bytes.length);
  assert.equal(parser.idle, false);
});

Deno.test("Parser gives PARSE_END right after a head without body, consuming nothing", () => {
  const parser = new Parser();
  const bytes = text("GET / HTTP/1.1\r\n\r\n");
  assert.equal(parser.execute(bytes), PARSE_HEAD);
  assert.equal(parser.hasBody, false);
  assert.equal(parser.execute(bytes, parser.offset), PARSE_END);
  assert.equal(parser.offset, bytes.length);
  assert.equal(parser.idle, true);
});

Deno.test("Parser gives each message a new headers array", () => {
  const parser = new Parser();
  const bytes = text("GET /1 HTTP/1.1\r\nA: 1\r\n\r\nGET /2 HTTP/1.1\r\nB: 2\r\n\r\n");
  assert.equal(parser.execute(bytes), PARSE_HEAD);
  const first = parser.headers;
  assert.equal(parser.execute(bytes, parser.offset), PARSE_END);
  assert.equal(parser.execute(bytes, parser.offset), PARSE_HEAD);
  assert.deepEqual(first, ["A", "1"]);
  assert.deepEqual(parser.headers, ["B", "2"]);
});

Deno.test("Parser does not copy a head that arrives in one buffer", () => {
  const parser = new Parser();
  const bytes = text("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
  assert.equal(parser.execute(bytes), PARSE_HEAD);
  assert.equal(parser.bufferSize, 0);
});

Deno.test("Parser copies a partial head so the caller may reuse its buffer", () => {
  const parser = new Parser();
  const buffer = new Uint8Array(64);
  const first = text("GET /long-path HTTP/1.1\r\nHo");
  buffer.set(first);
  assert.equal(parser.execute(buffer, 0, first.length), PARSE_NEED_MORE);
  buffer.fill(0x21);
  const second = text("st: a\r\n\r\n");
  buffer.set(second);
  assert.equal(parser.execute(buffer, 0, second.length), PARSE_HEAD);
  assert.equal(parser.target, "/long-path");
  assert.deepEqual(parser.headers, ["Host", "a"]);
  assert.ok(parser.bufferSize > 0 && parser.bufferSize <= 16 * 1024);
});

Deno.test("Parser.idle is true only between messages", () => {
  const parser = new Parser();
  assert.equal(parser.idle, true);
  assert.equal(parser.execute(text("\r\n")), PARSE_NEED_MORE);
  assert.equal(parser.idle, true);
  assert.equal(parser.execute(text("G")), PARSE_NEED_MORE);
  assert.equal(parser.idle, false);
});

Deno.test("Parser.expectNoBody holds across 1xx responses and ends with the final one", () => {
  const parser = new Parser({ mode: "response" });
  parser.expectNoBody();
  const bytes = text(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
  );
  const events: number[] = [];
  let pos = 0;
  for (;;) {
    const event = parser.execute(bytes, pos, bytes.length);
    pos = parser.offset;
    if (event === PARSE_NEED_MORE) break;
    events.push(event === PARSE_HEAD ? parser.status : event);
  }
  assert.deepEqual(events, [100, PARSE_END, 200, PARSE_END, 200, PARSE_BODY, PARSE_END]);
});

Deno.test("Parser.finish ends a close-delimited response body", () => {
  const parser = new Parser({ mode: "response" });
  const bytes = text("HTTP/1.0 200 OK\r\n\r\nall of it");
  assert.equal(parser.execute(bytes), PARSE_HEAD);
  assert.equal(parser.bodyUntilClose, true);
  assert.equal(parser.keepAlive, false);
  assert.equal(parser.execute(bytes, parser.offset), PARSE_BODY);
  assert.equal(parser.execute(bytes, parser.offset), PARSE_NEED_MORE);
  assert.equal(parser.finish(), PARSE_END);
  assert.equal(parser.finish(), PARSE_NEED_MORE);
});

Deno.test("Parser.finish reports INVALID_EOF_STATE at the stream offset", () => {
  const parser = new Parser();
  assert.equal(parser.execute(text("GET / HT")), PARSE_NEED_MORE);
  assert.equal(parser.finish(), PARSE_ERROR);
  assert.equal(parser.error!.code, "INVALID_EOF_STATE");
  assert.equal(parser.error!.offset, 8);
});

Deno.test("Parser rejects a bad mode with TypeError and bad limits with RangeError", () => {
  assert.throws(() => new Parser({ mode: "both" as "request" }), TypeError);
  assert.throws(() => new Parser({ maxHeaderBytes: 0 }), RangeError);
  assert.throws(() => new Parser({ maxHeaderCount: 1.5 }), RangeError);
  assert.throws(() => new Parser({ maxUrlBytes: -1 }), RangeError);
  assert.throws(() => new Parser({ maxChunkExtensionBytes: NaN }), RangeError);
});

Deno.test("Parser's literal switch labels match the state constants they name", async () => {
  // The byte loops switch on literal labels (a jump table in V8), each named in a comment:
  // the head and body loops in parser.ts and the chunk-extension sub-machine.
  const states = await import("../../../http/_parser/state.ts") as Record<string, number>;
  const read = (path: string) =>
    Deno.readTextFile(new URL(`../../../http/${path}`, import.meta.url));
  const labelled = new Set<string>();
  let count = 0;
  for (const path of ["parser.ts", "_parser/chunk_extensions.ts"]) {
    const source = await read(path);
    const labels = [...source.matchAll(/case (\d+) \/\* (S_\w+) \*\//g)];
    assert.ok(labels.length >= 8, `labels found in ${path}`);
    for (const [, value, name] of labels) {
      assert.equal(Number(value), states[name], `${path}: ${name}`);
      labelled.add(name);
    }
    count += labels.length;
    // A switch over states names its cases by literal only: `case S_X:` would turn the
    // jump table back into a chain of comparisons (finish() is not a loop and may).
    const loops = source.replace(/\n {2}finish\(\)[\s\S]*?\n {2}}\n/, "");
    assert.deepEqual([...loops.matchAll(/case (S_\w+):/g)].map((m) => m[1]), [], path);
  }
  assert.ok(count > 40, "labels found");
  // Every state has a case in some loop.
  assert.deepEqual(Object.keys(states).filter((name) => !labelled.has(name)), []);
});

Deno.test("Parser's per-connection value cache never returns a stale or foreign value", () => {
  // Many messages on one parser, with values that repeat, change by one byte, collide in
  // length and shape, and cross the cacheable length: every value must be exact.
  const parser = new Parser();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = [
    "a",
    "b",
    "ab",
    "ba",
    "a".repeat(32),
    "a".repeat(31) + "b",
    "b" + "a".repeat(31),
  ];
  for (let i = 0; i < 500; i++) {
    const host = alphabet[Math.floor(random() * alphabet.length)];
    const agent = alphabet[Math.floor(random() * alphabet.length)] +
      (random() < 0.5 ? "x" : "\xe9");
    const auth = alphabet[Math.floor(random() * alphabet.length)];
    const bytes = Uint8Array.from(
      `GET /${i} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${agent}\r\nAuthorization: ${auth}\r\n\r\n`,
      (c) => c.charCodeAt(0),
    );
    assert.equal(parser.execute(bytes), PARSE_HEAD);
    assert.deepEqual(parser.headers, ["Host", host, "User-Agent", agent, "Authorization", auth]);
    assert.equal(parser.target, `/${i}`);
    assert.equal(parser.execute(bytes, parser.offset), PARSE_END);
  }
});
