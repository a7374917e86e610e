// compressResponse and the compress() middleware: when a response is compressed and
// when it is left alone, what happens to its fields, each coding decoding back, whole
// bodies vs live streams, a flush per chunk (server-sent events over TCP), and a client
// that goes away cancelling the original body.

import * as zlib from "node:zlib";
import { assert } from "../../_assert.ts";
import { readAll, withServer } from "../../_server.ts";
import {
  type CompressionOptions,
  compressResponse,
  isCompressible,
} from "../../../http/compression.ts";
import { compose } from "../../../router/compose.ts";
import { compress } from "../../../router/compress.ts";

const encoder = new TextEncoder();
const TEXT = "Wire compresses text. ".repeat(200); // 4400 bytes

function req(accept: string | null, method = "GET"): Request {
  return new Request("http://localhost/", {
    method,
    headers: accept === null ? {} : { "accept-encoding": accept },
  });
}

function decode(coding: string | null, bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes);
  switch (coding) {
    case "gzip":
      return zlib.gunzipSync(buffer).toString();
    case "deflate":
      return zlib.inflateSync(buffer).toString();
    case "br":
      return zlib.brotliDecompressSync(buffer).toString();
    case "zstd":
      return zlib.zstdDecompressSync(buffer).toString();
    default:
      return new TextDecoder().decode(bytes);
  }
}

async function body(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

Deno.test("compressResponse encodes with each coding, sets the fields, and decodes back", async () => {
  for (const coding of ["br", "zstd", "gzip", "deflate"]) {
    const original = new Response(TEXT, {
      headers: {
        "content-type": "text/plain; charset=utf-8",
        etag: '"v1"',
        "accept-ranges": "bytes",
      },
    });
    const response = await compressResponse(req(coding), original);
    assert.equal(response.headers.get("content-encoding"), coding);
    assert.equal(response.headers.get("vary"), "Accept-Encoding");
    assert.equal(response.headers.get("etag"), 'W/"v1"', "a strong ETag becomes weak");
    assert.equal(response.headers.get("accept-ranges"), null);
    const bytes = await body(response);
    assert.equal(response.headers.get("content-length"), String(bytes.length));
    assert.ok(bytes.length < TEXT.length / 5, `${coding}: ${bytes.length} bytes`);
    assert.equal(decode(coding, bytes), TEXT);
  }
});

/** A case where the response must come back unchanged (apart from Vary). */
interface Untouched {
  name: string;
  request: Request;
  response: () => Response;
  vary: boolean;
}

const UNTOUCHED: Untouched[] = [
  {
    name: "HEAD (Vary as the GET's)",
    request: req("gzip", "HEAD"),
    response: () => text(),
    vary: true,
  },
  {
    name: "HEAD of an image",
    request: req("gzip", "HEAD"),
    response: () => text({ type: "image/png" }),
    vary: false,
  },
  {
    name: "204",
    request: req("gzip"),
    response: () => new Response(null, { status: 204 }),
    vary: false,
  },
  { name: "206", request: req("gzip"), response: () => text({ status: 206 }), vary: false },
  {
    name: "304",
    request: req("gzip"),
    response: () => new Response(null, { status: 304 }),
    vary: false,
  },
  {
    name: "an image",
    request: req("gzip"),
    response: () => text({ type: "image/png" }),
    vary: false,
  },
  { name: "video", request: req("gzip"), response: () => text({ type: "video/mp4" }), vary: false },
  {
    name: "no Content-Type",
    request: req("gzip"),
    response: () => new Response(encoder.encode(TEXT)),
    vary: false,
  },
  {
    name: "already encoded",
    request: req("gzip"),
    response: () => text({ headers: { "content-encoding": "br" } }),
    vary: false,
  },
  {
    name: "Cache-Control: no-transform",
    request: req("gzip"),
    response: () => text({ headers: { "cache-control": "public, no-transform" } }),
    vary: false,
  },
  { name: "no Accept-Encoding", request: req(null), response: () => text(), vary: true },
  { name: "identity only", request: req("identity"), response: () => text(), vary: true },
  { name: "gzip;q=0", request: req("gzip;q=0, br;q=0"), response: () => text(), vary: true },
  { name: "unknown codings", request: req("compress, lzma"), response: () => text(), vary: true },
  {
    name: "under the threshold (Content-Length)",
    request: req("gzip"),
    response: () => text({ body: "small", headers: { "content-length": "5" } }),
    vary: true,
  },
  {
    name: "under the threshold (whole body)",
    request: req("gzip"),
    response: () => text({ body: "x".repeat(1023) }),
    vary: true,
  },
];

function text(
  init: { status?: number; type?: string; headers?: Record<string, string>; body?: string } = {},
): Response {
  return new Response(init.body ?? TEXT, {
    status: init.status ?? 200,
    headers: { "content-type": init.type ?? "text/html; charset=utf-8", ...init.headers },
  });
}

Deno.test("compressResponse leaves alone what must not or need not be compressed", async () => {
  for (const row of UNTOUCHED) {
    const response = await compressResponse(row.request, row.response());
    assert.equal(
      response.headers.get("content-encoding"),
      row.name === "already encoded" ? "br" : null,
      row.name,
    );
    assert.equal(response.headers.get("vary"), row.vary ? "Accept-Encoding" : null, row.name);
    await response.body?.cancel();
  }
});

Deno.test("compressResponse compresses at the threshold and not one byte under it", async () => {
  const options: CompressionOptions = { threshold: 2000, encodings: ["gzip"] };
  for (const [size, coded] of [[2000, true], [1999, false]] as const) {
    for (const declared of [true, false]) {
      const headers: Record<string, string> = { "content-type": "text/plain" };
      if (declared) headers["content-length"] = String(size);
      const response = await compressResponse(
        req("gzip"),
        new Response("a".repeat(size), { headers }),
        options,
      );
      assert.equal(
        response.headers.get("content-encoding"),
        coded ? "gzip" : null,
        `${size} ${declared}`,
      );
      assert.equal(decode(coded ? "gzip" : null, await body(response)), "a".repeat(size));
    }
  }
});

Deno.test("compressResponse compresses under the threshold when the client refuses identity", async () => {
  const small = "x".repeat(100);
  for (
    const [accept, coded] of [
      ["gzip, identity;q=0", "gzip"],
      ["gzip, *;q=0", "gzip"],
      ["gzip;q=0.5, identity;q=0.1", null],
      ["gzip", null],
    ] as const
  ) {
    const response = await compressResponse(
      req(accept),
      text({ body: small, type: "text/plain" }),
      { encodings: ["gzip"] },
    );
    assert.equal(response.headers.get("content-encoding"), coded, accept);
    assert.equal(decode(coded, await body(response)), small, accept);
  }
});

Deno.test("compressResponse adds to an existing Vary, keeps Vary: *, and copies immutable headers", async () => {
  const merged = await compressResponse(req("gzip"), text({ headers: { vary: "Origin" } }));
  assert.equal(merged.headers.get("vary"), "Origin, Accept-Encoding");
  await merged.body?.cancel();
  const kept = await compressResponse(
    req("gzip"),
    text({ headers: { vary: "origin, accept-encoding" } }),
  );
  assert.equal(kept.headers.get("vary"), "origin, accept-encoding");
  await kept.body?.cancel();
  const star = await compressResponse(req(null), text({ headers: { vary: "*" } }));
  assert.equal(star.headers.get("vary"), "*");
  await star.body?.cancel();
  await withServer(() => text(), {}, async (_server, addr) => {
    const upstream = await fetch(`http://127.0.0.1:${addr.port}/`, {
      headers: { "accept-encoding": "identity" },
    });
    assert.throws(() => upstream.headers.set("x", "1"), TypeError, "fetch() headers are immutable");
    const response = await compressResponse(req(null), upstream);
    assert.equal(response.headers.get("vary"), "Accept-Encoding");
    assert.equal(await response.text(), TEXT);
  });
});

Deno.test("compressResponse passes custom status and reason through, and compresses error pages", async () => {
  const response = await compressResponse(
    req("gzip"),
    new Response(TEXT, {
      status: 404,
      statusText: "Gone Fishing",
      headers: { "content-type": "text/html" },
    }),
  );
  assert.equal(response.status, 404);
  assert.equal(response.statusText, "Gone Fishing");
  assert.equal(response.headers.get("content-encoding"), "gzip");
  assert.equal(decode("gzip", await body(response)), TEXT);
});

Deno.test("isCompressible and the filter option decide by Content-Type", async () => {
  for (
    const type of [
      "text/css",
      "application/json",
      "application/ld+json",
      "application/javascript",
      "image/svg+xml",
      "application/wasm",
      "application/atom+xml",
    ]
  ) {
    assert.ok(isCompressible(type), type);
  }
  for (
    const type of [
      "image/png",
      "image/jpeg",
      "video/mp4",
      "audio/mpeg",
      "font/woff2",
      "application/zip",
      "application/octet-stream",
      "application/pdf",
    ]
  ) {
    assert.ok(!isCompressible(type), type);
  }
  const response = await compressResponse(req("gzip"), text({ type: "application/x-custom" }), {
    filter: (type) => type === "application/x-custom",
  });
  assert.equal(response.headers.get("content-encoding"), "gzip");
  await response.body?.cancel();
});

Deno.test("compressResponse throws synchronously on bad options", () => {
  const bad: CompressionOptions[] = [
    { encodings: ["lzma" as "gzip"] },
    { encodings: "gzip" as unknown as ["gzip"] },
    { threshold: -1 },
    { gzipLevel: 10 },
    { brotliQuality: 12 },
    { zstdLevel: 0 },
    { chunkSize: 10 },
    { filter: "text" as unknown as () => boolean },
  ];
  for (const options of bad) {
    assert.throws(
      () => compressResponse(req("gzip"), text(), options),
      Error,
      JSON.stringify(options),
    );
    assert.throws(() => compress(options), Error);
  }
});

Deno.test("compressResponse compresses a long stream chunk by chunk, with a flush after each", async () => {
  for (const coding of ["gzip", "br", "zstd", "deflate"]) {
    const chunks = ["first event\n", "second event\n", "third event\n".repeat(100)];
    let index = 0;
    const source = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (index < chunks.length) controller.enqueue(encoder.encode(chunks[index++]));
        else controller.close();
      },
    });
    const response = await compressResponse(
      req(coding),
      new Response(source, { headers: { "content-type": "text/event-stream" } }),
    );
    assert.equal(response.headers.get("content-encoding"), coding);
    assert.equal(response.headers.get("content-length"), null);
    // Each output chunk decodes to all input so far: nothing waits for more input.
    const reader = response.body!.getReader();
    const received: Uint8Array[] = [];
    const expected: string[] = [];
    for (let i = 0; i < chunks.length; i++) {
      const { value } = await reader.read();
      received.push(value!);
      expected.push(chunks[i]);
      const sofar = Buffer.concat(received);
      const flush = coding === "br"
        ? zlib.constants.BROTLI_OPERATION_FLUSH
        : zlib.constants.Z_SYNC_FLUSH;
      const decoded = coding === "gzip"
        ? zlib.gunzipSync(sofar, { finishFlush: flush })
        : coding === "deflate"
        ? zlib.inflateSync(sofar, { finishFlush: flush })
        : coding === "br"
        ? zlib.brotliDecompressSync(sofar, { finishFlush: flush })
        : zlib.zstdDecompressSync(sofar);
      assert.equal(decoded.toString(), expected.join(""), `${coding} after chunk ${i}`);
    }
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(value);
    }
    assert.equal(decode(coding, Buffer.concat(received)), chunks.join(""));
  }
});

Deno.test("cancelling a compressed stream cancels the original body", async () => {
  let cancelled: unknown = "not cancelled";
  const source = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(encoder.encode("data: tick\n\n".repeat(10))),
    cancel: (reason) => {
      cancelled = reason;
    },
  }, { highWaterMark: 0 });
  // A stream that never ends is never "whole": it is compressed chunk by chunk.
  const response = await compressResponse(
    req("gzip"),
    new Response(source, { headers: { "content-type": "text/event-stream" } }),
    { bufferBytes: 1024 },
  );
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel("client gone");
  assert.equal(cancelled, "client gone");
});

Deno.test("server-sent events through serve(compose(compress(), ...)) arrive one by one over TCP", async () => {
  let timer: ReturnType<typeof setInterval> | undefined;
  let cancelled = false;
  const events = compose(compress(), () => {
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(": open\n\n"));
        timer = setInterval(() => {
          n++;
          controller.enqueue(encoder.encode(`id: ${n}\ndata: ${"x".repeat(50)}\n\n`));
        }, 20);
      },
      cancel() {
        cancelled = true;
        clearInterval(timer);
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  });
  try {
    await withServer(events, {}, async (_server, addr) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: addr.port });
      try {
        await conn.write(
          encoder.encode("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"),
        );
        // Read until the decompressed text holds event 2, while the stream is still open.
        const inflate = zlib.createGunzip();
        let decoded = "";
        inflate.on("data", (d: Uint8Array) => (decoded += new TextDecoder().decode(d)));
        let raw = new Uint8Array(0);
        let headEnd = -1;
        const deadline = Date.now() + 5_000;
        const buf = new Uint8Array(65536);
        while (!decoded.includes("id: 2\n") && Date.now() < deadline) {
          const n = await conn.read(buf);
          if (n === null) break;
          const next = new Uint8Array(raw.length + n);
          next.set(raw);
          next.set(buf.subarray(0, n), raw.length);
          raw = next;
          const text = new TextDecoder("latin1").decode(raw);
          if (headEnd === -1) {
            headEnd = text.indexOf("\r\n\r\n");
            if (headEnd === -1) continue;
            assert.match(text.slice(0, headEnd), /content-encoding: gzip/);
            assert.match(text.slice(0, headEnd), /transfer-encoding: chunked/);
            raw = raw.subarray(headEnd + 4);
          }
          // Unframe complete chunks and feed them to the decoder.
          for (;;) {
            const line = new TextDecoder("latin1").decode(raw.subarray(0, 20));
            const crlf = line.indexOf("\r\n");
            if (crlf === -1) break;
            const size = parseInt(line.slice(0, crlf), 16);
            if (raw.length < crlf + 2 + size + 2) break;
            inflate.write(raw.subarray(crlf + 2, crlf + 2 + size));
            raw = raw.subarray(crlf + 2 + size + 2);
          }
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        inflate.destroy();
        assert.ok(decoded.startsWith(": open\n\n"), decoded);
        assert.ok(decoded.includes("id: 2\n"), "events arrive while the stream is open");
      } finally {
        conn.close();
      }
    });
  } finally {
    clearInterval(timer);
  }
  assert.ok(cancelled, "the event stream was cancelled when the client went away");
});

Deno.test("compress() in serve(compose(...)) gzips for curl-like and fetch clients, with Content-Length", async () => {
  const handler = compose(compress(), () => Response.json({ rows: Array(500).fill("wire") }));
  await withServer(handler, {}, async (_server, addr) => {
    const response = await fetch(`http://127.0.0.1:${addr.port}/`, {
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(response.headers.get("content-encoding"), "gzip");
    assert.deepEqual(await response.json(), { rows: Array(500).fill("wire") });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: addr.port });
    try {
      await conn.write(
        encoder.encode(
          "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n",
        ),
      );
      const { text } = await readAll(conn);
      assert.match(text, /content-encoding: br\r\n/);
      assert.match(text, /content-length: \d+\r\n/);
    } finally {
      conn.close();
    }
  });
});
