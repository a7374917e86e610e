/**
 * WebSocket load comparison: Wire's upgradeWebSocket vs Deno's native server
 * (Deno.serve + Deno.upgradeWebSocket) vs node + ws, each an echo server
 * (bench/_servers/ws_*.{ts,mjs}) pinned to CPU 0, driven by a load client pinned to
 * CPU 1 on 127.0.0.1 only, every run bounded. Scenarios: echo round trips per second
 * with 1 and 100 connections for 32 B, 16 KiB and 1 MiB binary messages (each
 * connection sends its next message when the echo of the last arrives), and the server's
 * memory per idle open socket. Rounds are interleaved; the table shows medians and the
 * median of per-round ratios, as bench/load.ts does.
 *
 *   deno run -A bench/websocket.ts [--rounds 3] [--duration 3] [--warmup 1]
 *     [--only c1-32b,c100-1m,idle-mem] [--servers wire,deno,node] [--client node|deno]
 *     [--baseline DIR]
 *
 * The load client is bench/_servers/ws_client.mjs, by default run by node with ws (a
 * neutral client, faster here than Deno's own for small messages); `--client deno` runs
 * it on Deno's WebSocket client instead. Every scenario warms each server with
 * `--warmup` seconds of the same load first. A server that fails to start (Wire's, before
 * it has upgradeWebSocket) is reported and left out of the table.
 *
 * `--baseline DIR` adds "wire-base": ws_wire.ts of the Wire checkout in DIR, in the same
 * interleaved rounds, and a wire/base column.
 *
 * Needs node (on the machines) and npm:ws@8, which this script fetches through Deno.
 *
 * @module
 */

import { median, parseArgs, startPinned, stopServer } from "./_util.ts";

interface Server {
  name: string;
  label: string;
  cmd: string[];
  port: number;
}

interface Scenario {
  name: string;
  label: string;
  unit: string;
  run(server: Server, pid: number): Promise<number>;
}

const args = parseArgs(Deno.args);
const ROUNDS = Math.min(Number(args.rounds ?? 3), 20);
const DURATION = Math.min(Number(args.duration ?? 3), 30);
const WARMUP = Math.min(Number(args.warmup ?? 1), 10);
const ONLY = args.only ? String(args.only).split(",") : null;
const CLIENT = args.client === "deno" ? "deno" : "node";
const BASELINE = args.baseline ? String(args.baseline).replace(/\/$/, "") : null;
const IDLE_SOCKETS = 1000;
const here = new URL(".", import.meta.url).pathname;
const deno = Deno.execPath();

// node runs ws from the copy Deno keeps for npm:ws@8 (no node_modules needed).
await import("npm:ws@8");
const WS_PACKAGE = new URL(".", import.meta.resolve("npm:ws@8")).pathname;

const allServers: Server[] = [
  {
    name: "wire",
    label: "Wire",
    cmd: [deno, "run", "-A", `${here}_servers/ws_wire.ts`],
    port: 18412,
  },
  {
    name: "deno",
    label: "Deno native",
    cmd: [deno, "run", "-A", `${here}_servers/ws_deno.ts`],
    port: 18411,
  },
  { name: "node", label: "node + ws", cmd: ["node", `${here}_servers/ws_node.mjs`], port: 18413 },
];
if (BASELINE !== null) {
  allServers.push({
    name: "wire-base",
    label: "Wire (baseline)",
    cmd: [deno, "run", "-A", `${BASELINE}/bench/_servers/ws_wire.ts`],
    port: 18414,
  });
}
const ONLY_SERVERS = args.servers ? String(args.servers).split(",") : null;
const servers = allServers.filter((s) => !ONLY_SERVERS || ONLY_SERVERS.includes(s.name));

/** Runs the load client on CPU 1 and returns its round trips per second. */
async function echoLoad(
  port: number,
  conns: number,
  size: number,
  duration = DURATION,
  warmup = WARMUP,
): Promise<number> {
  const client = CLIENT === "node"
    ? ["node", `${here}_servers/ws_client.mjs`]
    : [deno, "run", "-A", `${here}_servers/ws_client.mjs`];
  const out = await new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      ...client,
      `ws://127.0.0.1:${port}/`,
      String(conns),
      String(size),
      String(duration),
      String(warmup),
    ],
    env: { WS_PACKAGE },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout((duration + warmup + 60) * 1000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.trim().split("\n").pop() ?? "";
  let result: { rate: number; failed: string | null };
  try {
    result = JSON.parse(line);
  } catch {
    throw new Error(`load client failed: ${text}${new TextDecoder().decode(out.stderr)}`);
  }
  if (result.failed) console.error(`  ! port ${port}: ${result.failed}`);
  return result.rate;
}

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
}

/** Opens `n` WebSockets, each echoing one 32 B message, in batches of 100. */
async function openIdle(port: number, n: number, into: WebSocket[]): Promise<void> {
  const payload = new Uint8Array(32).fill(97);
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, () =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
          into.push(socket);
          socket.binaryType = "arraybuffer";
          socket.onopen = () => socket.send(payload);
          socket.onmessage = () => resolve();
          socket.onerror = () => reject(new Error("an idle-test WebSocket failed"));
        })),
    );
  }
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((socket) =>
    new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(resolve, 5000);
      socket.onclose = () => (clearTimeout(timer), resolve());
      socket.onerror = () => {};
      socket.close();
    })
  ));
}

/**
 * Server RSS growth per idle open WebSocket, each having echoed one message. After the
 * warm-up (32 B echo load) a first batch of 200 idle sockets settles the upgrade path, so
 * the figure is the marginal cost of IDLE_SOCKETS more.
 */
async function idleMemory(port: number, pid: number): Promise<number> {
  if (WARMUP > 0) await echoLoad(port, 50, 32, WARMUP, 0);
  const sockets: WebSocket[] = [];
  try {
    await openIdle(port, 200, sockets);
    await new Promise((r) => setTimeout(r, 300));
    const before = rssKiB(pid);
    await openIdle(port, IDLE_SOCKETS, sockets);
    await new Promise((r) => setTimeout(r, 300));
    return (rssKiB(pid) - before) / IDLE_SOCKETS;
  } finally {
    await closeAll(sockets);
  }
}

const SIZES: [string, string, number][] = [
  ["32b", "32 B", 32],
  ["16k", "16 KiB", 16 * 1024],
  ["1m", "1 MiB", 1024 * 1024],
];
const scenarios: Scenario[] = [
  ...[1, 100].flatMap((conns) =>
    SIZES.map(([tag, size, bytes]): Scenario => ({
      name: `c${conns}-${tag}`,
      label: `echo ${size}, ${conns} connection${conns > 1 ? "s" : ""} (round trips/s)`,
      unit: "rt/s",
      run: (server) => echoLoad(server.port, conns, bytes),
    }))
  ),
  {
    name: "idle-mem",
    label: "memory per idle WebSocket (KiB, lower is better)",
    unit: "KiB/socket",
    run: (server, pid) => idleMemory(server.port, pid),
  },
];

const chosen = scenarios.filter((s) => !ONLY || ONLY.includes(s.name));
const results = new Map<string, Map<string, number[]>>();
for (const scenario of chosen) {
  results.set(scenario.name, new Map(servers.map((s) => [s.name, []])));
}
/** Servers that could not start: skipped from then on, left out of the table. */
const missing = new Map<string, string>();

console.error(
  `rounds=${ROUNDS} duration=${DURATION}s warmup=${WARMUP}s client=${CLIENT} ` +
    `scenarios=${chosen.map((s) => s.name)}`,
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const scenario of chosen) {
    const live = servers.filter((s) => !missing.has(s.name));
    const order = live.map((_, i) => live[(i + round) % live.length]);
    for (const server of order) {
      let child: Deno.ChildProcess | undefined;
      try {
        try {
          child = await start(server);
        } catch (error) {
          missing.set(server.name, (error as Error).message);
          console.error(`${server.name}: skipped, it did not start: ${(error as Error).message}`);
          continue;
        }
        // taskset execs the server, so the child's pid is the server's own.
        const value = await scenario.run(server, child.pid);
        results.get(scenario.name)!.get(server.name)!.push(value);
        console.error(
          `round ${round} ${scenario.name} ${server.name}: ${value.toFixed(1)} ${scenario.unit}`,
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

const shown = servers.filter((s) => !missing.has(s.name));
const has = (name: string) => shown.some((s) => s.name === name);
// Wire against each peer; without Wire, Deno's server against ws.
const ratios =
  (has("wire") ? [["wire", "node"], ["wire", "deno"], ["wire", "wire-base"]] : [["deno", "node"]])
    .filter(([a, b]) => has(a) && has(b));
function ratio(scenario: string, a: string, b: string): number {
  const xs = results.get(scenario)!.get(a)!;
  const ys = results.get(scenario)!.get(b)!;
  return median(xs.map((x, i) => x / ys[i]));
}
const fmt = (v: number) =>
  Number.isFinite(v) ? v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2) : "failed";
const label = (name: string) => name === "wire-base" ? "base" : name;
console.log(
  `\n| scenario | ${shown.map((s) => s.label).join(" | ")} | ${
    ratios.map(([a, b]) => `${label(a)}/${label(b)}`).join(" | ")
  } |`,
);
console.log(`|---|${shown.map(() => "---:").join("|")}|${ratios.map(() => "---:").join("|")}|`);
for (const scenario of chosen) {
  const m = (name: string) => median(results.get(scenario.name)!.get(name)!);
  console.log(
    `| ${scenario.label} | ${shown.map((s) => fmt(m(s.name))).join(" | ")} | ${
      ratios.map(([a, b]) => fmt(ratio(scenario.name, a, b)) + "x").join(" | ")
    } |`,
  );
}
console.log(
  `\n${ROUNDS} interleaved rounds of ${DURATION}s per scenario after ${WARMUP}s of warm-up; ` +
    `load client ${CLIENT === "node" ? "node + ws" : "Deno"} on CPU 1, server on CPU 0.`,
);
for (const [name, why] of missing) console.log(`${name}: not run (${why})`);

function start(server: Server): Promise<Deno.ChildProcess> {
  return startPinned(server.name, [...server.cmd, String(server.port)], {
    env: { WS_PACKAGE, NO_COLOR: "1" },
  });
}
