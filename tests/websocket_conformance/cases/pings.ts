/**
 * Section 2, pings and pongs (RFC 6455 §5.5.2, §5.5.3): pongs echo the ping's payload,
 * control payloads stop at 125 bytes, unsolicited pongs get no answer.
 *
 * @module
 */
import { bytes, type Case, CLIENT_CLOSES, ev, NORMAL, send, SERVER_FAILS, utf8 } from "./_case.ts";

const ping = (payload: Uint8Array | string = "", chop?: number) =>
  send.frame({ opcode: 9, payload: typeof payload === "string" ? utf8(payload) : payload }, chop);
const pong = (payload: Uint8Array | string = "") =>
  send.frame({ opcode: 10, payload: typeof payload === "string" ? utf8(payload) : payload });

function tenPings(id: string, chop?: number): Case {
  const payloads = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
  return {
    id,
    description: "Send 10 pings with payload" + (chop ? ", octet-wise chops" : ""),
    expectation: "A pong for each ping, in order, with its payload",
    steps: payloads.map((p) => ping(p, chop)),
    ok: payloads.map((p) => ev.pong(p)),
    close: CLIENT_CLOSES,
  };
}

export const PINGS: Case[] = [
  {
    id: "2.1",
    description: "Send ping without payload",
    expectation: "Pong with empty payload",
    steps: [ping()],
    ok: [ev.pong()],
    close: CLIENT_CLOSES,
  },
  {
    id: "2.2",
    description: "Send ping with small text payload",
    expectation: "Pong echoing the payload",
    steps: [ping("Hello, world!")],
    ok: [ev.pong("Hello, world!")],
    close: CLIENT_CLOSES,
  },
  {
    id: "2.3",
    description: "Send ping with small binary (non UTF-8) payload",
    expectation: "Pong echoing the payload",
    steps: [ping(bytes("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"))],
    ok: [ev.pong(bytes("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"))],
    close: CLIENT_CLOSES,
  },
  {
    id: "2.4",
    description: "Send ping with binary payload of 125 octets",
    expectation: "Pong echoing the payload",
    steps: [ping(new Uint8Array(125).fill(0xfe))],
    ok: [ev.pong(new Uint8Array(125).fill(0xfe))],
    close: CLIENT_CLOSES,
  },
  {
    id: "2.5",
    description: "Send ping with binary payload of 126 octets",
    expectation: "The connection is failed (1002): control payloads stop at 125 octets",
    steps: [ping(new Uint8Array(126).fill(0xfe))],
    ok: [],
    close: SERVER_FAILS,
  },
  {
    id: "2.6",
    description: "Send ping with binary payload of 125 octets, in octet-wise chops",
    expectation: "Pong echoing the payload",
    steps: [ping(new Uint8Array(125).fill(0xfe), 1)],
    ok: [ev.pong(new Uint8Array(125).fill(0xfe))],
    close: CLIENT_CLOSES,
  },
  {
    id: "2.7",
    description: "Send unsolicited pong without payload, then close",
    expectation: "Nothing in reply; clean close with 1000",
    steps: [pong(), send.close(NORMAL)],
    ok: [],
    close: CLIENT_CLOSES,
  },
  {
    id: "2.8",
    description: "Send unsolicited pong with payload, then close",
    expectation: "Nothing in reply; clean close with 1000",
    steps: [pong("unsolicited pong payload"), send.close(NORMAL)],
    ok: [],
    close: CLIENT_CLOSES,
  },
  {
    id: "2.9",
    description: "Send unsolicited pong with payload, then ping with payload",
    expectation: "Only the pong for the ping",
    steps: [pong("unsolicited pong payload"), ping("ping payload")],
    ok: [ev.pong("ping payload")],
    close: CLIENT_CLOSES,
  },
  tenPings("2.10"),
  tenPings("2.11", 1),
];
