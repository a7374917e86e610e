// The server watching itself: server.stats() counters, the accessLog option (formats,
// batching, the reason an exchange ended early, flushed before `finished`), and the
// automaticCompression option (Deno.serve's), over TCP and through inject().

import { assert } from "../../_assert.ts";
import { rawExchange, TEST_TIMEOUT, withServer } from "../../_server.ts";
import { inject } from "../../../http/inject.ts";
import { serve } from "../../../http/serve.ts";
import type { AccessLogEntry } from "../../../http/access_log.ts";

/** A sink that collects lines and lets a test wait (bounded) for n of them. */
function sink() {
  const lines: string[] = [];
  let wake = () => {};
  return {
    lines,
    write(text: string) {
      lines.push(...text.split("\n").filter((line) => line !== ""));
      wake();
    },
    async wait(n: number): Promise<void> {
      const deadline = Date.now() + TEST_TIMEOUT;
      while (lines.length < n) {
        if (Date.now() > deadline) {
          throw new Error(`waited for ${n} log lines, got ${lines.length}`);
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
      }
    },
  };
}

Deno.test("stats(): connections, requests, responses by class, refusals and bytes, counted over TCP", async () => {
  await withServer(
    (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/boom") throw new Error("boom");
      return new Response(path === "/missing" ? "no" : "hello", {
        status: path === "/missing" ? 404 : 200,
      });
    },
    { maxHeaderBytes: 1024, onError: () => new Response("sorry", { status: 500 }) },
    async (server, addr) => {
      const fresh = server.stats();
      assert.deepEqual(fresh, {
        connections: 0,
        connectionsTotal: 0,
        requestsInFlight: 0,
        requestsTotal: 0,
        responses: { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
        requestsAborted: 0,
        rejected: {},
        bytesIn: 0,
        bytesOut: 0,
      });
      const three = "GET / HTTP/1.1\r\nHost: a\r\n\r\n" +
        "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n" +
        "GET /boom HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
      const answer = await rawExchange(addr, three);
      assert.equal(answer.closed, true);
      // A head over maxHeaderBytes: refused with 431 by the server, no handler call.
      const big = `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"x".repeat(2000)}\r\n\r\n`;
      const refused = await rawExchange(addr, big);
      assert.match(refused.text, /^HTTP\/1\.1 431 /);
      const stats = server.stats();
      assert.equal(stats.connectionsTotal, 2);
      assert.equal(stats.requestsTotal, 3);
      assert.equal(stats.requestsInFlight, 0);
      assert.deepEqual(stats.responses, { "1xx": 0, "2xx": 1, "3xx": 0, "4xx": 2, "5xx": 1 });
      assert.deepEqual(stats.rejected, { 431: 1 });
      assert.equal(stats.requestsAborted, 0);
      // Every byte both ways: the requests as sent, the responses as read back.
      assert.equal(stats.bytesIn, three.length + big.length);
      assert.equal(stats.bytesOut, answer.bytes.length + refused.bytes.length);
      // The snapshot is a copy: changing it changes nothing.
      stats.rejected[431] = 99;
      assert.deepEqual(server.stats().rejected, { 431: 1 });
    },
  );
});

Deno.test("stats(): a request in flight, then aborted when its client leaves", async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  await withServer(
    (request) => {
      entered();
      return new Promise<Response>((resolve) =>
        request.signal.addEventListener("abort", () => resolve(new Response("late")))
      );
    },
    {},
    async (server, addr) => {
      const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
      await inHandler;
      assert.equal(server.stats().requestsInFlight, 1);
      assert.equal(server.stats().connections, 1);
      conn.close();
      const deadline = Date.now() + TEST_TIMEOUT;
      while (server.stats().requestsAborted === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const stats = server.stats();
      assert.equal(stats.requestsAborted, 1);
      assert.equal(stats.requestsInFlight, 0);
      assert.deepEqual(stats.responses, { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 });
    },
  );
});

Deno.test("stats(): a body past maxBodyBytes counts as refused with 413; a head timeout as 408", async () => {
  await withServer(
    async (request) => new Response(await request.text()),
    { maxBodyBytes: 4, headersTimeout: 50 },
    async (server, addr) => {
      const at = await rawExchange(
        addr,
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd",
      );
      assert.match(at.text, /^HTTP\/1\.1 200 /);
      const past = await rawExchange(
        addr,
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde",
      );
      assert.match(past.text, /^HTTP\/1\.1 413 /);
      const slow = await rawExchange(addr, "GET / HTTP/1.1\r\n");
      assert.match(slow.text, /^HTTP\/1\.1 408 /);
      assert.deepEqual(server.stats().rejected, { 408: 1, 413: 1 });
    },
  );
});

Deno.test("accessLog: combined lines on the sink, written in a batch after delivery", async () => {
  const log = sink();
  await withServer(
    () => new Response("hi", { headers: { "content-length": "2" } }),
    { accessLog: { format: "combined", write: log.write, flushInterval: 10 } },
    async (_server, addr) => {
      await rawExchange(
        addr,
        "GET /a?b=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: curl/8\r\nReferer: http://r/\r\n\r\n" +
          "HEAD /b HTTP/1.0\r\n\r\n",
      );
      await log.wait(2);
    },
  );
  assert.match(
    log.lines[0],
    /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/a\?b=1 HTTP\/1\.1" 200 2 "http:\/\/r\/" "curl\/8"$/,
  );
  assert.match(log.lines[1], /"HEAD \/b HTTP\/1\.0" 200 2 "-" "-"$/);
});

Deno.test("accessLog: JSON and custom formats; an exchange cut short logs its reason", async () => {
  const json = sink();
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  await withServer(
    (request) => {
      if (new URL(request.url).pathname === "/ok") return new Response("ok");
      entered();
      // A stream that never ends until the test ends it: the client leaves first.
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("data: 1\n\n"));
            hold.then(() => {
              try {
                controller.close();
              } catch {
                // Cancelled when the client left.
              }
            });
          },
        }),
      );
    },
    { accessLog: { format: "json", write: json.write, flushInterval: 0 } },
    async (_server, addr) => {
      await rawExchange(addr, "GET /ok HTTP/1.1\r\nHost: a\r\nX-Request-Id: r-1\r\n\r\n", {
        until: (text) => text.endsWith("ok"),
      });
      const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      await conn.write(new TextEncoder().encode("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
      await inHandler;
      await conn.read(new Uint8Array(1024));
      conn.close();
      await json.wait(2);
      release();
    },
  );
  const [ok, cut] = json.lines.map((line) => JSON.parse(line));
  assert.equal(ok.method, "GET");
  assert.equal(ok.url, "/ok");
  assert.equal(ok.status, 200);
  assert.equal(ok.requestId, "r-1");
  assert.equal(ok.error, null);
  assert.equal(typeof ok.duration, "number");
  assert.equal(cut.url, "/events");
  assert.equal(cut.status, 200);
  assert.match(cut.error, /client closed/);

  const entries: AccessLogEntry[] = [];
  const { response } = await inject(
    () => new Response("x", { status: 201 }),
    new Request("http://localhost/made"),
    {
      accessLog: { format: (entry) => (entries.push(entry), "custom"), write: () => {} },
    },
  );
  await response.text();
  // inject's connection has the same hooks; the line is formatted at the next flush.
  const deadline = Date.now() + TEST_TIMEOUT;
  while (entries.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(entries[0].status, 201);
  assert.equal(entries[0].url, "/made");
});

Deno.test("accessLog: the last lines are written before `finished` resolves; bad options throw before binding", async () => {
  const log = sink();
  const server = serve(() => new Response("ok"), {
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    // A long interval: only the shutdown's flush can write the line in time.
    accessLog: { format: "common", write: log.write, flushInterval: 60_000 },
  });
  const addr = server.addr as Deno.NetAddr;
  await rawExchange(addr, "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  await server.shutdown();
  assert.equal(log.lines.length, 1);
  assert.match(log.lines[0], /"GET \/last HTTP\/1\.1" 200 -$/);

  const bad = [
    { accessLog: "apache" as "common" },
    { accessLog: 5 as unknown as true },
    { accessLog: { flushInterval: -1 } },
    { automaticCompression: "yes" as unknown as true },
    { automaticCompression: { threshold: -1 } },
  ];
  for (const options of bad) {
    assert.throws(() => serve(() => new Response("x"), { port: 0, onListen() {}, ...options }));
  }
});

Deno.test("automaticCompression: gzip or br as asked, over TCP; off by default", async () => {
  const json = JSON.stringify({
    items: Array.from({ length: 200 }, (_, i) => ({ i, name: "n" + i })),
  });
  const handler = () => Response.json(JSON.parse(json));
  await withServer(handler, { automaticCompression: true }, async (_server, addr) => {
    for (const coding of ["gzip", "br"]) {
      const answer = await rawExchange(
        addr,
        `GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: ${coding}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(answer.text, new RegExp(`\\r\\ncontent-encoding: ${coding}\\r\\n`, "i"));
      assert.match(answer.text, /\r\nvary: accept-encoding\r\n/i);
    }
    // Through Deno's fetch, which decodes: the same JSON comes back, fewer bytes went.
    const response = await fetch(`http://127.0.0.1:${addr.port}/`);
    assert.equal(await response.text(), json);
  });
  await withServer(handler, {}, async (_server, addr) => {
    const answer = await rawExchange(
      addr,
      "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    );
    assert.doesNotMatch(answer.text, /content-encoding/i);
  });
  // A handler that does not return a Response still reaches onError.
  const { response } = await inject(
    () => "nope" as unknown as Response,
    new Request("http://localhost/"),
    {
      automaticCompression: true,
    },
  );
  assert.equal(response.status, 500);
  await response.body?.cancel();
});
