// decodeRequestBody: each coding, stacked codings, raw deflate, 415 for unknown ones,
// the decoded-size limit at and one byte past it, a compression bomb decoded only as far
// as it is read, corrupt input, and the same rules through serve(compose(...)) over TCP.

import * as zlib from "node:zlib";
import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, withServer } from "../../_server.ts";
import { decodeRequestBody } from "../../../http/decode_request_body.ts";
import { HttpError } from "../../../http/http_error.ts";
import { compose } from "../../../router/compose.ts";

const encoder = new TextEncoder();
const TEXT = "upload ".repeat(1000);

function post(encoding: string | null, body: Uint8Array | string): Request {
  return new Request("http://localhost/upload", {
    method: "POST",
    headers: encoding === null ? {} : { "content-encoding": encoding, "content-length": "1" },
    body: body as BodyInit,
  });
}

const ENCODE: Record<string, (bytes: Uint8Array) => Uint8Array> = {
  gzip: (b) => zlib.gzipSync(b),
  "x-gzip": (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  zstd: (b) => zlib.zstdCompressSync(b),
};

Deno.test("decodeRequestBody decodes gzip, x-gzip, deflate, br and zstd and drops the coding fields", async () => {
  for (const [coding, encode] of Object.entries(ENCODE)) {
    const decoded = decodeRequestBody(post(coding, encode(encoder.encode(TEXT))));
    assert.equal(decoded.headers.get("content-encoding"), null, coding);
    assert.equal(decoded.headers.get("content-length"), null, coding);
    assert.equal(decoded.method, "POST");
    assert.equal(decoded.url, "http://localhost/upload");
    assert.equal(await decoded.text(), TEXT, coding);
  }
});

Deno.test("decodeRequestBody decodes raw deflate, stacked codings in reverse order, and passes identity through", async () => {
  const raw = decodeRequestBody(post("deflate", zlib.deflateRawSync(encoder.encode(TEXT))));
  assert.equal(await raw.text(), TEXT);
  const stacked = zlib.brotliCompressSync(zlib.gzipSync(encoder.encode(TEXT)));
  assert.equal(await decodeRequestBody(post("gzip, br", stacked)).text(), TEXT);
  const plain = post(null, TEXT);
  assert.equal(decodeRequestBody(plain), plain);
  const identity = post("identity", TEXT);
  assert.equal(decodeRequestBody(identity), identity);
  const empty = new Request("http://localhost/", { headers: { "content-encoding": "gzip" } });
  assert.equal(decodeRequestBody(empty), empty, "no body: nothing to decode");
});

Deno.test("decodeRequestBody answers unknown or too many codings with 415 and Accept-Encoding", () => {
  for (const coding of ["compress", "gzip, lzma", "gzip, gzip, gzip"]) {
    try {
      decodeRequestBody(post(coding, "x"));
      assert.fail(`${coding} was accepted`);
    } catch (error) {
      assert.ok(error instanceof HttpError, coding);
      assert.equal(error.status, 415);
      assert.equal(new Headers(error.headers).get("accept-encoding"), "br, zstd, gzip, deflate");
    }
  }
  assert.throws(() => decodeRequestBody(post("br", "x"), { encodings: ["gzip"] }), HttpError);
  assert.throws(() => decodeRequestBody(post("gzip", "x"), { maxBytes: -1 }), RangeError);
});

Deno.test("decodeRequestBody allows maxBytes decoded bytes and answers 413 one byte past", async () => {
  const encoded = zlib.gzipSync(encoder.encode(TEXT));
  const exact = decodeRequestBody(post("gzip", encoded), { maxBytes: TEXT.length });
  assert.equal(await exact.text(), TEXT);
  const over = decodeRequestBody(post("gzip", encoded), { maxBytes: TEXT.length - 1 });
  await assert.rejects(() => over.text(), (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 413);
    return true;
  });
});

Deno.test("a compression bomb is decoded only as far as it is read, and stops at the limit", async () => {
  const bomb = zlib.gzipSync(new Uint8Array(256 * 1024 * 1024)); // 256 MiB of zeros, ~256 KiB
  assert.ok(bomb.length < 300 * 1024);
  const limited = decodeRequestBody(post("gzip", bomb), { maxBytes: 8 * 1024 * 1024 });
  const started = performance.now();
  await assert.rejects(() => limited.arrayBuffer(), HttpError);
  assert.ok(performance.now() - started < 5_000);
  // Unlimited, read one chunk at a time: each chunk is at most 64 KiB.
  const reader = decodeRequestBody(post("gzip", bomb), { maxBytes: Infinity }).body!.getReader();
  for (let i = 0; i < 10; i++) {
    const { value } = await reader.read();
    assert.ok(value!.length <= 64 * 1024);
  }
  await reader.cancel();
});

Deno.test("corrupt or truncated encoded bodies error the stream", async () => {
  const truncated = zlib.gzipSync(encoder.encode(TEXT)).subarray(0, 20);
  await assert.rejects(() => decodeRequestBody(post("gzip", truncated)).text());
  await assert.rejects(() => decodeRequestBody(post("br", "not brotli at all")).text());
  await assert.rejects(() => decodeRequestBody(post("zstd", "not zstd")).text());
});

Deno.test("through serve(compose(...)) over TCP: decoded uploads, 413 past the limit, 415 for unknown codings", async () => {
  const handler = compose(async (ctx) => {
    const request = decodeRequestBody(ctx.request, { maxBytes: 10_000 });
    const body = await request.text();
    return new Response(`got ${body.length}`);
  });
  await withServer(handler, {}, async (_server, addr) => {
    const send = async (coding: string, body: Uint8Array) => {
      const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: ${coding}\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      const bytes = new Uint8Array(head.length + body.length);
      bytes.set(encoder.encode(head));
      bytes.set(body, head.length);
      return parseResponses((await rawExchange(addr, bytes)).bytes)[0];
    };
    const ok = await send("gzip", zlib.gzipSync(encoder.encode(TEXT)));
    assert.equal(ok.status, 200);
    assert.equal(ok.body, `got ${TEXT.length}`);
    const tooBig = await send("br", zlib.brotliCompressSync(new Uint8Array(10_001)));
    assert.equal(tooBig.status, 413);
    const unknown = await send("compress", encoder.encode("x"));
    assert.equal(unknown.status, 415);
    assert.equal(unknown.header("accept-encoding"), "br, zstd, gzip, deflate");
  });
});
