import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { rawServer, RequestReader, send } from "./_helpers.ts";

/** A raw server that answers each request on a connection with the next canned response. */
function cannedServer(responses: string[]) {
  return rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    for (const response of responses) {
      if ((await reader.read()) === null) return;
      await send(conn, response);
    }
    await reader.read(); // hold the connection until the client goes
  });
}

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ClientError, `expected a ClientError, got ${error}`);
  return error;
}

Deno.test("Client reads a chunked body with extensions and trailers", async () => {
  await using server = cannedServer([
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "5;name=value\r\nhello\r\n6;x\r\n world\r\n0\r\nx-trailer: t\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  ]);
  await using client = new Client();
  const response = await client.fetch(server.url);
  assert.equal(await response.text(), "hello world");
  // The connection is clean after the trailers: the next response comes on it.
  assert.equal(await (await client.fetch(server.url)).text(), "ok");
  assert.equal(server.connections, 1);
});

Deno.test("Client reads a chunked body that arrives in pieces", async () => {
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
    const wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
    for (let i = 0; i < wire.length; i += 7) await send(conn, wire.slice(i, i + 7));
  });
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "abc0123456789abcdef");
});

Deno.test("Client reads a close-delimited body and does not reuse its connection", async () => {
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
    await send(conn, "HTTP/1.1 200 OK\r\n\r\nuntil ");
    await send(conn, "close");
  });
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "until close");
  assert.equal(await (await client.fetch(server.url)).text(), "until close");
  assert.equal(server.connections, 2);
});

Deno.test("Client reads an HTTP/1.0 response and closes the connection after it", async () => {
  await using server = cannedServer(["HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\none"]);
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "one");
  assert.equal(await (await client.fetch(server.url)).text(), "one");
  assert.equal(server.connections, 2);
});

Deno.test("Client honours Connection: close from the server", async () => {
  await using server = cannedServer([
    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na",
  ]);
  await using client = new Client();
  await (await client.fetch(server.url)).text();
  await (await client.fetch(server.url)).text();
  assert.equal(server.connections, 2);
});

Deno.test("Client fails with CLOSED_EARLY when the server closes mid-body", async () => {
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
    await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
  });
  await using client = new Client();
  const response = await client.fetch(server.url);
  const error = await failure(response.text());
  assert.equal(error.code, "CLOSED_EARLY");
  assert.ok(error.message.includes(server.url), error.message);
});

Deno.test("Client fails with CLOSED_EARLY when the server closes mid-chunked-body", async () => {
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
    await send(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
  });
  await using client = new Client();
  const error = await failure((await client.fetch(server.url)).text());
  assert.equal(error.code, "CLOSED_EARLY");
});

Deno.test("Client fails with CLOSED_EARLY when the server closes before the head", async () => {
  for (const partial of ["", "HTTP/1.1 200 OK\r\nContent-"]) {
    await using server = rawServer(async (conn) => {
      await new RequestReader(conn).read();
      await send(conn, partial);
    });
    await using client = new Client();
    const error = await failure(client.fetch(`${server.url}/p`));
    assert.equal(error.code, "CLOSED_EARLY");
    assert.equal(error.url, `${server.url}/p`);
  }
});

Deno.test("Client rejects garbage and bad framing with MALFORMED_RESPONSE", async () => {
  const cases = [
    "garbage\r\n\r\n",
    "HTTP/1.1 2000 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
  ];
  for (const wire of cases) {
    await using server = cannedServer([wire]);
    await using client = new Client();
    const error = await client.fetch(server.url).then((r) => r.arrayBuffer()).then(
      () => null,
      (e) => e,
    );
    assert.ok(error instanceof ClientError, `${JSON.stringify(wire)}: ${error}`);
    assert.equal(error.code, "MALFORMED_RESPONSE", `${JSON.stringify(wire)}: ${error.message}`);
    assert.ok(error.message.includes(server.url));
  }
});

Deno.test("Client reads HEAD responses without a body and reuses the connection", async () => {
  await using server = cannedServer([
    "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  ]);
  await using client = new Client();
  const head = await client.fetch(server.url, { method: "HEAD" });
  assert.equal(head.body, null);
  assert.equal(head.headers.get("content-length"), "1234");
  assert.equal((await client.fetch(server.url, { method: "HEAD" })).body, null);
  assert.equal(await (await client.fetch(server.url)).text(), "ok");
  assert.equal(server.connections, 1);
});

Deno.test("Client skips 1xx responses and returns the final one", async () => {
  await using server = cannedServer([
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" +
    "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone",
  ]);
  await using client = new Client();
  const response = await client.fetch(server.url, { method: "POST", body: "x" });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("link"), null);
  assert.equal(await response.text(), "done");
});

Deno.test("Client gives 204 and 304 a null body and an empty 200 an empty one", async () => {
  await using server = cannedServer([
    "HTTP/1.1 204 No Content\r\n\r\n",
    'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
  ]);
  await using client = new Client();
  assert.equal((await client.fetch(server.url)).body, null);
  const notModified = await client.fetch(server.url);
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body, null);
  const empty = await client.fetch(server.url);
  assert.equal(await empty.text(), "");
  assert.equal(server.connections, 1);
});

Deno.test("Client keeps repeated headers and the reason phrase", async () => {
  await using server = cannedServer([
    "HTTP/1.1 418 I'm a teapot\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-A: 1\r\nx-a: 2\r\n" +
    "Content-Length: 0\r\n\r\n",
  ]);
  await using client = new Client();
  const response = await client.fetch(server.url);
  assert.equal(response.status, 418);
  assert.equal(response.statusText, "I'm a teapot");
  assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
  assert.equal(response.headers.get("x-a"), "1, 2");
});

Deno.test("Client retries an idempotent request once when a reused connection was closed", async () => {
  // Connection 1 answers one request, then closes on reading the second without
  // answering: the race where the server drops an idle connection just as it is reused.
  await using server = rawServer(async (conn, index) => {
    const reader = new RequestReader(conn);
    if (index === 0) {
      await reader.read();
      await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
      await reader.read();
      return;
    }
    while ((await reader.read()) !== null) {
      await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
    }
  });
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "first");
  assert.equal(
    await (await client.fetch(server.url, { method: "PUT", body: "x" })).text(),
    "fresh",
  );
  assert.equal(server.connections, 2);
});

Deno.test("Client retries a QUERY with a body once when a reused connection was closed, as PUT", async () => {
  // QUERY is safe and idempotent (RFC 10008): the stale-connection race replays it, body
  // and all, on a fresh connection.
  const seen: string[] = [];
  await using server = rawServer(async (conn, index) => {
    const reader = new RequestReader(conn);
    if (index === 0) {
      await reader.read();
      await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
      const dropped = await reader.read();
      if (dropped !== null) seen.push(`dropped ${dropped.method}`);
      return;
    }
    for (let request; (request = await reader.read()) !== null;) {
      const body = new TextDecoder().decode(request.body);
      seen.push(`answered ${request.method} ${request.headers.get("content-type")} ${body}`);
      await send(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    }
  });
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "first");
  const response = await client.fetch(server.url, {
    method: "QUERY",
    headers: { "content-type": "application/json" },
    body: '{"q":"wire"}',
  });
  assert.equal(await response.text(), '{"q":"wire"}');
  assert.deepEqual(seen, ["dropped QUERY", 'answered QUERY application/json {"q":"wire"}']);
  assert.equal(server.connections, 2);
});

Deno.test("Client never retries a QUERY whose stream body cannot be sent again", async () => {
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    await reader.read();
    await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
    await reader.read();
  });
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "first");
  const body = ReadableStream.from([new TextEncoder().encode("q=1")]);
  const error = await failure(client.fetch(server.url, { method: "QUERY", body }));
  assert.equal(error.code, "CLOSED_EARLY");
  assert.equal(server.connections, 1);
});

Deno.test("Client never retries a POST on a reused connection that closed", async () => {
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    await reader.read();
    await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
    await reader.read();
  });
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "first");
  const error = await failure(client.fetch(server.url, { method: "POST", body: "once" }));
  assert.equal(error.code, "CLOSED_EARLY");
  assert.equal(server.connections, 1);
});

Deno.test("Client never retries an idempotent request on a fresh connection", async () => {
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
  });
  await using client = new Client();
  const error = await failure(client.fetch(server.url));
  assert.equal(error.code, "CLOSED_EARLY");
  assert.equal(server.connections, 1);
});

Deno.test("Client drops an idle connection the server closed and uses a new one", async () => {
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
    await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  await using client = new Client();
  await (await client.fetch(server.url)).text();
  await server.closed(1);
  assert.equal(await (await client.fetch(server.url)).text(), "ok");
  assert.equal(server.connections, 2);
});

Deno.test("Client retires a connection before the server's Keep-Alive timeout hint", async () => {
  // timeout=1 less the 1000 ms threshold leaves no idle time: closed at once.
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) {
      await send(conn, "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  await using client = new Client();
  await (await client.fetch(server.url)).text();
  await server.closed(1); // the client closed it: the server's read saw EOF
  await (await client.fetch(server.url)).text();
  assert.equal(server.connections, 2);

  // timeout=2 with a 1950 ms threshold: kept 50 ms, then retired by the client.
  await using hinted = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) {
      await send(
        conn,
        "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2, max=5\r\nContent-Length: 0\r\n\r\n",
      );
    }
  });
  await using client2 = new Client({ keepAliveTimeoutThreshold: 1950 });
  await (await client2.fetch(hinted.url)).text();
  await hinted.closed(1);
  assert.equal(hinted.connections, 1);
});

Deno.test("Client pipelines idempotent requests when pipelining is on", async () => {
  // The server answers only once it holds three requests on one connection: without
  // pipelining this would never happen.
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    const targets: string[] = [];
    for (let i = 0; i < 3; i++) targets.push((await reader.read())!.target);
    for (const target of targets) {
      await send(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${target.length}\r\n\r\n${target}`);
    }
    await reader.read();
  });
  await using client = new Client({ maxConnectionsPerOrigin: 1, pipelining: 3 });
  const signal = AbortSignal.timeout(5_000);
  const texts = await Promise.all(
    ["/a", "/b", "/c"].map(async (path) =>
      await (await client.fetch(server.url + path, { signal })).text()
    ),
  );
  assert.deepEqual(texts, ["/a", "/b", "/c"]);
  assert.equal(server.connections, 1);
});

Deno.test("Client fails later pipelined requests retryably when the connection drops", async () => {
  // Connection 1 answers the first of two pipelined requests and closes; the second
  // was never answered, so it goes again on connection 2.
  await using server = rawServer(async (conn, index) => {
    const reader = new RequestReader(conn);
    if (index === 0) {
      await reader.read();
      await reader.read();
      await send(conn, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n1");
      return;
    }
    while ((await reader.read()) !== null) {
      await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2");
    }
  });
  await using client = new Client({ maxConnectionsPerOrigin: 1, pipelining: 2 });
  const signal = AbortSignal.timeout(5_000);
  const [a, b] = await Promise.all([
    client.fetch(server.url, { signal }).then((r) => r.text()),
    client.fetch(server.url, { signal }).then((r) => r.text()),
  ]);
  assert.equal(a, "1");
  assert.equal(b, "2");
});

Deno.test("Client never pipelines a POST", async () => {
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    let request;
    while ((request = await reader.read()) !== null) {
      await send(
        conn,
        `HTTP/1.1 200 OK\r\nContent-Length: ${request.target.length}\r\n\r\n${request.target}`,
      );
    }
  });
  await using client = new Client({ maxConnectionsPerOrigin: 1, pipelining: 4 });
  const texts = await Promise.all(
    ["/1", "/2", "/3"].map(async (path) =>
      await (await client.fetch(server.url + path, { method: "POST", body: "b" })).text()
    ),
  );
  assert.deepEqual(texts, ["/1", "/2", "/3"]);
});

Deno.test("Client accepts a response head at maxResponseHeaderBytes and rejects one byte more", async () => {
  const limit = 1024;
  const base = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: \r\n\r\n";
  const atLimit = base.replace("X-Pad: ", "X-Pad: " + "a".repeat(limit - base.length));
  assert.equal(atLimit.length, limit);
  const past = atLimit.replace("X-Pad: ", "X-Pad: a");
  await using server = cannedServer([atLimit, past]);
  await using client = new Client({ maxResponseHeaderBytes: limit });
  assert.equal((await client.fetch(server.url)).status, 200);
  const error = await failure(client.fetch(server.url));
  assert.equal(error.code, "MALFORMED_RESPONSE");
});

Deno.test("Client accepts maxResponseHeaderCount fields and rejects one more", async () => {
  const fields = (n: number) => Array.from({ length: n - 1 }, (_, i) => `X-${i}: v\r\n`).join("");
  await using server = cannedServer([
    `HTTP/1.1 200 OK\r\n${fields(10)}Content-Length: 0\r\n\r\n`,
    `HTTP/1.1 200 OK\r\n${fields(11)}Content-Length: 0\r\n\r\n`,
  ]);
  await using client = new Client({ maxResponseHeaderCount: 10 });
  assert.equal((await client.fetch(server.url)).status, 200);
  const error = await failure(client.fetch(server.url));
  assert.equal(error.code, "MALFORMED_RESPONSE");
});

Deno.test("Client closes a connection that sent bytes after a complete response", async () => {
  await using server = cannedServer([
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  ]);
  await using client = new Client();
  assert.equal(await (await client.fetch(server.url)).text(), "ok");
  assert.equal(await (await client.fetch(server.url)).text(), "ok");
  assert.equal(server.connections, 2);
});

Deno.test("Client reads no body for a 204 that sends one anyway and drops the connection", async () => {
  await using server = cannedServer(["HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"]);
  await using client = new Client();
  const response = await client.fetch(server.url);
  assert.equal(response.status, 204);
  assert.equal(response.body, null);
  assert.equal((await client.fetch(server.url)).status, 204);
  assert.equal(server.connections, 2);
});
