/**
 * Fairness at many connections: `wrk -t1 -c1000 --latency` on `GET /hello` against
 * Wire (the default route and `transport: "node"`), Deno.serve, a bare `Deno.listen` loop that writes a canned reply, the same loop
 * on node:net inside Deno, and node:http on node (bench/_servers/fair.ts,
 * fair_node.mjs). Each server counts the requests it served per connection, so the table
 * shows the latency percentiles wrk measures and how evenly the connections were served
 * (requests per connection: the 1st percentile, the median, the maximum; and how many
 * connections were served less than a tenth of the mean). Server on CPU 0, wrk on CPU 1
 * (taskset), loopback only, every run bounded; rounds interleaved, medians reported.
 *
 *   deno run -A bench/fairness.ts [--rounds 3] [--duration 5] [--connections 1000]
 *     [--servers wire,wire-node,deno,bare,nodenet,node] [--baseline DIR]
 *
 * `--baseline DIR` adds "wire-base": fair.ts of the Wire checkout in DIR.
 *
 * Needs wrk (apt-get install -y wrk) and node.
 *
 * @module
 */

import { median, parseArgs, startPinned, stopServer } from "./_util.ts";

interface Server {
  name: string;
  cmd: string[];
  port: number;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  timeouts: number;
  errors: number;
  /** Requests per connection, sorted. */
  perConnection: number[];
}

const args = parseArgs(Deno.args);
const ROUNDS = Number(args.rounds ?? 3);
const DURATION = Number(args.duration ?? 5);
const CONNECTIONS = Number(args.connections ?? 1000);
const here = new URL(".", import.meta.url).pathname;
const deno = Deno.execPath();
const fair = (
  dir: string,
) => [deno, "run", "-A", "--unstable-net", `${dir}/bench/_servers/fair.ts`];

const ALL: Server[] = [
  { name: "wire", cmd: [...fair(here + ".."), "wire"], port: 18530 },
  { name: "deno", cmd: [...fair(here + ".."), "deno"], port: 18531 },
  { name: "bare", cmd: [...fair(here + ".."), "bare"], port: 18532 },
  { name: "nodenet", cmd: [...fair(here + ".."), "nodenet"], port: 18533 },
  { name: "node", cmd: ["node", `${here}_servers/fair_node.mjs`], port: 18534 },
  { name: "wire-node", cmd: [...fair(here + ".."), "wire-node"], port: 18536 },
];
if (args.baseline) {
  ALL.push({ name: "wire-base", cmd: [...fair(String(args.baseline)), "wire"], port: 18535 });
}
const wanted = args.servers ? String(args.servers).split(",") : ALL.map((s) => s.name);
const servers = ALL.filter((s) => wanted.includes(s.name));

/** Milliseconds from a wrk latency figure ("512.00us", "2.31ms", "1.20s"). */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (m === null) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "ms" ? v : m[2] === "s" ? v * 1000 : v * 60_000;
}

async function wrk(port: number, seconds: number): Promise<Omit<Result, "perConnection">> {
  const out = await new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      "wrk",
      "-t1",
      "-c",
      String(CONNECTIONS),
      "-d",
      `${seconds}s`,
      "--timeout",
      "5s",
      "--latency",
      `http://127.0.0.1:${port}/hello`,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout((seconds + 30) * 1000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const latency = /Latency\s+\S+\s+\S+\s+(\S+)/.exec(text);
  const pct = (p: string) => ms(new RegExp(`\\s${p}%\\s+(\\S+)`).exec(text)?.[1] ?? "");
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    p50: pct("50"),
    p99: pct("99"),
    max: ms(latency?.[1] ?? ""),
    timeouts: errors ? Number(errors[4]) : 0,
    errors: (errors ? Number(errors[1]) + Number(errors[2]) + Number(errors[3]) : 0) + non2xx,
  };
}

async function perConnection(port: number): Promise<number[]> {
  const response = await fetch(`http://127.0.0.1:${port}/stats`);
  const counts = await response.json() as number[];
  return counts.sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const results = new Map<string, Result[]>(servers.map((s) => [s.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no server always runs first.
  const order = servers.map((_, i) => servers[(i + round) % servers.length]);
  for (const server of order) {
    const child = await start(server);
    try {
      await wrk(server.port, 1); // warm-up: JIT, heap, the first accept storm
      await perConnection(server.port); // and forget what it served
      const figures = await wrk(server.port, DURATION);
      const counts = await perConnection(server.port);
      const result = { ...figures, perConnection: counts };
      results.get(server.name)!.push(result);
      console.error(
        `round ${round + 1} ${server.name}: ${Math.round(figures.rps)} req/s, p99 ${
          figures.p99.toFixed(1)
        } ms, max ${
          figures.max.toFixed(0)
        } ms, timeouts ${figures.timeouts}, connections ${counts.length}`,
      );
    } finally {
      await stopServer(child);
    }
  }
}

const f0 = (n: number) => Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-";
const f1 = (n: number) => Number.isFinite(n) ? n.toFixed(1) : "-";
console.log(
  `\n| server (c=${CONNECTIONS}) | req/s | p50 ms | p99 ms | max ms | timeouts | req/conn p1 | median | max | starved conns |`,
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const server of servers) {
  const rs = results.get(server.name)!;
  const m = (pick: (r: Result) => number) => median(rs.map(pick));
  const starved = (r: Result) => {
    // Connections served less than a tenth of the mean (wrk keeps CONNECTIONS open and
    // each sends its next request when the last is answered, so a fair server serves
    // them all about equally), plus those the server never saw.
    const total = r.perConnection.reduce((a, b) => a + b, 0);
    const mean = total / Math.max(CONNECTIONS, r.perConnection.length);
    const few = r.perConnection.filter((n) => n < mean / 10).length;
    return few + Math.max(0, CONNECTIONS - r.perConnection.length);
  };
  console.log(
    `| ${server.name} | ${f0(m((r) => r.rps))} | ${f1(m((r) => r.p50))} | ${
      f1(m((r) => r.p99))
    } | ${f0(m((r) => r.max))} | ${f0(m((r) => r.timeouts))} | ${
      f0(m((r) => quantile(r.perConnection, 0.01)))
    } | ${f0(m((r) => quantile(r.perConnection, 0.5)))} | ${
      f0(m((r) => r.perConnection.at(-1) ?? NaN))
    } | ${f0(m(starved))} |`,
  );
}
console.log(
  `\n${ROUNDS} interleaved rounds of ${DURATION}s after 1s of warm-up; wrk -t1 -c${CONNECTIONS} --timeout 5s on CPU 1, server on CPU 0; medians of the rounds.`,
);

function start(server: Server): Promise<Deno.ChildProcess> {
  return startPinned(server.name, [...server.cmd, String(server.port)]);
}
