// Every parser limit at the limit (accepted) and one byte past it (rejected with its
// status), fed whole and byte by byte; the parser's own buffer never exceeds the limit.

import { assert } from "../../_assert.ts";
import { DEFAULT_MAX_CHUNK_EXTENSION_BYTES } from "../../../http/parser_options.ts";
import {
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADER_COUNT,
  DEFAULT_MAX_URL_BYTES,
} from "../../../http/_parser/limits.ts";
import { byteByByte, bytesOf, type RunOptions, runParser, type RunResult } from "./_corpus.ts";

/** Runs whole and byte by byte; both must agree. */
function run(input: string, options: RunOptions = {}): RunResult {
  const bytes = bytesOf(input);
  const whole = runParser([bytes.slice()], options);
  const bytewise = runParser(byteByByte(bytes), options);
  assert.deepEqual(
    { error: bytewise.error?.code, messages: bytewise.messages.length },
    { error: whole.error?.code, messages: whole.messages.length },
    "byte-by-byte feeding agrees",
  );
  const limit = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  assert.ok(bytewise.maxBuffer <= limit, `buffer ${bytewise.maxBuffer} within ${limit}`);
  return whole;
}

function accepted(result: RunResult, messages = 1): void {
  assert.equal(result.error, null, result.error?.message);
  assert.equal(result.messages.length, messages);
}

function rejected(result: RunResult, code: string, status: number, offset?: number): void {
  assert.notEqual(result.error, null, "expected a rejection");
  assert.equal(result.error!.code, code, result.error!.message);
  assert.equal(result.error!.status, status);
  if (offset !== undefined) assert.equal(result.error!.offset, offset);
}

/** A request head of exactly `size` bytes (start line, one padded field, empty line). */
function headOf(size: number): string {
  const fixed = "GET / HTTP/1.1\r\nX: \r\n\r\n".length;
  return `GET / HTTP/1.1\r\nX: ${"a".repeat(size - fixed)}\r\n\r\n`;
}

Deno.test("Parser accepts a head of exactly maxHeaderBytes", () => {
  accepted(run(headOf(256), { maxHeaderBytes: 256 }));
});

Deno.test("Parser rejects a head one byte over maxHeaderBytes with 431 at that byte", () => {
  rejected(run(headOf(257), { maxHeaderBytes: 256 }), "HEADER_OVERFLOW", 431, 256);
});

Deno.test("Parser applies maxHeaderBytes to a head cut off before its end", () => {
  rejected(
    run("GET / HTTP/1.1\r\nX: " + "a".repeat(300), { maxHeaderBytes: 256 }),
    "HEADER_OVERFLOW",
    431,
    256,
  );
});

Deno.test("Parser accepts a head of exactly the default maxHeaderBytes (16 KiB)", () => {
  accepted(run(headOf(DEFAULT_MAX_HEADER_BYTES)));
  rejected(
    run(headOf(DEFAULT_MAX_HEADER_BYTES + 1)),
    "HEADER_OVERFLOW",
    431,
    DEFAULT_MAX_HEADER_BYTES,
  );
});

Deno.test("Parser counts maxHeaderBytes per message, not per connection", () => {
  accepted(run(headOf(200).repeat(5), { maxHeaderBytes: 200 }), 5);
});

Deno.test("Parser applies maxHeaderBytes to response heads", () => {
  const head = (size: number) => {
    const fixed = "HTTP/1.1 200 OK\r\nX: \r\nContent-Length: 0\r\n\r\n".length;
    return `HTTP/1.1 200 OK\r\nX: ${"b".repeat(size - fixed)}\r\nContent-Length: 0\r\n\r\n`;
  };
  accepted(run(head(128), { mode: "response", maxHeaderBytes: 128 }));
  rejected(run(head(129), { mode: "response", maxHeaderBytes: 128 }), "HEADER_OVERFLOW", 431, 128);
});

function fields(count: number): string {
  let out = "GET / HTTP/1.1\r\n";
  for (let i = 0; i < count; i++) out += `F${i}: v\r\n`;
  return out + "\r\n";
}

Deno.test("Parser accepts exactly maxHeaderCount fields", () => {
  accepted(run(fields(10), { maxHeaderCount: 10 }));
  accepted(run(fields(DEFAULT_MAX_HEADER_COUNT)));
});

Deno.test("Parser rejects one field over maxHeaderCount with 431", () => {
  rejected(run(fields(11), { maxHeaderCount: 10 }), "HEADER_OVERFLOW", 431);
  rejected(run(fields(DEFAULT_MAX_HEADER_COUNT + 1)), "HEADER_OVERFLOW", 431);
});

function target(length: number): string {
  return `GET /${"u".repeat(length - 1)} HTTP/1.1\r\n\r\n`;
}

Deno.test("Parser accepts a request-target of exactly maxUrlBytes", () => {
  const result = run(target(64), { maxUrlBytes: 64 });
  accepted(result);
  assert.equal(result.messages[0].target.length, 64);
  accepted(run(target(DEFAULT_MAX_URL_BYTES)));
});

Deno.test("Parser rejects a request-target one byte over maxUrlBytes with 414", () => {
  rejected(run(target(65), { maxUrlBytes: 64 }), "URI_TOO_LONG", 414, 4 + 64);
  rejected(run(target(DEFAULT_MAX_URL_BYTES + 1)), "URI_TOO_LONG", 414, 4 + DEFAULT_MAX_URL_BYTES);
});

Deno.test("Parser rejects an over-long target before its end arrives", () => {
  rejected(run("GET /" + "u".repeat(100), { maxUrlBytes: 64 }), "URI_TOO_LONG", 414, 68);
});

const CHUNKED = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";

function trailers(size: number): string {
  const fixed = "T: \r\n\r\n".length;
  return CHUNKED + `1\r\nx\r\n0\r\nT: ${"t".repeat(size - fixed)}\r\n\r\n`;
}

Deno.test("Parser accepts a trailer section of exactly maxHeaderBytes", () => {
  const result = run(trailers(100), { maxHeaderBytes: 100 });
  accepted(result);
  assert.equal(result.messages[0].trailers[0][1].length, 100 - 7);
});

Deno.test("Parser rejects a trailer section one byte over maxHeaderBytes with 431", () => {
  rejected(run(trailers(101), { maxHeaderBytes: 100 }), "HEADER_OVERFLOW", 431);
});

Deno.test("Parser applies maxHeaderCount to trailers", () => {
  const input = (count: number) => {
    let out = CHUNKED + "0\r\n";
    for (let i = 0; i < count; i++) out += `T${i}: v\r\n`;
    return out + "\r\n";
  };
  accepted(run(input(3), { maxHeaderCount: 3 }));
  rejected(run(input(4), { maxHeaderCount: 3 }), "HEADER_OVERFLOW", 431);
});

function extensions(size: number): string {
  // ";" + name: `size` bytes of extensions after the chunk size.
  return CHUNKED + `1;${"e".repeat(size - 1)}\r\nx\r\n0\r\n\r\n`;
}

Deno.test("Parser accepts chunk extensions of exactly maxChunkExtensionBytes", () => {
  accepted(run(extensions(50), { maxChunkExtensionBytes: 50 }));
  accepted(run(extensions(DEFAULT_MAX_CHUNK_EXTENSION_BYTES)));
});

Deno.test("Parser rejects chunk extensions one byte over maxChunkExtensionBytes", () => {
  rejected(run(extensions(51), { maxChunkExtensionBytes: 50 }), "CHUNK_EXTENSIONS_OVERFLOW", 400);
  rejected(
    run(extensions(DEFAULT_MAX_CHUNK_EXTENSION_BYTES + 1)),
    "CHUNK_EXTENSIONS_OVERFLOW",
    400,
  );
});

Deno.test("Parser accepts a chunk size of Number.MAX_SAFE_INTEGER and rejects one more", () => {
  const max = Number.MAX_SAFE_INTEGER.toString(16);
  const ok = run(CHUNKED + `${max}\r\nabc`);
  assert.equal(ok.error, null);
  assert.notEqual(ok.pending, null);
  rejected(run(CHUNKED + "20000000000000\r\n"), "INVALID_CHUNK_SIZE", 400);
});

Deno.test("Parser accepts Content-Length of Number.MAX_SAFE_INTEGER and rejects one more", () => {
  const ok = run(`POST / HTTP/1.1\r\nContent-Length: ${Number.MAX_SAFE_INTEGER}\r\n\r\n`);
  assert.equal(ok.error, null);
  assert.equal(ok.pending!.contentLength, Number.MAX_SAFE_INTEGER);
  rejected(
    run("POST / HTTP/1.1\r\nContent-Length: 9007199254740992\r\n\r\n"),
    "INVALID_CONTENT_LENGTH",
    400,
  );
});
