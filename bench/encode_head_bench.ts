// Response head encoding and the per-request costs around it, measured against the
// alternatives they were chosen over. Run: deno bench bench/encode_head_bench.ts
//
// Groups:
//   head     - building and encoding a response head (ours vs string building variants)
//   body     - getting a small body out of a Response (internal fields vs public APIs)
//   request  - building the handler's Request (internal route vs public constructor)
//   exchange - one whole request/response through the connection state machine, in memory

import { headText, scanHeaders } from "../http/_server/response_head.ts";
import { FRAME_LENGTH } from "../http/_codec/framing.ts";
import { writeLatin1 } from "../http/_codec/latin1.ts";
import { KIND_TEXT, newParts, readParts } from "../http/_server/response_parts.ts";
import { createRequest, requestUrl } from "../http/_server/request.ts";
import { writeResponse } from "../http/_server/write_response.ts";
import { Output } from "../http/_server/output.ts";
import { Connection } from "../http/_server/connection.ts";
import { Clock } from "../http/_server/clock.ts";
import { resolveConfig } from "../http/_server/config.ts";

const encoder = new TextEncoder();
const buffer = new Uint8Array(16 * 1024);
const now = Date.now();
const KEEP_ALIVE = "keep-alive: timeout=5\r\n";
const headers = new Headers({
  "content-type": "text/plain;charset=UTF-8",
  "cache-control": "no-store",
  "x-request-id": "7b0c9f0e-3d1e-4a7e-9f5d-2b8e0c6a1f42",
});

// ---- head --------------------------------------------------------------------------

const scan = newParts();

Deno.bench("head: scanHeaders (forEach) + headText + one encodeInto", {
  group: "head",
  baseline: true,
}, () => {
  scanHeaders(headers, scan);
  const head = headText(200, "", scan.fields, FRAME_LENGTH, 13, 0, false, now, KEEP_ALIVE);
  writeLatin1(head, buffer, 0);
});

Deno.bench("head: for..of over Headers + string + encodeInto", { group: "head" }, () => {
  let head = "HTTP/1.1 200 OK\r\n";
  for (const [name, value] of headers) head += name + ": " + value + "\r\n";
  head += "date: " + new Date(now).toUTCString() + "\r\ncontent-length: 13\r\n\r\n";
  encoder.encodeInto(head, buffer);
});

Deno.bench("head: encodeInto per field", { group: "head" }, () => {
  let at = encoder.encodeInto("HTTP/1.1 200 OK\r\n", buffer).written;
  headers.forEach((value, name) => {
    at += encoder.encodeInto(name, buffer.subarray(at)).written;
    buffer[at++] = 58;
    buffer[at++] = 32;
    at += encoder.encodeInto(value, buffer.subarray(at)).written;
    buffer[at++] = 13;
    buffer[at++] = 10;
  });
  encoder.encodeInto("content-length: 13\r\n\r\n", buffer.subarray(at));
});

Deno.bench("head: TextEncoder.encode of the whole head (allocates)", { group: "head" }, () => {
  let head = "HTTP/1.1 200 OK\r\n";
  headers.forEach((value, name) => (head += name + ": " + value + "\r\n"));
  encoder.encode(head + "content-length: 13\r\n\r\n");
});

// ---- body --------------------------------------------------------------------------

const parts = newParts();
const sink = { write: (bytes: Uint8Array) => Promise.resolve(bytes.length) };
const context = {
  head: false,
  minor: 1,
  keepAlive: true,
  committed: false,
  reader: null,
  peerGone: false,
  upgrade: null,
  switching: false,
  receiving: false,
};

Deno.bench("body: writeResponse(new Response(text)) into the output buffer", {
  group: "body",
  baseline: true,
}, async () => {
  const out = new Output(sink, { bytesOut: 0 });
  const result = writeResponse(out, new Response("Hello, World!"), context, now, KEEP_ALIVE);
  if (result instanceof Promise) await result;
  out.take();
  out.release();
});

Deno.bench("body: readParts only (internal fields)", { group: "body" }, () => {
  readParts(new Response("Hello, World!"), parts);
  if (parts.kind !== KIND_TEXT) throw new Error("expected the text route");
});

Deno.bench("body: await response.bytes()", { group: "body" }, async () => {
  await new Response("Hello, World!").bytes();
});

Deno.bench("body: response.body reader, two reads", { group: "body" }, async () => {
  const reader = new Response("Hello, World!").body!.getReader();
  await reader.read();
  await reader.read();
});

// ---- request -----------------------------------------------------------------------

const fields = ["Host", "127.0.0.1:8000", "User-Agent", "wrk", "Accept", "*/*"];

Deno.bench("request: createRequest (internal route, lazy URL/headers/signal)", {
  group: "request",
  baseline: true,
}, () => {
  const url = requestUrl("http", "127.0.0.1:8000", "/hello?x=1")!;
  createRequest("GET", url, fields, null, -1);
});

Deno.bench("request: new Request(url) + headers.append", { group: "request" }, () => {
  const request = new Request("http://127.0.0.1:8000/hello?x=1");
  for (let i = 0; i < fields.length; i += 2) request.headers.append(fields[i], fields[i + 1]);
});

Deno.bench("request: new Request(url, { signal }) + headers.append", { group: "request" }, () => {
  const controller = new AbortController();
  const request = new Request("http://127.0.0.1:8000/hello?x=1", { signal: controller.signal });
  for (let i = 0; i < fields.length; i += 2) request.headers.append(fields[i], fields[i + 1]);
});

// ---- exchange ----------------------------------------------------------------------

const GET = encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n");
const PIPELINED = encoder.encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n".repeat(16),
);

/** A transport that feeds `rounds` copies of `input`, then ends. */
function transport(input: Uint8Array, rounds: number) {
  let left = rounds;
  return {
    read(into: Uint8Array): Promise<number | null> {
      if (left-- <= 0) return Promise.resolve(null);
      into.set(input);
      return Promise.resolve(input.length);
    },
    write: (bytes: Uint8Array) => Promise.resolve(bytes.length),
    close() {},
  };
}

const config = resolveConfig(() => new Response("Hello, World!"), {}, "http", "localhost");
const clock = new Clock(1000);
const remote: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };

Deno.bench("exchange: 100 keep-alive GETs, one per read", {
  group: "exchange",
  baseline: true,
}, async () => {
  await new Connection(transport(GET, 100), remote, config, clock).run();
});

Deno.bench("exchange: 100 batches of 16 pipelined GETs", { group: "exchange" }, async () => {
  await new Connection(transport(PIPELINED, 100), remote, config, clock).run();
});
