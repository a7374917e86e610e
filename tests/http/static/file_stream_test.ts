// serveFile's streamed bodies (files over smallFileBytes): chunkSize reads, the file
// opened on the first read and closed at the end or on cancel, an error when the file
// shrank, and the byte-stream side: a BYOB reader that reuses one buffer gets every
// byte of single ranges and of multipart/byteranges bodies, read straight into it.

import { assert } from "../../_assert.ts";
import { serveFile } from "../../../http/serve_file.ts";
import { makeSite, openDescriptors, pattern } from "./_fixtures.ts";

function get(headers: HeadersInit = {}): Request {
  return new Request("http://localhost/", { headers });
}

/**
 * Reads `stream` as a server writer would: BYOB mode, one buffer of `size` bytes handed
 * back in for every read, each chunk copied out before the next read.
 */
async function readByob(
  stream: ReadableStream<Uint8Array>,
  size: number,
): Promise<{ bytes: Uint8Array; reads: number[]; buffers: Set<number> }> {
  const reader = stream.getReader({ mode: "byob" });
  let buffer = new ArrayBuffer(size);
  const out: number[] = [];
  const reads: number[] = [];
  // Every chunk must arrive in the buffer that was handed in (transferred, so compared
  // by its byteLength and by the chunk's offset 0 into it).
  const buffers = new Set<number>();
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    assert.equal(value.byteOffset, 0);
    buffers.add(value.buffer.byteLength);
    reads.push(value.length);
    for (const byte of value) out.push(byte);
    buffer = value.buffer as ArrayBuffer;
  }
  return { bytes: Uint8Array.from(out), reads, buffers };
}

Deno.test("serveFile streams a large file in chunkSize reads and closes it at the end", async () => {
  await using site = await makeSite();
  const before = openDescriptors();
  const response = await serveFile(get(), `${site.root}/bin/data.bin`, {
    smallFileBytes: 1024,
    chunkSize: 64 * 1024,
  });
  assert.equal(response.headers.get("content-length"), String(site.binary.length));
  const sizes: number[] = [];
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body!) {
    sizes.push(chunk.length);
    chunks.push(chunk);
  }
  assert.deepEqual(sizes, [65536, 65536, 65536, 8192]);
  const joined = new Uint8Array(site.binary.length);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  assert.deepEqual(joined, site.binary);
  assert.equal(openDescriptors(), before);
});

Deno.test("serveFile's stream opens the file only when read, and closes it when cancelled", async () => {
  await using site = await makeSite();
  const before = openDescriptors();
  const options = { smallFileBytes: 0, chunkSize: 1024 };
  const unread = await serveFile(get(), `${site.root}/bin/data.bin`, options);
  assert.equal(openDescriptors(), before, "nothing open before the first read");
  await unread.body!.cancel();
  const response = await serveFile(get(), `${site.root}/bin/data.bin`, options);
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.equal(first.value?.length, 1024);
  assert.equal(openDescriptors(), before + 1, "open while streaming");
  await reader.cancel();
  assert.equal(openDescriptors(), before, "closed on cancel");
});

Deno.test("serveFile's stream errors when the file shrank after it was measured", async () => {
  await using site = await makeSite();
  const path = `${site.root}/bin/data.bin`;
  const response = await serveFile(get(), path, { smallFileBytes: 0, chunkSize: 1024 });
  await Deno.writeFile(path, pattern(2000));
  await assert.rejects(() => response.arrayBuffer(), /the file ended at byte 2000, before 204800/);
});

Deno.test("serveFile's body is a byte stream: a BYOB reader's one buffer receives the whole file", async () => {
  await using site = await makeSite();
  const path = `${site.root}/bin/data.bin`;
  const before = openDescriptors();
  // The reader's buffer is smaller than chunkSize: reads fill it, no more.
  const small = await serveFile(get(), path, { smallFileBytes: 0, chunkSize: 64 * 1024 });
  const a = await readByob(small.body!, 10_000);
  assert.deepEqual(a.bytes, site.binary);
  assert.ok(a.reads.every((n) => n <= 10_000));
  assert.deepEqual([...a.buffers], [10_000], "every chunk in the reader's own buffer");
  // Larger than chunkSize: reads are chunkSize long.
  const large = await serveFile(get(), path, { smallFileBytes: 0, chunkSize: 64 * 1024 });
  const b = await readByob(large.body!, 1024 * 1024);
  assert.deepEqual(b.bytes, site.binary);
  assert.deepEqual(b.reads, [65536, 65536, 65536, 8192]);
  assert.equal(openDescriptors(), before, "closed at the end");
});

Deno.test("a BYOB reader gets ranges and multipart/byteranges bodies byte for byte", async () => {
  await using site = await makeSite();
  const path = `${site.root}/bin/data.bin`;
  const size = site.binary.length;
  const options = { smallFileBytes: 0, chunkSize: 4096 };
  const single = await serveFile(get({ range: "bytes=1000-50999" }), path, options);
  assert.deepEqual((await readByob(single.body!, 3000)).bytes, site.binary.subarray(1000, 51000));
  // The same multipart body read three ways must be the same bytes: default reader,
  // BYOB with a buffer smaller than a part's head (heads are split across reads), and
  // BYOB with a large buffer.
  const range = { range: "bytes=0-9, 100-8299, -16" };
  const whole = new Uint8Array(await (await serveFile(get(range), path, options)).arrayBuffer());
  const type = /boundary=([0-9a-f]+)/;
  for (const bufferSize of [7, 65536]) {
    const response = await serveFile(get(range), path, options);
    const { bytes } = await readByob(response.body!, bufferSize);
    assert.equal(bytes.length, Number(response.headers.get("content-length")), `${bufferSize}`);
    // Boundaries are random per response: compare with the boundary swapped in.
    const boundary = type.exec(response.headers.get("content-type")!)![1];
    const other =
      /^--([0-9a-f]+)/.exec(new TextDecoder("latin1").decode(whole.subarray(0, 40)))![1];
    const text = new TextDecoder("latin1").decode(bytes).replaceAll(boundary, other);
    assert.equal(text, new TextDecoder("latin1").decode(whole), `${bufferSize}`);
    assert.ok(text.includes(`content-range: bytes ${size - 16}-${size - 1}/${size}`));
  }
});

Deno.test("cancelling a BYOB read of a streamed file closes it", async () => {
  await using site = await makeSite();
  const before = openDescriptors();
  const response = await serveFile(get(), `${site.root}/bin/data.bin`, {
    smallFileBytes: 0,
    chunkSize: 1024,
  });
  const reader = response.body!.getReader({ mode: "byob" });
  const first = await reader.read(new Uint8Array(512));
  assert.equal(first.value?.length, 512);
  assert.equal(openDescriptors(), before + 1, "open while streaming");
  await reader.cancel();
  assert.equal(openDescriptors(), before, "closed on cancel");
});
