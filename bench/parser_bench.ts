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

import { Buffer } from "node:buffer";
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

if (Deno.args.includes("--ab")) interleaved();

addEventListener("unload", () => {
  if (sink === -1) console.log(sink);
});
