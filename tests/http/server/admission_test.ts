// Admission control: maxConnections turns connections past the limit away with a 503
// and Retry-After; maxRequestsInFlight sheds requests past the limit with a 503 before
// their body is read or their handler called. Each at the limit and one past it.

import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, readAll, TEST_TIMEOUT, withServer } from "../../_server.ts";
import { serve } from "../../../http/serve.ts";

const encoder = new TextEncoder();

function field(headers: [string, string][], name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

async function open(addr: Deno.NetAddr, request: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
  await conn.write(encoder.encode(request));
  return conn;
}

/** Reads one response's bytes (until `until` holds) from a kept-alive connection. */
async function readUntil(conn: Deno.Conn, until: (text: string) => boolean): Promise<string> {
  const { text } = await readAll(conn, { until, timeout: TEST_TIMEOUT });
  return text;
}

Deno.test("maxConnections: the limit's connections are served; the next one gets 503 and is closed", async () => {
  await withServer(() => new Response("ok"), { maxConnections: 2 }, async (server, addr) => {
    const GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    const first = await open(addr, GET);
    const second = await open(addr, GET);
    try {
      // At the limit: both answered, both kept open.
      assert.match(await readUntil(first, (t) => t.endsWith("ok")), /^HTTP\/1\.1 200 /);
      assert.match(await readUntil(second, (t) => t.endsWith("ok")), /^HTTP\/1\.1 200 /);
      assert.equal(server.connections, 2);
      // One past it: a 503 with Retry-After, then the server closes.
      const refused = await rawExchange(addr, GET);
      assert.equal(refused.closed, true);
      const [response] = parseResponses(refused.text);
      assert.equal(response.status, 503);
      assert.equal(field(response.headers, "retry-after"), "1");
      assert.equal(field(response.headers, "connection"), "close");
      assert.deepEqual(server.stats().rejected, { 503: 1 });
    } finally {
      first.close();
    }
    // A slot freed: the next connection is served again.
    const deadline = Date.now() + TEST_TIMEOUT;
    while (server.connections > 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const again = await rawExchange(addr, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assert.match(again.text, /^HTTP\/1\.1 200 /);
    second.close();
  });
});

Deno.test("maxRequestsInFlight: past the limit a request is shed with 503 before its body is read or its handler runs", async () => {
  let calls = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  await withServer(
    async (request) => {
      calls++;
      if (new URL(request.url).pathname === "/hold") {
        entered();
        await held;
      }
      return new Response(await request.text() || "done");
    },
    { maxRequestsInFlight: 1 },
    async (server, addr) => {
      const holding = await open(addr, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
      try {
        await inHandler;
        assert.equal(server.stats().requestsInFlight, 1);
        // One past the limit: refused with the body unread, the handler not called.
        const shed = await rawExchange(
          addr,
          "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        );
        const [response] = parseResponses(shed.text);
        assert.equal(response.status, 503);
        assert.equal(field(response.headers, "retry-after"), "1");
        assert.equal(shed.closed, true);
        assert.equal(calls, 1);
        release();
        assert.match(await readUntil(holding, (t) => t.endsWith("done")), /^HTTP\/1\.1 200 /);
      } finally {
        holding.close();
      }
      // Back at the limit (one in flight at a time): served.
      const served = await rawExchange(
        addr,
        "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
      );
      assert.match(served.text, /^HTTP\/1\.1 200 [\s\S]*hello$/);
      assert.equal(calls, 2);
      assert.deepEqual(server.stats().rejected, { 503: 1 });
    },
  );
});

Deno.test("admission options: whole numbers from 0, checked before the server binds", () => {
  for (
    const options of [{ maxConnections: -1 }, { maxConnections: 1.5 }, { maxRequestsInFlight: -1 }]
  ) {
    assert.throws(() => serve(() => new Response("x"), { port: 0, onListen() {}, ...options }));
  }
});
