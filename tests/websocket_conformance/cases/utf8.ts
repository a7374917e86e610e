/**
 * Section 6, UTF-8 handling (RFC 6455 §5.6, §8.1): valid text in any fragmentation is
 * echoed; invalid text fails the connection with 1007, and fails it fast, as soon as
 * the invalid byte arrives rather than at the end of the message (6.4).
 *
 * @module
 */
import { encodeFrame } from "../_frame.ts";
import {
  bytes,
  type Case,
  CLIENT_CLOSES,
  ev,
  type ExpectedClose,
  INVALID_PAYLOAD,
  send,
  utf8,
} from "./_case.ts";
import { UTF8_GROUPS } from "./_utf8_sequences.ts";

const FAILS_1007: ExpectedClose = {
  byClient: false,
  codes: [INVALID_PAYLOAD],
  requireClean: false,
  wrongEndpointFatal: true,
};

const GREETING = "Hello-µ@ßöäüàá-UTF-8!!";
const KOSME = bytes("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5");
// Invalid exactly at byte 12 (0xA0, a surrogate) / (0x90, beyond U+10FFFF).
const BAD_SURROGATE = bytes(
  "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64",
);
const PART1 = KOSME;
const PART2 = bytes("\xf4\x90\x80\x80");
const PART3 = bytes("\x65\x64\x69\x74\x65\x64");
const WHOLE = Uint8Array.from([...PART1, ...PART2, ...PART3]);

const message = (payload: Uint8Array, fragmentSize?: number) =>
  ({ kind: "message", payload, binary: false, fragmentSize }) as const;

/** 6.4.x: parts sent with pauses; the server must fail right after the invalid part. */
function failFast(id: string, description: string, parts: Uint8Array[], oneFrame: boolean): Case {
  const steps: Case["steps"] = [];
  if (oneFrame) {
    // One frame whose bytes go out in three pieces: header and part 1, then the rest.
    const frame = encodeFrame({ opcode: 1, payload: WHOLE }, Uint8Array.of(0x12, 0x34, 0x56, 0x78));
    const header = frame.length - WHOLE.length;
    let at = 0;
    parts.forEach((part, i) => {
      const end = (i === 0 ? header : 0) + at + part.length;
      steps.push({ kind: "raw", bytes: frame.subarray(at, end) });
      at = end;
      if (i < 2) steps.push({ kind: "pause", label: i === 0 ? "A" : "B" });
    });
  } else {
    parts.forEach((payload, i) => {
      steps.push(send.frame({ opcode: i === 0 ? 1 : 0, fin: i === 2, payload }));
      if (i < 2) steps.push({ kind: "pause", label: i === 0 ? "A" : "B" });
    });
  }
  return {
    id,
    description,
    expectation: "The first part is accepted; the connection is failed (1007) right after " +
      "the part that makes the text invalid (NON-STRICT: only after the last part)",
    steps,
    ok: [ev.timeout("A")],
    nonStrict: [ev.timeout("A"), ev.timeout("B")],
    close: FAILS_1007,
  };
}

function tableCases(): Case[] {
  const out: Case[] = [];
  UTF8_GROUPS.forEach((group, g) => {
    group.entries.forEach(([valid, payload], i) => {
      const hex = Array.from(payload, (b) => b.toString(16).padStart(2, "0")).join("");
      out.push({
        id: `6.${g + 5}.${i + 1}`,
        description: `${group.title}: text message 0x${hex} in one frame`,
        expectation: valid ? "Echo of the message" : "The connection is failed (1007)",
        steps: [message(payload)],
        ok: valid ? [ev.text(payload)] : [],
        close: valid ? CLIENT_CLOSES : FAILS_1007,
      });
    });
  });
  return out;
}

export const UTF8: Case[] = [
  {
    id: "6.1.1",
    description: "Send text message of length 0",
    expectation: "Echo of the empty message",
    steps: [message(new Uint8Array(0))],
    ok: [ev.text("")],
    close: CLIENT_CLOSES,
  },
  {
    id: "6.1.2",
    description: "Send text message in 3 fragments, each of length 0",
    expectation: "Echo of the empty message",
    steps: [
      send.frame({ opcode: 1, fin: false }),
      send.frame({ opcode: 0, fin: false }),
      send.frame({ opcode: 0, fin: true }),
    ],
    ok: [ev.text("")],
    close: CLIENT_CLOSES,
  },
  {
    id: "6.1.3",
    description: "Send text message in 3 fragments, first and last of length 0",
    expectation: "Echo of the middle fragment's payload",
    steps: [
      send.frame({ opcode: 1, fin: false }),
      send.frame({ opcode: 0, fin: false, payload: utf8("middle frame payload") }),
      send.frame({ opcode: 0, fin: true }),
    ],
    ok: [ev.text("middle frame payload")],
    close: CLIENT_CLOSES,
  },
  {
    id: "6.2.1",
    description: `Send valid UTF-8 text message in one frame: ${GREETING}`,
    expectation: "Echo of the message",
    steps: [message(utf8(GREETING))],
    ok: [ev.text(GREETING)],
    close: CLIENT_CLOSES,
  },
  {
    id: "6.2.2",
    description: "Send valid UTF-8 text message in 2 fragments split on a code point boundary",
    expectation: "Echo of the message",
    steps: [
      send.frame({ opcode: 1, fin: false, payload: utf8("Hello-µ@ßöä") }),
      send.frame({ opcode: 0, fin: true, payload: utf8("üàá-UTF-8!!") }),
    ],
    ok: [ev.text(GREETING)],
    close: CLIENT_CLOSES,
  },
  {
    id: "6.2.3",
    description: "Send valid UTF-8 text message in 1-octet fragments (split inside code points)",
    expectation: "Echo of the message",
    steps: [message(utf8(GREETING), 1)],
    ok: [ev.text(GREETING)],
    close: CLIENT_CLOSES,
  },
  {
    id: "6.2.4",
    description: "Send valid UTF-8 text message κόσμε in 1-octet fragments",
    expectation: "Echo of the message",
    steps: [message(KOSME, 1)],
    ok: [ev.text(KOSME)],
    close: CLIENT_CLOSES,
  },
  {
    id: "6.3.1",
    description: "Send invalid UTF-8 text message (a surrogate at byte 12) in one frame",
    expectation: "The connection is failed (1007)",
    steps: [message(BAD_SURROGATE)],
    ok: [],
    close: FAILS_1007,
  },
  {
    id: "6.3.2",
    description: "Send the same invalid UTF-8 text message in 1-octet fragments",
    expectation: "The connection is failed (1007)",
    steps: [message(BAD_SURROGATE, 1)],
    ok: [],
    close: FAILS_1007,
  },
  failFast(
    "6.4.1",
    "Send invalid UTF-8 text in 3 frames with pauses; frame 2 holds U+110000's encoding",
    [PART1, PART2, PART3],
    false,
  ),
  failFast(
    "6.4.2",
    "As 6.4.1, with frame 2 only the octet that makes the text invalid",
    [WHOLE.subarray(0, 12), WHOLE.subarray(12, 13), WHOLE.subarray(13)],
    false,
  ),
  failFast(
    "6.4.3",
    "As 6.4.1, but one frame whose payload goes out in 3 chops with pauses",
    [PART1, PART2, PART3],
    true,
  ),
  failFast(
    "6.4.4",
    "As 6.4.2, but one frame whose payload goes out in 3 chops with pauses",
    [WHOLE.subarray(0, 12), WHOLE.subarray(12, 13), WHOLE.subarray(13)],
    true,
  ),
  ...tableCases(),
];
