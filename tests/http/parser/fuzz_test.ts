// Seeded mutation fuzzing of the parser: corpus messages (when the corpus is present) and
// the project's own table inputs, mutated by bit flips, insertions, deletions, truncation,
// duplication and splices. Invariants only: the parser reports messages or a ParseError,
// never throws anything else, always progresses (bounded execute calls), keeps its own
// buffer within maxHeaderBytes, and reports the same thing however the input is cut.

import { assert } from "../../_assert.ts";
import { ParseError } from "../../../http/parse_error.ts";
import { concat } from "../../../net/_bytes.ts";
import type { ParserLenientFlags } from "../../../http/parser_options.ts";
import {
  ALL_LENIENT,
  bytesOf,
  loadCorpus,
  prng,
  type RunOptions,
  runParser,
  splitAt,
  summary,
} from "./_corpus.ts";
import { PARSER_CASES } from "./_cases.ts";

// Fixed by default; WIRE_FUZZ_SEED / WIRE_FUZZ_ITERATIONS explore further by hand.
const ITERATIONS = Number(Deno.env.get("WIRE_FUZZ_ITERATIONS") ?? 20_000);
const SEED = Number(Deno.env.get("WIRE_FUZZ_SEED") ?? 0xc0ffee);

interface Seed {
  bytes: Uint8Array;
  mode: "request" | "response";
}

const seeds: Seed[] = PARSER_CASES.map((c) => ({
  bytes: bytesOf(c.input),
  mode: c.options?.mode ?? "request",
}));
for (const which of ["requests", "responses"] as const) {
  const cases = await loadCorpus(which);
  for (const c of cases ?? []) seeds.push({ bytes: bytesOf(c.raw), mode: c.type });
}

// Bytes that steer a parser into its interesting states.
const INTERESTING = bytesOf('\r\n \t:;="\\0x/,\x00\x7f\x80\xff');
const SNIPPETS = [
  "\r\n",
  "\r\n\r\n",
  "Transfer-Encoding: chunked\r\n",
  "Content-Length: 5\r\n",
  "Connection: close\r\n",
  "Connection: upgrade\r\nUpgrade: x\r\n",
  "0\r\n\r\n",
  "ffffffffffffff\r\n",
  " HTTP/1.1\r\n",
  "\r\n ",
].map(bytesOf);

function mutate(random: () => number, input: Uint8Array): Uint8Array {
  // Plain Uint8Array (not a specific buffer type) so subarrays and copies mix freely.
  let bytes: Uint8Array = input.slice();
  const rounds = 1 + Math.floor(random() * 3);
  const at = (length: number) => Math.floor(random() * (length + 1));
  for (let r = 0; r < rounds; r++) {
    const kind = Math.floor(random() * 7);
    if (kind === 0 && bytes.length > 0) {
      const i = Math.floor(random() * bytes.length);
      bytes[i] ^= 1 << Math.floor(random() * 8);
    } else if (kind === 1) {
      const i = at(bytes.length);
      const insert = random() < 0.5
        ? new Uint8Array([INTERESTING[Math.floor(random() * INTERESTING.length)]])
        : SNIPPETS[Math.floor(random() * SNIPPETS.length)];
      bytes = concat([bytes.subarray(0, i), insert, bytes.subarray(i)]);
    } else if (kind === 2 && bytes.length > 0) {
      const i = Math.floor(random() * bytes.length);
      const n = 1 + Math.floor(random() * 4);
      bytes = concat([bytes.subarray(0, i), bytes.subarray(i + n)]);
    } else if (kind === 3) {
      bytes = bytes.slice(0, at(bytes.length));
    } else if (kind === 4 && bytes.length > 0) {
      const i = Math.floor(random() * bytes.length);
      const j = i + Math.floor(random() * (bytes.length - i));
      bytes = concat([bytes.subarray(0, j), bytes.subarray(i, j), bytes.subarray(j)]);
    } else if (kind === 5) {
      const other = seeds[Math.floor(random() * seeds.length)].bytes;
      bytes = concat([bytes.subarray(0, at(bytes.length)), other.subarray(at(other.length))]);
    } else if (bytes.length > 0) {
      const i = Math.floor(random() * bytes.length);
      bytes[i] = INTERESTING[Math.floor(random() * INTERESTING.length)];
    }
  }
  return bytes;
}

const LENIENT_CHOICES: ParserLenientFlags[] = [
  {},
  {},
  {},
  ALL_LENIENT,
  { headers: true },
  { optionalCrBeforeLf: true, optionalLfAfterCr: true },
  { keepAlive: true, methods: true },
];

Deno.test(`Parser survives ${ITERATIONS} seeded mutations: messages or ParseError, bounded work and memory, cut-independent`, () => {
  const random = prng(SEED);
  let errors = 0;
  let messages = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = seeds[Math.floor(random() * seeds.length)];
    const input = mutate(random, seed.bytes);
    const small = random() < 0.3;
    const options: RunOptions = {
      mode: seed.mode,
      lenient: LENIENT_CHOICES[Math.floor(random() * LENIENT_CHOICES.length)],
      maxHeaderBytes: small ? 64 + Math.floor(random() * 128) : undefined,
      maxHeaderCount: small ? 1 + Math.floor(random() * 4) : undefined,
      maxUrlBytes: small ? 1 + Math.floor(random() * 32) : undefined,
      maxChunkExtensionBytes: small ? 1 + Math.floor(random() * 16) : undefined,
      upgrade: random() < 0.8,
      noBody: random() < 0.1,
      maxEvents: 4 * input.length + 64,
    };
    const context = () => `iteration ${i}: ${JSON.stringify(String.fromCharCode(...input))}`;
    let whole;
    try {
      whole = runParser([input.slice()], options);
    } catch (error) {
      throw new Error(`${context()}: ${error}`);
    }
    if (whole.error !== null) {
      assert.ok(whole.error instanceof ParseError, context());
      errors++;
    }
    if (whole.finishError !== null) assert.ok(whole.finishError instanceof ParseError, context());
    messages += whole.messages.length;
    const limit = options.maxHeaderBytes ?? 16 * 1024;
    assert.ok(whole.maxBuffer <= limit, `${context()}: buffer ${whole.maxBuffer} > ${limit}`);
    if (input.length > 1) {
      const cuts = new Set<number>();
      const count = 1 + Math.floor(random() * 4);
      for (let c = 0; c < count; c++) cuts.add(1 + Math.floor(random() * (input.length - 1)));
      const pieces = splitAt(input, [...cuts].sort((a, b) => a - b));
      const split = runParser(pieces, {
        ...options,
        maxEvents: 4 * input.length + 4 * pieces.length + 64,
      });
      assert.equal(summary(split), summary(whole), `${context()}: cut at ${[...cuts]}`);
      assert.ok(
        split.maxBuffer <= limit,
        `${context()}: split buffer ${split.maxBuffer} > ${limit}`,
      );
    }
  }
  // The mutations must exercise both outcomes, or the fuzzer tests nothing.
  assert.ok(errors > ITERATIONS / 10, `only ${errors} rejections`);
  assert.ok(messages > ITERATIONS / 10, `only ${messages} messages`);
});
