/**
 * Section 5, fragmentation (RFC 6455 §5.4): control frames are never fragmented, may come
 * between a message's fragments, and continuation frames need a message to continue.
 *
 * @module
 */
import { type Case, ev, send, SERVER_FAILS, type Step, utf8 } from "./_case.ts";
import { CLIENT_CLOSES } from "./_case.ts";

type How = "one" | "sync" | "octets";
const SUFFIX: Record<How, string> = {
  one: "",
  sync: "; frame-wise chops",
  octets: "; octet-wise chops",
};

/** Frames as steps: [opcode, fin, payload] each, chopped the same way. */
function frames(how: How, ...list: [number, boolean, string][]): Step[] {
  return list.map(([opcode, fin, payload]) =>
    send.frame(
      { opcode, fin, payload: utf8(payload) },
      how === "octets" ? 1 : undefined,
      how === "sync",
    )
  );
}

function fails(id: string, description: string, steps: Step[]): Case {
  return {
    id,
    description,
    expectation: "The connection is failed (1002)",
    steps,
    ok: [],
    close: SERVER_FAILS,
  };
}

function twoFragments(id: string, how: How): Case {
  return {
    id,
    description: "Send text message in 2 fragments" + SUFFIX[how],
    expectation: "Echo of the whole message",
    steps: frames(how, [1, false, "fragment1"], [0, true, "fragment2"]),
    ok: [ev.text("fragment1fragment2")],
    close: CLIENT_CLOSES,
  };
}

function pingBetween(id: string, how: How): Case {
  return {
    id,
    description: "Send text message in 2 fragments with a ping between them" + SUFFIX[how],
    expectation: "A pong, then the echo of the message",
    steps: frames(how, [1, false, "fragment1"], [9, true, "ping payload"], [0, true, "fragment2"]),
    ok: [ev.pong("ping payload"), ev.text("fragment1fragment2")],
    close: CLIENT_CLOSES,
  };
}

function nothingToContinue(id: string, fin: boolean, how: How): Case {
  return fails(
    id,
    `Send continuation frame with FIN = ${fin} and nothing to continue, then a text message` +
      SUFFIX[how],
    frames(how, [0, fin, "non-continuation payload"], [1, true, "Hello, world!"]),
  );
}

function pongBeforeEnd(id: string, how: How): Case {
  const f = ["fragment1", "fragment2", "fragment3", "fragment4", "fragment5"];
  return {
    id,
    description: "Send a text message in 5 fragments with a ping after the 2nd and the 4th; " +
      "wait for the first pong before sending the rest" + SUFFIX[how],
    expectation: "The first pong arrives before the message is complete, then the second " +
      "pong and the echo of the message",
    steps: [
      ...frames(how, [1, false, f[0]], [0, false, f[1]], [9, true, "pongme 1!"]),
      // Autobahn waits one second here; we wait for the pong itself (bounded).
      { kind: "await", events: [ev.pong("pongme 1!")] },
      ...frames(how, [0, false, f[2]], [0, false, f[3]], [9, true, "pongme 2!"], [0, true, f[4]]),
    ],
    ok: [ev.pong("pongme 1!"), ev.pong("pongme 2!"), ev.text(f.join(""))],
    close: CLIENT_CLOSES,
  };
}

export const FRAGMENTATION: Case[] = [
  fails(
    "5.1",
    "Send ping in 2 fragments",
    frames("one", [9, false, "fragment1"], [0, true, "fragment2"]),
  ),
  fails(
    "5.2",
    "Send pong in 2 fragments",
    frames("one", [10, false, "fragment1"], [0, true, "fragment2"]),
  ),
  twoFragments("5.3", "one"),
  twoFragments("5.4", "sync"),
  twoFragments("5.5", "octets"),
  pingBetween("5.6", "one"),
  pingBetween("5.7", "sync"),
  pingBetween("5.8", "octets"),
  nothingToContinue("5.9", true, "one"),
  nothingToContinue("5.10", true, "sync"),
  nothingToContinue("5.11", true, "octets"),
  nothingToContinue("5.12", false, "one"),
  nothingToContinue("5.13", false, "sync"),
  nothingToContinue("5.14", false, "octets"),
  {
    id: "5.15",
    description: "Send a text message in 2 fragments, then a continuation with FIN = false " +
      "and nothing to continue, then a text message",
    expectation: "Echo of the first message, then the connection is failed",
    steps: frames(
      "one",
      [1, false, "fragment1"],
      [0, true, "fragment2"],
      [0, false, "fragment3"],
      [1, true, "fragment4"],
    ),
    ok: [ev.text("fragment1fragment2")],
    nonStrict: [],
    close: SERVER_FAILS,
  },
  fails(
    "5.16",
    "Twice: continuation with FIN = false and nothing to continue, then a text message in 2 " +
      "fragments",
    frames(
      "one",
      ...[1, 2].flatMap(() =>
        [[0, false, "fragment1"], [1, false, "fragment2"], [0, true, "fragment3"]] as [
          number,
          boolean,
          string,
        ][]
      ),
    ),
  ),
  fails(
    "5.17",
    "Twice: continuation with FIN = true and nothing to continue, then a text message in 2 " +
      "fragments",
    frames(
      "one",
      ...[1, 2].flatMap(() =>
        [[0, true, "fragment1"], [1, false, "fragment2"], [0, true, "fragment3"]] as [
          number,
          boolean,
          string,
        ][]
      ),
    ),
  ),
  fails(
    "5.18",
    "Send a text message in 2 fragments, both with the text opcode",
    frames("one", [1, false, "fragment1"], [1, true, "fragment2"]),
  ),
  pongBeforeEnd("5.19", "one"),
  pongBeforeEnd("5.20", "sync"),
];
