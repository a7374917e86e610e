/**
 * Section 7, close handling (RFC 6455 §5.5.1, §7): nothing is answered after a close,
 * close payloads of 1 byte or over 125 bytes, reasons that are not UTF-8 and codes that
 * are not allowed on the wire fail the connection; valid codes close it cleanly.
 *
 * @module
 */
import {
  bytes,
  type Case,
  ev,
  type ExpectedClose,
  INVALID_PAYLOAD,
  NORMAL,
  PROTOCOL_ERROR,
  repeat,
  send,
  utf8,
} from "./_case.ts";

const CLEAN: ExpectedClose = {
  byClient: true,
  codes: [NORMAL],
  requireClean: true,
  wrongCodeFatal: true,
};
const REJECTED: ExpectedClose = {
  byClient: true,
  codes: [PROTOCOL_ERROR],
  requireClean: false,
  wrongCodeFatal: true,
};
const HELLO = "Hello World!";

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

function closeWith(
  id: string,
  description: string,
  code: number | undefined,
  reason: Uint8Array | undefined,
  close: ExpectedClose,
  expectation: string,
): Case {
  return { id, description, expectation, steps: [send.close(code, reason)], ok: [], close };
}

export const CLOSE: Case[] = [
  {
    id: "7.1.1",
    description: "Send a message followed by a close frame",
    expectation: "Echo of the message, then a clean close with 1000",
    steps: [send.text(HELLO)],
    ok: [ev.text(HELLO)],
    close: CLEAN,
  },
  {
    id: "7.1.2",
    description: "Send two close frames",
    expectation: "Clean close with 1000; the second close frame is ignored",
    steps: [send.close(NORMAL), send.frame({ opcode: 8 })],
    ok: [],
    close: CLEAN,
  },
  {
    id: "7.1.3",
    description: "Send a ping after the close frame",
    expectation: "Clean close with 1000, no pong",
    steps: [send.close(NORMAL), send.frame({ opcode: 9 })],
    ok: [],
    close: CLEAN,
  },
  {
    id: "7.1.4",
    description: "Send a text message after the close frame",
    expectation: "Clean close with 1000; the message is ignored",
    steps: [send.close(NORMAL), send.text(HELLO)],
    ok: [],
    close: CLEAN,
  },
  {
    id: "7.1.5",
    description: "Send a message's first fragment, then a close frame, then the last fragment",
    expectation: "Clean close with 1000",
    steps: [
      send.text("fragment1", { fin: false }),
      send.close(NORMAL),
      send.frame({ opcode: 0, payload: utf8("fragment2") }),
    ],
    ok: [],
    close: CLEAN,
  },
  {
    id: "7.1.6",
    description: "Send a 256 KiB message, a small message, a close frame and a ping, back to back",
    expectation: "Implementation-defined: the echoes may or may not come before the close",
    steps: [
      send.text(repeat("BAsd7&jh23", 256 * 1024)),
      send.text(HELLO),
      send.close(NORMAL),
      send.frame({ opcode: 9 }),
    ],
    ok: [ev.text(repeat("BAsd7&jh23", 256 * 1024)), ev.text(HELLO)],
    nonStrict: [],
    close: CLEAN,
    informational: true,
  },
  closeWith(
    "7.3.1",
    "Send a close frame with payload length 0",
    undefined,
    undefined,
    CLEAN,
    "Clean close with 1000 (or no code)",
  ),
  closeWith(
    "7.3.2",
    "Send a close frame with payload length 1",
    undefined,
    utf8("a"),
    REJECTED,
    "Close with 1002, or the TCP connection dropped",
  ),
  closeWith(
    "7.3.3",
    "Send a close frame with payload length 2 (a code)",
    NORMAL,
    undefined,
    CLEAN,
    "Clean close with 1000",
  ),
  closeWith(
    "7.3.4",
    "Send a close frame with a code and a reason",
    NORMAL,
    utf8(HELLO),
    CLEAN,
    "Clean close with 1000",
  ),
  closeWith(
    "7.3.5",
    "Send a close frame with a code and a reason of 123 octets (the most that fits)",
    NORMAL,
    repeat("*", 123),
    CLEAN,
    "Clean close with 1000",
  ),
  closeWith(
    "7.3.6",
    "Send a close frame with a code and a reason of 124 octets (payload 126 octets)",
    NORMAL,
    repeat("*", 124),
    REJECTED,
    "Close with 1002, or the TCP connection dropped",
  ),
  closeWith(
    "7.5.1",
    "Send a close frame whose reason is not UTF-8",
    NORMAL,
    bytes("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"),
    { ...REJECTED, codes: [PROTOCOL_ERROR, INVALID_PAYLOAD] },
    "Close with 1002 or 1007, or the TCP connection dropped",
  ),
  ...VALID_CODES.map((code, i) =>
    closeWith(
      `7.7.${i + 1}`,
      `Send close with valid close code ${code}`,
      code,
      undefined,
      { ...CLEAN, codes: [NORMAL, code] },
      "Clean close with 1000 or the same code",
    )
  ),
  ...INVALID_CODES.map((code, i) =>
    closeWith(
      `7.9.${i + 1}`,
      `Send close with invalid close code ${code}`,
      code,
      undefined,
      REJECTED,
      "Close with 1002, or the TCP connection dropped",
    )
  ),
  ...[5000, 65535].map((code, i): Case => ({
    ...closeWith(
      `7.13.${i + 1}`,
      `Send close with close code ${code}`,
      code,
      undefined,
      { byClient: true, codes: [NORMAL, code, PROTOCOL_ERROR], requireClean: false },
      "Undefined by the spec (informational)",
    ),
    informational: true,
  })),
];
