import { assert, assertBytes, bytesOf } from "../_assert.ts";
import { type ByteWriter, writeAll } from "../../net/_write_all.ts";

/** Accepts at most `max` bytes per write, recording what it got. */
class ShortWriter implements ByteWriter {
  calls = 0;
  received: number[] = [];
  constructor(readonly max: number) {}
  write(p: Uint8Array): Promise<number> {
    this.calls++;
    const n = Math.min(this.max, p.length);
    this.received.push(...p.subarray(0, n));
    return Promise.resolve(n);
  }
}

Deno.test("writeAll loops over short writes until every byte is written", async () => {
  const writer = new ShortWriter(3);
  await writeAll(writer, bytesOf("0123456789"));
  assertBytes(Uint8Array.from(writer.received), bytesOf("0123456789"));
  assert.equal(writer.calls, 4);
});

Deno.test("writeAll makes one call when the writer takes everything", async () => {
  const writer = new ShortWriter(1024);
  await writeAll(writer, bytesOf("hello"));
  assert.equal(writer.calls, 1);
});

Deno.test("writeAll passes a write error through", async () => {
  const failing: ByteWriter = { write: () => Promise.reject(new Deno.errors.BrokenPipe("gone")) };
  await assert.rejects(writeAll(failing, bytesOf("x")), Deno.errors.BrokenPipe);
});
