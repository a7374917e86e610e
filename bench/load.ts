/**
 * Load comparison: Wire's serve() vs Deno.serve vs node:http (run by Node) on the same
 * app (bench/_servers/), driven by wrk and curl on 127.0.0.1 only, every run bounded.
 * Each server is pinned to CPU 0 and the load tool to CPU 1 (taskset), and scenarios
 * run in interleaved rounds; the table reports medians and the median of per-round
 * ratios.
 *
 *   deno task bench:load [--rounds 3] [--duration 3] [--warmup 1] [--only hello,pipeline16]
 *                        [--baseline DIR] [--servers wire,wire-base]
 *
 * `--baseline DIR` adds "wire-base": the same app on the Wire checkout in DIR (e.g. a
 * `git worktree` of the commit before a change), run in the same interleaved rounds, so
 * a change's before/after figures come from one run; the table gains a wire/base
 * column. `--servers` limits the run to the named servers.
 *
 * Every server is warmed up before each measurement with `--warmup` seconds of the same
 * load (a smaller transfer for download and upload; hello traffic before the idle
 * memory count), so the figures are steady-state ones: JIT compilation, heap sizing and
 * the first accept storm are one-time costs, not per-request or per-connection ones.
 *
 * Needs wrk, curl and node (apt-get install -y wrk curl; Node ships on the machines).
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
  /** Brings the server to a steady state first (results discarded). */
  warm(port: number): Promise<unknown>;
  run(port: number, pid: number): Promise<number>;
}

const args = parseArgs(Deno.args);
const ROUNDS = Number(args.rounds ?? 3);
const DURATION = Number(args.duration ?? 3);
const WARMUP = Number(args.warmup ?? 1);
const ONLY = args.only ? String(args.only).split(",") : null;
const here = new URL(".", import.meta.url).pathname;
const deno = Deno.execPath();
const TRANSFER_BYTES = 256 * 1024 * 1024;

const BASELINE = args.baseline ? String(args.baseline).replace(/\/$/, "") : null;
const allServers: Server[] = [
  { name: "wire", cmd: [deno, "run", "-A", `${here}_servers/wire.ts`], port: 18402 },
  { name: "deno", cmd: [deno, "run", "-A", `${here}_servers/deno_serve.ts`], port: 18401 },
  { name: "node", cmd: ["node", `${here}_servers/node_http.mjs`], port: 18403 },
];
if (BASELINE !== null) {
  allServers.push({
    name: "wire-base",
    cmd: [deno, "run", "-A", `${BASELINE}/bench/_servers/wire.ts`],
    port: 18404,
  });
}
const ONLY_SERVERS = args.servers ? String(args.servers).split(",") : null;
const servers = allServers.filter((s) => !ONLY_SERVERS || ONLY_SERVERS.includes(s.name));

const PIPELINE_LUA = `
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
`;
const POST_LUA = `
wrk.method = "POST"
wrk.body = string.rep("a", 16384)
wrk.headers["Content-Type"] = "application/octet-stream"
`;

const WARM_BYTES = 16 * 1024 * 1024;

/** A wrk scenario: warmed up and measured with the same load. */
function load(name: string, extra: string[], lua?: string, path?: string): Scenario {
  return {
    name,
    unit: "req/s",
    warm: (port) => wrk(port, extra, lua, path, WARMUP),
    run: (port) => wrk(port, extra, lua, path),
  };
}

const scenarios: Scenario[] = [
  load("hello", ["-c", "50"]),
  load("pipeline16", ["-c", "50"], PIPELINE_LUA),
  load("post16k", ["-c", "50"], POST_LUA, "/echo"),
  load("c1000", ["-c", "1000", "--timeout", "10s"]),
  load("new-conn", ["-c", "50", "-H", "Connection: close"]),
  {
    name: "download256m",
    unit: "MB/s",
    warm: (port) => download(port, WARM_BYTES),
    run: (port) => download(port, TRANSFER_BYTES),
  },
  {
    name: "upload256m",
    unit: "MB/s",
    warm: (port) => upload(port, WARM_BYTES),
    run: (port) => upload(port, TRANSFER_BYTES),
  },
  {
    name: "idle-mem",
    unit: "KiB/conn",
    warm: (port) => wrk(port, ["-c", "50"], undefined, "/", WARMUP),
    run: (port, pid) => idleMemory(port, pid, 1000),
  },
];

async function run(cmd: string[], timeoutMs: number): Promise<string> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed:\n${text}`);
  return text;
}

async function wrk(
  port: number,
  extra: string[],
  lua?: string,
  path = "/",
  duration = DURATION,
): Promise<number> {
  const cmd = ["taskset", "-c", "1", "wrk", "-t1", "-d", `${duration}s`, ...extra];
  let script: string | undefined;
  if (lua) {
    script = await Deno.makeTempFile({ suffix: ".lua" });
    await Deno.writeTextFile(script, lua);
    cmd.push("-s", script);
  }
  cmd.push(`http://127.0.0.1:${port}${path}`);
  try {
    const text = await run(cmd, (duration + 20) * 1000);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
    const errors = /Socket errors: (.*)/.exec(text)?.[1];
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1];
    if (non2xx) console.error(`  ! port ${port}: ${non2xx} non-2xx responses`);
    if (errors) console.error(`  ! port ${port}: socket errors ${errors}`);
    return rps;
  } finally {
    if (script) await Deno.remove(script);
  }
}

/** Runs curl with `args`, pinned to CPU 1 like wrk. */
function curl(args: string[]): Promise<string> {
  return run(["taskset", "-c", "1", "curl", "-s", ...args], 120_000);
}

async function download(port: number, bytes: number): Promise<number> {
  const text = await curl([
    "-o",
    "/dev/null",
    "-w",
    "%{speed_download} %{size_download}",
    `http://127.0.0.1:${port}/bytes/${bytes}`,
  ]);
  const [speed, size] = text.trim().split(" ").map(Number);
  if (size !== bytes) throw new Error(`download got ${size} of ${bytes} bytes`);
  return speed / 1e6;
}

/** Upload files by size, made once and removed at the end. */
const uploadFiles = new Map<number, string>();
async function upload(port: number, bytes: number): Promise<number> {
  let path = uploadFiles.get(bytes);
  if (path === undefined) {
    path = await Deno.makeTempFile();
    uploadFiles.set(bytes, path);
    const file = await Deno.open(path, { write: true });
    const block = new Uint8Array(1024 * 1024).fill(97);
    for (let i = 0; i < bytes / block.length; i++) await file.write(block);
    file.close();
  }
  const text = await curl([
    "-H",
    "Expect:",
    "-H",
    "Content-Type: application/octet-stream",
    "--data-binary",
    `@${path}`,
    "-w",
    " %{speed_upload}",
    `http://127.0.0.1:${port}/upload`,
  ]);
  const [count, speed] = text.trim().split(" ").map(Number);
  if (count !== bytes) throw new Error(`upload: server counted ${count} of ${bytes} bytes`);
  return speed / 1e6;
}

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
}

/**
 * Server RSS growth per idle keep-alive connection, each having served one request.
 * After the scenario's warm-up (hello traffic), a first batch of 200 idle connections
 * settles the connection path, so the figure is the marginal cost of `count` more.
 */
async function idleMemory(port: number, pid: number, count: number): Promise<number> {
  const request = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const conns: Deno.Conn[] = [];
  const open = async (n: number) => {
    for (let i = 0; i < n; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, n - i) }, async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conns.push(conn);
        await conn.write(request);
        const buf = new Uint8Array(4096);
        let got = "";
        while (!got.includes("Hello, World!")) {
          const read = await conn.read(buf);
          if (read === null) throw new Error("server closed an idle-test connection");
          got += new TextDecoder().decode(buf.subarray(0, read));
        }
      }));
    }
  };
  try {
    await open(200);
    await new Promise((r) => setTimeout(r, 300));
    const before = rssKiB(pid);
    await open(count);
    await new Promise((r) => setTimeout(r, 300));
    return (rssKiB(pid) - before) / count;
  } finally {
    for (const conn of conns) conn.close();
  }
}

const results = new Map<string, Map<string, number[]>>();
const chosen = scenarios.filter((s) => !ONLY || ONLY.includes(s.name));
for (const scenario of chosen) {
  const byServer = new Map<string, number[]>();
  results.set(scenario.name, byServer);
  for (const server of servers) byServer.set(server.name, []);
}

console.error(
  `rounds=${ROUNDS} duration=${DURATION}s warmup=${WARMUP}s scenarios=${chosen.map((s) => s.name)}`,
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const scenario of chosen) {
    // Rotate the start order each round so no server always runs first.
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    for (const server of order) {
      let child: Deno.ChildProcess | undefined;
      try {
        child = await start(server);
        if (WARMUP > 0) await scenario.warm(server.port);
        // taskset execs the server, so the child's pid is the server's own.
        const value = await scenario.run(server.port, child.pid);
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
for (const path of uploadFiles.values()) await Deno.remove(path);

function ratio(scenario: string, a: string, b: string): number {
  const xs = results.get(scenario)!.get(a)!;
  const ys = results.get(scenario)!.get(b)!;
  return median(xs.map((x, i) => x / ys[i]));
}

const has = (name: string) => servers.some((s) => s.name === name);
const columns = [
  ["wire", "wire"],
  ["deno", "Deno.serve"],
  ["node", "node:http"],
  ["wire-base", "wire (baseline)"],
].filter(([name]) => has(name));
const ratios = [["wire", "node"], ["wire", "deno"], ["wire", "wire-base"]]
  .filter(([a, b]) => has(a) && has(b));
const label = (name: string) => name === "wire-base" ? "base" : name;
console.log(
  `\n| scenario | unit | ${columns.map((c) => c[1]).join(" | ")} | ${
    ratios.map(([a, b]) => `${label(a)}/${label(b)}`).join(" | ")
  } |`,
);
console.log(
  `|---|---|${columns.map(() => "---:").join("|")}|${ratios.map(() => "---:").join("|")}|`,
);
for (const scenario of chosen) {
  const m = (name: string) => median(results.get(scenario.name)!.get(name)!);
  const fmt = (v: number) =>
    Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(2)) : "failed";
  console.log(
    `| ${scenario.name} | ${scenario.unit} | ${
      columns.map(([name]) => fmt(m(name))).join(" | ")
    } | ${ratios.map(([a, b]) => fmt(ratio(scenario.name, a, b)) + "x").join(" | ")} |`,
  );
}
console.log(
  `\n${ROUNDS} interleaved rounds of ${DURATION}s per scenario after ${WARMUP}s of warm-up; ` +
    `wrk -t1 on CPU 1, server on CPU 0.`,
);

function start(server: Server): Promise<Deno.ChildProcess> {
  return startPinned(server.name, [...server.cmd, String(server.port)]);
}
