/**
 * Section 4, opcodes: reserved data (3-7) and control (11-15) opcodes must fail the
 * connection (RFC 6455 §5.2), with or without a payload, after a valid message or not.
 *
 * @module
 */
import { bytes, type Case, ev, send, SERVER_FAILS } from "./_case.ts";

const HELLO = bytes("Hello, world!");
const RESERVED_PAYLOAD = bytes("reserved opcode payload");

function alone(id: string, opcode: number, payload: boolean): Case {
  return {
    id,
    description: `Send frame with reserved opcode ${opcode}` + (payload ? " and a payload" : ""),
    expectation: "The connection is failed (1002)",
    steps: [send.frame({ opcode, payload: payload ? RESERVED_PAYLOAD : undefined })],
    ok: [],
    close: SERVER_FAILS,
  };
}

function afterEcho(id: string, opcode: number, payload: boolean, chop?: number): Case {
  return {
    id,
    description: `Send small text message, then frame with reserved opcode ${opcode}` +
      (payload ? " and a payload" : "") + ", then ping" + (chop ? "; octet-wise chops" : ""),
    expectation: "Echo of the first message, then the connection is failed; no pong",
    steps: [
      send.frame({ opcode: 1, payload: HELLO }, chop),
      send.frame({ opcode, payload: payload ? HELLO : undefined }, chop),
      send.frame({ opcode: 9 }, chop),
    ],
    ok: [ev.text(HELLO)],
    nonStrict: [],
    close: SERVER_FAILS,
  };
}

export const OPCODES: Case[] = [
  alone("4.1.1", 3, false),
  alone("4.1.2", 4, true),
  afterEcho("4.1.3", 5, false),
  afterEcho("4.1.4", 6, true),
  afterEcho("4.1.5", 7, true, 1),
  alone("4.2.1", 11, false),
  alone("4.2.2", 12, true),
  afterEcho("4.2.3", 13, false),
  afterEcho("4.2.4", 14, true),
  afterEcho("4.2.5", 15, true, 1),
];
