// In-memory dispatch: `new Client({ handler })` sends each request through the server's
// real parser, connection state machine and encoder (injectConnection), with no socket.

import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import type { ServeInfo } from "../../../http/handler.ts";

Deno.test("memory: requests reach the handler through the real protocol, no port", async () => {
  await using client = new Client({
    handler: async (request, info: ServeInfo) =>
      Response.json({
        url: request.url,
        method: request.method,
        body: await request.text(),
        type: request.headers.get("content-type"),
        from: (info.remoteAddr as Deno.NetAddr).hostname,
      }, { status: 201, headers: { "x-served": "memory" } }),
  });
  const response = await client.fetch("http://users.internal/v1/users?page=2", {
    method: "POST",
    body: JSON.stringify({ name: "wire" }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("x-served"), "memory");
  assert.equal(response.url, "http://users.internal/v1/users?page=2");
  assert.deepEqual(await response.json(), {
    url: "http://users.internal/v1/users?page=2",
    method: "POST",
    body: '{"name":"wire"}',
    type: "application/json",
    from: "127.0.0.1",
  });
});

Deno.test("memory: streamed bodies both ways, HEAD, 204 and https URLs", async () => {
  await using client = new Client({
    handler: async (request) => {
      if (request.method === "HEAD") return new Response("ignored", { status: 200 });
      if (new URL(request.url).pathname === "/empty") return new Response(null, { status: 204 });
      if (request.method === "GET") {
        return new Response(
          ReadableStream.from(["a", "b", "c"]).pipeThrough(new TextEncoderStream()),
        );
      }
      const bytes = new Uint8Array(await request.arrayBuffer());
      return new Response(`${request.url} ${bytes.length}`);
    },
  });
  assert.equal(await (await client.fetch("http://svc.test/stream")).text(), "abc");
  assert.equal((await client.fetch("http://svc.test/", { method: "HEAD" })).body, null);
  assert.equal((await client.fetch("http://svc.test/empty")).status, 204);
  const upload = ReadableStream.from(
    Array.from({ length: 40 }, () => new Uint8Array(64 * 1024).fill(1)),
  );
  const echoed = await client.fetch("https://svc.test/up", { method: "PUT", body: upload });
  assert.equal(await echoed.text(), `https://svc.test/up ${40 * 64 * 1024}`);
});

Deno.test("memory: a handler that throws answers 500, and the server's limits apply", async () => {
  await using client = new Client({
    handler: () => {
      throw new Error("boom");
    },
    handlerOptions: {
      maxHeaderBytes: 1024,
      onError: () => new Response("handled", { status: 500 }),
    },
  });
  const failed = await client.fetch("http://svc.test/");
  assert.equal(failed.status, 500);
  assert.equal(await failed.text(), "handled");
  const big = await client.fetch("http://svc.test/", { headers: { "x-pad": "a".repeat(2000) } });
  assert.equal(big.status, 431);
  await big.body?.cancel();
});

Deno.test("memory: a service that calls another service runs without ports", async () => {
  await using users = new Client({
    handler: (request) => Response.json({ id: new URL(request.url).pathname.split("/").pop() }),
  });
  await using api = new Client({
    handler: async (request) => {
      const id = new URL(request.url).searchParams.get("user")!;
      const user = await (await users.fetch(`http://users.internal/users/${id}`)).json();
      return Response.json({ greeting: `hello ${user.id}` });
    },
  });
  const results = await Promise.all(
    Array.from(
      { length: 64 },
      async (_, i) => (await (await api.fetch(`http://api.internal/?user=${i}`)).json()).greeting,
    ),
  );
  assert.deepEqual(results, Array.from({ length: 64 }, (_, i) => `hello ${i}`));
});

Deno.test("memory: connections are kept alive and reused, and close() ends them all", async () => {
  let requests = 0;
  const client = new Client({
    handler: () => new Response(String(++requests)),
    maxConnectionsPerOrigin: 2,
  });
  for (let i = 1; i <= 5; i++) {
    assert.equal(await (await client.fetch("http://svc.test/")).text(), String(i));
  }
  // A body left unread holds its connection until close() fails it.
  const held = await client.fetch("http://svc.test/", { headers: { "x-n": "1" } });
  await client.close();
  await held.body?.cancel();
  const later = await client.fetch("http://svc.test/").then(() => null, (e) => e);
  assert.equal(later?.code, "CLIENT_CLOSED");
});

Deno.test("memory: abort and timeouts work as over a socket", async () => {
  const { promise: never } = Promise.withResolvers<Response>();
  await using client = new Client({ handler: () => never, headersTimeout: 50 });
  const timedOut = await client.fetch("http://svc.test/").then(() => null, (e) => e);
  assert.equal(timedOut?.code, "ETIMEDOUT");
  const reason = new Error("stop");
  const aborted = await client.fetch("http://svc.test/", { signal: AbortSignal.abort(reason) })
    .then(() => null, (e) => e);
  assert.equal(aborted, reason);
});

Deno.test("memory: handler options are checked", () => {
  assert.throws(() => new Client({ handler: 42 as unknown as () => Response }), TypeError);
  assert.throws(
    () => new Client({ handler: () => new Response(), socketPath: "/tmp/x.sock" }),
    TypeError,
  );
  // A { fetch } object (a Hono app, a `deno serve` module) is a handler too.
  const client = new Client({ handler: { fetch: () => new Response("obj") } });
  return client.fetch("http://svc.test/").then(async (r) => {
    assert.equal(await r.text(), "obj");
    await client.close();
  });
});
