// serve() against real clients: curl (HTTP/1.0, 1.1 keep-alive, chunked upload,
// Expect: 100-continue), Deno's fetch and node:http's client.

import http from "node:http";
import { assert } from "../../_assert.ts";
import { TEST_TIMEOUT, withServer } from "../../_server.ts";
import type { Handler } from "../../../http/handler.ts";

const decoder = new TextDecoder();

/** Answers with what it saw: method, path, body length and a hash of the body. */
const inspect: Handler = async (request, info) => {
  const body = new Uint8Array(await request.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const hex = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return Response.json({
    method: request.method,
    path: new URL(request.url).pathname,
    length: body.length,
    sha: hex,
    port: (info.remoteAddr as Deno.NetAddr).port,
    te: request.headers.get("transfer-encoding"),
    expect: request.headers.get("expect"),
  });
};

async function sha(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function curl(args: string[], stdin?: Uint8Array): Promise<string> {
  const command = new Deno.Command("curl", {
    args: ["--silent", "--show-error", "--max-time", "10", ...args],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const output = await child.output();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  return decoder.decode(output.stdout) + decoder.decode(output.stderr);
}

function payload(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return bytes;
}

Deno.test("curl --http1.0 gets an HTTP/1.1 answer and a close", async () => {
  await withServer(() => new Response("hello 1.0"), {}, async (_server, addr) => {
    const out = await curl(["--http1.0", "-i", `http://127.0.0.1:${addr.port}/`]);
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(out, /connection: close\r\n/i);
    assert.match(out, /content-length: 9\r\n/i);
    assert.ok(out.endsWith("hello 1.0"));
  });
});

Deno.test("curl --http1.1 reuses one keep-alive connection for two requests", async () => {
  await withServer(inspect, {}, async (_server, addr) => {
    const base = `http://127.0.0.1:${addr.port}`;
    const out = await curl(["--http1.1", "-v", `${base}/one`, `${base}/two`]);
    assert.match(out, /Re-using existing connection|Reusing existing/i);
    const bodies = [...out.matchAll(/\{"method".*?\}/g)].map((m) => JSON.parse(m[0]));
    assert.equal(bodies.length, 2);
    assert.deepEqual(bodies.map((b) => b.path), ["/one", "/two"]);
    assert.equal(bodies[0].port, bodies[1].port, "both requests came on the same connection");
  });
});

Deno.test("curl chunked upload arrives intact", async () => {
  const body = payload(300_000);
  await withServer(inspect, {}, async (_server, addr) => {
    const out = await curl([
      "-H",
      "Transfer-Encoding: chunked",
      "--data-binary",
      "@-",
      `http://127.0.0.1:${addr.port}/upload`,
    ], body);
    const seen = JSON.parse(out);
    assert.equal(seen.te, "chunked");
    assert.equal(seen.length, body.length);
    assert.equal(seen.sha, await sha(body));
  });
});

Deno.test("curl's Expect: 100-continue upload gets 100 Continue and arrives intact", async () => {
  const body = payload(2 * 1024 * 1024);
  await withServer(inspect, {}, async (_server, addr) => {
    const out = await curl([
      "-v",
      "-H",
      "Expect: 100-continue",
      "--expect100-timeout",
      "5",
      "--data-binary",
      "@-",
      `http://127.0.0.1:${addr.port}/big`,
    ], body);
    assert.match(out, /HTTP\/1\.1 100 Continue/);
    const seen = JSON.parse(out.match(/\{"method".*?\}/)![0]);
    assert.equal(seen.expect, "100-continue");
    assert.equal(seen.length, body.length);
    assert.equal(seen.sha, await sha(body));
  });
});

Deno.test("Deno's fetch: GET, streamed POST, and a streamed chunked response", async () => {
  await withServer(
    (request) => {
      if (request.method === "POST") {
        return inspect(request, {
          remoteAddr: { transport: "tcp", hostname: "", port: 0 },
          completed: Promise.resolve(),
        });
      }
      let n = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            if (n++ < 5) controller.enqueue(new TextEncoder().encode(`tick ${n}\n`));
            else controller.close();
          },
        }),
      );
    },
    {},
    async (_server, addr) => {
      const base = `http://127.0.0.1:${addr.port}`;
      const signal = AbortSignal.timeout(TEST_TIMEOUT);
      const streamed = await fetch(`${base}/ticks`, { signal });
      assert.equal(streamed.headers.get("transfer-encoding"), "chunked");
      assert.equal(await streamed.text(), "tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n");
      const body = payload(1_000_000);
      const posted = await fetch(`${base}/post`, {
        method: "POST",
        body: ReadableStream.from([body.subarray(0, 1000), body.subarray(1000)]),
        signal,
      });
      const seen = await posted.json();
      assert.equal(seen.length, body.length);
      assert.equal(seen.sha, await sha(body));
    },
  );
});

function nodeRequest(
  options: http.RequestOptions,
  body?: Uint8Array[],
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(options, (response) => {
      const chunks: Uint8Array[] = [];
      response.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      response.on("end", () => {
        let text = "";
        for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
        resolve({ status: response.statusCode!, headers: response.headers, body: text });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.setTimeout(TEST_TIMEOUT, () => request.destroy(new Error("node request timed out")));
    for (const part of body ?? []) request.write(part);
    request.end();
  });
}

Deno.test("node:http's client: keep-alive agent, chunked POST, HEAD", async () => {
  await withServer(inspect, {}, async (_server, addr) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const base = { host: "127.0.0.1", port: addr.port, agent };
      const first = await nodeRequest({ ...base, path: "/a" });
      const second = await nodeRequest({ ...base, path: "/b" });
      assert.equal(first.status, 200);
      assert.equal(JSON.parse(first.body).port, JSON.parse(second.body).port);
      const body = payload(100_000);
      const posted = await nodeRequest(
        { ...base, method: "POST", path: "/p", headers: { "transfer-encoding": "chunked" } },
        [body.subarray(0, 5), body.subarray(5)],
      );
      const seen = JSON.parse(posted.body);
      assert.equal(seen.te, "chunked");
      assert.equal(seen.length, body.length);
      assert.equal(seen.sha, await sha(body));
      const head = await nodeRequest({ ...base, method: "HEAD", path: "/h" });
      assert.equal(head.status, 200);
      assert.equal(head.body, "");
      assert.ok(Number(head.headers["content-length"]) > 0);
    } finally {
      agent.destroy();
    }
  });
});
