import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, readAll, TEST_TIMEOUT, withServer } from "../../_server.ts";
import { inject, injectBytes } from "../../../http/inject.ts";
import type { ServeOptions } from "../../../http/server_options.ts";
import type { Handler } from "../../../http/handler.ts";

const encoder = new TextEncoder();
const ok = () => new Response("ok");

/** A request whose head (request line through the empty line) is exactly `size` bytes. */
function headOfSize(size: number): string {
  const base = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \r\n\r\n";
  return base.replace("X-Pad: ", "X-Pad: " + "p".repeat(size - base.length));
}

/** Answers `input` through a live server and returns the single response and whether it closed. */
async function answer(input: string, options: ServeOptions = {}, handler: Handler = ok) {
  let result!: { status: number; connection: string | undefined; closed: boolean; count: number };
  await withServer(handler, options, async (_server, addr) => {
    const { text, closed } = await rawExchange(addr, input);
    const responses = parseResponses(text);
    result = {
      status: responses[0]?.status ?? 0,
      connection: responses[0]?.header("connection"),
      closed,
      count: responses.length,
    };
  });
  return result;
}

const FOLLOWER = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

Deno.test("maxHeaderBytes: a head of exactly the limit is served; one byte more gets 431 and a close", async () => {
  const limit = 1024;
  const atLimit = await answer(
    headOfSize(limit) + FOLLOWER + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    {
      maxHeaderBytes: limit,
    },
  );
  assert.deepEqual(atLimit, { status: 200, connection: undefined, closed: true, count: 3 });
  const past = await answer(headOfSize(limit + 1) + FOLLOWER, { maxHeaderBytes: limit });
  assert.deepEqual(past, { status: 431, connection: "close", closed: true, count: 1 });
});

Deno.test("maxHeaderBytes default (16 KiB) at and past the limit", async () => {
  const at = await inject(ok, headOfSize(16 * 1024));
  assert.equal(at.response.status, 200);
  const past = await inject(ok, headOfSize(16 * 1024 + 1));
  assert.equal(past.response.status, 431);
});

Deno.test("maxHeaderCount: exactly the limit is served; one field more gets 431 and a close", async () => {
  const fields = (n: number) => {
    let head = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (let i = 1; i < n; i++) head += `X-F${i}: v\r\n`;
    return head + "\r\n";
  };
  const at = await inject(ok, fields(10), { maxHeaderCount: 10 });
  assert.equal(at.response.status, 200);
  const past = await answer(fields(11) + FOLLOWER, { maxHeaderCount: 10 });
  assert.deepEqual(past, { status: 431, connection: "close", closed: true, count: 1 });
});

Deno.test("maxUrlBytes: a target of exactly the limit is served; one byte more gets 414 and a close", async () => {
  const target = (n: number) => "/" + "u".repeat(n - 1);
  let seen = "";
  const at = await inject(
    (request) => {
      seen = new URL(request.url).pathname;
      return ok();
    },
    `GET ${target(100)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    { maxUrlBytes: 100 },
  );
  assert.equal(at.response.status, 200);
  assert.equal(seen.length, 100);
  const past = await answer(`GET ${target(101)} HTTP/1.1\r\nHost: x\r\n\r\n` + FOLLOWER, {
    maxUrlBytes: 100,
  });
  assert.deepEqual(past, { status: 414, connection: "close", closed: true, count: 1 });
});

Deno.test("maxBodyBytes with Content-Length: at the limit served, past it 413 before the handler runs", async () => {
  let calls = 0;
  const handler = async (request: Request) => {
    calls++;
    return new Response(`${(await request.text()).length}`);
  };
  const at = await inject(
    handler,
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789",
    {
      maxBodyBytes: 10,
    },
  );
  assert.equal(await at.response.text(), "10");
  const past = await answer(
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890" + FOLLOWER,
    { maxBodyBytes: 10 },
    handler,
  );
  assert.deepEqual(past, { status: 413, connection: "close", closed: true, count: 1 });
  assert.equal(calls, 1);
});

Deno.test("maxBodyBytes with a chunked body: at the limit served, past it 413, body error and signal abort", async () => {
  const chunked = (n: number) =>
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
    `${n.toString(16)}\r\n${"c".repeat(n)}\r\n0\r\n\r\n`;
  let bodyError: unknown = null;
  let signalReason: unknown = null;
  const handler = async (request: Request) => {
    try {
      return new Response(`${(await request.text()).length}`);
    } catch (error) {
      bodyError = error;
      signalReason = request.signal.reason;
      throw error;
    }
  };
  // The limit counts the body as sent, framing included: chunked(10) is 20 bytes on the
  // wire, chunked(11) is 21 (tests/http/server/body_framing_test.ts).
  const at = await inject(handler, chunked(10), { maxBodyBytes: 20 });
  assert.equal(await at.response.text(), "10");
  const past = await answer(chunked(11) + FOLLOWER, { maxBodyBytes: 20 }, handler);
  assert.deepEqual(past, { status: 413, connection: "close", closed: true, count: 1 });
  assert.ok(bodyError instanceof Error);
  assert.match((bodyError as Error).message, /maxBodyBytes/);
  assert.ok(signalReason instanceof DOMException);
  assert.match((signalReason as DOMException).message, /maxBodyBytes \(20 bytes\)/);
});

Deno.test("a 413 reaches a client that is still sending its body (no reset)", async () => {
  await withServer(ok, { maxBodyBytes: 1024 }, async (_server, addr) => {
    const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      const size = 8 * 1024 * 1024;
      await conn.write(
        encoder.encode(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`),
      );
      const piece = new Uint8Array(64 * 1024);
      const sending = (async () => {
        for (let sent = 0; sent < size; sent += piece.length) await conn.write(piece);
      })().catch(() => {});
      const result = await readAll(conn, {
        until: (t) => t.includes("\r\n\r\n") && t.endsWith("Content Too Large"),
      });
      assert.equal(parseResponses(result.text)[0].status, 413);
      conn.close();
      await sending;
    } catch (error) {
      try {
        conn.close();
      } catch {
        // closed above
      }
      throw error;
    }
  });
});

Deno.test("headersTimeout: a slow head gets 408 and a close; a silent connection just closes", async () => {
  await withServer(ok, { headersTimeout: 100 }, async (_server, addr) => {
    const slow = await rawExchange(addr, "GET / HTTP/1.1\r\nHost: x\r\n", {
      timeout: TEST_TIMEOUT,
    });
    assert.equal(slow.closed, true);
    assert.equal(parseResponses(slow.text)[0].status, 408);
    assert.equal(parseResponses(slow.text)[0].header("connection"), "close");
    const silent = await rawExchange(addr, "", { timeout: TEST_TIMEOUT });
    assert.equal(silent.closed, true);
    assert.equal(silent.text, "");
  });
});

Deno.test("headersTimeout: a head trickling in byte by byte is cut off with 408", async () => {
  await withServer(ok, { headersTimeout: 150 }, async (_server, addr) => {
    const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      const head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "s".repeat(1000);
      let closed = false;
      for (const byte of encoder.encode(head)) {
        try {
          await conn.write(new Uint8Array([byte]));
        } catch {
          closed = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (closed) break;
      }
      const result = await readAll(conn);
      assert.equal(parseResponses(result.text)[0].status, 408);
    } finally {
      conn.close();
    }
  });
});

Deno.test("headersTimeout: a head left unfinished after a complete request still gets 408", async () => {
  // The clock is read only for what a read leaves unfinished: a head cut short behind a
  // complete request in the same read, or in a later read on a kept-alive connection.
  await withServer(ok, { headersTimeout: 150 }, async (_server, addr) => {
    const same = await rawExchange(
      addr,
      "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHo",
      { timeout: TEST_TIMEOUT },
    );
    assert.equal(same.closed, true);
    assert.deepEqual(parseResponses(same.text).map((r) => r.status), [200, 408]);

    const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      await conn.write(encoder.encode("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"));
      const first = await readAll(conn, { until: (text) => text.endsWith("\r\n\r\nok") });
      assert.equal(parseResponses(first.text)[0].status, 200);
      await conn.write(encoder.encode("GET /2 HTTP/1.1\r\nHost: x\r\n"));
      const later = await readAll(conn);
      assert.equal(later.closed, true);
      assert.deepEqual(parseResponses(later.text).map((r) => r.status), [408]);
    } finally {
      conn.close();
    }
  });
});

Deno.test("requestTimeout counts from the head, also for a request behind another in one read", async () => {
  // A body that completes well within the timeout is served; one that stalls gets 408.
  await withServer(
    async (request) => {
      const body = await request.text().catch(() => "");
      return new Response("ok:" + body);
    },
    { requestTimeout: 1000 },
    async (_server, addr) => {
      const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      try {
        const post = (path: string, length: number) =>
          `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;
        await conn.write(
          encoder.encode("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n" + post("/2", 6) + "abc"),
        );
        // Past one clock tick (250 ms), well within the 1000 ms timeout.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await conn.write(encoder.encode("def"));
        const served = await readAll(conn, { until: (text) => text.endsWith("ok:abcdef") });
        assert.deepEqual(parseResponses(served.text).map((r) => r.status), [200, 200]);
        await conn.write(encoder.encode(post("/3", 9) + "abc"));
        const stalled = await readAll(conn);
        assert.equal(stalled.closed, true);
        assert.deepEqual(parseResponses(stalled.text).map((r) => r.status), [408]);
      } finally {
        conn.close();
      }
    },
  );
});

Deno.test("requestTimeout: a stalled body gets 408, a closed connection and a TimeoutError signal", async () => {
  let reason: unknown = null;
  let bodyError: unknown = null;
  await withServer(
    async (request) => {
      try {
        await request.text();
      } catch (error) {
        bodyError = error;
        reason = request.signal.reason;
      }
      return new Response("unreachable");
    },
    { requestTimeout: 150 },
    async (_server, addr) => {
      const { text, closed } = await rawExchange(
        addr,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly some",
      );
      assert.equal(closed, true);
      const [res] = parseResponses(text);
      assert.equal(res.status, 408);
      assert.equal(res.header("connection"), "close");
    },
  );
  assert.ok(reason instanceof DOMException);
  assert.equal((reason as DOMException).name, "TimeoutError");
  assert.match((reason as DOMException).message, /requestTimeout of 150 ms/);
  assert.equal(bodyError, reason);
});

Deno.test("missing or repeated Host on HTTP/1.1 gets 400 and a close", async () => {
  const missing = await answer("GET / HTTP/1.1\r\n\r\n" + FOLLOWER);
  assert.deepEqual(missing, { status: 400, connection: "close", closed: true, count: 1 });
  const twice = await answer("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + FOLLOWER);
  assert.deepEqual(twice, { status: 400, connection: "close", closed: true, count: 1 });
  const old = await inject(ok, "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n");
  assert.equal(old.response.status, 400);
});

Deno.test("an unsupported HTTP version gets 505 and a close", async () => {
  for (const version of ["HTTP/1.2", "HTTP/2.0", "HTTP/3.0"]) {
    const result = await answer(`GET / ${version}\r\nHost: x\r\n\r\n` + FOLLOWER);
    assert.deepEqual(result, { status: 505, connection: "close", closed: true, count: 1 }, version);
  }
});

Deno.test("framing errors are rejected with a close and nothing behind them is answered", async () => {
  const cases: [string, number[]][] = [
    [
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      [400],
    ],
    ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", [400]],
    ["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", [400, 501]],
    ["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", [400]],
    ["GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", [400]],
    ["GET / HTTP/1.1\r\nHost : x\r\n\r\n", [400]],
    ["GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", [400]],
    ["POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400, 501]],
  ];
  const reader = async (request: Request) => new Response(await request.text());
  for (const [input, statuses] of cases) {
    const result = await answer(input + FOLLOWER, {}, reader);
    assert.ok(statuses.includes(result.status), `${JSON.stringify(input)} -> ${result.status}`);
    assert.equal(result.connection, "close", JSON.stringify(input));
    assert.equal(result.closed, true, JSON.stringify(input));
    assert.equal(result.count, 1, JSON.stringify(input));
  }
});

Deno.test("CONNECT gets 501 and a close; TRACE gets 501; unknown methods get 501", async () => {
  const connect = await answer(
    "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n" + FOLLOWER,
  );
  assert.deepEqual(connect, { status: 501, connection: "close", closed: true, count: 1 });
  const trace = await answer("TRACE / HTTP/1.1\r\nHost: x\r\n\r\n" + FOLLOWER);
  assert.equal(trace.status, 501);
  assert.equal(trace.count, 1);
  const unknown = await inject(ok, "BREW / HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(unknown.response.status, 501);
});

Deno.test("an Upgrade request the handler does not upgrade is answered normally, then closed (RFC 9110 §7.8)", async () => {
  const result = await inject(
    (request) => new Response(`upgrade=${request.headers.get("upgrade")}`),
    "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n" +
      "GET /next HTTP/1.1\r\nHost: x\r\n\r\n",
  );
  // The bytes behind an Upgrade request belong to the protocol it asked for: they are
  // never parsed as another request.
  assert.equal(result.responses.length, 1);
  assert.equal(await result.response.text(), "upgrade=websocket");
  assert.equal(result.response.headers.get("connection"), "close");
});

Deno.test("a head cut short by the client is closed without an answer", async () => {
  const bytes = await injectBytes(ok, encoder.encode("GET / HTTP/1.1\r\nHos"));
  assert.equal(bytes.length, 0);
});

Deno.test("limits reject bad option values", async () => {
  for (
    const bad of [{ maxHeaderBytes: 0 }, { maxUrlBytes: -5 }, { headersTimeout: 0 }, {
      maxRequestsPerConnection: -1,
    }, { maxDrainBytes: Number.NaN }]
  ) {
    await assert.rejects(() => injectBytes(ok, new Uint8Array(), bad as ServeOptions), RangeError);
  }
});
