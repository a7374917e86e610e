/**
 * Section 3, reserved bits: RSV1-3 set with no extension that defines them must fail the
 * connection (RFC 6455 §5.2). Where a valid message goes first, its echo may or may not
 * come back before the failure (NON-STRICT without it).
 *
 * @module
 */
import { bytes, type Case, ev, send, SERVER_FAILS } from "./_case.ts";

const HELLO = "Hello, world!";

function afterEcho(id: string, rsv: number, how: "one" | "sync" | "octets"): Case {
  const chop = how === "octets" ? 1 : undefined;
  const sync = how === "sync";
  return {
    id,
    description: `Send small text message, then again with RSV = ${rsv}, then ping` +
      (how === "sync" ? "; frame-wise chops" : how === "octets" ? "; octet-wise chops" : ""),
    expectation: "Echo of the first message, then the connection is failed; no pong",
    steps: [
      send.frame({ opcode: 1, payload: bytes(HELLO) }, chop, sync),
      send.frame({ opcode: 1, payload: bytes(HELLO), rsv }, chop, sync),
      send.frame({ opcode: 9 }, chop, sync),
    ],
    ok: [ev.text(HELLO)],
    nonStrict: [],
    close: SERVER_FAILS,
  };
}

export const RESERVED_BITS: Case[] = [
  {
    id: "3.1",
    description: "Send small text message with RSV = 1",
    expectation: "The connection is failed (1002)",
    steps: [send.text(HELLO, { rsv: 1 })],
    ok: [],
    close: SERVER_FAILS,
  },
  afterEcho("3.2", 2, "one"),
  afterEcho("3.3", 3, "sync"),
  afterEcho("3.4", 4, "octets"),
  {
    id: "3.5",
    description: "Send small binary message with RSV = 5",
    expectation: "The connection is failed (1002)",
    steps: [
      send.frame({ opcode: 2, payload: bytes("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"), rsv: 5 }),
    ],
    ok: [],
    close: SERVER_FAILS,
  },
  {
    // Autobahn's code sends a binary frame here though its description says ping; we
    // send the ping, as described.
    id: "3.6",
    description: "Send ping with RSV = 6",
    expectation: "The connection is failed (1002)",
    steps: [send.frame({ opcode: 9, payload: bytes(HELLO), rsv: 6 })],
    ok: [],
    close: SERVER_FAILS,
  },
  {
    id: "3.7",
    description: "Send close with RSV = 7",
    expectation: "The connection is failed (1002)",
    steps: [send.frame({ opcode: 8, rsv: 7 })],
    ok: [],
    close: SERVER_FAILS,
  },
];
