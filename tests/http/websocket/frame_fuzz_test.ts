// A seeded fuzz of the frame parser: random sequences of valid frames, some mutated (a
// flipped bit, a cut, a random byte), fed whole and in random chunks. The parser never
// throws or loops, reports the same outcome however the bytes are cut, and every error
// carries a close code the RFC prescribes for it (1002, 1007 or 1009).

import { assert } from "../../_assert.ts";
import { prng } from "../../_prng.ts";
import type { FrameParserOptions } from "../../../http/_websocket/frame_parser.ts";
import { closeBody, collect, frame, join } from "./_frames.ts";

const CASES = 2000;
const FAILURE_CODES = new Set([1002, 1007, 1009]);

Deno.test("frame fuzz: random and mutated frame sequences end in messages or a 1002/1007/1009 error, however cut", () => {
  const random = prng(0x5eed_f00d);
  const int = (n: number) => Math.floor(random() * n);
  const codes = [1000, 1001, 1011, 3000, 4999, 1004, 999];
  let errors = 0;
  for (let c = 0; c < CASES; c++) {
    const options: FrameParserOptions = {
      expectMasked: random() < 0.8,
      maxPayload: random() < 0.2 ? 1 + int(64) : 1 << 16,
      deflate: random() < 0.3,
    };
    const frames: Uint8Array[] = [];
    const count = 1 + int(6);
    for (let f = 0; f < count; f++) {
      const kind = int(6);
      const mask = options.expectMasked ? int(2 ** 32) : null;
      const payload = new Uint8Array(int(4) === 0 ? int(300) : int(20));
      for (let i = 0; i < payload.length; i++) {
        payload[i] = random() < 0.9 ? 0x20 + int(0x5f) : int(256);
      }
      if (kind === 0) frames.push(frame({ opcode: 1, payload, mask }));
      else if (kind === 1) {
        frames.push(
          frame({ opcode: 2, payload, mask, rsv: options.deflate && random() < 0.5 ? 4 : 0 }),
        );
      } else if (kind === 2) {
        frames.push(
          frame({ opcode: 1 + int(2), payload: payload.subarray(0, 10), mask, fin: false }),
        );
        frames.push(frame({ opcode: 9, payload: payload.subarray(0, 5), mask }));
        frames.push(frame({ opcode: 0, payload: payload.subarray(10), mask }));
      } else if (kind === 3) {
        frames.push(frame({ opcode: 9 + int(2), payload: payload.subarray(0, 125), mask }));
      } else if (kind === 4) {
        frames.push(frame({ opcode: 8, payload: closeBody(codes[int(codes.length)], "r"), mask }));
      } else {frames.push(
          frame({ opcode: int(16), payload: payload.subarray(0, 40), mask, fin: random() < 0.7 }),
        );}
    }
    let input = join(...frames);
    const mutation = int(4);
    if (mutation === 1 && input.length > 0) input[int(input.length)] ^= 1 << int(8);
    else if (mutation === 2 && input.length > 0) input[int(input.length)] = int(256);
    else if (mutation === 3) input = input.subarray(0, int(input.length + 1));

    const whole = collect(options, [input]);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < input.length;) {
      const n = 1 + int(random() < 0.5 ? 4 : 64);
      chunks.push(input.subarray(at, at + n));
      at += n;
    }
    const cut = collect(options, chunks);
    assert.deepEqual(cut, whole, `case ${c}: cut differently, reported differently`);
    const last = whole.at(-1);
    if (last?.type === "error") {
      errors++;
      assert.ok(FAILURE_CODES.has(last.code), `case ${c}: close code ${last.code}`);
    }
  }
  // The mutations must have exercised the error paths, and valid input the others.
  assert.ok(errors > CASES / 10 && errors < CASES, `${errors} errors`);
});
