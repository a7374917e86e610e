// The incremental UTF-8 validator (RFC 3629, Unicode table 3-7): valid and invalid
// sequences, the same verdict whatever the chunking, and failure at the first byte that
// cannot continue a well-formed sequence ("fail fast", RFC 6455 §8.1).

import { assert } from "../../_assert.ts";
import { isUtf8, UTF8_ACCEPT, UTF8_REJECT, utf8Step } from "../../../http/_websocket/utf8.ts";

const hex = (text: string) =>
  Uint8Array.from(text.split(" ").filter(Boolean), (h) => parseInt(h, 16));

const VALID: [string, string][] = [
  ["empty", ""],
  ["ASCII", "48 65 6c 6c 6f"],
  ["NUL and DEL", "00 7f"],
  ["2-byte lowest (U+0080)", "c2 80"],
  ["2-byte highest (U+07FF)", "df bf"],
  ["3-byte lowest (U+0800)", "e0 a0 80"],
  ["euro sign", "e2 82 ac"],
  ["last before surrogates (U+D7FF)", "ed 9f bf"],
  ["first after surrogates (U+E000)", "ee 80 80"],
  ["U+FFFF", "ef bf bf"],
  ["BOM", "ef bb bf"],
  ["4-byte lowest (U+10000)", "f0 90 80 80"],
  ["highest code point (U+10FFFF)", "f4 8f bf bf"],
  [
    "Hello-µ@ßöäüàá-UTF-8!!",
    "48 65 6c 6c 6f 2d c2 b5 40 c3 9f c3 b6 c3 a4 c3 bc c3 a0 c3 a1 2d 55 54 46 2d 38 21 21",
  ],
];

/** Invalid inputs and the index of the byte that must be rejected ("fail fast"). */
const INVALID: [string, string, number][] = [
  ["lone continuation", "80", 0],
  ["C0 overlong lead", "c0 80", 0],
  ["C1 overlong lead", "c1 bf", 0],
  ["F5 lead (beyond U+10FFFF)", "f5 80 80 80", 0],
  ["FF", "ff", 0],
  ["FE", "fe", 0],
  ["3-byte overlong (E0 80)", "e0 80 80", 1],
  ["3-byte overlong (E0 9F)", "e0 9f bf", 1],
  ["surrogate U+D800", "ed a0 80", 1],
  ["surrogate U+DFFF", "ed bf bf", 1],
  ["4-byte overlong (F0 8F)", "f0 8f bf bf", 1],
  ["beyond U+10FFFF (F4 90)", "f4 90 80 80", 1],
  ["2-byte lead then ASCII", "c2 41", 1],
  ["3-byte lead, one tail, then ASCII", "e2 82 41", 2],
  ["4-byte lead then lead", "f0 90 f0", 2],
  ["valid prefix then bad", "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64", 12],
];

const INCOMPLETE: [string, string][] = [
  ["2-byte lead alone", "c2"],
  ["3-byte sequence cut", "e2 82"],
  ["4-byte sequence cut", "f0 90 80"],
];

Deno.test("utf8: well-formed sequences are accepted, whole and cut at every byte", () => {
  for (const [name, text] of VALID) {
    const bytes = hex(text);
    assert.equal(isUtf8(bytes), true, name);
    for (let at = 0; at <= bytes.length; at++) {
      const state = utf8Step(utf8Step(UTF8_ACCEPT, bytes, 0, at), bytes, at, bytes.length);
      assert.equal(state, UTF8_ACCEPT, `${name} cut at ${at}`);
    }
    let state = UTF8_ACCEPT;
    for (let i = 0; i < bytes.length; i++) state = utf8Step(state, bytes, i, i + 1);
    assert.equal(state, UTF8_ACCEPT, `${name} byte by byte`);
  }
});

Deno.test("utf8: an invalid sequence is rejected at its first impossible byte (fail fast)", () => {
  for (const [name, text, at] of INVALID) {
    const bytes = hex(text);
    assert.equal(isUtf8(bytes), false, name);
    // The prefix before the bad byte is not rejected...
    assert.notEqual(utf8Step(UTF8_ACCEPT, bytes, 0, at), UTF8_REJECT, `${name}: prefix`);
    // ...and the bad byte is, with nothing after it.
    assert.equal(utf8Step(UTF8_ACCEPT, bytes, 0, at + 1), UTF8_REJECT, `${name}: at ${at}`);
  }
});

Deno.test("utf8: a sequence cut at the end of the message is incomplete, not accepted", () => {
  for (const [name, text] of INCOMPLETE) {
    const bytes = hex(text);
    const state = utf8Step(UTF8_ACCEPT, bytes, 0, bytes.length);
    assert.notEqual(state, UTF8_ACCEPT, name);
    assert.notEqual(state, UTF8_REJECT, name);
    assert.equal(isUtf8(bytes), false, name);
  }
});

Deno.test("utf8: rejection is sticky across later chunks", () => {
  const state = utf8Step(UTF8_ACCEPT, hex("ff"), 0, 1);
  assert.equal(utf8Step(state, hex("41 42"), 0, 2), UTF8_REJECT);
});

Deno.test("utf8: agrees with a fatal TextDecoder on every 1- and 2-byte input and sampled longer ones", () => {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const valid = (bytes: Uint8Array) => {
    try {
      decoder.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };
  const two = new Uint8Array(2);
  for (let a = 0; a < 256; a++) {
    assert.equal(isUtf8(new Uint8Array([a])), valid(new Uint8Array([a])), `${a}`);
    for (let b = 0; b < 256; b++) {
      two[0] = a;
      two[1] = b;
      assert.equal(isUtf8(two), valid(two), `${a} ${b}`);
    }
  }
  // Every lead E0-F4 with every second byte and fixed valid tails.
  for (let a = 0xe0; a <= 0xf4; a++) {
    for (let b = 0; b < 256; b++) {
      const bytes = new Uint8Array(a >= 0xf0 ? [a, b, 0x80, 0x80] : [a, b, 0x80]);
      assert.equal(isUtf8(bytes), valid(bytes), `${a} ${b}`);
    }
  }
});
