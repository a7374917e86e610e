/**
 * Sections 12 and 13, permessage-deflate (RFC 7692): runs of compressed echoes of varied
 * data (12.x, five corpora) and under each parameter combination of 13.x
 * (server_no_context_takeover, server_max_window_bits 9 and 15, several offers at once).
 * Messages go out compressed by the client's own encoder and come back checked by its own
 * decoder, which fails the server if it references data outside the window it agreed to.
 * Autobahn sends 1,000 messages per case; here the count is `budget / size` (between
 * `minCount` and 1,000), so a run takes seconds.
 *
 * @module
 */
import { type Case, CLIENT_CLOSES, ev } from "./_case.ts";
import { compressionCorpora, type Corpus, messageCutter } from "./_corpus.ts";

/** (message length, auto-fragment size): Autobahn's MSG_SIZES. */
const MSG_SIZES: [number, number][] = [
  [16, 0],
  [64, 0],
  [256, 0],
  [1024, 0],
  [4096, 0],
  [8192, 0],
  [16384, 0],
  [32768, 0],
  [65536, 0],
  [131072, 0],
  [8192, 256],
  [16384, 256],
  [32768, 256],
  [65536, 256],
  [131072, 256],
  [131072, 1024],
  [131072, 4096],
  [131072, 32768],
];

/** Autobahn's default client offer: accepts client_no_context_takeover and client window bits. */
const BASE = "permessage-deflate; client_no_context_takeover; client_max_window_bits";

/** The client offers of 13.1 to 13.7. */
export const OFFERS_13: string[][] = [
  [BASE],
  [`${BASE}; server_no_context_takeover`],
  [`${BASE}; server_max_window_bits=9`],
  [`${BASE}; server_max_window_bits=15`],
  [`${BASE}; server_no_context_takeover; server_max_window_bits=9`],
  [`${BASE}; server_no_context_takeover; server_max_window_bits=15`],
  [
    `${BASE}; server_no_context_takeover; server_max_window_bits=9`,
    `${BASE}; server_no_context_takeover`,
    BASE,
  ],
];

/** How many messages a compression case sends. */
export interface CompressionBudget {
  /** Payload bytes per case; count = budget / length. @default 256 KiB */
  bytes?: number;
  /** @default 4 */
  minCount?: number;
  /** @default 1000 (Autobahn's count) */
  maxCount?: number;
}

function count(length: number, budget: CompressionBudget): number {
  const max = budget.maxCount ?? 1000;
  const min = Math.min(max, budget.minCount ?? 4);
  return Math.max(min, Math.min(max, Math.floor((budget.bytes ?? 256 * 1024) / length)));
}

/** A run of compressed echoes of `corpus` under `offers`. */
export function compressionCase(
  id: string,
  corpus: Corpus,
  offers: string[],
  [length, fragmentSize]: [number, number],
  budget: CompressionBudget,
): Case {
  const n = count(length, budget);
  const cut = messageCutter(corpus, length);
  return {
    id,
    description:
      `Send ${n} compressed messages of ${length} ${corpus.codePoints ? "characters" : "B"} ` +
      `of ${corpus.description}` + (fragmentSize ? `, in frames of ${fragmentSize} B` : "") +
      `; offer: ${offers.join(", ")}`,
    expectation: "Every echo, in order, decompressed to what was sent",
    offers,
    steps: [{
      kind: "echo",
      count: n,
      message: (i) => ({ payload: cut(i), binary: corpus.binary }),
      fragmentSize,
    }],
    ok: [ev.echoes(n)],
    close: CLIENT_CLOSES,
    roundTrips: n,
    timeoutMs: 60_000,
  };
}

/** Sections 12 and 13 under `budget`. */
export function compressionCases(budget: CompressionBudget = {}): Case[] {
  const corpora = compressionCorpora();
  const out: Case[] = [];
  corpora.forEach((corpus, j) =>
    MSG_SIZES.forEach((size, i) =>
      out.push(compressionCase(`12.${j + 1}.${i + 1}`, corpus, [BASE], size, budget))
    )
  );
  OFFERS_13.forEach((offers, j) =>
    MSG_SIZES.forEach((size, i) =>
      out.push(compressionCase(`13.${j + 1}.${i + 1}`, corpora[0], offers, size, budget))
    )
  );
  return out;
}
