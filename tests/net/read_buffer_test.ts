import { assert, assertBytes, bytesOf } from "../_assert.ts";
import { type ByteReader, DEFAULT_READ_BUFFER_SIZE, ReadBuffer } from "../../net/_read_buffer.ts";

/** A reader that hands out the given chunks one per read (cut to the space offered). */
class ChunkReader implements ByteReader {
  reads = 0;
  offered: number[] = [];
  #chunks: Uint8Array[];
  constructor(chunks: string[]) {
    this.#chunks = chunks.map(bytesOf);
  }
  read(p: Uint8Array): Promise<number | null> {
    this.reads++;
    this.offered.push(p.length);
    const chunk = this.#chunks.shift();
    if (chunk === undefined) return Promise.resolve(null);
    const n = Math.min(p.length, chunk.length);
    p.set(chunk.subarray(0, n));
    if (n < chunk.length) this.#chunks.unshift(chunk.subarray(n));
    return Promise.resolve(n);
  }
}

Deno.test("ReadBuffer starts empty with the default 64 KiB store", () => {
  const rb = new ReadBuffer(new ChunkReader([]));
  assert.equal(DEFAULT_READ_BUFFER_SIZE, 64 * 1024);
  assert.equal(rb.buf.length, DEFAULT_READ_BUFFER_SIZE);
  assert.equal(rb.length, 0);
  assert.equal(rb.view().length, 0);
});

Deno.test("ReadBuffer.fill appends after the unread bytes and returns the count", async () => {
  const rb = new ReadBuffer(new ChunkReader(["GET / ", "HTTP/1.1\r\n"]), 32);
  assert.equal(await rb.fill(), 6);
  assert.equal(await rb.fill(), 10);
  assertBytes(rb.view(), bytesOf("GET / HTTP/1.1\r\n"));
  assert.equal(rb.start, 0);
  assert.equal(rb.end, 16);
});

Deno.test("ReadBuffer.fill returns null at end of stream and keeps unread bytes", async () => {
  const rb = new ReadBuffer(new ChunkReader(["abc"]), 8);
  await rb.fill();
  assert.equal(await rb.fill(), null);
  assertBytes(rb.view(), bytesOf("abc"));
});

Deno.test("ReadBuffer.consume advances start and resets to 0 when all is used", async () => {
  const rb = new ReadBuffer(new ChunkReader(["hello world"]), 16);
  await rb.fill();
  rb.consume(6);
  assert.equal(rb.start, 6);
  assertBytes(rb.view(), bytesOf("world"));
  rb.consume(5);
  assert.equal(rb.start, 0);
  assert.equal(rb.end, 0);
  assert.equal(rb.length, 0);
});

Deno.test("ReadBuffer compacts in place when the tail is full, without a new store", async () => {
  const reader = new ChunkReader(["12345678", "9ab"]);
  const rb = new ReadBuffer(reader, 8);
  const store = rb.buf;
  await rb.fill(); // full: "12345678"
  rb.consume(5); // unread "678" at 5..8
  assert.equal(await rb.fill(), 3); // moves "678" to the front, reads "9ab" after it
  assert.equal(rb.buf, store, "no reallocation");
  assert.equal(rb.start, 0);
  assertBytes(rb.view(), bytesOf("6789ab"));
  assert.deepEqual(reader.offered, [8, 5]);
});

Deno.test("ReadBuffer doubles its store when full of unread bytes", async () => {
  const rb = new ReadBuffer(new ChunkReader(["abcd", "efgh"]), 4);
  await rb.fill();
  assert.equal(rb.buf.length, 4);
  await rb.fill();
  assert.equal(rb.buf.length, 8);
  assertBytes(rb.view(), bytesOf("abcdefgh"));
});

Deno.test("ReadBuffer.grow keeps the unread bytes at offset 0 and ignores smaller sizes", async () => {
  const rb = new ReadBuffer(new ChunkReader(["xxhello"]), 8);
  await rb.fill();
  rb.consume(2);
  rb.grow(4);
  assert.equal(rb.buf.length, 8, "a smaller size is a no-op");
  assert.equal(rb.start, 2);
  rb.grow(32);
  assert.equal(rb.buf.length, 32);
  assert.equal(rb.start, 0);
  assertBytes(rb.view(), bytesOf("hello"));
});

Deno.test("ReadBuffer.clear drops unread bytes", async () => {
  const rb = new ReadBuffer(new ChunkReader(["abc", "def"]), 8);
  await rb.fill();
  rb.clear();
  assert.equal(rb.length, 0);
  await rb.fill();
  assertBytes(rb.view(), bytesOf("def"));
  assert.equal(rb.start, 0);
});

Deno.test("ReadBuffer reads a stream cut at every size into the same bytes", async () => {
  const text = "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  for (let cut = 1; cut <= text.length; cut++) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += cut) chunks.push(text.slice(i, i + cut));
    const rb = new ReadBuffer(new ChunkReader(chunks), 16);
    let out = "";
    while (await rb.fill() !== null) {
      // Consume all but the last 3 bytes each time, so compaction and growth both run.
      const take = Math.max(0, rb.length - 3);
      out += String.fromCharCode(...rb.view().subarray(0, take));
      rb.consume(take);
    }
    out += String.fromCharCode(...rb.view());
    assert.equal(out, text, `cut ${cut}`);
  }
});
