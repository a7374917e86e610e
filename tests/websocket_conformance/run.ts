/**
 * Command line for the conformance suite: plays the Autobahn-style cases against an echo
 * server and prints per-section results, the cases that are not OK and the rates of the
 * performance cases.
 *
 *   deno run -A tests/websocket_conformance/run.ts ws://127.0.0.1:PORT/ [--cases 1.*,2.*]
 *     [--concurrency 8] [--scale 4] [--round-trips 1000] [--budget 262144]
 *     [--pause 1000] [--wait 1000] [--all] [--json FILE]
 *
 * `--scale` divides section 9's sizes (1: Autobahn's own, up to 16 MiB); `--budget` is the
 * payload bytes per compression case (Autobahn's 1,000 messages when 0). The exit status
 * is 1 when any case FAILED or was UNIMPLEMENTED.
 *
 * @module
 */
import { formatReport, PASSING, runConformance } from "./conformance.ts";

function parseArgs(list: string[]): { url?: string; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  let url: string | undefined;
  for (let i = 0; i < list.length; i++) {
    const arg = list[i];
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      else if (arg === "--all") flags.set("all", "true");
      else flags.set(arg.slice(2), list[++i] ?? "");
    } else url = arg;
  }
  return { url, flags };
}

const { url, flags } = parseArgs(Deno.args);
if (!url) {
  console.error(
    "Usage: deno run -A tests/websocket_conformance/run.ts ws://127.0.0.1:PORT/ [--cases 1.*,2.*]",
  );
  Deno.exit(2);
}
const num = (name: string) => flags.has(name) ? Number(flags.get(name)) : undefined;
const budget = num("budget");
let done = 0;
const started = performance.now();
const results = await runConformance(url, {
  cases: flags.get("cases")?.split(","),
  concurrency: num("concurrency"),
  limitsScale: num("scale"),
  roundTrips: num("round-trips"),
  compression: budget === 0 ? { minCount: 1000 } : budget ? { bytes: budget } : undefined,
  pauseMs: num("pause"),
  waitMs: num("wait"),
  onResult: () => {
    if (++done % 50 === 0) console.error(`… ${done} cases`);
  },
});
console.log(
  `${url}: ${results.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
console.log(formatReport(results, flags.has("all")));
const json = flags.get("json");
if (json) await Deno.writeTextFile(json, JSON.stringify(results, null, 1));
Deno.exit(results.every((r) => PASSING.has(r.verdict)) ? 0 : 1);
