import { assert, textOf } from "../../_assert.ts";
import {
  encodeChunk,
  encodeLastChunk,
  LAST_CHUNK,
  writeChunkHead,
} from "../../../http/_codec/chunked.ts";
import { ChunkedEncoderStream } from "../../../http/chunked_encoder_stream.ts";

Deno.test("Chunk-size line is lowercase hex without leading zeros, then CRLF", () => {
  const out = new Uint8Array(20);
  for (
    const [size, text] of [[1, "1"], [15, "f"], [16, "10"], [255, "ff"], [65536, "10000"]] as const
  ) {
    const end = writeChunkHead(out, 0, size);
    assert.equal(textOf(out.subarray(0, end)), `${text}\r\n`);
  }
  const end = writeChunkHead(out, 0, Number.MAX_SAFE_INTEGER);
  assert.equal(textOf(out.subarray(0, end)), "1fffffffffffff\r\n");
});

Deno.test("A chunk is size line, data and CRLF; empty data frames to nothing", () => {
  assert.equal(textOf(encodeChunk(new TextEncoder().encode("abc"))), "3\r\nabc\r\n");
  assert.equal(encodeChunk(new Uint8Array(0)).length, 0);
});

Deno.test("Last chunk carries trailer fields", () => {
  assert.equal(textOf(LAST_CHUNK), "0\r\n\r\n");
  const trailers = new Headers({ "x-checksum": "abc" });
  assert.equal(textOf(encodeLastChunk(trailers)), "0\r\nx-checksum: abc\r\n\r\n");
});

Deno.test("ChunkedEncoderStream frames each input chunk and ends with the last chunk", async () => {
  const input = ReadableStream.from([
    new Uint8Array([1, 2]),
    new Uint8Array(0),
    new Uint8Array(17),
  ]);
  const framed = new Uint8Array(
    await new Response(input.pipeThrough(new ChunkedEncoderStream())).arrayBuffer(),
  );
  assert.equal(textOf(framed.subarray(0, 5)), "2\r\n\x01\x02");
  assert.equal(textOf(framed.subarray(7, 11)), "11\r\n");
  assert.equal(textOf(framed.subarray(framed.length - 5)), "0\r\n\r\n");
  assert.equal(framed.length, 5 + 2 + 4 + 17 + 2 + 5);
});
