/**
 * The conformance suite's entry point: `runConformance(url)` plays every case (or those
 * chosen) against the echo server at `url` and returns one verdict per case;
 * `formatReport()` turns them into per-section tables. Cases run a few at a time, each on
 * its own connection; the performance-minded ones (section 9) run alone at the end.
 *
 * @example Run the suite against an echo server
 * ```ts ignore
 * import { formatReport, runConformance } from "./conformance.ts";
 * const results = await runConformance("ws://127.0.0.1:8080/", { cases: ["1.*", "2.*"] });
 * console.log(formatReport(results));
 * ```
 *
 * @module
 */
import { runCase, type RunnerOptions } from "./_runner.ts";
import type { CaseResult, Verdict } from "./_verdict.ts";
import { allCases, type CaseOptions, SECTIONS, selectCases } from "./cases/mod.ts";

export type { CaseResult, Verdict } from "./_verdict.ts";
export type { CaseOptions } from "./cases/mod.ts";
export { allCases, SECTIONS, selectCases } from "./cases/mod.ts";

/** Options of `runConformance`. */
export interface ConformanceOptions extends RunnerOptions, CaseOptions {
  /** Case ids or patterns ("1.*", "6.4", "7.7.1"); all when absent. */
  cases?: string[];
  /** Cases run at once (each on its own connection). @default 8 */
  concurrency?: number;
  /** Called as each case finishes (progress output). */
  onResult?: (result: CaseResult) => void;
}

/** Verdicts that count as a pass. */
export const PASSING: ReadonlySet<Verdict> = new Set(["OK", "NON-STRICT", "INFORMATIONAL"]);

/**
 * Runs the conformance cases against the echo server at `url`.
 *
 * @param url A ws:// URL of a server that echoes every message back as it came.
 * @param options Which cases, how many at once, and the client's waits.
 * @returns One result per case, in case order.
 */
export async function runConformance(
  url: string | URL,
  options: ConformanceOptions = {},
): Promise<CaseResult[]> {
  const target = new URL(url);
  if (target.protocol !== "ws:") throw new TypeError(`Cannot test ${target.href}: ws:// only`);
  const cases = selectCases(allCases(options), options.cases);
  const results = new Map<string, CaseResult>();
  const record = (result: CaseResult) => {
    results.set(result.id, result);
    options.onResult?.(result);
  };
  const parallel = cases.filter((c) => !c.serial);
  let next = 0;
  const worker = async () => {
    while (next < parallel.length) {
      const c = parallel[next++];
      record(await runCase(target, c, options));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  for (const c of cases.filter((c) => c.serial)) record(await runCase(target, c, options));
  return cases.map((c) => results.get(c.id)!);
}

/** The section of a case id ("6.4.1" → "6"). */
export function sectionOf(id: string): string {
  return id.slice(0, id.indexOf("."));
}

/** Counts of each verdict. */
export type Tally = Record<Verdict, number>;

/** Verdict counts per section, and in total. */
export function tally(results: CaseResult[]): { sections: Map<string, Tally>; total: Tally } {
  const empty = (): Tally => ({
    OK: 0,
    "NON-STRICT": 0,
    FAILED: 0,
    INFORMATIONAL: 0,
    UNIMPLEMENTED: 0,
  });
  const sections = new Map<string, Tally>();
  const total = empty();
  for (const r of results) {
    const section = sectionOf(r.id);
    if (!sections.has(section)) sections.set(section, empty());
    sections.get(section)![r.verdict]++;
    total[r.verdict]++;
  }
  return { sections, total };
}

/**
 * A plain-text report: a table of verdicts per section, then every case that is not OK
 * (or every case, with `all`), with its reason and, for performance cases, its rate.
 */
export function formatReport(results: CaseResult[], all = false): string {
  const { sections, total } = tally(results);
  const head = ["section", "cases", "OK", "NON-STRICT", "FAILED", "INFO", "UNIMPL"];
  const rows = [...sections].map(([s, t]) => [
    `${s} ${SECTIONS[s] ?? ""}`.trim(),
    String(Object.values(t).reduce((a, b) => a + b, 0)),
    String(t.OK),
    String(t["NON-STRICT"]),
    String(t.FAILED),
    String(t.INFORMATIONAL),
    String(t.UNIMPLEMENTED),
  ]);
  rows.push([
    "total",
    String(results.length),
    String(total.OK),
    String(total["NON-STRICT"]),
    String(total.FAILED),
    String(total.INFORMATIONAL),
    String(total.UNIMPLEMENTED),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [line(head), ...rows.map(line)];
  const listed = results.filter((r) => all || r.verdict !== "OK" || r.rate !== undefined);
  if (listed.length > 0) out.push("");
  for (const r of listed) {
    const why = r.verdict === "OK"
      ? ""
      : r.verdict === "INFORMATIONAL" || r.verdict === "UNIMPLEMENTED"
      ? ` — ${r.result}`
      : ` — ${r.result}; ${r.closeResult}`;
    const rate = r.rate ? ` [${r.rate}]` : "";
    out.push(`${r.id.padEnd(8)} ${r.verdict.padEnd(13)} ${r.description}${rate}${why}`);
  }
  return out.join("\n");
}
