import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { rawServer, RequestReader, send } from "./_helpers.ts";

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ClientError, `expected a ClientError, got ${error}`);
  return error;
}

/**
 * A server that reads one request, sends `headFirst`, then waits for the client to go
 * away. `received` resolves when it holds the first request.
 */
function silentServer(headFirst = "") {
  const { promise: received, resolve } = Promise.withResolvers<void>();
  const server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    await reader.read();
    resolve();
    if (headFirst !== "") await send(conn, headFirst);
    await reader.read(); // returns null when the client closes
  });
  return Object.assign(server, { received });
}

Deno.test("Client rejects an already aborted signal with ABORTED and no connection", async () => {
  await using server = silentServer();
  await using client = new Client();
  const reason = new Error("stop");
  const error = await failure(client.fetch(server.url, { signal: AbortSignal.abort(reason) }));
  assert.equal(error.code, "ABORTED");
  assert.equal(error.cause, reason);
  assert.equal(server.connections, 0);
});

Deno.test("Client abort while waiting for headers rejects and closes the connection", async () => {
  await using server = silentServer();
  await using client = new Client();
  const controller = new AbortController();
  const pending = client.fetch(server.url, { signal: controller.signal });
  await server.received;
  controller.abort();
  const error = await failure(pending);
  assert.equal(error.code, "ABORTED");
  assert.ok(error.cause instanceof DOMException);
  await server.closed(1); // the client closed its socket
});

Deno.test("Client abort while reading the body errors the body and closes the connection", async () => {
  await using server = silentServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst");
  await using client = new Client();
  const controller = new AbortController();
  const response = await client.fetch(server.url, { signal: controller.signal });
  const reader = response.body!.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "first");
  const next = reader.read();
  controller.abort();
  const error = await failure(next);
  assert.equal(error.code, "ABORTED");
  await server.closed(1);
});

Deno.test("Client abort after the body was read changes nothing", async () => {
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) {
      await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  await using client = new Client();
  const controller = new AbortController();
  const response = await client.fetch(server.url, { signal: controller.signal });
  assert.equal(await response.text(), "ok");
  controller.abort();
  assert.equal(await (await client.fetch(server.url)).text(), "ok");
  assert.equal(server.connections, 1);
});

Deno.test("Client abort while queued for a connection rejects without sending", async () => {
  await using server = silentServer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
  await using client = new Client({ maxConnectionsPerOrigin: 1 });
  const first = await client.fetch(server.url); // holds the only connection (body unread)
  const controller = new AbortController();
  const queued = client.fetch(server.url, { signal: controller.signal });
  controller.abort();
  const error = await failure(queued);
  assert.equal(error.code, "ABORTED");
  assert.equal(server.connections, 1);
  await first.body!.cancel();
});

Deno.test("Client headersTimeout fails with ETIMEDOUT (headers) and closes the connection", async () => {
  await using server = silentServer();
  await using client = new Client({ headersTimeout: 50 });
  const error = await failure(client.fetch(server.url));
  assert.equal(error.code, "ETIMEDOUT");
  assert.equal(error.timeout, "headers");
  assert.match(error.message, /headers timeout of 50 ms/);
  await server.closed(1);
});

Deno.test("Client bodyTimeout errors the body with ETIMEDOUT (body)", async () => {
  await using server = silentServer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
  await using client = new Client({ bodyTimeout: 50 });
  const response = await client.fetch(server.url);
  const error = await failure(response.text());
  assert.equal(error.code, "ETIMEDOUT");
  assert.equal(error.timeout, "body");
  await server.closed(1);
});

Deno.test("Client cancelling a body closes its connection; the next request opens another", async () => {
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) {
      await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789");
      await send(conn, "0123456789");
    }
  });
  await using client = new Client();
  const response = await client.fetch(server.url);
  await response.body!.cancel();
  await server.closed(1);
  assert.equal((await (await client.fetch(server.url)).text()).length, 20);
  assert.equal(server.connections, 2);
});

Deno.test("Client reads the socket only as fast as the body is consumed (backpressure)", async () => {
  const total = 64 * 1024 * 1024;
  let written = 0;
  let finished = false;
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
    await send(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\n\r\n`);
    const chunk = new Uint8Array(256 * 1024);
    while (written < total) {
      written += await conn.write(chunk.subarray(0, Math.min(chunk.length, total - written)));
    }
    finished = true;
  });
  await using client = new Client();
  const response = await client.fetch(server.url);
  const reader = response.body!.getReader();
  let received = (await reader.read()).value!.length;
  // While the consumer is not reading, the server cannot push 64 MiB through the
  // socket buffers: the client stopped reading.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(finished, false);
  assert.ok(written < total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
  }
  assert.equal(received, total);
});

Deno.test("Client request body stream error rejects with REQUEST_BODY_FAILED", async () => {
  await using server = silentServer();
  await using client = new Client();
  const body = new ReadableStream({
    pull(controller) {
      controller.error(new Error("source broke"));
    },
  });
  const error = await failure(client.fetch(server.url, { method: "POST", body }));
  assert.equal(error.code, "REQUEST_BODY_FAILED");
  assert.match(error.message, /source broke/);
});
