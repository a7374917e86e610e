/**
 * The "typical app" comparison: the same small API (access log + CORS with credentials
 * + cookies + a router + a JSON body) on Wire's compose()/Router/middleware
 * (bench/_servers/app_wire.ts), on Hono with Deno.serve (app_hono.ts) and on Koa +
 * @koa/router run by node (app_koa.mjs); plus hello world through compose() with and
 * without the access log (app_wire_hello.ts), to price the log.
 *
 *   deno run -A bench/app.ts [--rounds 5] [--duration 3] [--warmup 1] [--only app-get,hello]
 *
 * Every server is pinned to CPU 0 and wrk (-t1, 50 connections) to CPU 1 (taskset);
 * scenarios run in interleaved rounds with the start order rotated; the table reports
 * medians and the median of per-round ratios. Logs go to /dev/null (each framework's
 * own logger, writing to its standard output). Before measuring, each server's answer
 * is checked (status, JSON, CORS and cookie headers), so all serve the same app.
 *
 * Needs wrk and node (20+); installs the Koa packages with npm into a cache folder
 * under the temp directory on first use (`--koa-modules DIR` to use another).
 */

import { median, parseArgs, startPinned, stopServer } from "./_util.ts";

interface Server {
  name: string;
  cmd: string[];
  port: number;
  env?: Record<string, string>;
}

interface Scenario {
  name: string;
  servers: string[];
  path: string;
  lua?: string;
  headers: string[];
  /** Checks one answer before the server is measured. */
  check(port: number): Promise<void>;
}

const args = parseArgs(Deno.args);
const ROUNDS = Number(args.rounds ?? 5);
const DURATION = Number(args.duration ?? 3);
const WARMUP = Number(args.warmup ?? 1);
const ONLY = args.only ? String(args.only).split(",") : null;
const here = new URL(".", import.meta.url).pathname;
const deno = Deno.execPath();

const KOA_PACKAGES = {
  koa: "3.3.0",
  "@koa/router": "15.7.0",
  "@koa/cors": "5.0.0",
  "@koa/bodyparser": "6.1.0",
  "koa-logger": "4.0.0",
};

const ORIGIN = "http://app.test";
const COOKIE = "sid=6f1c9a3e-2b7d-4c1e-9a52-3f8e7d6c5b4a; theme=dark";
const HEADERS = ["-H", `Origin: ${ORIGIN}`, "-H", `Cookie: ${COOKIE}`];
const USER = JSON.stringify({ name: "Ada Lovelace", email: "ada@example.com", tags: ["math"] });
const POST_LUA = `
wrk.method = "POST"
wrk.body = '${USER}'
wrk.headers["Content-Type"] = "application/json"
`;

async function run(cmd: string[], timeoutMs: number, cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed:\n${text}`);
  return text;
}

/** The folder whose node_modules hold the Koa packages, installed with npm if needed. */
async function koaModules(): Promise<string> {
  if (args["koa-modules"]) return String(args["koa-modules"]);
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const tag = Object.values(KOA_PACKAGES).join("-").replaceAll(".", "_");
  const dir = `${tmp}/wire-bench-koa-${tag}`;
  try {
    await Deno.stat(`${dir}/node_modules/koa/package.json`);
    return dir;
  } catch {
    // not installed yet
  }
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/package.json`,
    JSON.stringify({ private: true, dependencies: KOA_PACKAGES }, null, 2),
  );
  console.error(`installing ${Object.keys(KOA_PACKAGES).join(", ")} into ${dir}`);
  await run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], 300_000, dir);
  return dir;
}

async function expectApp(port: number, method: "GET" | "POST"): Promise<void> {
  const url = `http://127.0.0.1:${port}/api/users${method === "GET" ? "/42" : ""}`;
  const response = await fetch(url, {
    method,
    headers: { origin: ORIGIN, cookie: COOKIE, "content-type": "application/json" },
    body: method === "POST" ? USER : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json();
  const problems: string[] = [];
  if (response.status !== (method === "GET" ? 200 : 201)) {
    problems.push(`status ${response.status}`);
  }
  if (response.headers.get("access-control-allow-origin") !== ORIGIN) problems.push("no ACAO");
  if (response.headers.get("access-control-allow-credentials") !== "true") problems.push("no ACAC");
  if (response.headers.get("set-cookie") !== null) problems.push("set a cookie it had");
  if (method === "GET" && (body.id !== "42" || body.session !== COOKIE.slice(4, 40))) {
    problems.push(`body ${JSON.stringify(body)}`);
  }
  if (method === "POST" && (body.id !== 1 || body.name !== "Ada Lovelace")) {
    problems.push(`body ${JSON.stringify(body)}`);
  }
  const fresh = await fetch(`http://127.0.0.1:${port}/api/users/1`, {
    signal: AbortSignal.timeout(10_000),
  });
  await fresh.body?.cancel();
  if (!/^sid=/.test(fresh.headers.get("set-cookie") ?? "")) {
    problems.push("no cookie for a new client");
  }
  if (problems.length > 0) throw new Error(`port ${port} ${method}: ${problems.join(", ")}`);
}

async function expectHello(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    signal: AbortSignal.timeout(10_000),
  });
  if ((await response.text()) !== "Hello, World!") throw new Error(`port ${port}: not hello`);
}

const APP_SERVERS = ["wire", "hono", "koa"];
const scenarios: Scenario[] = [
  {
    name: "app-get",
    servers: APP_SERVERS,
    path: "/api/users/42",
    headers: HEADERS,
    check: (port) => expectApp(port, "GET"),
  },
  {
    name: "app-post",
    servers: APP_SERVERS,
    path: "/api/users",
    lua: POST_LUA,
    headers: HEADERS,
    check: (port) => expectApp(port, "POST"),
  },
  {
    name: "hello",
    servers: ["wire-hello", "wire-hello-pass", "wire-hello-log", "wire-hello-serve-log"],
    path: "/",
    headers: [],
    check: expectHello,
  },
];

async function wrk(port: number, s: Scenario, duration: number): Promise<number> {
  const cmd = ["taskset", "-c", "1", "wrk", "-t1", "-c", "50", "-d", `${duration}s`, ...s.headers];
  let script: string | undefined;
  if (s.lua) {
    script = await Deno.makeTempFile({ suffix: ".lua" });
    await Deno.writeTextFile(script, s.lua);
    cmd.push("-s", script);
  }
  cmd.push(`http://127.0.0.1:${port}${s.path}`);
  try {
    const text = await run(cmd, (duration + 20) * 1000);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
    const errors = /Socket errors: (.*)/.exec(text)?.[1];
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1];
    if (non2xx) throw new Error(`${non2xx} non-2xx responses`);
    if (errors) console.error(`  ! port ${port}: socket errors ${errors}`);
    return rps;
  } finally {
    if (script) await Deno.remove(script);
  }
}

const chosen = scenarios.filter((s) => !ONLY || ONLY.includes(s.name));
const needKoa = chosen.some((s) => s.servers.includes("koa"));
const koaDir = needKoa ? await koaModules() : "";
const servers: Record<string, Server> = {
  wire: { name: "wire", cmd: [deno, "run", "-A", `${here}_servers/app_wire.ts`], port: 18420 },
  hono: { name: "hono", cmd: [deno, "run", "-A", `${here}_servers/app_hono.ts`], port: 18421 },
  koa: {
    name: "koa",
    cmd: ["node", `${here}_servers/app_koa.mjs`],
    port: 18422,
    env: { KOA_MODULES: koaDir, NODE_ENV: "production" },
  },
  "wire-hello": {
    name: "wire-hello",
    cmd: [deno, "run", "-A", `${here}_servers/app_wire_hello.ts`],
    port: 18423,
  },
  "wire-hello-pass": {
    name: "wire-hello-pass",
    cmd: [deno, "run", "-A", `${here}_servers/app_wire_hello.ts`, "--pass"],
    port: 18425,
  },
  "wire-hello-log": {
    name: "wire-hello-log",
    cmd: [deno, "run", "-A", `${here}_servers/app_wire_hello.ts`, "--log"],
    port: 18424,
  },
  "wire-hello-serve-log": {
    name: "wire-hello-serve-log",
    cmd: [deno, "run", "-A", `${here}_servers/app_wire_hello.ts`, "--serve-log"],
    port: 18426,
  },
};

const results = new Map<string, Map<string, number[]>>();
for (const s of chosen) results.set(s.name, new Map(s.servers.map((name) => [name, []])));

console.error(
  `rounds=${ROUNDS} duration=${DURATION}s warmup=${WARMUP}s scenarios=${chosen.map((s) => s.name)}`,
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const scenario of chosen) {
    const order = scenario.servers.map((_, i) =>
      scenario.servers[(i + round) % scenario.servers.length]
    );
    for (const name of order) {
      const base = servers[name];
      // The port goes right after the script, before any flag.
      const server = {
        ...base,
        cmd: [...base.cmd.slice(0, 4), String(base.port), ...base.cmd.slice(4)],
      };
      if (base.cmd[0] === "node") server.cmd = [base.cmd[0], base.cmd[1], String(base.port)];
      let child: Deno.ChildProcess | undefined;
      try {
        child = await start(server);
        await scenario.check(base.port);
        if (WARMUP > 0) await wrk(base.port, scenario, WARMUP);
        const value = await wrk(base.port, scenario, DURATION);
        results.get(scenario.name)!.get(name)!.push(value);
        console.error(`round ${round} ${scenario.name} ${name}: ${value.toFixed(0)} req/s`);
      } catch (error) {
        console.error(`round ${round} ${scenario.name} ${name}: FAILED ${error}`);
        results.get(scenario.name)!.get(name)!.push(NaN);
      } finally {
        if (child) await stopServer(child);
      }
    }
  }
}

function ratio(scenario: string, a: string, b: string): number {
  const xs = results.get(scenario)!.get(a)!;
  const ys = results.get(scenario)!.get(b)!;
  return median(xs.map((x, i) => x / ys[i]));
}

const fmt = (v: number) => Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "failed";
const fx = (v: number) => Number.isFinite(v) ? v.toFixed(2) + "x" : "failed";
const appRows = chosen.filter((s) => s.servers.includes("wire"));
if (appRows.length > 0) {
  console.log(
    "\n| scenario (req/s) | Wire | Hono on Deno.serve | Koa + @koa/router (node) | Wire/Hono | Wire/Koa |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const s of appRows) {
    const m = (name: string) => median(results.get(s.name)!.get(name)!);
    console.log(
      `| ${s.name} | ${fmt(m("wire"))} | ${fmt(m("hono"))} | ${fmt(m("koa"))} | ${
        fx(ratio(s.name, "wire", "hono"))
      } | ${fx(ratio(s.name, "wire", "koa"))} |`,
    );
  }
}
if (chosen.some((s) => s.name === "hello")) {
  const m = (name: string) => median(results.get("hello")!.get(name)!);
  const r = ratio("hello", "wire-hello-log", "wire-hello");
  const pass = ratio("hello", "wire-hello-pass", "wire-hello");
  const serveLog = ratio("hello", "wire-hello-serve-log", "wire-hello");
  const cost = (x: number) => Number.isFinite(x) ? ((1 - x) * 100).toFixed(1) + "%" : "failed";
  console.log(
    "\n| hello through compose() (req/s) | no middleware | async pass-through | logger() | serve({ accessLog }) | logger() cost | accessLog cost | pass-through cost |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| hello | ${fmt(m("wire-hello"))} | ${fmt(m("wire-hello-pass"))} | ${
      fmt(m("wire-hello-log"))
    } | ${fmt(m("wire-hello-serve-log"))} | ${cost(r)} | ${cost(serveLog)} | ${cost(pass)} |`,
  );
}
console.log(
  `\n${ROUNDS} interleaved rounds of ${DURATION}s after ${WARMUP}s of warm-up; wrk -t1 -c50 on CPU 1, server on CPU 0.`,
);

function start(server: Server): Promise<Deno.ChildProcess> {
  return startPinned(server.name, server.cmd, {
    env: server.env,
    readyOn: "stderr",
    timeoutMs: 30_000,
  });
}
