/**
 * Client benchmark: Wire's Client against Deno's fetch, Node's fetch (undici) and
 * node:http.request with a keep-alive Agent, all talking to one node:http server on
 * 127.0.0.1. Scenarios: sequential small GETs, 64 concurrent small GETs, a 256 MiB
 * download and a 64 MiB streamed upload; then the GETs and the download again through a
 * forward proxy on 127.0.0.1 (nginx taking absolute-form requests, with keep-alive
 * upstream connections, when it is installed; else the node:http proxy in
 * bench/_client_proxy.mjs; `--proxy=node` picks that one), for
 * Wire, Deno's fetch (`Deno.createHttpClient({ proxy })`) and node:http (absolute-form
 * requests to the proxy; Node 20's fetch has no proxy support). Rounds are interleaved
 * (every client once per round) and bounded; the table shows medians, with ratios of
 * Wire to each peer, and each client's proxied rate against its direct one.
 *
 * Run: deno task bench:client  [--rounds=3] [--ms=1000] [--proxy=nginx|node]
 *
 * @module
 */
import { Client } from "../http/client.ts";
import { nginxAvailable, startNginx } from "../tests/reliability/_nginx.ts";

const args = new Map(
  Deno.args.filter((a) => a.startsWith("--")).map((a) => {
    const [k, v] = a.slice(2).split("=");
    return [k, v ?? "true"] as const;
  }),
);
const ROUNDS = Math.min(Number(args.get("rounds") ?? 3), 10);
/** Length of each request-rate scenario, per client per round (bounded to 3 s). */
const MS = Math.min(Number(args.get("ms") ?? 1000), 3000);
const DOWNLOAD_BYTES = 256 * 1024 * 1024;
const UPLOAD_BYTES = 64 * 1024 * 1024;
const UPLOAD_CHUNK = 64 * 1024;
const CONCURRENCY = 64;

const SERVER_JS = `
const http = require("node:http");
const small = Buffer.from("hello world");
const chunk = Buffer.alloc(1 << 20, 97);
const server = http.createServer((req, res) => {
  if (req.url === "/small") {
    res.writeHead(200, { "content-type": "text/plain", "content-length": small.length });
    res.end(small);
    return;
  }
  if (req.url.startsWith("/big")) {
    const total = Number(req.url.slice(5));
    res.writeHead(200, { "content-length": total });
    let sent = 0;
    const write = () => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once("drain", write);
          return;
        }
      }
      res.end();
    };
    write();
    return;
  }
  if (req.url === "/upload") {
    let n = 0;
    req.on("data", (d) => n += d.length);
    req.on("end", () => res.end(String(n)));
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

const NODE_CLIENT_JS = `
const http = require("node:http");
const [mode, scenario, port, ms, bytes, chunkSize] = process.argv.slice(1);
const base = "http://127.0.0.1:" + port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxyPort = Number(process.env.WIRE_BENCH_PROXY_PORT || 0);
function get(path) {
  if (mode === "http" && scenario.endsWith("-proxy")) {
    return new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: proxyPort, path: base + path, agent }, (res) => {
        let n = 0;
        res.on("data", (d) => n += d.length);
        res.on("end", () => resolve(n));
        res.on("error", reject);
      }).on("error", reject);
    });
  }
  if (mode === "undici") {
    return fetch(base + path).then(async (r) => {
      let n = 0;
      for await (const c of r.body) n += c.length;
      return n;
    });
  }
  return new Promise((resolve, reject) => {
    http.get(base + path, { agent }, (res) => {
      let n = 0;
      res.on("data", (d) => n += d.length);
      res.on("end", () => resolve(n));
      res.on("error", reject);
    }).on("error", reject);
  });
}
function upload(total, size) {
  const chunk = Buffer.alloc(size, 98);
  if (mode === "undici") {
    let sent = 0;
    const body = new ReadableStream({
      pull(c) {
        if (sent >= total) return c.close();
        sent += size;
        c.enqueue(new Uint8Array(chunk));
      },
    });
    return fetch(base + "/upload", { method: "POST", body, duplex: "half" }).then((r) => r.text());
  }
  return new Promise((resolve, reject) => {
    const req = http.request(base + "/upload", { method: "POST", agent }, (res) => {
      let text = "";
      res.on("data", (d) => text += d);
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    let sent = 0;
    const write = () => {
      while (sent < total) {
        sent += size;
        if (!req.write(chunk)) return req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}
async function main() {
  // Warm up in this process first (a fresh node's fetch runs 3-5x slower in its first
  // second), then measure.
  const warm = performance.now();
  while (performance.now() - warm < ms) await get("/small");
  if (scenario.startsWith("download")) await get("/big/" + (16 << 20));
  if (scenario === "upload") await upload(8 << 20, Number(chunkSize));
  const start = performance.now();
  let ops = 0, moved = 0;
  if (scenario.startsWith("seq")) {
    while (performance.now() - start < ms) { await get("/small"); ops++; }
  } else if (scenario.startsWith("conc")) {
    await Promise.all(Array.from({ length: ${CONCURRENCY} }, async () => {
      while (performance.now() - start < ms) { await get("/small"); ops++; }
    }));
  } else if (scenario.startsWith("download")) {
    moved = await get("/big/" + bytes); ops = 1;
  } else {
    const text = await upload(Number(bytes), Number(chunkSize));
    moved = Number(text); ops = 1;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ ops, bytes: moved, seconds }));
  agent.destroy();
}
main().catch((e) => { console.error(e); process.exit(1); });
`;

interface Result {
  ops: number;
  bytes: number;
  seconds: number;
}

type Scenario =
  | "seq"
  | "conc"
  | "download"
  | "upload"
  | "seq-proxy"
  | "conc-proxy"
  | "download-proxy";
const SCENARIOS: Scenario[] = [
  "seq",
  "conc",
  "download",
  "upload",
  "seq-proxy",
  "conc-proxy",
  "download-proxy",
];
const CLIENTS = ["wire", "deno fetch", "undici", "node:http"] as const;
type ClientName = typeof CLIENTS[number];
/** The clients of a scenario: Node 20's fetch cannot use a proxy. */
function clientsOf(scenario: Scenario): readonly ClientName[] {
  return scenario.endsWith("-proxy") ? CLIENTS.filter((c) => c !== "undici") : CLIENTS;
}

// ----------------------------------------------------------------------------- server

const serverProcess = new Deno.Command("node", {
  args: ["-e", SERVER_JS],
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const serverStdin = serverProcess.stdin.getWriter();
const portLine = await (async () => {
  const reader = serverProcess.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("Cannot start the node:http server: it exited");
    text += value;
  }
  reader.releaseLock();
  return text.trim();
})();
const port = Number(portLine);
const base = `http://127.0.0.1:${port}`;

/** The forward proxy: nginx (fast, so the clients' own costs show) or a node one. */
const PROXY = args.get("proxy") ?? (nginxAvailable() ? "nginx" : "node");
const nginx = PROXY === "nginx"
  ? await startNginx({ upstreamPort: port, upstreamKeepalive: 64 })
  : null;
const proxyProcess = nginx !== null ? null : new Deno.Command("node", {
  args: [new URL("./_client_proxy.mjs", import.meta.url).pathname],
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const proxyStdin = proxyProcess?.stdin.getWriter();
const proxyPort = nginx !== null ? nginx.port : await (async () => {
  const reader = proxyProcess!.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("Cannot start the proxy: it exited");
    text += value;
  }
  reader.releaseLock();
  return Number(text.trim());
})();
const proxyUrl = `http://127.0.0.1:${proxyPort}`;

// ----------------------------------------------------------------------------- in-process clients

const wire = new Client();
const wireProxied = new Client({ proxy: proxyUrl });
const denoClient = { fetch: (input: string, init?: RequestInit) => fetch(input, init) };
const denoProxyClient = Deno.createHttpClient({ proxy: { url: proxyUrl } });
const denoProxied = {
  fetch: (input: string, init?: RequestInit) =>
    fetch(input, { ...init, client: denoProxyClient } as RequestInit),
};

async function drain(response: Response): Promise<number> {
  let n = 0;
  for await (const chunk of response.body!) n += chunk.length;
  return n;
}

async function getSmall(f: (input: string) => Promise<Response>): Promise<void> {
  const response = await f(`${base}/small`);
  await response.arrayBuffer();
}

function uploadStream(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(UPLOAD_CHUNK).fill(98);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= UPLOAD_BYTES) return controller.close();
      sent += UPLOAD_CHUNK;
      controller.enqueue(chunk.slice());
    },
  }, { highWaterMark: 0 });
}

async function runInProcess(
  f: (input: string, init?: RequestInit) => Promise<Response>,
  scenario: Scenario,
): Promise<Result> {
  await getSmall(f);
  const start = performance.now();
  let ops = 0;
  let bytes = 0;
  if (scenario.startsWith("seq")) {
    while (performance.now() - start < MS) {
      await getSmall(f);
      ops++;
    }
  } else if (scenario.startsWith("conc")) {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() - start < MS) {
        await getSmall(f);
        ops++;
      }
    }));
  } else if (scenario.startsWith("download")) {
    bytes = await drain(await f(`${base}/big/${DOWNLOAD_BYTES}`));
    ops = 1;
  } else {
    const response = await f(`${base}/upload`, { method: "POST", body: uploadStream() });
    bytes = Number(await response.text());
    ops = 1;
  }
  return { ops, bytes, seconds: (performance.now() - start) / 1000 };
}

async function runNode(mode: "undici" | "http", scenario: Scenario): Promise<Result> {
  const bytes = scenario.startsWith("download") ? DOWNLOAD_BYTES : UPLOAD_BYTES;
  const output = await new Deno.Command("node", {
    args: [
      "-e",
      NODE_CLIENT_JS,
      mode,
      scenario,
      String(port),
      String(MS),
      String(bytes),
      String(UPLOAD_CHUNK),
    ],
    stdout: "piped",
    stderr: "piped",
    env: { WIRE_BENCH_PROXY_PORT: String(proxyPort) },
    signal: AbortSignal.timeout(60_000),
  }).output();
  if (!output.success) {
    throw new Error(`node ${mode} ${scenario} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

function run(client: ClientName, scenario: Scenario): Promise<Result> {
  const proxied = scenario.endsWith("-proxy");
  switch (client) {
    case "wire": {
      const target = proxied ? wireProxied : wire;
      return runInProcess((input, init) => target.fetch(input, init), scenario);
    }
    case "deno fetch":
      return runInProcess(proxied ? denoProxied.fetch : denoClient.fetch, scenario);
    case "undici":
      return runNode("undici", scenario);
    case "node:http":
      return runNode("http", scenario);
  }
}

function rate(scenario: Scenario, r: Result): number {
  return scenario.startsWith("seq") || scenario.startsWith("conc")
    ? r.ops / r.seconds
    : r.bytes / r.seconds / 1e6;
}

const results = new Map<string, number[]>();
try {
  console.log(
    `node:http server on ${base}, ${PROXY} proxy on ${proxyUrl}; ${ROUNDS} interleaved rounds, ` +
      `${MS} ms per rate run, ` +
      `${DOWNLOAD_BYTES >> 20} MiB download, ${UPLOAD_BYTES >> 20} MiB upload`,
  );
  // Warm-up (not recorded): JIT for the in-process clients, connections for all.
  for (const scenario of ["seq", "conc", "seq-proxy"] as const) {
    for (const client of ["wire", "deno fetch"] as const) await run(client, scenario);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const scenario of SCENARIOS) {
      // Rotate the order each round so no client always runs first.
      const clients = clientsOf(scenario);
      for (let i = 0; i < clients.length; i++) {
        const client = clients[(i + round) % clients.length];
        const r = await run(client, scenario);
        if (
          (scenario.startsWith("download") && r.bytes !== DOWNLOAD_BYTES) ||
          (scenario === "upload" && r.bytes !== UPLOAD_BYTES)
        ) {
          throw new Error(`${client} ${scenario} moved ${r.bytes} bytes`);
        }
        const key = `${scenario}|${client}`;
        results.set(key, [...(results.get(key) ?? []), rate(scenario, r)]);
      }
    }
    console.log(`round ${round + 1}/${ROUNDS} done`);
  }
} finally {
  await wire.close();
  await wireProxied.close();
  denoProxyClient.close();
  await serverStdin.close();
  await serverProcess.status;
  await proxyStdin?.close();
  await proxyProcess?.status;
  await nginx?.stop();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const labels: Record<Scenario, string> = {
  seq: "sequential small GET (req/s)",
  conc: `${CONCURRENCY} concurrent small GET (req/s)`,
  download: `${DOWNLOAD_BYTES >> 20} MiB download (MB/s)`,
  upload: `${UPLOAD_BYTES >> 20} MiB streamed upload (MB/s)`,
  "seq-proxy": "sequential small GET via proxy (req/s)",
  "conc-proxy": `${CONCURRENCY} concurrent small GET via proxy (req/s)`,
  "download-proxy": `${DOWNLOAD_BYTES >> 20} MiB download via proxy (MB/s)`,
};
const rows: string[][] = [[
  "scenario",
  ...CLIENTS,
  "wire/deno",
  "wire/undici",
  "wire/node:http",
]];
const medians = new Map<string, number>();
for (const scenario of SCENARIOS) {
  const m = Object.fromEntries(
    CLIENTS.map((c) => {
      const values = results.get(`${scenario}|${c}`);
      return [c, values === undefined ? NaN : median(values)];
    }),
  ) as Record<ClientName, number>;
  for (const c of CLIENTS) medians.set(`${scenario}|${c}`, m[c]);
  const cell = (value: number, digits = 0, suffix = "") =>
    Number.isNaN(value) ? "n/a" : value.toFixed(digits) + suffix;
  rows.push([
    labels[scenario],
    ...CLIENTS.map((c) => cell(m[c])),
    cell(m.wire / m["deno fetch"], 2, "x"),
    cell(m.wire / m.undici, 2, "x"),
    cell(m.wire / m["node:http"], 2, "x"),
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
console.log("\nproxied rate / direct rate:");
for (const scenario of ["seq", "conc", "download"] as const) {
  const parts = (["wire", "deno fetch", "node:http"] as const).map((c) =>
    `${c} ${
      (medians.get(`${scenario}-proxy|${c}`)! / medians.get(`${scenario}|${c}`)!).toFixed(2)
    }x`
  );
  console.log(`  ${labels[scenario]}: ${parts.join(", ")}`);
}
