import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, readAll, TEST_TIMEOUT, withServer } from "../../_server.ts";
import { inject } from "../../../http/inject.ts";

const encoder = new TextEncoder();

async function open(addr: Deno.NetAddr): Promise<Deno.TcpConn> {
  return await Deno.connect({ hostname: addr.hostname, port: addr.port });
}

async function send(conn: Deno.Conn, text: string | Uint8Array): Promise<void> {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  let n = 0;
  while (n < bytes.length) n += await conn.write(bytes.subarray(n));
}

const echoPath = (request: Request) => new Response(`path=${new URL(request.url).pathname}`);

Deno.test("HTTP/1.1 keeps the connection open by default for the next request", async () => {
  await withServer(echoPath, {}, async (_server, addr) => {
    const conn = await open(addr);
    try {
      await send(conn, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
      const first = await readAll(conn, { until: (t) => t.endsWith("path=/1") });
      assert.equal(parseResponses(first.text)[0].header("connection"), undefined);
      await send(conn, "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
      const second = await readAll(conn, { until: (t) => t.endsWith("path=/2") });
      assert.equal(parseResponses(second.text)[0].body, "path=/2");
      assert.equal(second.closed, false);
    } finally {
      conn.close();
    }
  });
});

Deno.test("HTTP/1.0 closes by default and keeps alive only with Connection: keep-alive", async () => {
  await withServer(echoPath, {}, async (_server, addr) => {
    const plain = await rawExchange(addr, "GET /a HTTP/1.0\r\n\r\n");
    assert.equal(plain.closed, true);
    assert.equal(parseResponses(plain.text)[0].header("connection"), "close");
    const conn = await open(addr);
    try {
      await send(conn, "GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      const first = await readAll(conn, { until: (t) => t.endsWith("path=/b") });
      const [res] = parseResponses(first.text);
      assert.equal(res.header("connection"), "keep-alive");
      assert.equal(res.header("content-length"), "7");
      await send(conn, "GET /c HTTP/1.0\r\n\r\n");
      const second = await readAll(conn);
      assert.equal(parseResponses(second.text)[0].body, "path=/c");
      assert.equal(second.closed, true);
    } finally {
      conn.close();
    }
  });
});

Deno.test("Connection: close from the client is answered with close, and nothing after it", async () => {
  let calls = 0;
  await withServer(
    (request) => {
      calls++;
      return echoPath(request);
    },
    {},
    async (_server, addr) => {
      const { text, closed } = await rawExchange(
        addr,
        "GET /1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      assert.equal(closed, true);
      const responses = parseResponses(text);
      assert.equal(responses.length, 1);
      assert.equal(responses[0].header("connection"), "close");
    },
  );
  assert.equal(calls, 1);
});

Deno.test("Connection: close from the handler closes the connection after the response", async () => {
  await withServer(
    () => new Response("bye", { headers: { connection: "close" } }),
    {},
    async (_server, addr) => {
      const { text, closed } = await rawExchange(
        addr,
        "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      assert.equal(closed, true);
      const responses = parseResponses(text);
      assert.equal(responses.length, 1);
      assert.equal(responses[0].header("connection"), "close");
      assert.equal(responses[0].body, "bye");
    },
  );
});

Deno.test("pipelined requests are answered in order even when later handlers finish first", async () => {
  const delays: Record<string, number> = { "/slow": 30, "/mid": 10, "/fast": 0 };
  await withServer(
    async (request) => {
      const path = new URL(request.url).pathname;
      await new Promise((resolve) => setTimeout(resolve, delays[path]));
      return new Response(`path=${path}`);
    },
    {},
    async (_server, addr) => {
      const input = ["/slow", "/mid", "/fast"].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`)
        .join("") + "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      delays["/last"] = 0;
      const { text, closed } = await rawExchange(addr, input);
      assert.equal(closed, true);
      assert.deepEqual(parseResponses(text).map((r) => r.body), [
        "path=/slow",
        "path=/mid",
        "path=/fast",
        "path=/last",
      ]);
    },
  );
});

Deno.test("pipelined requests with bodies are answered in order with their own bodies", async () => {
  const input = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
    "GET /b HTTP/1.1\r\nHost: x\r\n\r\n" +
    "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n";
  for (const chunkSize of [Infinity, 7, 1]) {
    const result = await inject(
      async (request) => new Response(`${new URL(request.url).pathname}:${await request.text()}`),
      input,
      { chunkSize },
    );
    assert.deepEqual(
      await Promise.all(result.responses.map((r) => r.text())),
      ["/a:abc", "/b:", "/c:def"],
      `chunkSize ${chunkSize}`,
    );
  }
});

Deno.test("a deep pipeline (past the parse-ahead bound) is answered completely and in order", async () => {
  const count = 300;
  let input = "";
  for (let i = 0; i < count; i++) input += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const result = await inject(echoPath, input);
  assert.equal(result.responses.length, count);
  const bodies = await Promise.all(result.responses.map((r) => r.text()));
  assert.deepEqual(bodies, Array.from({ length: count }, (_, i) => `path=/${i}`));
  await withServer(echoPath, {}, async (_server, addr) => {
    const { text } = await rawExchange(
      addr,
      input + "GET /end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.equal(parseResponses(text).length, count + 1);
  });
});

Deno.test("an unread body is drained to keep the connection, up to maxDrainBytes", async () => {
  // Only the head is sent before the response, so exactly Content-Length bytes remain.
  for (const [length, kept] of [[1000, true], [1001, false]] as const) {
    await withServer(echoPath, { maxDrainBytes: 1000 }, async (_server, addr) => {
      const conn = await open(addr);
      try {
        await send(conn, `POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`);
        const first = await readAll(conn, { until: (t) => t.endsWith("path=/u") });
        const [res] = parseResponses(first.text);
        assert.equal(res.header("connection"), kept ? undefined : "close", `length ${length}`);
        await send(conn, "z".repeat(length) + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n").catch(
          () => {},
        );
        const rest = await readAll(conn, { until: (t) => t.endsWith("path=/next") });
        if (kept) assert.equal(parseResponses(rest.text)[0].body, "path=/next");
        else assert.equal(rest.text, "", "the request behind the body is not answered");
      } finally {
        conn.close();
      }
    });
  }
});

Deno.test("a body that already arrived whole does not end the connection", async () => {
  const body = "x".repeat(1500); // arrives with its head in one read
  const result = await inject(
    echoPath,
    `POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
      "GET /next HTTP/1.1\r\nHost: x\r\n\r\n",
    { maxDrainBytes: 1000 },
  );
  assert.equal(result.responses.length, 2);
  assert.equal(await result.responses[1].text(), "path=/next");
});

Deno.test("an unread chunked body is drained up to maxDrainBytes, then the connection closes", async () => {
  const chunk = (n: number) => `${n.toString(16)}\r\n${"y".repeat(n)}\r\n`;
  const small = await inject(
    echoPath,
    "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(50) + chunk(50) +
      "0\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n",
    { maxDrainBytes: 100 },
  );
  assert.equal(small.responses.length, 2);
  await withServer(echoPath, { maxDrainBytes: 100 }, async (_server, addr) => {
    const conn = await open(addr);
    try {
      await send(
        conn,
        "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(10),
      );
      const first = await readAll(conn, { until: (t) => t.endsWith("path=/c") });
      assert.equal(parseResponses(first.text)[0].body, "path=/c");
      await send(conn, chunk(60) + chunk(60) + "0\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
      const rest = await readAll(conn);
      assert.equal(rest.closed, true);
      assert.equal(rest.text, "", "the request behind an over-long body is not answered");
    } finally {
      conn.close();
    }
  });
});

Deno.test("an idle keep-alive connection is closed after keepAliveTimeout", async () => {
  await withServer(echoPath, { keepAliveTimeout: 50 }, async (_server, addr) => {
    const conn = await open(addr);
    try {
      await send(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      const result = await readAll(conn, { timeout: TEST_TIMEOUT });
      assert.equal(result.closed, true);
      assert.equal(parseResponses(result.text)[0].body, "path=/");
    } finally {
      conn.close();
    }
  });
});

Deno.test("maxRequestsPerConnection: the last response says close and later requests are not read", async () => {
  let calls = 0;
  await withServer(
    (request) => {
      calls++;
      return echoPath(request);
    },
    { maxRequestsPerConnection: 2 },
    async (_server, addr) => {
      const { text, closed } = await rawExchange(
        addr,
        "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      assert.equal(closed, true);
      const responses = parseResponses(text);
      assert.deepEqual(responses.map((r) => [r.body, r.header("connection")]), [
        ["path=/1", undefined],
        ["path=/2", "close"],
      ]);
    },
  );
  assert.equal(calls, 2);
});

Deno.test("Expect: 100-continue is answered when the handler reads the body", async () => {
  await withServer(
    async (request) => new Response(`got ${await request.text()}`),
    {},
    async (_server, addr) => {
      const conn = await open(addr);
      try {
        await send(
          conn,
          "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        );
        const interim = await readAll(conn, { until: (t) => t.includes("\r\n\r\n") });
        assert.equal(interim.text, "HTTP/1.1 100 Continue\r\n\r\n");
        await send(conn, "hello");
        const final = await readAll(conn, { until: (t) => t.endsWith("got hello") });
        assert.equal(parseResponses(final.text)[0].status, 200);
      } finally {
        conn.close();
      }
    },
  );
});

Deno.test("Expect: 100-continue is not answered when the handler answers without reading", async () => {
  const result = await inject(
    () => new Response("no", { status: 401 }),
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
  );
  assert.deepEqual(result.interim, []);
  assert.equal(result.response.status, 401);
  assert.equal(result.response.headers.get("connection"), "close");
  // The client waits for 100 Continue: the head arrives alone, the body only later.
  const head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
  const read = await inject(
    async (request) => new Response(await request.text()),
    head + "hello",
    { chunkSize: head.length },
  );
  assert.deepEqual(read.interim, [100]);
  assert.equal(await read.response.text(), "hello");
});

Deno.test("a request body streams to the handler as it arrives", async () => {
  let gotFirst!: () => void;
  const firstSeen = new Promise<void>((resolve) => (gotFirst = resolve));
  await withServer(
    async (request) => {
      const reader = request.body!.getReader();
      const parts: string[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(new TextDecoder().decode(value));
        if (parts.join("").includes("part1")) gotFirst();
      }
      return new Response(parts.join(""));
    },
    {},
    async (_server, addr) => {
      const conn = await open(addr);
      try {
        await send(
          conn,
          "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\npart1\r\n",
        );
        await firstSeen; // the handler saw part1 before part2 was even sent
        await send(conn, "5\r\npart2\r\n0\r\n\r\n");
        const result = await readAll(conn, { until: (t) => t.endsWith("part1part2") });
        assert.equal(parseResponses(result.text)[0].body, "part1part2");
      } finally {
        conn.close();
      }
    },
  );
});

Deno.test("backpressure: the server stops reading while the request body is not read", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let received = 0;
  const total = 64 * 1024 * 1024;
  await withServer(
    async (request) => {
      const reader = request.body!.getReader();
      const first = await reader.read();
      received += first.value?.length ?? 0;
      await gate;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
      }
      return new Response(`received ${received}`);
    },
    {},
    async (_server, addr) => {
      const conn = await open(addr);
      try {
        await send(conn, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
        const piece = new Uint8Array(256 * 1024);
        let written = 0;
        const writing = (async () => {
          while (written < total) {
            await send(conn, piece);
            written += piece.length;
          }
        })();
        // While the handler holds the body, the whole upload can never get through: the
        // kernel buffers fill and the client's writes block (the bound makes this finite).
        const outcome = await Promise.race([
          writing.then(() => "finished"),
          new Promise((resolve) => setTimeout(() => resolve("blocked"), 1_000)),
        ]);
        assert.equal(outcome, "blocked", "the whole body was accepted without being read");
        assert.ok(written < total);
        release();
        await writing;
        const result = await readAll(conn, { until: (t) => t.endsWith(`received ${total}`) });
        assert.equal(parseResponses(result.text)[0].body, `received ${total}`);
      } finally {
        conn.close();
      }
    },
  );
});

Deno.test("a request body larger than the read buffer arrives intact", async () => {
  const size = 3 * 1024 * 1024 + 17;
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + 7) & 0xff;
  const digest = async (bytes: Uint8Array<ArrayBuffer>) =>
    Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))).join(",");
  const expected = await digest(body);
  await withServer(
    async (request) => {
      const got = new Uint8Array(await request.arrayBuffer());
      return new Response(`${got.length} ${(await digest(got)) === expected}`);
    },
    {},
    async (_server, addr) => {
      const response = await fetch(`http://${addr.hostname}:${addr.port}/`, {
        method: "POST",
        body,
        signal: AbortSignal.timeout(TEST_TIMEOUT),
      });
      assert.equal(await response.text(), `${size} true`);
    },
  );
});
