// Runs the llhttp conformance corpus (../shared/conformance, outside the repository)
// through the parser: every case fed whole, cut at every byte, one byte at a time and cut
// at seeded random points. Lenient cases run with the matching ParserOptions.lenient
// flag. Listed exceptions (_conformance_exceptions.ts) must still differ; debatable cases
// are counted separately. When the corpus folder is absent, the tests say so and skip.

import { assert } from "../../_assert.ts";
import {
  byteByByte,
  bytesOf,
  checkExpect,
  type CorpusCase,
  lenientFor,
  loadCorpus,
  prng,
  type RunOptions,
  runParser,
  splitAt,
  summary,
} from "./_corpus.ts";
import { CONFORMANCE_EXCEPTIONS } from "./_conformance_exceptions.ts";

function optionsFor(c: CorpusCase): RunOptions {
  return {
    mode: c.type,
    lenient: lenientFor(c.mode),
    noBody: c.skipBody === true || c.requestMethod === "HEAD",
  };
}

interface Outcome {
  c: CorpusCase;
  problems: string[];
}

function judge(c: CorpusCase): Outcome {
  const result = runParser([bytesOf(c.raw)], optionsFor(c));
  return { c, problems: checkExpect(result, c.expect) };
}

/** Cuts the input every way the tests promise and compares with the whole-input run. */
function splitMismatches(c: CorpusCase): string[] {
  const bytes = bytesOf(c.raw);
  const options = optionsFor(c);
  const expected = summary(runParser([bytes.slice()], options));
  const problems: string[] = [];
  for (let cut = 1; cut < bytes.length; cut++) {
    if (summary(runParser(splitAt(bytes, [cut]), options)) !== expected) {
      problems.push(`cut at ${cut}`);
    }
  }
  if (summary(runParser(byteByByte(bytes), options)) !== expected) problems.push("byte by byte");
  const random = prng(0x5eed ^ bytes.length);
  for (let round = 0; round < 16 && bytes.length > 2; round++) {
    const cuts = new Set<number>();
    const count = 2 + Math.floor(random() * 8);
    for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(random() * (bytes.length - 1)));
    const sorted = [...cuts].sort((a, b) => a - b);
    if (summary(runParser(splitAt(bytes, sorted), options)) !== expected) {
      problems.push(`cuts ${sorted.join(",")}`);
    }
  }
  return problems;
}

function describe(outcomes: Outcome[]): string {
  return outcomes.map((o) => `${o.c.id} (${o.c.mode}): ${o.problems.join("; ")}`).join("\n");
}

const files = [
  { which: "requests" as const, cases: await loadCorpus("requests") },
  { which: "responses" as const, cases: await loadCorpus("responses") },
];

if (files.some((f) => f.cases === null)) {
  console.log("conformance: ../shared/conformance is absent, corpus tests skipped");
  Deno.test({
    name: "Parser conformance corpus (../shared/conformance) is not present: skipped",
    ignore: true,
    fn() {},
  });
}

const summaries: string[] = [];

for (const { which, cases } of files) {
  if (cases === null) continue;
  const outcomes = cases.map(judge);
  const strict = outcomes.filter((o) => o.c.mode === "strict" && !o.c.debatable);
  const lenient = outcomes.filter((o) => o.c.mode !== "strict" && !o.c.debatable);
  const debatable = outcomes.filter((o) => o.c.debatable === true);
  const agree = (list: Outcome[]) => list.filter((o) => o.problems.length === 0).length;
  const listed = (list: Outcome[]) => list.filter((o) => CONFORMANCE_EXCEPTIONS[o.c.id]).length;
  const line = `llhttp-${which}.json: strict ${agree(strict)}/${strict.length} agree` +
    ` (${listed(strict)} listed exceptions), lenient ${agree(lenient)}/${lenient.length}` +
    ` with the matching flag (${listed(lenient)} listed), debatable ${agree(debatable)}/` +
    `${debatable.length} agree with llhttp (${debatable.length - agree(debatable)} differ, listed)`;
  summaries.push(line);

  const group = (label: string, list: Outcome[]) => {
    const name = `Parser agrees with llhttp-${which}.json ${label}: ` +
      `${agree(list)}/${list.length}, the rest listed in _conformance_exceptions.ts`;
    Deno.test(name, () => {
      const unlisted = list.filter((o) => o.problems.length > 0 && !CONFORMANCE_EXCEPTIONS[o.c.id]);
      assert.equal(unlisted.length, 0, `unlisted differences:\n${describe(unlisted)}`);
      const stale = list.filter((o) => o.problems.length === 0 && CONFORMANCE_EXCEPTIONS[o.c.id]);
      assert.equal(stale.length, 0, `listed but agreeing: ${stale.map((o) => o.c.id).join(", ")}`);
    });
  };
  if (strict.length > 0) group("strict cases", strict);
  if (lenient.length > 0) group("lenient cases (matching lenient flag)", lenient);
  if (debatable.length > 0) group("debatable cases (reported separately)", debatable);

  Deno.test(
    `Parser gives the same result for every llhttp-${which}.json case cut at every byte, ` +
      `byte by byte and at random points (${cases.length} cases)`,
    () => {
      const broken: string[] = [];
      for (const c of cases) {
        const problems = splitMismatches(c);
        if (problems.length > 0) broken.push(`${c.id}: ${problems.slice(0, 5).join("; ")}`);
      }
      assert.equal(broken.length, 0, broken.join("\n"));
    },
  );
}

if (summaries.length > 0) {
  Deno.test("Parser conformance summary lists every exception with a reason", () => {
    const ids = new Set(files.flatMap((f) => (f.cases ?? []).map((c) => c.id)));
    for (const [id, exception] of Object.entries(CONFORMANCE_EXCEPTIONS)) {
      assert.ok(ids.has(id), `${id} is not a corpus case`);
      assert.ok(exception.reason.length > 20, `${id} needs a reason`);
    }
    console.log(summaries.join("\n"));
  });
}
