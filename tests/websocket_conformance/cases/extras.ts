/**
 * Cases of our own ("X"), from RFC 6455 and RFC 7692 where Autobahn|Testsuite has none:
 * client context takeover as browsers negotiate it (Autobahn's client offers always carry
 * client_no_context_takeover), a client window below the server's default, the
 * permessage-deflate framing rules, and frames no client may send.
 *
 * @module
 */
import {
  bytes,
  type Case,
  CLIENT_CLOSES,
  ev,
  INVALID_PAYLOAD,
  PROTOCOL_ERROR,
  send,
  SERVER_FAILS,
  utf8,
} from "./_case.ts";
import { type CompressionBudget, compressionCase } from "./compression.ts";
import { compressionCorpora } from "./_corpus.ts";

const BROWSER = "permessage-deflate; client_max_window_bits";
const BARE = "permessage-deflate";
const SMALL_CLIENT_WINDOW = "permessage-deflate; client_max_window_bits=9";

/** Sections X.1 (compression with client context) to X.3 (framing rules). */
export function extraCases(budget: CompressionBudget = {}): Case[] {
  const [json, , faust] = compressionCorpora();
  const runs: [string, (typeof json), string, [number, number]][] = [
    ["X.1.1", json, BROWSER, [16, 0]],
    ["X.1.2", json, BROWSER, [1024, 0]],
    ["X.1.3", json, BROWSER, [16384, 0]],
    ["X.1.4", json, BROWSER, [131072, 0]],
    ["X.1.5", faust, BROWSER, [16384, 256]],
    ["X.1.6", json, BARE, [1024, 0]],
    ["X.1.7", json, BARE, [65536, 0]],
    ["X.1.8", json, SMALL_CLIENT_WINDOW, [16384, 0]],
    ["X.1.9", faust, SMALL_CLIENT_WINDOW, [131072, 4096]],
  ];
  const compressed = runs.map(([id, corpus, offer, size]) => {
    const c = compressionCase(id, corpus, [offer], size, budget);
    return { ...c, description: c.description + " (the client keeps its context)" };
  });
  const deflate = (c: Omit<Case, "offers">): Case => ({ ...c, offers: [BROWSER] });
  // A stored DEFLATE block holding bytes that are not UTF-8 (RFC 1951 §3.2.4).
  const storedInvalid = bytes("\x00\x04\x00\xfb\xff\xed\xa0\x80\x65");
  return [
    ...compressed,
    deflate({
      id: "X.2.1",
      description: "With permessage-deflate: a text fragment, then a continuation with RSV1",
      expectation: "The connection is failed (1002): RSV1 marks only a message's first frame " +
        "(RFC 7692 §6.1)",
      steps: [send.text("fragment1", { fin: false }), send.frame({ opcode: 0, rsv: 4 })],
      ok: [],
      close: SERVER_FAILS,
    }),
    deflate({
      id: "X.2.2",
      description: "With permessage-deflate: a ping with RSV1",
      expectation: "The connection is failed (1002): control frames are never compressed",
      steps: [send.frame({ opcode: 9, rsv: 4, payload: bytes("\x00") })],
      ok: [],
      close: SERVER_FAILS,
    }),
    deflate({
      id: "X.2.3",
      description: "With permessage-deflate: a compressed text message that is not DEFLATE " +
        "data (block type 3)",
      expectation: "The connection is failed (1002 or 1007)",
      steps: [send.text(bytes("\xff\xff\xff"), { rsv: 4 })],
      ok: [],
      close: { ...SERVER_FAILS, codes: [PROTOCOL_ERROR, INVALID_PAYLOAD] },
    }),
    deflate({
      id: "X.2.4",
      description: "With permessage-deflate: a compressed text message that inflates to " +
        "invalid UTF-8",
      expectation: "The connection is failed (1007)",
      steps: [send.text(storedInvalid, { rsv: 4 })],
      ok: [],
      close: {
        byClient: false,
        codes: [INVALID_PAYLOAD],
        requireClean: false,
        wrongEndpointFatal: true,
      },
    }),
    deflate({
      id: "X.2.5",
      description: "With permessage-deflate: an uncompressed text message (RSV1 clear)",
      expectation: "Echo of the message: compression is per message (RFC 7692 §6)",
      steps: [send.text("Hello, world!")],
      ok: [ev.text("Hello, world!")],
      close: CLIENT_CLOSES,
    }),
    {
      id: "X.3.1",
      description: "Send an unmasked text frame",
      expectation: "The connection is failed (1002): clients must mask (RFC 6455 §5.1)",
      steps: [send.text("Hello, world!", { mask: false })],
      ok: [],
      close: SERVER_FAILS,
    },
    {
      id: "X.3.2",
      description: "Send a frame whose 64-bit length has its most significant bit set",
      expectation: "The connection is failed (1002) (RFC 6455 §5.2)",
      steps: [
        send.frame({ opcode: 2, payload: utf8("hello"), length64: 0x8000000000000005n }),
      ],
      ok: [],
      close: SERVER_FAILS,
    },
  ];
}
