import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { rawServer, RequestReader, send } from "./_helpers.ts";

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ClientError, `expected a ClientError, got ${error}`);
  return error;
}

/** What `promise` rejects with (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(() => assert.fail("expected a rejection"), (e) => e);
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

Deno.test("Client rejects an already aborted signal with its reason and no connection", async () => {
  await using server = silentServer();
  await using client = new Client();
  const reason = new Error("stop");
  const error = await rejection(client.fetch(server.url, { signal: AbortSignal.abort(reason) }));
  assert.equal(error, reason);
  const plain = await rejection(client.fetch(server.url, { signal: AbortSignal.abort() }));
  assert.ok(plain instanceof DOMException);
  assert.equal(plain.name, "AbortError");
  assert.equal(server.connections, 0);
});

Deno.test("Client abort while waiting for headers rejects with an AbortError and closes the connection", async () => {
  await using server = silentServer();
  await using client = new Client();
  const controller = new AbortController();
  const pending = client.fetch(server.url, { signal: controller.signal });
  await server.received;
  controller.abort();
  const error = await rejection(pending);
  assert.ok(error instanceof DOMException);
  assert.equal((error as DOMException).name, "AbortError");
  await server.closed(1); // the client closed its socket
});

Deno.test("Client AbortSignal.timeout rejects with its TimeoutError", async () => {
  await using server = silentServer();
  await using client = new Client();
  const error = await rejection(client.fetch(server.url, { signal: AbortSignal.timeout(30) }));
  assert.ok(error instanceof DOMException);
  assert.equal((error as DOMException).name, "TimeoutError");
  await server.closed(1);
});

Deno.test("Client abort while reading the body errors the body with the reason and closes the connection", async () => {
  await using server = silentServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst");
  await using client = new Client();
  const controller = new AbortController();
  const response = await client.fetch(server.url, { signal: controller.signal });
  const reader = response.body!.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "first");
  const next = reader.read();
  const reason = new Error("enough");
  controller.abort(reason);
  assert.equal(await rejection(next), reason);
  await server.closed(1);
});

Deno.test("Client abort after the head errors a body that arrived whole but was not read", async () => {
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) {
      await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  await using client = new Client();
  const controller = new AbortController();
  const response = await client.fetch(server.url, { signal: controller.signal });
  controller.abort();
  const error = await rejection(response.text());
  assert.equal((error as DOMException).name, "AbortError");
  // The body was whole: the connection went back to the pool and serves the next one.
  assert.equal(await (await client.fetch(server.url)).text(), "ok");
  assert.equal(server.connections, 1);
});

Deno.test("Client parallel fetches sharing a controller: aborting after the first body rejects the rest", async () => {
  // undici's abort2 test: ten requests, one signal, the first to finish aborts it. Here
  // the first connection answers and the others wait, so the race has one outcome.
  await using server = rawServer(async (conn, index) => {
    const reader = new RequestReader(conn);
    await reader.read();
    if (index === 0) await send(conn, 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"fixes":1}');
    await reader.read(); // until the client goes
  });
  await using client = new Client();
  const controller = new AbortController();
  const results = await Promise.allSettled(Array.from({ length: 10 }, async () => {
    const body = await (await client.fetch(server.url, { signal: controller.signal })).json();
    controller.abort();
    return body;
  }));
  const resolved = results.filter((r) => r.status === "fulfilled");
  const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
  assert.equal(resolved.length, 1);
  assert.equal(rejected.length, 9);
  assert.ok(rejected.every((r) => r.reason?.code === DOMException.ABORT_ERR));
});

Deno.test("Client pre-aborted request cancels a stream request body with the reason", async () => {
  await using server = silentServer();
  await using client = new Client();
  const cancelled = Promise.withResolvers<unknown>();
  const body = new ReadableStream({ cancel: (reason) => cancelled.resolve(reason) });
  const error = await rejection(
    client.fetch(server.url, { method: "POST", body, signal: AbortSignal.abort() }),
  );
  assert.equal((error as DOMException).name, "AbortError");
  assert.equal(await cancelled.promise, error);
  // A stream already closed is not cancelled (its cancel never runs).
  const closed = new ReadableStream({
    start: (controller) => controller.close(),
    cancel: () => assert.fail("a closed stream is not cancelled"),
  });
  await rejection(
    client.fetch(server.url, { method: "POST", body: closed, signal: AbortSignal.abort() }),
  );
  // Through a Request too.
  const viaRequest = Promise.withResolvers<unknown>();
  const request = new Request(server.url, {
    method: "POST",
    body: new ReadableStream({ cancel: (reason) => viaRequest.resolve(reason) }),
    signal: AbortSignal.abort(),
  });
  await rejection(client.fetch(request));
  assert.equal(((await viaRequest.promise) as DOMException).name, "AbortError");
  assert.equal(server.connections, 0);
});

Deno.test("Client abort during a streamed upload cancels the request body with the reason", async () => {
  await using server = silentServer();
  await using client = new Client();
  const controller = new AbortController();
  const cancelled = Promise.withResolvers<unknown>();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent++ === 1) controller.abort(new Error("stop uploading"));
      c.enqueue(new Uint8Array(1024));
    },
    cancel: (reason) => cancelled.resolve(reason),
  });
  const error = await rejection(
    client.fetch(server.url, { method: "POST", body, signal: controller.signal }),
  );
  assert.equal((error as Error).message, "stop uploading");
  assert.equal(await cancelled.promise, error);
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
  const error = await rejection(queued);
  assert.equal((error as DOMException).name, "AbortError");
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
