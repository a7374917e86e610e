/**
 * Memory held by slow clients: Wire's serve() vs Deno.serve vs node:http (run by Node)
 * on the same app (bench/_servers/slow_app.ts and slow_node.mjs), 127.0.0.1 only, every
 * run bounded in connections, bytes and time.
 *
 *   deno run -A bench/slow_clients.ts [--only slow-read,slow-read-stream,slowloris]
 *       [--servers wire,deno,node] [--baseline DIR] [--rounds 1] [--settle 3]
 *       [--read-conns 20] [--depth 100] [--size 1048576] [--loris-conns 2000]
 *       [--head-bytes 1200]
 *
 * Scenarios (each figure is the server's RSS growth divided by the connections):
 * - slow-read: `--read-conns` connections each send `--depth` pipelined
 *   `GET /big/SIZE` (a body made per request) and never read; the peak RSS over
 *   `--settle` seconds counts.
 * - slow-read-stream: the same with `GET /stream/SIZE` (a streamed body of one shared
 *   buffer, with Content-Length).
 * - slowloris: `--loris-conns` connections each send the first `--head-bytes` bytes of a
 *   request head and nothing more; the RSS after `--settle` seconds counts.
 *
 * Before each measurement the server is warmed up (hello requests, a few connections of
 * each kind opened and closed), so the figures are marginal per-connection costs, not
 * JIT or heap start-up. `--baseline DIR` adds "wire-base": the same app served by the
 * Wire checkout in DIR (e.g. /work/before13), in the same rounds. The server is pinned to
 * CPU 0 (taskset); the clients are sockets of this process.
 */

import { median, parseArgs, startPinned, stopServer } from "./_util.ts";

interface Server {
  name: string;
  cmd: string[];
  port: number;
}

interface Scenario {
  name: string;
  unit: string;
  run(port: number, pid: number): Promise<number>;
}

const args = parseArgs(Deno.args);
const ROUNDS = Number(args.rounds ?? 1);
const SETTLE_MS = Number(args.settle ?? 3) * 1000;
const READ_CONNS = Number(args["read-conns"] ?? 20);
const DEPTH = Number(args.depth ?? 100);
const SIZE = Number(args.size ?? 1024 * 1024);
const LORIS_CONNS = Number(args["loris-conns"] ?? 2000);
const HEAD_BYTES = Number(args["head-bytes"] ?? 1200);
const ONLY = args.only ? String(args.only).split(",") : null;
const BASELINE = args.baseline ? String(args.baseline).replace(/\/$/, "") : null;
const here = new URL(".", import.meta.url).pathname;
const deno = Deno.execPath();
const encoder = new TextEncoder();

const allServers: Server[] = [
  { name: "wire", cmd: [deno, "run", "-A", `${here}_servers/slow_wire.ts`], port: 18412 },
  { name: "deno", cmd: [deno, "run", "-A", `${here}_servers/slow_deno.ts`], port: 18411 },
  { name: "node", cmd: ["node", `${here}_servers/slow_node.mjs`], port: 18413 },
];
if (BASELINE !== null) {
  allServers.push({
    name: "wire-base",
    // start() passes the port, then the checkout to serve with.
    cmd: [deno, "run", "-A", `${here}_servers/slow_wire.ts`],
    port: 18414,
  });
}
const ONLY_SERVERS = args.servers ? String(args.servers).split(",") : null;
const servers = allServers.filter((s) => !ONLY_SERVERS || ONLY_SERVERS.includes(s.name));

const scenarios: Scenario[] = [
  {
    name: "slow-read",
    unit: "MiB/conn",
    run: (port, pid) => slowRead(port, pid, `/big/${SIZE}`),
  },
  {
    name: "slow-read-stream",
    unit: "MiB/conn",
    run: (port, pid) => slowRead(port, pid, `/stream/${SIZE}`),
  },
  { name: "slowloris", unit: "KiB/conn", run: slowloris },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
}

/** Opens `count` connections to `port`, 100 at a time. */
async function connectMany(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  try {
    for (let i = 0; i < count; i += 100) {
      const batch = await Promise.all(
        Array.from(
          { length: Math.min(100, count - i) },
          () => Deno.connect({ hostname: "127.0.0.1", port }),
        ),
      );
      conns.push(...batch);
    }
  } catch (error) {
    closeAll(conns);
    throw error;
  }
  return conns;
}

function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

/** Writes `bytes` on every connection (each write bounded by the timeout). */
async function writeEach(conns: Deno.Conn[], bytes: Uint8Array): Promise<void> {
  await Promise.all(conns.map(async (conn) => {
    let n = 0;
    while (n < bytes.length) n += await conn.write(bytes.subarray(n));
  }));
}

/** GET `path` on a fresh connection, read to the end of the response (Connection: close). */
async function fetchAll(port: number, path: string): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      encoder.encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    const buf = new Uint8Array(64 * 1024);
    while ((await conn.read(buf)) !== null) { /* drain */ }
  } finally {
    conn.close();
  }
}

/** Hello requests and a few large responses, so start-up costs are paid before measuring. */
async function warm(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) await fetchAll(port, "/");
  await fetchAll(port, `/big/${SIZE}`);
  await fetchAll(port, `/stream/${SIZE}`);
  // A few connections of the measured kinds, opened and dropped.
  const conns = await connectMany(port, 100);
  await writeEach(conns, partialHead(HEAD_BYTES));
  await sleep(200);
  closeAll(conns);
  await sleep(300);
}

/** Peak RSS growth per connection while `conns` pipeline requests for `path` and never read. */
async function slowRead(port: number, pid: number, path: string): Promise<number> {
  await warm(port);
  const before = rssKiB(pid);
  const request = encoder.encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(DEPTH));
  const conns = await connectMany(port, READ_CONNS);
  try {
    await writeEach(conns, request);
    let peak = before;
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline) {
      await sleep(100);
      peak = Math.max(peak, rssKiB(pid));
    }
    return (peak - before) / 1024 / READ_CONNS;
  } finally {
    closeAll(conns);
  }
}

/** The first `bytes` bytes of a request head: request line, Host, padding fields, no end. */
function partialHead(bytes: number): Uint8Array {
  let head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  let i = 0;
  while (head.length < bytes) head += `X-Pad-${i++}: ${"p".repeat(60)}\r\n`;
  return encoder.encode(head.slice(0, bytes));
}

/** RSS growth per connection once `--loris-conns` partial heads have settled. */
async function slowloris(port: number, pid: number): Promise<number> {
  await warm(port);
  const before = rssKiB(pid);
  const conns = await connectMany(port, LORIS_CONNS);
  try {
    await writeEach(conns, partialHead(HEAD_BYTES));
    await sleep(SETTLE_MS);
    return (rssKiB(pid) - before) / LORIS_CONNS;
  } finally {
    closeAll(conns);
  }
}

const chosen = scenarios.filter((s) => !ONLY || ONLY.includes(s.name));
const results = new Map<string, Map<string, number[]>>();
for (const scenario of chosen) {
  results.set(scenario.name, new Map(servers.map((s) => [s.name, []])));
}

console.error(
  `rounds=${ROUNDS} settle=${SETTLE_MS / 1000}s slow-read: ${READ_CONNS} conns x ${DEPTH} ` +
    `x ${SIZE} B; slowloris: ${LORIS_CONNS} conns x ${HEAD_BYTES} B`,
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const scenario of chosen) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    for (const server of order) {
      let child: Deno.ChildProcess | undefined;
      try {
        child = await start(server);
        // taskset execs the server, so the child's pid is the server's own.
        const value = await scenario.run(server.port, child.pid);
        results.get(scenario.name)!.get(server.name)!.push(value);
        console.error(
          `round ${round} ${scenario.name} ${server.name}: ${value.toFixed(2)} ${scenario.unit}`,
        );
      } catch (error) {
        console.error(`round ${round} ${scenario.name} ${server.name}: FAILED ${error}`);
        results.get(scenario.name)!.get(server.name)!.push(NaN);
      } finally {
        if (child) await stopServer(child);
      }
    }
  }
}

const has = (name: string) => servers.some((s) => s.name === name);
const columns = [
  ["wire", "wire"],
  ["deno", "Deno.serve"],
  ["node", "node:http"],
  ["wire-base", "wire (baseline)"],
].filter(([name]) => has(name));
console.log(`\n| scenario | unit | ${columns.map((c) => c[1]).join(" | ")} |`);
console.log(`|---|---|${columns.map(() => "---:").join("|")}|`);
for (const scenario of chosen) {
  const cells = columns.map(([name]) => {
    const v = median(results.get(scenario.name)!.get(name)!);
    return Number.isFinite(v) ? v.toFixed(scenario.unit === "MiB/conn" ? 2 : 1) : "failed";
  });
  console.log(`| ${scenario.name} | ${scenario.unit} | ${cells.join(" | ")} |`);
}
console.log(
  `\nslow-read: ${READ_CONNS} connections x ${DEPTH} pipelined GETs of ${SIZE} B, never read ` +
    `(peak RSS over ${SETTLE_MS / 1000}s); slowloris: ${LORIS_CONNS} connections x ` +
    `${HEAD_BYTES} B of a head (RSS after ${SETTLE_MS / 1000}s); RSS growth / connections, ` +
    `median of ${ROUNDS} round(s); server on CPU 0.`,
);

function start(server: Server): Promise<Deno.ChildProcess> {
  const cmd = [...server.cmd, String(server.port)];
  if (server.name === "wire-base") cmd.push(BASELINE!);
  return startPinned(server.name, cmd);
}
