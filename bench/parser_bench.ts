// Parser throughput: Wire's Parser against npm:http-parser-js (the pure-JS parser Node
// users swap in), request mode, on four workloads. One parser per workload is reused
// across iterations, as on a keep-alive connection. Each iteration parses the whole
// workload and touches what a server reads (method, target, headers, body bytes).
//
//   deno bench -A bench/parser_bench.ts
//
// ns/message = time/iter divided by the messages per iteration (named in each group);
// MB/s = bytes per iteration (also named) / time per iteration.
//
//   deno run -A bench/parser_bench.ts --ab
//
// runs the same workloads as an interleaved A/B instead (both parsers alternating in one
// process, best of 10 rounds) and prints ns/message, MB/s and the ratio: steadier than
// averages on a shared, loaded machine.
//
//   deno run -A bench/parser_bench.ts --ab --baseline DIR
//
// compares this tree's Parser ("after") with the one of another checkout of Wire in DIR
// ("before", e.g. a `git worktree` of the commit before a change) on the same workloads:
// interleaved rounds of about 50 ms each (best of 10), both parsers driven by identical
// loops, and prints ns/message for both and the ratio before/after (above 1.00x: this
// tree is faster). DIR/http/parser.ts must export `Parser`; its PARSE_* events come from
// that module when it exports them (older trees), else from DIR/http/parse_event.ts, else
// this tree's values are assumed. A tree against a copy of itself reads 0.98x-1.02x on a
// shared 2-core machine: repeat a run (or take the median of several) before trusting
// a difference of a few percent.

import { Buffer } from "node:buffer";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HTTPParser } from "npm:http-parser-js@0.5.10";
import { PARSE_BODY, PARSE_END, PARSE_HEAD, PARSE_NEED_MORE } from "../http/parse_event.ts";
import { Parser } from "../http/parser.ts";

const encoder = new TextEncoder();

const GET_5 = "GET /api/users/42?fields=name,email HTTP/1.1\r\n" +
  "Host: api.example.com\r\n" +
  "User-Agent: curl/8.5.0\r\n" +
  "Accept: */*\r\n" +
  "Accept-Encoding: gzip, deflate\r\n" +
  "Connection: keep-alive\r\n\r\n";

const GET_15 = "GET /index.html HTTP/1.1\r\n" +
  "Host: www.example.com\r\n" +
  "Connection: keep-alive\r\n" +
  "Cache-Control: max-age=0\r\n" +
  'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"\r\n' +
  "sec-ch-ua-mobile: ?0\r\n" +
  'sec-ch-ua-platform: "Linux"\r\n' +
  "Upgrade-Insecure-Requests: 1\r\n" +
  "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
  "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
  "Sec-Fetch-Site: none\r\n" +
  "Sec-Fetch-Mode: navigate\r\n" +
  "Sec-Fetch-User: ?1\r\n" +
  "Sec-Fetch-Dest: document\r\n" +
  "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
  "Accept-Language: en-US,en;q=0.9\r\n\r\n";

let pipelined = "";
for (let i = 0; i < 16; i++) {
  pipelined += `GET /items/${i} HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: bench\r\n` +
    "Accept: application/json\r\n\r\n";
}

// 64 KiB body in 16 chunks of 4 KiB.
const CHUNK = 4096;
let chunkedPost = "POST /upload HTTP/1.1\r\nHost: api.example.com\r\n" +
  "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
for (let i = 0; i < 16; i++) {
  chunkedPost += CHUNK.toString(16) + "\r\n" + String.fromCharCode(97 + i).repeat(CHUNK) + "\r\n";
}
chunkedPost += "0\r\n\r\n";

interface Workload {
  name: string;
  text: string;
  messages: number;
}

const WORKLOADS: Workload[] = [
  { name: "5-header GET", text: GET_5, messages: 1 },
  { name: "15-header browser GET", text: GET_15, messages: 1 },
  { name: "16 pipelined GETs", text: pipelined, messages: 16 },
  { name: "64 KiB chunked POST", text: chunkedPost, messages: 1 },
];

let sink = 0;

function wire(bytes: Uint8Array): () => void {
  const parser = new Parser({ mode: "request" });
  return () => {
    let pos = 0;
    for (;;) {
      const event = parser.execute(bytes, pos, bytes.length);
      pos = parser.offset;
      if (event === PARSE_NEED_MORE) break;
      if (event === PARSE_HEAD) {
        sink += parser.method.length + parser.target.length + parser.headers.length;
      } else if (event === PARSE_BODY) {
        sink += parser.bodyEnd - parser.bodyStart;
      } else if (event === PARSE_END) {
        sink++;
      } else {
        throw parser.error ?? new Error(`event ${event}`);
      }
    }
  };
}

function httpParserJs(bytes: Buffer): () => void {
  // deno-lint-ignore no-explicit-any
  const parser: any = new HTTPParser(HTTPParser.REQUEST);
  parser[HTTPParser.kOnHeadersComplete] = (
    info: { method: number; url: string; headers: string[] },
  ) => {
    sink += info.method + info.url.length + info.headers.length;
  };
  parser[HTTPParser.kOnBody] = (_chunk: Buffer, _offset: number, length: number) => {
    sink += length;
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    sink++;
  };
  return () => {
    const result = parser.execute(bytes);
    if (result instanceof Error) throw result;
  };
}

for (const workload of WORKLOADS) {
  const bytes = encoder.encode(workload.text);
  const group = `${workload.name} (${bytes.length} B, ${workload.messages} message${
    workload.messages > 1 ? "s" : ""
  } per iteration)`;
  Deno.bench({
    name: `http-parser-js: ${workload.name}`,
    group,
    baseline: true,
    fn: httpParserJs(Buffer.from(bytes)),
  });
  Deno.bench({ name: `Wire Parser: ${workload.name}`, group, fn: wire(bytes) });
}

function interleaved(): void {
  for (const workload of WORKLOADS) {
    const bytes = encoder.encode(workload.text);
    const runs = [httpParserJs(Buffer.from(bytes)), wire(bytes)];
    const best = [Infinity, Infinity];
    const iterations = Math.max(2_000, Math.floor(20_000_000 / bytes.length));
    for (let round = 0; round < 12; round++) {
      for (let k = 0; k < runs.length; k++) {
        const started = performance.now();
        for (let i = 0; i < iterations; i++) runs[k]();
        const ns = (performance.now() - started) / iterations * 1e6;
        if (round >= 2 && ns < best[k]) best[k] = ns;
      }
    }
    const [theirs, ours] = best;
    const perMessage = (ns: number) => (ns / workload.messages).toFixed(0);
    console.log(
      `${workload.name.padEnd(24)} Wire ${perMessage(ours)} ns/message, ` +
        `${(bytes.length / ours * 1e3).toFixed(0)} MB/s | http-parser-js ${perMessage(theirs)} ` +
        `ns/message, ${(bytes.length / theirs * 1e3).toFixed(0)} MB/s | ${
          (theirs / ours).toFixed(2)
        }x`,
    );
  }
}

/** The events a baseline tree's parser reports, with this tree's values as the fallback. */
interface Events {
  head: number;
  body: number;
  end: number;
  needMore: number;
}

/** This tree's events. */
const OUR_EVENTS: Events = {
  head: PARSE_HEAD,
  body: PARSE_BODY,
  end: PARSE_END,
  needMore: PARSE_NEED_MORE,
};

/** A parser class (of either tree): only what the runners below touch. */
type ParserClass = new (options: { mode: "request" }) => {
  execute(data: Uint8Array, start: number, end: number): number;
  offset: number;
  method: string;
  target: string;
  headers: string[];
  bodyStart: number;
  bodyEnd: number;
  error: Error | null;
};

async function loadBaseline(dir: string): Promise<{ Before: ParserClass; events: Events }> {
  const url = (path: string) => pathToFileURL(resolve(dir, path)).href;
  const module = await import(url("http/parser.ts"));
  if (typeof module.Parser !== "function") {
    throw new TypeError(`Cannot load the baseline: ${dir}/http/parser.ts exports no Parser`);
  }
  let source: Record<string, unknown> = module;
  if (typeof module.PARSE_HEAD !== "number") {
    try {
      source = await import(url("http/parse_event.ts"));
    } catch {
      source = {};
    }
  }
  const event = (name: string, fallback: number) =>
    typeof source[name] === "number" ? source[name] as number : fallback;
  return {
    Before: module.Parser,
    events: {
      head: event("PARSE_HEAD", PARSE_HEAD),
      body: event("PARSE_BODY", PARSE_BODY),
      end: event("PARSE_END", PARSE_END),
      needMore: event("PARSE_NEED_MORE", PARSE_NEED_MORE),
    },
  };
}

// Two copies of one loop, on purpose: closures made at one site share their type
// feedback, so running both parsers through one factory would make every property access
// in it polymorphic. The copies are identical, so neither side gets a cheaper harness.
function before(Before: ParserClass, events: Events, bytes: Uint8Array): () => void {
  const parser = new Before({ mode: "request" });
  const { head, body, end, needMore } = events;
  return () => {
    let pos = 0;
    for (;;) {
      const event = parser.execute(bytes, pos, bytes.length);
      pos = parser.offset;
      if (event === needMore) break;
      if (event === head) {
        sink += parser.method.length + parser.target.length + parser.headers.length;
      } else if (event === body) {
        sink += parser.bodyEnd - parser.bodyStart;
      } else if (event === end) {
        sink++;
      } else {
        throw parser.error ?? new Error(`event ${event}`);
      }
    }
  };
}

function after(After: ParserClass, events: Events, bytes: Uint8Array): () => void {
  const parser = new After({ mode: "request" });
  const { head, body, end, needMore } = events;
  return () => {
    let pos = 0;
    for (;;) {
      const event = parser.execute(bytes, pos, bytes.length);
      pos = parser.offset;
      if (event === needMore) break;
      if (event === head) {
        sink += parser.method.length + parser.target.length + parser.headers.length;
      } else if (event === body) {
        sink += parser.bodyEnd - parser.bodyStart;
      } else if (event === end) {
        sink++;
      } else {
        throw parser.error ?? new Error(`event ${event}`);
      }
    }
  };
}

/** Rounds last about this long, on every workload, so that none is mostly noise. */
const ROUND_MS = 50;

/**
 * Iterations for a round of about ROUND_MS: a 2 ms round (a fixed count on the 64 KiB
 * workload) swings by 2x with a collection or a compile, 50 ms rounds by a few percent.
 */
function iterationsFor(runs: (() => void)[]): number {
  let slowest = 0;
  for (const run of runs) {
    // Doubling batches until one lasts 10 ms: the first ones also warm the code up.
    for (let n = 64;; n *= 2) {
      const started = performance.now();
      for (let i = 0; i < n; i++) run();
      const ms = performance.now() - started;
      if (ms >= 10) {
        slowest = Math.max(slowest, ms / n);
        break;
      }
    }
  }
  return Math.max(100, Math.ceil(ROUND_MS / slowest));
}

async function againstBaseline(dir: string): Promise<void> {
  const { Before, events } = await loadBaseline(dir);
  console.log(`before: ${resolve(dir)}, after: this tree; ratio = before/after time`);
  for (const workload of WORKLOADS) {
    const bytes = encoder.encode(workload.text);
    const runs = [before(Before, events, bytes), after(Parser, OUR_EVENTS, bytes)];
    const best = [Infinity, Infinity];
    const iterations = iterationsFor(runs);
    for (let round = 0; round < 12; round++) {
      // Alternate which side goes first, so neither always runs on a warmer machine.
      for (let j = 0; j < runs.length; j++) {
        const k = (round + j) % runs.length;
        const started = performance.now();
        for (let i = 0; i < iterations; i++) runs[k]();
        const ns = (performance.now() - started) / iterations * 1e6;
        if (round >= 2 && ns < best[k]) best[k] = ns;
      }
    }
    const [old, now] = best;
    const perMessage = (ns: number) => (ns / workload.messages).toFixed(0);
    console.log(
      `${workload.name.padEnd(24)} before ${perMessage(old)} ns/message | after ${
        perMessage(now)
      } ns/message | ${(old / now).toFixed(2)}x`,
    );
  }
}

if (Deno.args.includes("--ab")) {
  const at = Deno.args.indexOf("--baseline");
  if (at >= 0) {
    const dir = Deno.args[at + 1];
    if (dir === undefined) throw new TypeError("Cannot compare: --baseline needs a directory");
    await againstBaseline(dir);
  } else {
    interleaved();
  }
}

addEventListener("unload", () => {
  if (sink === -1) console.log(sink);
});
