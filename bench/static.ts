/**
 * Static files and compression: Wire's examples/file_server.ts against nginx (apt) and
 * node's serve-static + compression (npm), all serving the same folder on 127.0.0.1.
 * Each server is pinned to CPU 0 and wrk/curl to CPU 1 (taskset), scenarios run in
 * interleaved rounds (the start order rotates), and the table shows medians and the
 * median of per-round ratios.
 *
 *   deno run -A bench/static.ts [--rounds 3] [--duration 3] [--warmup 1]
 *                                [--only small,mid,download256m,gzip100k]
 *                                [--servers wire,nginx,node,wire-base] [--chunk-size BYTES]
 *                                [--baseline DIR]
 *
 * `--baseline DIR` adds "wire-base": examples/file_server.ts of another checkout (e.g.
 * `git worktree add /tmp/before HEAD~1`), in the same interleaved rounds, and a
 * wire/wire-base column.
 *
 * Scenarios: a 1 KiB text file with 50 connections (req/s); a 1 MiB file with 50
 * connections (req/s, and MB/s in the log); a 256 MiB download with curl (MB/s); a
 * 100 KiB JSON file gzipped on the fly, 50 connections (req/s). Every server compresses
 * at gzip level 6 (zlib's default and npm compression's; nginx is set to it) for 1 KiB
 * and more; before measuring, each answer is checked (status, size, content-encoding).
 *
 * Needs wrk, curl, nginx, node and npm (serve-static@2 and compression@1 are installed
 * into ~/.cache/wire-bench-static the first time).
 */

import { median, parseArgs, stopServer } from "./_util.ts";

interface Server {
  name: string;
  /** Starts the server on `port` serving `root`; resolves once it accepts connections. */
  start(port: number): Promise<Deno.ChildProcess>;
  port: number;
}

interface Scenario {
  name: string;
  unit: string;
  warm(port: number): Promise<unknown>;
  run(port: number): Promise<number>;
}

const args = parseArgs(Deno.args);
const ROUNDS = Number(args.rounds ?? 3);
const DURATION = Number(args.duration ?? 3);
const WARMUP = Number(args.warmup ?? 1);
const ONLY = args.only ? String(args.only).split(",") : null;
const ONLY_SERVERS = args.servers ? String(args.servers).split(",") : null;
const here = new URL(".", import.meta.url).pathname;
const repo = new URL("..", import.meta.url).pathname;
const deno = Deno.execPath();
const BIG_BYTES = 256 * 1024 * 1024;
const MID_BYTES = 1024 * 1024;

async function run(
  cmd: string[],
  timeoutMs: number,
  env?: Record<string, string>,
): Promise<string> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    env,
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed:\n${text}`);
  return text;
}

// ---- the folder -------------------------------------------------------------------

const root = await Deno.makeTempDir({ prefix: "wire-static-bench-" });
const work = await Deno.makeTempDir({ prefix: "wire-static-bench-run-" });
// nginx's worker runs as an unprivileged user when started by root: it must read the files.
await Deno.chmod(root, 0o755);
{
  let text = "";
  while (text.length < 1024) text += "Wire serves static files. 0123456789 abcdefghij\n";
  await Deno.writeTextFile(`${root}/small.txt`, text.slice(0, 1024));
  const mid = new Uint8Array(MID_BYTES);
  for (let i = 0; i < mid.length; i += 65536) crypto.getRandomValues(mid.subarray(i, i + 65536));
  await Deno.writeFile(`${root}/mid.bin`, mid);
  const big = await Deno.open(`${root}/big.bin`, { write: true, create: true });
  for (let i = 0; i < BIG_BYTES / MID_BYTES; i++) {
    mid[0] = i; // not one block repeated
    let n = 0;
    while (n < mid.length) n += await big.write(mid.subarray(n));
  }
  big.close();
  const rows = [];
  for (let i = 0; rows.join(",").length < 100 * 1024; i++) {
    rows.push(
      JSON.stringify({ id: i, name: `item ${i}`, tags: ["static", "gzip"], price: i * 1.25 }),
    );
  }
  await Deno.writeTextFile(
    `${root}/data.json`,
    `[${rows.join(",")}]`.slice(0, 100 * 1024 - 1) + "]",
  );
}
// The JSON above is cut to 100 KiB; nothing parses it, the bytes are what count.

// ---- the servers ------------------------------------------------------------------

async function waitForPort(port: number, child: Deno.ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      if (Date.now() > deadline) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        throw new Error(`${name} did not start`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function spawn(cmd: string[], env?: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command("taskset", {
    args: ["-c", "0", ...cmd],
    stdout: "null",
    stderr: "inherit",
    env,
  }).spawn();
}

const NODE_MODULES = `${Deno.env.get("HOME") ?? "/tmp"}/.cache/wire-bench-static`;
async function ensureNodeModules(): Promise<void> {
  try {
    await Deno.stat(`${NODE_MODULES}/node_modules/serve-static/package.json`);
    await Deno.stat(`${NODE_MODULES}/node_modules/compression/package.json`);
    return;
  } catch { /* install below */ }
  await Deno.mkdir(NODE_MODULES, { recursive: true });
  console.error(`installing serve-static@2 and compression@1 into ${NODE_MODULES}`);
  await run([
    "npm",
    "install",
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--prefix",
    NODE_MODULES,
    "serve-static@2",
    "compression@1",
  ], 180_000);
}

function nginxConfig(port: number): string {
  const temp = `${work}/nginx`;
  return `
daemon off;
worker_processes 1;
pid ${temp}/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  gzip on;
  gzip_comp_level 6;
  gzip_min_length 1024;
  gzip_types text/plain application/json;
  etag on;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`;
}

const CHUNK_SIZE = args["chunk-size"];
const BASELINE = args.baseline ? String(args.baseline).replace(/\/?$/, "/") : null;

/** Wire's file server from the checkout at `checkout` (ends with "/"). */
function wireServer(name: string, port: number, checkout: string): Server {
  return {
    name,
    port,
    async start(port) {
      const cmd = [
        deno,
        "run",
        "-A",
        `${checkout}examples/file_server.ts`,
        "--root",
        root,
        "--port",
        String(port),
      ];
      if (CHUNK_SIZE) cmd.push("--chunk-size", CHUNK_SIZE);
      const child = spawn(cmd);
      await waitForPort(port, child, name);
      return child;
    },
  };
}

const allServers: Server[] = [
  wireServer("wire", 18501, repo),
  ...(BASELINE === null ? [] : [wireServer("wire-base", 18504, BASELINE)]),
  {
    name: "nginx",
    port: 18502,
    async start(port) {
      await Deno.mkdir(`${work}/nginx`, { recursive: true });
      const conf = `${work}/nginx/nginx.conf`;
      await Deno.writeTextFile(conf, nginxConfig(port));
      const nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => {
        try {
          return Deno.statSync(p).isFile;
        } catch {
          return false;
        }
      }) ?? "nginx";
      const child = spawn([nginx, "-e", "stderr", "-p", `${work}/nginx`, "-c", conf]);
      await waitForPort(port, child, "nginx");
      return child;
    },
  },
  {
    name: "node",
    port: 18503,
    async start(port) {
      await ensureNodeModules();
      const child = spawn(["node", `${here}_servers/static_node.mjs`, root, String(port)], {
        WIRE_NODE_MODULES: `${NODE_MODULES}/node_modules`,
      });
      await waitForPort(port, child, "node");
      return child;
    },
  },
];
const servers = allServers.filter((s) => !ONLY_SERVERS || ONLY_SERVERS.includes(s.name));

// ---- the load -----------------------------------------------------------------------

async function wrk(
  port: number,
  path: string,
  headers: string[],
  duration: number,
): Promise<number> {
  const cmd = ["taskset", "-c", "1", "wrk", "-t1", "-c50", "-d", `${duration}s`];
  for (const header of headers) cmd.push("-H", header);
  cmd.push(`http://127.0.0.1:${port}${path}`);
  const text = await run(cmd, (duration + 20) * 1000);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const errors = /Socket errors: (.*)/.exec(text)?.[1];
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1];
  if (non2xx) console.error(`  ! port ${port}: ${non2xx} non-2xx responses`);
  if (errors) console.error(`  ! port ${port}: socket errors ${errors}`);
  return rps;
}

function curl(list: string[]): Promise<string> {
  return run(["taskset", "-c", "1", "curl", "-s", ...list], 120_000);
}

/** Checks one answer: status 200, the body size, and the content-encoding. */
async function check(port: number, path: string, size: number, gzip: boolean): Promise<void> {
  const extra = gzip ? ["-H", "Accept-Encoding: gzip"] : [];
  const text = await curl([
    ...extra,
    "-o",
    "/dev/null",
    "-D",
    "-",
    "-w",
    "\nSIZE %{size_download} %{http_code}",
    `http://127.0.0.1:${port}${path}`,
  ]);
  const [, got, status] = /SIZE (\d+) (\d+)/.exec(text) ?? [];
  const encoding = /content-encoding: *(\S+)/i.exec(text)?.[1] ?? "identity";
  if (status !== "200") throw new Error(`${path} on ${port}: status ${status}`);
  if (gzip) {
    if (encoding !== "gzip") throw new Error(`${path} on ${port}: not gzipped (${encoding})`);
  } else if (Number(got) !== size) {
    throw new Error(`${path} on ${port}: ${got} bytes, not ${size}`);
  }
}

function rate(path: string, size: number, headers: string[] = []): Scenario["run"] {
  return async (port) => {
    await check(port, path, size, headers.length > 0);
    return await wrk(port, path, headers, DURATION);
  };
}

const GZIP = ["Accept-Encoding: gzip"];
const scenarios: Scenario[] = [
  {
    name: "small",
    unit: "req/s",
    warm: (port) => wrk(port, "/small.txt", [], WARMUP),
    run: rate("/small.txt", 1024),
  },
  {
    name: "mid",
    unit: "req/s",
    warm: (port) => wrk(port, "/mid.bin", [], WARMUP),
    run: rate("/mid.bin", MID_BYTES),
  },
  {
    name: "download256m",
    unit: "MB/s",
    warm: (port) => download(port, "/mid.bin", MID_BYTES),
    run: (port) => download(port, "/big.bin", BIG_BYTES),
  },
  {
    name: "gzip100k",
    unit: "req/s",
    warm: (port) => wrk(port, "/data.json", GZIP, WARMUP),
    run: rate("/data.json", 100 * 1024, GZIP),
  },
];

async function download(port: number, path: string, bytes: number): Promise<number> {
  const text = await curl([
    "-o",
    "/dev/null",
    "-w",
    "%{speed_download} %{size_download}",
    `http://127.0.0.1:${port}${path}`,
  ]);
  const [speed, size] = text.trim().split(" ").map(Number);
  if (size !== bytes) throw new Error(`download got ${size} of ${bytes} bytes`);
  return speed / 1e6;
}

// ---- the rounds -----------------------------------------------------------------------

const chosen = scenarios.filter((s) => !ONLY || ONLY.includes(s.name));
const results = new Map<string, Map<string, number[]>>();
for (const scenario of chosen) {
  results.set(scenario.name, new Map(servers.map((s) => [s.name, [] as number[]])));
}
console.error(
  `rounds=${ROUNDS} duration=${DURATION}s warmup=${WARMUP}s scenarios=${chosen.map((s) => s.name)}`,
);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const scenario of chosen) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length]);
      for (const server of order) {
        let child: Deno.ChildProcess | undefined;
        try {
          child = await server.start(server.port);
          if (WARMUP > 0) await scenario.warm(server.port);
          const value = await scenario.run(server.port);
          results.get(scenario.name)!.get(server.name)!.push(value);
          const extra = scenario.name === "mid"
            ? ` (${(value * MID_BYTES / 1e6).toFixed(0)} MB/s)`
            : "";
          console.error(
            `round ${round} ${scenario.name} ${server.name}: ${
              value.toFixed(1)
            } ${scenario.unit}${extra}`,
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
} finally {
  await Deno.remove(root, { recursive: true });
  await Deno.remove(work, { recursive: true });
}

function ratio(scenario: string, a: string, b: string): number {
  const xs = results.get(scenario)!.get(a)!;
  const ys = results.get(scenario)!.get(b)!;
  return median(xs.map((x, i) => x / ys[i]));
}

const has = (name: string) => servers.some((s) => s.name === name);
const columns = [
  ["wire", "Wire"],
  ["wire-base", "Wire (baseline)"],
  ["nginx", "nginx"],
  ["node", "serve-static"],
].filter(([name]) => has(name));
const ratios = [["wire", "nginx"], ["wire", "node"], ["wire", "wire-base"], [
  "wire-base",
  "nginx",
]].filter(([a, b]) => has(a) && has(b));
const fmt = (v: number) =>
  Number.isFinite(v) ? (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2)) : "failed";
console.log(
  `\n| scenario | unit | ${columns.map((c) => c[1]).join(" | ")} | ${
    ratios.map(([a, b]) => `${a}/${b}`).join(" | ")
  } |`,
);
console.log(
  `|---|---|${columns.map(() => "---:").join("|")}|${ratios.map(() => "---:").join("|")}|`,
);
for (const scenario of chosen) {
  const m = (name: string) => median(results.get(scenario.name)!.get(name)!);
  console.log(
    `| ${scenario.name} | ${scenario.unit} | ${
      columns.map(([name]) => fmt(m(name))).join(" | ")
    } | ${ratios.map(([a, b]) => fmt(ratio(scenario.name, a, b)) + "x").join(" | ")} |`,
  );
}
console.log(
  `\n${ROUNDS} interleaved rounds of ${DURATION}s per scenario after ${WARMUP}s of warm-up; ` +
    `wrk -t1 -c50 (curl for the download) on CPU 1, each server on CPU 0.`,
);
