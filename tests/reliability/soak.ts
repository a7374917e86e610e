// `deno task soak`: a long keep-alive soak against serve() in a child process, sampling the
// server's memory (RSS, and the V8 heap after a forced GC), open descriptors and connections.
// Every response is checked (status, length, SHA-256 for bodies). Exits 1 on any error or when
// memory grows past the bounds.
//
//   deno task soak                          100,000 requests, 50 clients
//   deno task soak --requests=1000000 --clients=200 --samples=20
//   deno task soak --json                   one JSON line at the end (used by resources_test.ts)
//
// Flags: --requests=N --clients=N --samples=N --max-body=BYTES --close-every=N (one request
// in N asks for Connection: close, so connections churn) --max-heap-growth-mib=N (heap after
// GC, whole run; default 8) --max-rss-growth-mib=N (RSS over the second half; default 32)
// --seed=N --json. The first 10% (at least 5,000 requests) warm up before the start sample.
// Only 127.0.0.1; bounded by --timeout-s (600).

import { serve } from "../../http/serve.ts";
import { openFds, pick, prng, randomBytes, sha256, within } from "./_fd.ts";
import {
  closeQuietly,
  connectLocal,
  encodeRequest,
  header,
  ResponseReader,
  send,
} from "./_wire.ts";

interface Flags {
  requests: number;
  clients: number;
  samples: number;
  maxBody: number;
  closeEvery: number;
  maxHeapGrowthMib: number;
  maxRssGrowthMib: number;
  seed: number;
  timeoutS: number;
  json: boolean;
  role: "load" | "server";
}

function parseFlags(args: string[]): Flags {
  const flags: Flags = {
    requests: 100_000,
    clients: 50,
    samples: 10,
    maxBody: 64 * 1024,
    closeEvery: 100,
    maxHeapGrowthMib: 8,
    maxRssGrowthMib: 32,
    seed: 0x50a4,
    timeoutS: 600,
    json: false,
    role: "load",
  };
  for (const arg of args) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new TypeError(`Cannot parse flag ${arg}`);
    const [, name, value] = match;
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Flags;
    if (!(key in flags)) throw new TypeError(`Unknown flag --${name}`);
    if (key === "json") flags.json = value !== "false";
    else if (key === "role") flags.role = value === "server" ? "server" : "load";
    else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new RangeError(`--${name} must be a number >= 0`);
      (flags[key] as number) = n;
    }
  }
  return flags;
}

interface MemorySample {
  requests: number;
  rss: number;
  heapUsed: number;
  external: number;
  fds: number;
  connections: number;
}

/** The server side: echo and a memory probe; prints its port, stops on SIGTERM or /__stop. */
function runServer(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  let stop: () => void = () => {};
  const server = serve(async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/__memory") {
      gc?.();
      gc?.();
      const m = Deno.memoryUsage();
      const fds = openFds();
      return Response.json({
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external,
        fds,
        connections: server.connections,
        gc: gc !== undefined,
      });
    }
    if (url.pathname === "/__stop") {
      queueMicrotask(() => stop());
      return new Response("stopping");
    }
    if (request.method === "GET") return new Response("ok");
    const body = new Uint8Array(await request.arrayBuffer());
    return new Response(body, { headers: { "x-sha256": await sha256(body) } });
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  stop = () => void server.shutdown();
  Deno.addSignalListener("SIGTERM", stop);
  server.finished.then(() => Deno.removeSignalListener("SIGTERM", stop));
  console.log(JSON.stringify({ port: (server.addr as Deno.NetAddr).port }));
}

async function probe(port: number, path: string): Promise<Response> {
  const conn = await connectLocal(port);
  try {
    const reader = new ResponseReader(conn);
    await send(conn, encodeRequest({ path, close: true }));
    const response = await within(reader.next(), 30_000, path);
    if (response === null) throw new Error(`No answer to ${path}`);
    return new Response(response.body as Uint8Array<ArrayBuffer>, { status: response.status });
  } finally {
    closeQuietly(conn);
  }
}

async function memory(port: number, requests: number): Promise<MemorySample> {
  const m = await (await probe(port, "/__memory")).json();
  return { requests, ...m };
}

/** Runs the load against a server child; returns the report. */
async function runLoad(flags: Flags) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-run=ls",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      "--role=server",
    ],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  while (!first.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error("The server child exited before printing its port");
    first += value;
  }
  const port = JSON.parse(first.split("\n")[0]).port as number;
  const drain = (async () => {
    while (!(await lines.read()).done) { /* discard */ }
  })();

  const errors: string[] = [];
  const stats = {
    requests: 0,
    gets: 0,
    posts: 0,
    chunked: 0,
    bytesUp: 0,
    bytesDown: 0,
    connections: 0,
  };
  const samples: MemorySample[] = [];
  const started = performance.now();
  try {
    // Warm up, then take the start sample.
    // Warm up (JIT, allocator arenas, buffers) with 10% of the run, at least 5,000 requests.
    await drive(port, Math.max(5_000, Math.floor(flags.requests / 10)), flags, errors, null);
    samples.push(await memory(port, 0));
    const step = Math.max(1, Math.floor(flags.requests / Math.max(1, flags.samples)));
    let done = 0;
    while (done < flags.requests && errors.length === 0) {
      const n = Math.min(step, flags.requests - done);
      await drive(port, n, flags, errors, stats, done);
      done += n;
      samples.push(await memory(port, done));
      if (!flags.json) {
        const s = samples.at(-1)!;
        console.log(
          `${String(done).padStart(9)} requests  rss ${mb(s.rss)} MiB  heap ${
            mb(s.heapUsed)
          } MiB  ` +
            `fds ${s.fds}  connections ${s.connections}`,
        );
      }
    }
  } catch (error) {
    errors.push(String(error));
  } finally {
    try {
      await probe(port, "/__stop");
    } catch {
      child.kill("SIGTERM");
    }
    const status = await within(child.status, 30_000, "the server child to exit").catch(() => {
      child.kill("SIGKILL");
      return child.status;
    });
    await drain;
    if (!status.success) errors.push(`server child exited with ${status.code}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const start = samples[0];
  const end = samples.at(-1)!;
  // Flat memory: the heap after GC may not grow past the bound over the run, and RSS (which
  // also holds allocator arenas that settle over time) may not grow past its bound over the
  // second half of the run.
  const mid = samples[Math.floor(samples.length / 2)];
  if (start && end) {
    if (end.heapUsed - start.heapUsed > flags.maxHeapGrowthMib * 2 ** 20) {
      errors.push(`heap grew by ${mb(end.heapUsed - start.heapUsed)} MiB`);
    }
    if (end.rss - mid.rss > flags.maxRssGrowthMib * 2 ** 20) {
      errors.push(`RSS grew by ${mb(end.rss - mid.rss)} MiB over the second half`);
    }
  }
  const report = {
    seed: flags.seed,
    requests: stats.requests,
    gets: stats.gets,
    posts: stats.posts,
    chunkedUploads: stats.chunked,
    connectionsOpened: stats.connections,
    mibUp: +(stats.bytesUp / 2 ** 20).toFixed(1),
    mibDown: +(stats.bytesDown / 2 ** 20).toFixed(1),
    seconds: +seconds.toFixed(1),
    rssStartMib: start ? +mb(start.rss) : null,
    rssMidMib: mid ? +mb(mid.rss) : null,
    rssEndMib: end ? +mb(end.rss) : null,
    rssPeakMib: samples.length ? +mb(Math.max(...samples.map((s) => s.rss))) : null,
    heapStartMib: start ? +mb(start.heapUsed) : null,
    heapEndMib: end ? +mb(end.heapUsed) : null,
    fdsStart: start?.fds ?? null,
    fdsEnd: end?.fds ?? null,
    errors,
  };
  return report;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** Sends `count` requests over `flags.clients` keep-alive connections, checking each answer. */
async function drive(
  port: number,
  count: number,
  flags: Flags,
  errors: string[],
  stats: {
    requests: number;
    gets: number;
    posts: number;
    chunked: number;
    bytesUp: number;
    bytesDown: number;
    connections: number;
  } | null,
  offset = 0,
): Promise<void> {
  let next = 0;
  const worker = async (w: number) => {
    const random = prng(flags.seed + offset + w);
    let conn: Deno.Conn | null = null;
    let reader: ResponseReader | null = null;
    try {
      while (next < count && errors.length === 0) {
        const n = offset + next++;
        if (conn === null) {
          conn = await connectLocal(port);
          reader = new ResponseReader(conn);
          if (stats) stats.connections++;
        }
        const close = flags.closeEvery > 0 && pick(random, flags.closeEvery) === 0;
        const post = random() < 0.3;
        let want: string | null = null;
        let size = 0;
        let bytes: Uint8Array;
        if (post) {
          size = pick(random, flags.maxBody + 1);
          const body = randomBytes(flags.seed ^ n, size);
          want = await sha256(body);
          const chunked = random() < 0.3;
          bytes = encodeRequest({ method: "POST", path: "/echo", body, chunked, close, random });
          if (stats) {
            stats.posts++;
            stats.bytesUp += size;
            if (chunked) stats.chunked++;
          }
        } else {
          bytes = encodeRequest({ path: "/", close });
          if (stats) stats.gets++;
        }
        await send(conn, bytes);
        const response = await reader!.next();
        if (response === null) {
          errors.push(`request ${n}: connection closed without an answer`);
          break;
        }
        if (stats) {
          stats.requests++;
          stats.bytesDown += response.body.length;
        }
        if (response.status !== 200) errors.push(`request ${n}: status ${response.status}`);
        else if (want !== null) {
          if (
            response.body.length !== size || header(response, "x-sha256") !== want ||
            await sha256(response.body) !== want
          ) {
            errors.push(`request ${n}: echo of ${size} bytes came back as ${response.body.length}`);
          }
        } else if (response.body.length !== 2) errors.push(`request ${n}: bad GET body`);
        if (!response.keepAlive) {
          closeQuietly(conn);
          conn = null;
        }
      }
    } finally {
      if (conn !== null) closeQuietly(conn);
    }
  };
  const workers = [];
  for (let w = 0; w < flags.clients; w++) workers.push(worker(w));
  await Promise.all(workers);
}

if (import.meta.main) {
  const flags = parseFlags(Deno.args);
  if (flags.role === "server") {
    runServer();
  } else {
    if (!flags.json) {
      console.log(
        `soak: ${flags.requests} requests over ${flags.clients} keep-alive clients, bodies up to ` +
          `${flags.maxBody} B, 1 in ${flags.closeEvery} with Connection: close, seed ${flags.seed}`,
      );
    }
    const report = await within(runLoad(flags), flags.timeoutS * 1000, "the soak");
    if (flags.json) console.log(JSON.stringify(report));
    else {
      console.log(
        `soak: ${report.requests} requests (${report.gets} GET, ${report.posts} POST, ` +
          `${report.chunkedUploads} chunked), ${report.mibUp} MiB up, ${report.mibDown} MiB down, ` +
          `${report.connectionsOpened} connections, ${report.seconds} s ` +
          `(${Math.round(report.requests / report.seconds)} req/s)`,
      );
      console.log(
        `server RSS ${report.rssStartMib} -> ${report.rssMidMib} (half-way) -> ${report.rssEndMib} MiB ` +
          `(peak ${report.rssPeakMib}), ` +
          `heap after GC ${report.heapStartMib} -> ${report.heapEndMib} MiB, fds ${report.fdsStart} -> ${report.fdsEnd}`,
      );
      for (const error of report.errors.slice(0, 20)) console.log(`error: ${error}`);
      console.log(
        report.errors.length === 0 ? "soak: PASS" : `soak: FAIL (${report.errors.length} errors)`,
      );
    }
    Deno.exit(report.errors.length === 0 ? 0 : 1);
  }
}
