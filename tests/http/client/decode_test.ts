// Content decoding against hostile and odd servers: bombs decoded in bounded pieces,
// coding lists, zstd, unknown codings, corrupt bodies and maxResponseBodyBytes.

import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { DECODE_CHUNK_BYTES } from "../../../http/_client/decode_body.ts";
import { rawServer, RequestReader, send } from "./_helpers.ts";
import zlib from "node:zlib";
import { promisify } from "node:util";

const text = "hello compressed world ".repeat(200);
const plain = new TextEncoder().encode(text);

/** A raw server answering every request with `body` and these head fields. */
function coded(body: Uint8Array, fields: string) {
  const seen: Map<string, string>[] = [];
  const server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    for (let request; (request = await reader.read()) !== null;) {
      seen.push(request.headers);
      await send(conn, `HTTP/1.1 200 OK\r\n${fields}Content-Length: ${body.length}\r\n\r\n`);
      await send(conn, body);
    }
  });
  return Object.assign(server, { seen });
}

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ClientError, `expected a ClientError, got ${error}`);
  return error;
}

/** `total` zero bytes compressed by `make` without holding them in memory. */
async function bomb(make: () => zlib.BrotliCompress | zlib.Gzip, total: number) {
  const compressor = make();
  const parts: Uint8Array[] = [];
  compressor.on("data", (part: Uint8Array) => parts.push(part));
  const ended = new Promise((resolve) => compressor.on("end", resolve));
  const zeros = new Uint8Array(1 << 20);
  for (let sent = 0; sent < total; sent += zeros.length) {
    if (!compressor.write(zeros)) await new Promise((r) => compressor.once("drain", r));
  }
  compressor.end();
  await ended;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

Deno.test("Client decodes gzip, x-gzip, deflate (zlib and raw), br and zstd, keeping the headers as Deno's fetch does", async () => {
  const deflateRaw = promisify(zlib.deflateRaw);
  const bodies: [string, Uint8Array][] = [
    ["gzip", zlib.gzipSync(plain)],
    ["x-gzip", zlib.gzipSync(plain)],
    ["deflate", zlib.deflateSync(plain)],
    ["deflate", new Uint8Array(await deflateRaw(plain))],
    ["br", zlib.brotliCompressSync(plain)],
    ["zstd", zlib.zstdCompressSync(plain)],
    ["identity", plain],
  ];
  for (const [coding, body] of bodies) {
    await using server = coded(body, `Content-Encoding: ${coding}\r\n`);
    await using client = new Client();
    const response = await client.fetch(server.url);
    assert.equal(await response.text(), text, coding);
    assert.equal(response.headers.get("content-length"), String(body.length));
    assert.equal(response.headers.get("content-encoding"), coding);
  }
});

Deno.test("Client decodes every coding of a list, last applied first", async () => {
  const cases: [string, Uint8Array][] = [
    ["deflate, gzip", zlib.gzipSync(zlib.deflateSync(plain))],
    ["gzip, br", zlib.brotliCompressSync(zlib.gzipSync(plain))],
    ["gzip,identity, gzip", zlib.gzipSync(zlib.gzipSync(plain))],
  ];
  for (const [list, body] of cases) {
    await using server = coded(body, `Content-Encoding: ${list}\r\n`);
    await using client = new Client();
    assert.equal(await (await client.fetch(server.url)).text(), text, list);
  }
  // Two Content-Encoding fields are one list (RFC 9110 §5.3).
  const twice = zlib.gzipSync(zlib.deflateSync(plain));
  await using server = coded(twice, "Content-Encoding: deflate\r\nContent-Encoding: gzip\r\n");
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), text);
});

Deno.test("Client accepts maxContentCodings codings and rejects one more with UNSUPPORTED_ENCODING", async () => {
  let body: Uint8Array = plain;
  for (let i = 0; i < 3; i++) body = zlib.gzipSync(body);
  await using server = coded(body, "Content-Encoding: gzip, gzip, gzip\r\n");
  {
    await using client = new Client({ maxContentCodings: 3 });
    assert.equal(await (await client.fetch(server.url)).text(), text);
  }
  {
    await using client = new Client({ maxContentCodings: 2 });
    const error = await failure(client.fetch(server.url));
    assert.equal(error.code, "UNSUPPORTED_ENCODING");
    assert.match(error.message, /3 codings, more than maxContentCodings \(2\)/);
  }
  // The default is 5.
  let six: Uint8Array = plain;
  for (let i = 0; i < 6; i++) six = zlib.gzipSync(six);
  await using deep = coded(six, `Content-Encoding: ${Array(6).fill("gzip").join(", ")}\r\n`);
  await using client = new Client();
  assert.equal((await failure(client.fetch(deep.url))).code, "UNSUPPORTED_ENCODING");
});

Deno.test("Client rejects a coding it cannot decode with UNSUPPORTED_ENCODING instead of passing raw bytes", async () => {
  for (const list of ["compress", "gzip, snappy", "zstd-not-really"]) {
    await using server = coded(plain, `Content-Encoding: ${list}\r\n`);
    await using client = new Client();
    const error = await failure(client.fetch(server.url));
    assert.equal(error.code, "UNSUPPORTED_ENCODING", list);
    assert.match(error.message, /cannot be decoded/);
  }
});

Deno.test("Client with decompress: false hands coded bytes over and asks for no coding", async () => {
  const body = zlib.gzipSync(plain);
  await using server = coded(body, "Content-Encoding: gzip\r\n");
  await using client = new Client({ decompress: false });
  const response = await client.fetch(server.url);
  assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(body));
  assert.equal(server.seen[0].get("accept-encoding"), undefined);
  // An unknown coding is no error when nothing is decoded.
  await using odd = coded(plain, "Content-Encoding: snappy\r\n");
  assert.equal(await (await client.fetch(odd.url)).text(), text);
});

Deno.test("Client fails a corrupt or truncated coded body with DECODING_FAILED", async () => {
  const gz = zlib.gzipSync(plain);
  for (
    const [coding, body] of [
      ["gzip", new TextEncoder().encode("definitely not gzip")],
      ["gzip", gz.subarray(0, gz.length - 10)],
      ["br", new Uint8Array([0xff, 0xff, 0xff, 0xff])],
    ] as const
  ) {
    await using server = coded(body, `Content-Encoding: ${coding}\r\n`);
    await using client = new Client();
    const response = await client.fetch(server.url);
    const error = await failure(response.text());
    assert.equal(error.code, "DECODING_FAILED", coding);
    assert.ok(error instanceof TypeError);
  }
});

Deno.test("Client reads an empty coded body as empty", async () => {
  await using server = coded(new Uint8Array(0), "Content-Encoding: gzip\r\n");
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "");
});

Deno.test("Client decodes a brotli bomb in bounded pieces, and only as fast as it is read", async () => {
  // 256 MiB of zeros in a few hundred bytes: DecompressionStream made one chunk of it.
  const quality = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };
  const body = await bomb(() => zlib.createBrotliCompress(quality), 256 << 20);
  assert.ok(body.length < 2048, `${body.length} bytes`);
  await using server = coded(body, "Content-Encoding: br\r\n");
  await using client = new Client();
  const response = await client.fetch(server.url);
  const reader = response.body!.getReader();
  let total = 0;
  for (let i = 0; i < 64; i++) {
    const { value } = await reader.read();
    assert.ok(value!.length <= DECODE_CHUNK_BYTES, `piece of ${value!.length} bytes`);
    total += value!.length;
  }
  assert.ok(total <= 64 * DECODE_CHUNK_BYTES);
  await reader.cancel();
});

Deno.test("Client decodes a whole 256 MiB brotli bomb with memory to spare", async () => {
  const quality = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };
  const body = await bomb(() => zlib.createBrotliCompress(quality), 256 << 20);
  await using server = coded(body, "Content-Encoding: br\r\n");
  await using client = new Client();
  const before = Deno.memoryUsage().rss;
  let peak = before;
  let total = 0;
  let pieces = 0;
  for await (const piece of (await client.fetch(server.url)).body!) {
    total += piece.length;
    if (++pieces % 1024 === 0) peak = Math.max(peak, Deno.memoryUsage().rss);
  }
  assert.equal(total, 256 << 20);
  // One chunk of it was 256 MiB (1 GiB peak for 512 MiB) before the bounded decoder.
  assert.ok(peak - before < 96 << 20, `RSS grew ${((peak - before) / 2 ** 20).toFixed(0)} MiB`);
});

Deno.test("Client stops a gzip bomb at maxResponseBodyBytes with RESPONSE_TOO_LARGE", async () => {
  const body = await bomb(() => zlib.createGzip({ level: 1 }), 64 << 20);
  await using server = coded(body, "Content-Encoding: gzip\r\n");
  await using client = new Client({ maxResponseBodyBytes: 1 << 20 });
  const response = await client.fetch(server.url);
  const reader = response.body!.getReader();
  let total = 0;
  let error: unknown = null;
  for (;;) {
    try {
      const { done, value } = await reader.read();
      if (done) break;
      assert.ok(value.length <= DECODE_CHUNK_BYTES);
      total += value.length;
    } catch (e) {
      error = e;
      break;
    }
  }
  assert.ok(error instanceof ClientError, String(error));
  assert.equal(error.code, "RESPONSE_TOO_LARGE");
  assert.ok(total <= 1 << 20, `${total} bytes delivered`);
  await server.closed(1); // the connection was closed, not drained
});

Deno.test("Client accepts a body of maxResponseBodyBytes and errors one byte more", async () => {
  const limit = 1000;
  for (const size of [limit, limit + 1]) {
    const exact = new Uint8Array(size).fill(97);
    // Plain with a Content-Length, chunked (crossed while read), and coded.
    const servers = [
      coded(exact, ""),
      rawServer(async (conn) => {
        await new RequestReader(conn).read();
        await send(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (let at = 0; at < size; at += 300) {
          const part = exact.subarray(at, at + 300);
          await send(conn, `${part.length.toString(16)}\r\n`);
          await send(conn, part);
          await send(conn, "\r\n");
        }
        await send(conn, "0\r\n\r\n");
      }),
      coded(zlib.gzipSync(exact), "Content-Encoding: gzip\r\n"),
    ];
    try {
      await using client = new Client({ maxResponseBodyBytes: limit });
      for (const server of servers) {
        const response = await client.fetch(server.url);
        if (size === limit) assert.equal((await response.arrayBuffer()).byteLength, limit);
        else {
          const error = await failure(response.arrayBuffer());
          assert.equal(error.code, "RESPONSE_TOO_LARGE");
          assert.match(error.message, /maxResponseBodyBytes \(1000\)/);
        }
      }
    } finally {
      for (const server of servers) await server.close();
    }
  }
});

Deno.test("Client maxResponseBodyBytes out of range is a RangeError", () => {
  assert.throws(() => new Client({ maxResponseBodyBytes: 0 }), RangeError);
  assert.throws(() => new Client({ maxContentCodings: 0 }), RangeError);
  assert.throws(() => new Client({ decompress: "yes" as unknown as boolean }), TypeError);
});
