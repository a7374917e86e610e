// The frame parser (RFC 6455 §5): every opcode and length form, masking both ways, RSV
// bits, control frame rules, close codes, maxPayload and UTF-8. Each case is fed whole,
// split at every byte, and one byte at a time, and must report the same outcome.

import { assert } from "../../_assert.ts";
import type { FrameParserOptions } from "../../../http/_websocket/frame_parser.ts";
import { closeBody, collect, frame, join, type Outcome, splits } from "./_frames.ts";

const SERVER: FrameParserOptions = { expectMasked: true, maxPayload: 1 << 20, deflate: false };
const CLIENT: FrameParserOptions = { expectMasked: false, maxPayload: 1 << 20, deflate: false };
const DEFLATE: FrameParserOptions = { ...SERVER, deflate: true };

const enc = (text: string) => [...new TextEncoder().encode(text)];
const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);
const text = (data: string): Outcome => ({
  type: "message",
  opcode: 1,
  compressed: false,
  data: enc(data),
});
const binary = (data: number[]): Outcome => ({
  type: "message",
  opcode: 2,
  compressed: false,
  data,
});
const error = (code: number): Outcome => ({ type: "error", code });

interface Case {
  rule: string;
  input: Uint8Array;
  expect: Outcome[];
  options?: FrameParserOptions;
}

const CASES: Case[] = [
  // Opcodes and length forms.
  {
    rule: "a masked text frame is one message",
    input: frame({ opcode: 1, payload: "hello" }),
    expect: [text("hello")],
  },
  {
    rule: "an empty binary frame is an empty message",
    input: frame({ opcode: 2 }),
    expect: [binary([])],
  },
  {
    rule: "125 bytes use the 7-bit length",
    input: frame({ opcode: 2, payload: bytes(125) }),
    expect: [binary([...bytes(125)])],
  },
  {
    rule: "126 bytes use the 16-bit length",
    input: frame({ opcode: 2, payload: bytes(126) }),
    expect: [binary([...bytes(126)])],
  },
  {
    rule: "65535 bytes use the 16-bit length",
    input: frame({ opcode: 2, payload: bytes(65535, 7) }),
    expect: [binary([...bytes(65535, 7)])],
  },
  {
    rule: "65536 bytes use the 64-bit length",
    input: frame({ opcode: 2, payload: bytes(65536, 9) }),
    expect: [binary([...bytes(65536, 9)])],
  },
  {
    rule: "a 16-bit length below 126 is not minimal: 1002",
    input: frame({ opcode: 2, payload: bytes(100), lengthBits: 16 }),
    expect: [error(1002)],
  },
  {
    rule: "a 64-bit length below 65536 is not minimal: 1002",
    input: frame({ opcode: 2, payload: bytes(200), lengthBits: 64 }),
    expect: [error(1002)],
  },
  {
    rule: "a 64-bit length with the top bit set: 1002",
    input: join(new Uint8Array([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0])),
    expect: [error(1002)],
  },
  // Masking.
  {
    rule: "a server rejects an unmasked client frame: 1002",
    input: frame({ opcode: 1, payload: "x", mask: null }),
    expect: [error(1002)],
  },
  {
    rule: "a client accepts an unmasked server frame",
    input: frame({ opcode: 1, payload: "hi", mask: null }),
    expect: [text("hi")],
    options: CLIENT,
  },
  {
    rule: "a client rejects a masked server frame: 1002",
    input: frame({ opcode: 1, payload: "hi" }),
    expect: [error(1002)],
    options: CLIENT,
  },
  {
    rule: "a zero mask key leaves the payload as is",
    input: frame({ opcode: 1, payload: "same", mask: 0 }),
    expect: [text("same")],
  },
  // Fragmentation.
  {
    rule: "fragments join into one message",
    input: join(
      frame({ opcode: 1, payload: "hel", fin: false }),
      frame({ opcode: 0, payload: "lo" }),
    ),
    expect: [text("hello")],
  },
  {
    rule: "empty fragments are allowed, the last one ends the message",
    input: join(
      frame({ opcode: 2, fin: false }),
      frame({ opcode: 0, payload: new Uint8Array([1]), fin: false }),
      frame({ opcode: 0 }),
    ),
    expect: [binary([1])],
  },
  {
    rule: "control frames may come between fragments",
    input: join(
      frame({ opcode: 1, payload: "fr", fin: false }),
      frame({ opcode: 9, payload: "p1" }),
      frame({ opcode: 0, payload: "ag", fin: false }),
      frame({ opcode: 10, payload: "p2" }),
      frame({ opcode: 0, payload: "ment" }),
    ),
    expect: [
      { type: "control", opcode: 9, data: enc("p1") },
      { type: "control", opcode: 10, data: enc("p2") },
      text("fragment"),
    ],
  },
  {
    rule: "a continuation with no message: 1002",
    input: frame({ opcode: 0, payload: "x" }),
    expect: [error(1002)],
  },
  {
    rule: "a new message inside a fragmented one: 1002",
    input: join(frame({ opcode: 1, payload: "a", fin: false }), frame({ opcode: 2, payload: "b" })),
    expect: [error(1002)],
  },
  // RSV bits.
  {
    rule: "RSV2 set: 1002",
    input: frame({ opcode: 1, payload: "x", rsv: 2 }),
    expect: [error(1002)],
  },
  {
    rule: "RSV3 set: 1002",
    input: frame({ opcode: 1, payload: "x", rsv: 1 }),
    expect: [error(1002)],
  },
  {
    rule: "RSV1 without permessage-deflate: 1002",
    input: frame({ opcode: 1, payload: "x", rsv: 4 }),
    expect: [error(1002)],
  },
  {
    rule: "RSV1 with permessage-deflate marks the message compressed",
    input: frame({ opcode: 2, payload: new Uint8Array([1, 2]), rsv: 4 }),
    expect: [{ type: "message", opcode: 2, compressed: true, data: [1, 2] }],
    options: DEFLATE,
  },
  {
    rule: "RSV1 on a continuation frame: 1002",
    input: join(
      frame({ opcode: 2, payload: "a", rsv: 4, fin: false }),
      frame({ opcode: 0, payload: "b", rsv: 4 }),
    ),
    expect: [error(1002)],
    options: DEFLATE,
  },
  {
    rule: "RSV1 on a control frame: 1002",
    input: frame({ opcode: 9, rsv: 4 }),
    expect: [error(1002)],
    options: DEFLATE,
  },
  // Control frames.
  {
    rule: "a ping with 125 bytes",
    input: frame({ opcode: 9, payload: bytes(125) }),
    expect: [{ type: "control", opcode: 9, data: [...bytes(125)] }],
  },
  {
    rule: "a control frame over 125 bytes: 1002",
    input: frame({ opcode: 9, payload: bytes(126) }),
    expect: [error(1002)],
  },
  {
    rule: "a fragmented control frame: 1002",
    input: frame({ opcode: 10, payload: "x", fin: false }),
    expect: [error(1002)],
  },
  {
    rule: "an empty close frame reports 1005",
    input: frame({ opcode: 8 }),
    expect: [{ type: "control", opcode: 8, data: [], closeCode: 1005 }],
  },
  {
    rule: "a close frame carries its code and reason",
    input: frame({ opcode: 8, payload: closeBody(1000, "bye") }),
    expect: [{ type: "control", opcode: 8, data: [...closeBody(1000, "bye")], closeCode: 1000 }],
  },
  {
    rule: "a close frame with a 1-byte payload: 1002",
    input: frame({ opcode: 8, payload: new Uint8Array([3]) }),
    expect: [error(1002)],
  },
  {
    rule: "a close reason that is not UTF-8: 1007",
    input: frame({ opcode: 8, payload: join(closeBody(1000), new Uint8Array([0xff])) }),
    expect: [error(1007)],
  },
  // Reserved opcodes.
  ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((opcode) => ({
    rule: `reserved opcode ${opcode}: 1002`,
    input: frame({ opcode }),
    expect: [error(1002)],
  })),
  // UTF-8.
  {
    rule: "invalid UTF-8 in a text frame: 1007",
    input: frame({ opcode: 1, payload: new Uint8Array([0x61, 0xc0, 0x80]) }),
    expect: [error(1007)],
  },
  {
    rule: "a code point split across fragments is valid",
    input: join(
      frame({ opcode: 1, payload: new Uint8Array([0xe2, 0x82]), fin: false }),
      frame({ opcode: 0, payload: new Uint8Array([0xac]) }),
    ),
    expect: [text("€")],
  },
  {
    rule: "a text message ending inside a code point: 1007",
    input: join(
      frame({ opcode: 1, payload: "ok", fin: false }),
      frame({ opcode: 0, payload: new Uint8Array([0xe2, 0x82]) }),
    ),
    expect: [error(1007)],
  },
  {
    rule: "binary data is not UTF-8 checked",
    input: frame({ opcode: 2, payload: new Uint8Array([0xff, 0xfe]) }),
    expect: [binary([0xff, 0xfe])],
  },
];

/** maxPayload: at the limit, one byte past, and across fragments. */
const LIMIT: FrameParserOptions = { ...SERVER, maxPayload: 10 };
CASES.push(
  {
    rule: "a message of exactly maxPayload bytes passes",
    input: frame({ opcode: 2, payload: bytes(10) }),
    expect: [binary([...bytes(10)])],
    options: LIMIT,
  },
  {
    rule: "a frame announcing maxPayload + 1 bytes: 1009",
    input: frame({ opcode: 2, payload: bytes(11) }),
    expect: [error(1009)],
    options: LIMIT,
  },
  {
    rule: "fragments adding up past maxPayload: 1009",
    input: join(
      frame({ opcode: 2, payload: bytes(6), fin: false }),
      frame({ opcode: 0, payload: bytes(5) }),
    ),
    expect: [error(1009)],
    options: LIMIT,
  },
  {
    rule: "a huge announced length fails before its payload: 1009",
    input: frame({ opcode: 2, announce: 2 ** 40 }),
    expect: [error(1009)],
    options: LIMIT,
  },
);

for (const { rule, input, expect, options } of CASES) {
  Deno.test(`frame parser: ${rule}`, () => {
    for (const { name, chunks } of splits(input)) {
      assert.deepEqual(collect(options ?? SERVER, chunks), expect, `${rule} (${name})`);
    }
  });
}

Deno.test("frame parser: close codes allowed on the wire pass, the others fail with 1002", () => {
  const allowed = [
    1000,
    1001,
    1002,
    1003,
    1007,
    1008,
    1009,
    1010,
    1011,
    1012,
    1013,
    1014,
    3000,
    3999,
    4000,
    4999,
  ];
  const refused = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
  for (const code of allowed) {
    const input = frame({ opcode: 8, payload: closeBody(code, "r") });
    for (const { name, chunks } of splits(input)) {
      const outcome = collect(SERVER, chunks);
      assert.equal(outcome[0].type, "control", `${code} ${name}`);
      assert.equal((outcome[0] as { closeCode: number }).closeCode, code);
    }
  }
  for (const code of refused) {
    const input = frame({ opcode: 8, payload: closeBody(code) });
    for (const { name, chunks } of splits(input)) {
      assert.deepEqual(collect(SERVER, chunks), [error(1002)], `${code} ${name}`);
    }
  }
});

Deno.test("frame parser: invalid UTF-8 fails before the rest of the frame arrives (fail fast)", () => {
  // 1000 bytes announced; the bad byte is at payload offset 3; only 20 bytes arrive.
  const payload = bytes(1000);
  payload[3] = 0xff;
  const input = frame({ opcode: 1, payload });
  const outcome = collect(SERVER, [input.subarray(0, 2 + 2 + 4 + 20)]);
  assert.deepEqual(outcome, [error(1007)]);
  // The same across fragments: the second fragment's first byte is impossible.
  const fragments = join(
    frame({ opcode: 1, payload: new Uint8Array([0xe2]), fin: false }),
    frame({ opcode: 0, payload: bytes(500, 0x41) }),
  );
  assert.deepEqual(collect(SERVER, [fragments.subarray(0, 7 + 8 + 1)]), [error(1007)]);
});

Deno.test("frame parser: errors are sticky", () => {
  const input = join(
    frame({ opcode: 1, payload: "x", rsv: 2 }),
    frame({ opcode: 1, payload: "ok" }),
  );
  assert.deepEqual(collect(SERVER, [input.subarray(0, 7), input.subarray(7)]), [error(1002)]);
});

Deno.test("frame parser: many frames in one buffer are reported in order", () => {
  const frames = [];
  const expect: Outcome[] = [];
  for (let i = 0; i < 50; i++) {
    frames.push(frame({ opcode: 1, payload: `m${i}` }));
    expect.push(text(`m${i}`));
  }
  for (const { chunks } of splits(join(...frames)).slice(0, 40)) {
    assert.deepEqual(collect(SERVER, chunks), expect);
  }
});
