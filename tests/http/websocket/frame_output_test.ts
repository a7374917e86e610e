// The send side: frame heads in every length form, client masking, text encoded straight
// into the output, frames of one tick leaving in one write, large payloads copied once,
// bufferedAmount and flushed(). Every frame written is read back with the parser.

import { assert } from "../../_assert.ts";
import type { Duplex } from "../../../http/_codec/duplex.ts";
import { FrameOutput, OUTPUT_CHUNK_SIZE } from "../../../http/_websocket/frame_output.ts";
import { FIN, headSize, writeHead } from "../../../http/_websocket/frame_writer.ts";
import { applyMask, maskKey } from "../../../http/_websocket/mask.ts";
import { collect, join } from "./_frames.ts";

/** A duplex that records writes; `hold` makes writes wait until `release()`. */
class CaptureDuplex implements Duplex {
  writes: Uint8Array[] = [];
  hold = false;
  #waiting: (() => void)[] = [];
  read(): Promise<number | null> {
    return Promise.resolve(null);
  }
  async write(buffer: Uint8Array): Promise<number> {
    if (this.hold) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.writes.push(buffer.slice());
    return buffer.length;
  }
  release(): void {
    this.hold = false;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
  close(): void {}
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const decode = (bytes: number[]) => new TextDecoder().decode(new Uint8Array(bytes));

Deno.test("frame writer: heads use the shortest length form and set the mask bit", () => {
  assert.deepEqual([headSize(0, false), headSize(125, false), headSize(126, false)], [2, 2, 4]);
  assert.deepEqual([headSize(65535, false), headSize(65536, false), headSize(65536, true)], [
    4,
    10,
    14,
  ]);
  const out = new Uint8Array(14);
  assert.equal(writeHead(out, 0, FIN | 2, 2 ** 40 + 5, true, 0x01020304), 14);
  assert.deepEqual([...out], [0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 5, 1, 2, 3, 4]);
  assert.equal(writeHead(out, 0, FIN | 1, 300, false, 0), 4);
  assert.deepEqual([...out.subarray(0, 4)], [0x81, 126, 1, 44]);
});

Deno.test("mask: random keys come from a batch and differ", () => {
  const keys = new Set<number>();
  for (let i = 0; i < 600; i++) keys.add(maskKey());
  assert.ok(keys.size > 590, "600 keys drawn across batches, nearly all distinct");
});

Deno.test("mask: masking twice restores the bytes at every length, offset and phase", () => {
  for (const length of [0, 1, 3, 4, 31, 32, 33, 100, 1000]) {
    for (const offset of [0, 1, 2, 3]) {
      for (const phase of [0, 1, 2, 3]) {
        const buf = new Uint8Array(length + 8);
        for (let i = 0; i < buf.length; i++) buf[i] = i * 7;
        const original = buf.slice();
        // A fixed key with no zero byte, so every masked byte changes.
        const key = 0x9a3c57e1;
        applyMask(buf, offset, offset + length, key, phase);
        if (length > 0) assert.notDeepEqual(buf, original);
        // Byte i of the payload takes key byte (phase + i) mod 4.
        for (let i = 0; i < length; i++) {
          const k = (key >>> (24 - 8 * ((phase + i) & 3))) & 0xff;
          assert.equal(buf[offset + i], original[offset + i] ^ k);
        }
        applyMask(buf, offset, offset + length, key, phase);
        assert.deepEqual(buf, original);
      }
    }
  }
});

Deno.test("frame output: frames queued in one tick leave in one write, and parse back", async () => {
  for (const masked of [false, true]) {
    const duplex = new CaptureDuplex();
    const out = new FrameOutput(masked, () => {});
    out.start(duplex);
    out.text(FIN | 1, "hello");
    out.frame(FIN | 2, new Uint8Array([1, 2, 3]), 3);
    out.frame(FIN | 9, new Uint8Array(0), 0);
    assert.equal(out.buffered, 8);
    await out.flushed();
    assert.equal(duplex.writes.length, 1, "one write");
    assert.equal(out.buffered, 0);
    const parsed = collect(
      { expectMasked: masked, maxPayload: 1 << 20, deflate: false },
      duplex.writes,
    );
    assert.deepEqual(parsed, [
      {
        type: "message",
        opcode: 1,
        compressed: false,
        data: [...new TextEncoder().encode("hello")],
      },
      { type: "message", opcode: 2, compressed: false, data: [1, 2, 3] },
      { type: "control", opcode: 9, data: [] },
    ]);
  }
});

Deno.test("frame output: text of every head size and width is encoded in place correctly", async () => {
  // Lengths around the 125/126 and 65535/65536 edges, with 1-, 2-, 3- and 4-byte chars,
  // so the UTF-8 length needs a longer head than the UTF-16 length suggests.
  const samples: string[] = [];
  for (const unit of ["a", "é", "€", "😀"]) {
    for (const n of [1, 41, 42, 62, 63, 125, 126, 21845, 21846, 32767, 65535, 65536]) {
      const text = unit.repeat(Math.max(1, Math.floor(n / unit.length)));
      if (text.length * 3 + 14 <= OUTPUT_CHUNK_SIZE * 8) samples.push(text);
    }
  }
  samples.push("a".repeat(125) + "é", "\ud800 lone surrogate", "");
  for (const masked of [false, true]) {
    const duplex = new CaptureDuplex();
    const out = new FrameOutput(masked, () => {});
    out.start(duplex);
    let total = 0;
    for (const text of samples) total += out.text(FIN | 1, text);
    assert.equal(out.buffered, total);
    await out.flushed();
    const parsed = collect({ expectMasked: masked, maxPayload: 1 << 22, deflate: false }, [
      join(...duplex.writes),
    ]);
    assert.deepEqual(
      parsed.map((m) => m.type === "message" ? decode(m.data) : m),
      samples.map((s) => s.toWellFormed()),
    );
  }
});

Deno.test("frame output: a large payload is written after its head and copied (the caller may reuse it)", async () => {
  const duplex = new CaptureDuplex();
  const out = new FrameOutput(true, () => {});
  out.start(duplex);
  const big = new Uint8Array(100_000).fill(5);
  out.frame(FIN | 2, big, big.length);
  big.fill(9); // changed after send: the copy went out
  out.text(FIN | 1, "after");
  await out.flushed();
  const parsed = collect(
    { expectMasked: true, maxPayload: 1 << 20, deflate: false },
    duplex.writes,
  );
  assert.equal(parsed.length, 2);
  assert.ok(parsed[0].type === "message" && parsed[0].data.every((b) => b === 5));
  assert.ok(parsed[1].type === "message" && decode(parsed[1].data) === "after");
});

Deno.test("frame output: bufferedAmount counts until written; flushed() waits for the write", async () => {
  const duplex = new CaptureDuplex();
  duplex.hold = true;
  const out = new FrameOutput(false, () => {});
  out.start(duplex);
  out.frame(FIN | 2, new Uint8Array(10), 10);
  let flushed = false;
  const done = out.flushed().then(() => (flushed = true));
  await tick();
  assert.equal(out.buffered, 10);
  assert.equal(flushed, false);
  // Queued while the first write waits: goes out in the next write.
  out.frame(FIN | 2, new Uint8Array(5), 5);
  assert.equal(out.buffered, 15);
  duplex.release();
  await done;
  await out.flushed();
  assert.equal(out.buffered, 0);
  assert.equal(duplex.writes.length, 2);
});

Deno.test("frame output: a failed write reports once and rejects flushed()", async () => {
  let failures = 0;
  const out = new FrameOutput(false, () => failures++);
  out.start({
    read: () => Promise.resolve(null),
    write: () => Promise.reject(new Deno.errors.BrokenPipe("gone")),
    close: () => {},
  });
  out.frame(FIN | 1, new Uint8Array([0x61]), 1);
  await assertRejects(out.flushed());
  out.frame(FIN | 1, new Uint8Array([0x61]), 1); // ignored after the failure
  await tick();
  assert.equal(failures, 1);
});

async function assertRejects(promise: Promise<unknown>): Promise<void> {
  let rejected = false;
  await promise.catch(() => (rejected = true));
  assert.ok(rejected, "expected a rejection");
}
