import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { closeDefaultClient, fetch as wireFetch } from "../../../http/fetch.ts";
import { closedPort, nodeServer, readNodeBody } from "./_helpers.ts";
import type http from "node:http";

const decoder = new TextDecoder();

/** A node:http server answering with JSON describing the request it got. */
function echoServer() {
  return nodeServer(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = await readNodeBody(req);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: decoder.decode(body),
      bodyLength: body.length,
    }));
  });
}

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  bodyLength: number;
}

Deno.test("Client GET returns status, headers, body and url from node:http", async () => {
  await using server = await echoServer();
  await using client = new Client();
  const response = await client.fetch(`${server.url}/path?q=1#frag`);
  assert.equal(response.status, 200);
  assert.equal(response.statusText, "OK");
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.url, `${server.url}/path?q=1`);
  assert.equal(response.redirected, false);
  const echo: Echo = await response.json();
  assert.equal(echo.method, "GET");
  assert.equal(echo.url, "/path?q=1");
  assert.equal(echo.headers.host, `127.0.0.1:${server.port}`);
  assert.equal(echo.headers.accept, "*/*");
  assert.equal(echo.headers["accept-encoding"], "gzip, deflate", "no br on plain http");
  assert.ok(echo.headers["user-agent"].startsWith("wire/"));
});

Deno.test("Client sends every method, upper-casing the standard ones as fetch does", async () => {
  await using server = await echoServer();
  await using client = new Client();
  for (const method of ["get", "post", "put", "delete", "options"]) {
    const echo: Echo = await (await client.fetch(server.url, { method })).json();
    assert.equal(echo.method, method.toUpperCase());
  }
  for (const method of ["PATCH", "PURGE"]) {
    const echo: Echo = await (await client.fetch(server.url, { method })).json();
    assert.equal(echo.method, method);
  }
  const head = await client.fetch(server.url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
});

Deno.test("Client sends string, bytes, Blob, URLSearchParams, FormData and stream bodies", async () => {
  await using server = await echoServer();
  await using client = new Client();
  const post = async (body: BodyInit, headers?: HeadersInit): Promise<Echo> =>
    await (await client.fetch(server.url, { method: "POST", body, headers })).json();

  let echo = await post("héllo");
  assert.equal(echo.body, "héllo");
  assert.equal(echo.headers["content-length"], "6");
  assert.equal(echo.headers["content-type"], "text/plain;charset=UTF-8");

  echo = await post(new Uint8Array([104, 105]));
  assert.equal(echo.body, "hi");
  assert.equal(echo.headers["content-length"], "2");
  assert.equal(echo.headers["content-type"], undefined);

  echo = await post(new Blob(["blob body"], { type: "text/x-blob" }));
  assert.equal(echo.body, "blob body");
  assert.equal(echo.headers["content-length"], "9");
  assert.equal(echo.headers["content-type"], "text/x-blob");

  echo = await post(new URLSearchParams({ a: "1", b: "two words" }));
  assert.equal(echo.body, "a=1&b=two+words");
  assert.equal(echo.headers["content-type"], "application/x-www-form-urlencoded;charset=UTF-8");

  const form = new FormData();
  form.append("field", "value");
  echo = await post(form);
  assert.match(echo.headers["content-type"], /^multipart\/form-data; ?boundary=/);
  assert.ok(echo.body.includes('name="field"') && echo.body.includes("value"));
  assert.equal(echo.headers["content-length"], String(echo.bodyLength));

  const stream = ReadableStream.from([new Uint8Array([1, 2]), new Uint8Array([3])]);
  echo = await post(stream);
  assert.equal(echo.bodyLength, 3);
  assert.equal(echo.headers["transfer-encoding"], "chunked");
  assert.equal(echo.headers["content-length"], undefined);

  // A large body goes out in its own write after the head.
  const big = new Uint8Array(300_000).fill(120);
  echo = await post(big);
  assert.equal(echo.bodyLength, 300_000);

  // POST without a body says Content-Length: 0, as fetch does.
  echo = await (await client.fetch(server.url, { method: "POST" })).json();
  assert.equal(echo.headers["content-length"], "0");
});

Deno.test("Client sends a stream with a given Content-Length unchunked, and checks its length", async () => {
  await using server = await echoServer();
  await using client = new Client();
  const ok = await client.fetch(server.url, {
    method: "PUT",
    headers: { "content-length": "5" },
    body: ReadableStream.from([bytesOf("hel"), bytesOf("lo")]),
  });
  const echo: Echo = await ok.json();
  assert.equal(echo.body, "hello");
  assert.equal(echo.headers["transfer-encoding"], undefined);

  for (const parts of [["hel"], ["hello", "!"]]) {
    const error = await client.fetch(server.url, {
      method: "PUT",
      headers: { "content-length": "5" },
      body: ReadableStream.from(parts.map(bytesOf)),
    }).then(() => null, (e) => e);
    assert.ok(error instanceof ClientError, String(error));
    assert.equal(error.code, "REQUEST_BODY_FAILED");
    assert.match(error.message, /Content-Length of 5/);
  }
});

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

Deno.test("Client takes a Request as input, with its method, headers and body", async () => {
  await using server = await echoServer();
  await using client = new Client();
  const request = new Request(`${server.url}/r`, {
    method: "POST",
    headers: { "x-one": "1" },
    body: "from a Request",
  });
  const echo: Echo = await (await client.fetch(request)).json();
  assert.equal(echo.method, "POST");
  assert.equal(echo.url, "/r");
  assert.equal(echo.headers["x-one"], "1");
  assert.equal(echo.body, "from a Request");
  assert.equal(echo.headers["content-length"], "14");
});

Deno.test("Client sends URL credentials as Basic authorization and keeps them out of url", async () => {
  await using server = await echoServer();
  await using client = new Client();
  const url = `http://us%20er:p%40ss@127.0.0.1:${server.port}/`;
  const response = await client.fetch(url);
  const echo: Echo = await response.json();
  assert.equal(echo.headers.authorization, "Basic " + btoa("us er:p@ss"));
  assert.equal(response.url, `${server.url}/`);
});

Deno.test("Client rejects bad requests with TypeError before connecting", async () => {
  await using client = new Client();
  await assert.rejects(client.fetch("ftp://127.0.0.1/"), TypeError);
  await assert.rejects(client.fetch("not a url"), TypeError);
  await assert.rejects(client.fetch("http://127.0.0.1:1/", { method: "CONNECT" }), TypeError);
  await assert.rejects(client.fetch("http://127.0.0.1:1/", { method: "bad method" }), TypeError);
  await assert.rejects(client.fetch("http://127.0.0.1:1/", { body: "x" }), TypeError);
  await assert.rejects(
    client.fetch("http://127.0.0.1:1/", { headers: { "bad name": "x" } }),
    TypeError,
  );
});

Deno.test("Client options out of range throw RangeError, wrong types TypeError", () => {
  assert.throws(() => new Client({ maxConnectionsPerOrigin: 0 }), RangeError);
  assert.throws(() => new Client({ maxConnectionsPerOrigin: 1.5 }), RangeError);
  assert.throws(() => new Client({ pipelining: 0 }), RangeError);
  assert.throws(() => new Client({ headersTimeout: -1 }), RangeError);
  assert.throws(() => new Client({ bodyTimeout: "1" as unknown as number }), TypeError);
  assert.throws(() => new Client({ caCerts: "pem" as unknown as string[] }), TypeError);
  assert.throws(() => new Client({ socketPath: "" }), TypeError);
  assert.throws(() => new Client(null as unknown as object), TypeError);
});

Deno.test("Client reuses one connection for sequential requests (counted on the server)", async () => {
  await using server = await echoServer();
  await using client = new Client();
  for (let i = 0; i < 10; i++) {
    const response = await client.fetch(`${server.url}/${i}`);
    assert.equal((await response.json()).url, `/${i}`);
  }
  assert.equal(server.connections, 1);
});

Deno.test("Client does not reuse a connection until the body is read", async () => {
  // 1 MiB does not arrive with the head, so the body streams and holds its connection.
  const big = new Uint8Array(1024 * 1024);
  await using server = await nodeServer((_req, res) => res.end(big));
  await using client = new Client();
  const first = await client.fetch(server.url);
  const second = await client.fetch(server.url); // the first body is unread: new connection
  assert.equal(server.connections, 2);
  await first.arrayBuffer();
  await second.arrayBuffer();
  await (await client.fetch(server.url)).arrayBuffer();
  assert.equal(server.connections, 2);
});

Deno.test("Client opens at most maxConnectionsPerOrigin connections and queues the rest", async () => {
  await using server = await nodeServer((_req, res) => res.end("ok"));
  for (const max of [1, 3]) {
    await using client = new Client({ maxConnectionsPerOrigin: max });
    const before = server.connections;
    // At the limit: `max` requests at once use `max` connections.
    let responses = await Promise.all(
      Array.from({ length: max }, () => client.fetch(server.url)),
    );
    for (const r of responses) assert.equal(await r.text(), "ok");
    assert.equal(server.connections - before, max);
    // Past it: twice as many requests still use `max` connections, the rest queue.
    responses = await Promise.all(
      Array.from({ length: max * 2 + 1 }, () =>
        client.fetch(server.url).then(async (r) => {
          await r.arrayBuffer();
          return r;
        })),
    );
    assert.equal(responses.length, max * 2 + 1);
    assert.equal(server.connections - before, max);
  }
});

Deno.test("Client keeps separate pools per origin", async () => {
  await using a = await echoServer();
  await using b = await echoServer();
  await using client = new Client();
  for (let i = 0; i < 3; i++) {
    await (await client.fetch(a.url)).arrayBuffer();
    await (await client.fetch(b.url)).arrayBuffer();
  }
  assert.equal(a.connections, 1);
  assert.equal(b.connections, 1);
});

Deno.test("Client retires an idle connection after keepAliveTimeout", async () => {
  await using server = await nodeServer((_req, res) => res.end("ok"));
  await using client = new Client({ keepAliveTimeout: 20 });
  await (await client.fetch(server.url)).text();
  // The client closes the idle socket: the server sees it go.
  await server.socketsClosed(1);
  await (await client.fetch(server.url)).text();
  assert.equal(server.connections, 2);
});

Deno.test("Client refused connection rejects with ECONNREFUSED naming the URL", async () => {
  await using client = new Client();
  const url = `http://127.0.0.1:${closedPort()}/x`;
  const error = await client.fetch(url).then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.ok(error instanceof TypeError, "a fetch network error is a TypeError");
  assert.equal(error.code, "ECONNREFUSED");
  assert.equal(error.url, url);
  assert.ok(error.message.includes(url), error.message);
});

Deno.test("Client close fails in-flight bodies and later fetches with CLIENT_CLOSED", async () => {
  await using server = await nodeServer((_req, res) => {
    res.write("partial");
    // never ends
  });
  const client = new Client();
  const response = await client.fetch(server.url);
  const reader = response.body!.getReader();
  assert.equal(decoder.decode((await reader.read()).value), "partial");
  const pending = reader.read();
  await client.close();
  const error = await pending.then(() => null, (e) => e);
  assert.equal(error?.code, "CLIENT_CLOSED");
  const later = await client.fetch(server.url).then(() => null, (e) => e);
  assert.equal(later?.code, "CLIENT_CLOSED");
  await client.close(); // harmless
});

Deno.test("fetch shares a default Client whose connections are reused", async () => {
  await using server = await echoServer();
  try {
    for (let i = 0; i < 3; i++) await (await wireFetch(server.url)).arrayBuffer();
    assert.equal(server.connections, 1);
  } finally {
    await closeDefaultClient();
  }
});

Deno.test("Client frames mixed large and small stream chunks correctly when chunked", async () => {
  await using server = await echoServer();
  await using client = new Client();
  const sizes = [100_000, 10, 50_000, 20_000, 5, 0, 70_000];
  const parts = sizes.map((n, k) => new Uint8Array(n).fill(97 + k));
  const response = await client.fetch(server.url, {
    method: "POST",
    body: ReadableStream.from(parts),
  });
  const echo: Echo = await response.json();
  assert.equal(echo.headers["transfer-encoding"], "chunked");
  assert.equal(echo.body, parts.map((p) => decoder.decode(p)).join(""));
});
