// Servers for bench/fairness.ts: each answers GET /hello with a canned or real response
// and counts requests per connection; GET /stats answers those counts as JSON (and
// resets them), so the bench can see how evenly 1000 connections were served.
// Usage: deno run -A --unstable-net fair.ts MODE PORT, MODE one of:
//   bare     a Deno.listen loop writing a canned reply per request (no HTTP library)
//   nodenet  the same loop on node:net inside Deno
//   deno     Deno.serve
//   wire     Wire's serve()
//   wire-node  Wire's serve({ transport: "node" })
import * as net from "node:net";
import { serve } from "../../http/serve.ts";

const mode = Deno.args[0] ?? "wire";
const port = Number(Deno.args[1] ?? 8030);
const hostname = "127.0.0.1";

// Exit cleanly on SIGINT (so `--cpu-prof` writes its profile).
Deno.addSignalListener("SIGINT", () => Deno.exit(0));

const counts = new Map<string, number>();
function count(key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
function stats(): string {
  const body = JSON.stringify([...counts.values()]);
  counts.clear();
  return body;
}

const encoder = new TextEncoder();
const HELLO = encoder.encode(
  "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n\r\nHello, World!",
);
function statsReply(): Uint8Array {
  const body = stats();
  return encoder.encode(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
}

/** Counts request heads in a read (wrk's requests are small and never split here). */
function heads(buf: Uint8Array, n: number): { requests: number; stats: boolean } {
  let requests = 0;
  for (let i = 3; i < n; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) requests++;
  }
  // "GET /s" at the start: the stats request.
  const stats = n > 5 && buf[4] === 0x2f && buf[5] === 0x73;
  return { requests, stats };
}

if (mode === "bare") {
  const listener = Deno.listen({ hostname, port });
  console.log("ready");
  let id = 0;
  for await (const conn of listener) {
    const key = String(id++);
    (async () => {
      const buf = new Uint8Array(16 * 1024);
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          const { requests, stats } = heads(buf, n);
          if (stats) {
            await conn.write(statsReply());
            continue;
          }
          for (let i = 0; i < requests; i++) {
            count(key);
            await conn.write(HELLO);
          }
        }
      } catch {
        // reset by the peer
      }
      try {
        conn.close();
      } catch {
        // closed
      }
    })();
  }
} else if (mode === "nodenet") {
  let id = 0;
  net.createServer((socket) => {
    const key = String(id++);
    socket.on("data", (chunk: Uint8Array) => {
      const { requests, stats } = heads(chunk, chunk.length);
      if (stats) return void socket.write(statsReply());
      for (let i = 0; i < requests; i++) {
        count(key);
        socket.write(HELLO);
      }
    });
    socket.on("error", () => {});
  }).listen(port, hostname, () => console.log("ready"));
} else {
  const handler = (request: Request, info: Deno.ServeHandlerInfo): Response => {
    if (request.url.endsWith("/stats")) {
      return new Response(stats(), { headers: { "content-type": "application/json" } });
    }
    count(String((info.remoteAddr as Deno.NetAddr).port));
    return new Response("Hello, World!", { headers: { "content-type": "text/plain" } });
  };
  if (mode === "deno") {
    Deno.serve({ hostname, port, onListen: () => console.log("ready") }, handler);
  } else {
    serve(handler, {
      hostname,
      port,
      onListen: () => console.log("ready"),
      transport: mode === "wire-node" ? "node" : "deno",
    });
  }
}
