// The conformance client's own parts, checked against references: the frame codec
// round-trips, the DEFLATE encoder and decoder agree with node:zlib (and catch a server
// reaching outside its window), the handshake checks permessage-deflate responses, and
// the case table matches Autobahn's numbering.
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { assert } from "../_assert.ts";
import { prng } from "../_prng.ts";
import { Deflater } from "./_deflate.ts";
import { encodeFrame, FrameDecoder } from "./_frame.ts";
import { HandshakeError, negotiateDeflate } from "./_handshake.ts";
import { InflateError, Inflater } from "./_inflate.ts";
import { allCases } from "./cases/mod.ts";
import { UTF8_GROUPS } from "./cases/_utf8_sequences.ts";
import { compressionCorpora } from "./cases/_corpus.ts";

const KEY = Uint8Array.of(1, 2, 3, 4);

/** A server frame: encodeFrame unmasked is what a server sends. */
function serverFrame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  return encodeFrame({ opcode, payload, fin, mask: false }, KEY);
}

Deno.test("Frame decoder reads frames of every length form, fed in any pieces", () => {
  const rand = prng(7);
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    const payload = Uint8Array.from({ length }, () => rand() * 256);
    const wire = serverFrame(2, payload);
    for (const piece of [1, 3, 1000, wire.length]) {
      if (piece === 1 && length > 200) continue;
      const decoder = new FrameDecoder();
      let frame = null;
      for (let at = 0; at < wire.length; at += piece) {
        assert.equal(frame, null);
        decoder.push(wire.subarray(at, at + piece));
        frame = decoder.next();
      }
      assert.ok(frame, `length ${length} piece ${piece}`);
      assert.deepEqual(frame.payload, payload);
      assert.equal(frame.opcode, 2);
      assert.equal(decoder.next(), null);
    }
  }
});

Deno.test("Frame encoder masks the payload and sets FIN, RSV and lengths as asked", () => {
  const frame = encodeFrame({ opcode: 1, payload: Uint8Array.of(65, 66), rsv: 5, fin: false }, KEY);
  assert.deepEqual([...frame], [0x51, 0x82, 1, 2, 3, 4, 65 ^ 1, 66 ^ 2]);
  const lying = encodeFrame({ opcode: 2, length64: 0x8000000000000000n, mask: false }, KEY);
  assert.deepEqual([...lying.subarray(0, 3)], [0x82, 127, 0x80]);
  const decoded = new FrameDecoder();
  decoded.push(encodeFrame({ opcode: 9, payload: Uint8Array.of(7) }, KEY));
  const ping = decoded.next()!;
  assert.equal(ping.masked, true);
  assert.deepEqual([...ping.payload], [7]);
});

function withTail(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 4);
  out.set(data);
  out.set([0, 0, 0xff, 0xff], data.length);
  return out;
}

Deno.test("Deflater output inflates with node:zlib, across messages with context", () => {
  for (const corpus of compressionCorpora()) {
    for (const bits of [9, 12, 15]) {
      const deflater = new Deflater({ windowBits: bits });
      const first = corpus.bytes.subarray(0, 40000);
      const second = corpus.bytes.subarray(20000, 50000);
      const a = deflater.deflate(first);
      const b = deflater.deflate(second);
      const zlibOptions = { windowBits: bits, finishFlush: constants.Z_SYNC_FLUSH };
      const both = new Uint8Array(a.length + 4 + b.length + 4);
      both.set(withTail(a));
      both.set(withTail(b), a.length + 4);
      const out = inflateRawSync(both, zlibOptions);
      assert.equal(out.length, first.length + second.length, `${corpus.name} ${bits}`);
      assert.ok(Buffer.compare(out, Buffer.concat([first, second])) === 0);
    }
  }
  assert.deepEqual([...new Deflater().deflate(new Uint8Array(0))], [0]);
});

Deno.test("Inflater reads node:zlib output and rejects references outside the window", () => {
  const [json] = compressionCorpora();
  const data = json.bytes.subarray(0, 60000);
  for (const bits of [9, 15]) {
    const z = deflateRawSync(data, { windowBits: bits, finishFlush: constants.Z_SYNC_FLUSH });
    const out = new Inflater({ windowBits: bits }).inflate(z.subarray(0, z.length - 4));
    assert.deepEqual(out, data);
  }
  // Compressed with a 32 KiB window, read as if the server had agreed to 512 bytes.
  const wide = deflateRawSync(data, { windowBits: 15, finishFlush: constants.Z_SYNC_FLUSH });
  assert.throws(
    () => new Inflater({ windowBits: 9 }).inflate(wide.subarray(0, wide.length - 4)),
    InflateError,
  );
  // A second message that reaches into the first, under no_context_takeover.
  const deflater = new Deflater();
  const one = deflater.deflate(data.subarray(0, 1000));
  const two = deflater.deflate(data.subarray(0, 1000));
  const strict = new Inflater({ contextTakeover: false });
  strict.inflate(one);
  assert.throws(() => strict.inflate(two), /no_context_takeover/);
  assert.throws(() => new Inflater().inflate(Uint8Array.of(0xff)), InflateError);
});

Deno.test("Handshake accepts only permessage-deflate responses that answer an offer", () => {
  const base = "permessage-deflate; client_max_window_bits";
  const ok = negotiateDeflate([base], "permessage-deflate; client_max_window_bits=10");
  assert.equal(ok.clientWindowBits, 10);
  assert.equal(ok.clientContext, true);
  assert.equal(ok.serverContext, true);
  const hinted = negotiateDeflate([`${base}; client_no_context_takeover`], "permessage-deflate");
  assert.equal(hinted.clientContext, false);
  const nct = negotiateDeflate(
    [`${base}; server_no_context_takeover; server_max_window_bits=9`, base],
    "permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
  );
  assert.equal(nct.serverContext, false);
  assert.equal(nct.serverWindowBits, 9);
  for (
    const [offers, response] of [
      [["permessage-deflate"], "permessage-deflate; client_max_window_bits=10"],
      [[`${base}; server_max_window_bits=9`], "permessage-deflate; server_max_window_bits=10"],
      [[`${base}; server_no_context_takeover`], "permessage-deflate"],
      [[base], "permessage-deflate; server_max_window_bits=16"],
      [[base], "permessage-deflate; foo"],
      [[base], "x-webkit-deflate-frame"],
      [[base], "permessage-deflate; server_no_context_takeover=1"],
    ] as [string[], string][]
  ) {
    assert.throws(() => negotiateDeflate(offers, response), HandshakeError, response);
  }
});

Deno.test("Case table has Autobahn's sections and numbering", () => {
  const cases = allCases();
  const ids = cases.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, "ids are unique");
  const count = (prefix: string) => ids.filter((id) => id.startsWith(prefix)).length;
  // Autobahn|Testsuite's counts per section (its fuzzingclient report).
  assert.deepEqual(
    [count("1."), count("2."), count("3."), count("4."), count("5."), count("6."), count("7.")],
    [16, 11, 7, 10, 20, 145, 37],
  );
  assert.deepEqual([count("9."), count("10."), count("12."), count("13.")], [54, 1, 90, 126]);
  // 6.5 to 6.23: the UTF-8 groups, with the validity of every entry as TextDecoder sees it.
  assert.equal(UTF8_GROUPS.length, 19);
  assert.deepEqual(UTF8_GROUPS.map((g) => g.entries.length), [
    5,
    11,
    4,
    2,
    4,
    3,
    5,
    8,
    5,
    10,
    1,
    3,
    5,
    5,
    5,
    7,
    8,
    34,
    7,
  ]);
  assert.equal(ids.at(-1 - count("X.")), "13.7.18");
});
