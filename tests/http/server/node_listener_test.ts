// The plain TCP route through node:net (`transport: "node"`; http/_server/node_listener.ts,
// node_socket.ts):
// which listeners take it, errors as Deno.listen reports them, backpressure on a body
// nobody reads yet, half-close, large responses, and the same answers with it off.

import { assert } from "../../_assert.ts";
import { rawExchange, TEST_TIMEOUT, withServer } from "../../_server.ts";
import { serve } from "../../../http/serve.ts";
import { nodeListen, setNodeListen, wantsNodeListen } from "../../../http/_server/node_listener.ts";

const NODE = { transport: "node" } as const;

Deno.test("node:net route: only for IP literals, and only when on", () => {
  assert.equal(nodeListen("localhost", 0, () => {}), null, "a name goes to Deno.listen");
  const listener = nodeListen("127.0.0.1", 0, () => {});
  assert.ok(listener !== null, "the probe passes on this Deno");
  assert.equal(listener.addr.hostname, "127.0.0.1");
  assert.ok(listener.addr.port > 0);
  listener.close();
  const v6 = nodeListen("::1", 0, () => {});
  assert.equal(v6?.addr.hostname, "::1");
  v6?.close();
  // The option picks the route; without it, the default (Deno's ops unless a test says).
  assert.equal(wantsNodeListen("node"), true);
  assert.equal(wantsNodeListen("deno"), false);
  assert.equal(wantsNodeListen(undefined), false);
  assert.equal(setNodeListen(true), true);
  try {
    assert.equal(wantsNodeListen(undefined), true);
    assert.equal(wantsNodeListen("deno"), false);
  } finally {
    setNodeListen(false);
  }
  assert.throws(
    () => serve(() => new Response("x"), { port: 0, onListen() {}, transport: "uv" as "node" }),
    TypeError,
  );
});

Deno.test("node:net route: a port in use throws Deno.errors.AddrInUse before serve returns", async () => {
  await withServer(() => new Response("first"), NODE, async (_server, addr) => {
    assert.throws(
      () =>
        serve(() => new Response("second"), {
          hostname: "127.0.0.1",
          port: addr.port,
          onListen() {},
          ...NODE,
        }),
      Deno.errors.AddrInUse,
    );
    const { text } = await rawExchange(
      addr,
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert.match(text, /first$/);
  });
});

Deno.test("node:net route: a 4 MiB upload read slowly arrives whole; a 16 MiB response is sent whole", async () => {
  const size = 4 * 1024 * 1024;
  await withServer(
    async (request) => {
      if (request.method === "GET") return new Response(new Uint8Array(16 * 1024 * 1024).fill(7));
      // Reading late: the socket is paused meanwhile (node_socket.ts's high-water mark).
      await new Promise((resolve) => setTimeout(resolve, 100));
      let total = 0;
      let sum = 0;
      for await (const chunk of request.body!) {
        total += chunk.length;
        for (let i = 0; i < chunk.length; i++) sum = (sum * 31 + chunk[i]) >>> 0;
      }
      return Response.json({ total, sum });
    },
    NODE,
    async (_server, addr) => {
      const body = new Uint8Array(size);
      for (let i = 0; i < size; i++) body[i] = i % 251;
      let expected = 0;
      for (let i = 0; i < size; i++) expected = (expected * 31 + body[i]) >>> 0;
      const url = `http://127.0.0.1:${addr.port}/`;
      const response = await fetch(url, {
        method: "POST",
        body,
        signal: AbortSignal.timeout(TEST_TIMEOUT),
      });
      assert.deepEqual(await response.json(), { total: size, sum: expected });
      const download = await fetch(url, { signal: AbortSignal.timeout(TEST_TIMEOUT) });
      const bytes = new Uint8Array(await download.arrayBuffer());
      assert.equal(bytes.length, 16 * 1024 * 1024);
      assert.ok(bytes.every((b) => b === 7));
    },
  );
});

Deno.test("node:net route: a client that half-closes after its request still gets the answer", async () => {
  await withServer(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return new Response("late but delivered");
    },
    NODE,
    async (_server, addr) => {
      const { text, closed } = await rawExchange(addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", {
        closeWrite: true,
      });
      assert.equal(closed, true);
      assert.match(text, /^HTTP\/1\.1 200 /);
      assert.match(text, /late but delivered$/);
    },
  );
});

Deno.test("node:net route: remoteAddr is the client's address and port", async () => {
  let seen: Deno.NetAddr | undefined;
  await withServer(
    (_request, info) => {
      seen = info.remoteAddr as Deno.NetAddr;
      return new Response("ok");
    },
    NODE,
    async (_server, addr) => {
      const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      const local = conn.localAddr as Deno.NetAddr;
      await conn.write(
        new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
      );
      const buf = new Uint8Array(1024);
      while ((await conn.read(buf)) !== null) { /* until the server closes */ }
      conn.close();
      assert.deepEqual(seen, { transport: "tcp", hostname: "127.0.0.1", port: local.port });
    },
  );
});

Deno.test("node:net route: maxConnections turns the connection past the limit away with 503", async () => {
  await withServer(
    () => new Response("ok"),
    { ...NODE, maxConnections: 1 },
    async (server, addr) => {
      const held = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      try {
        await held.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        const buf = new Uint8Array(1024);
        assert.ok((await held.read(buf))! > 0, "the first connection is served");
        const refused = await rawExchange(addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert.equal(refused.closed, true);
        assert.match(refused.text, /^HTTP\/1\.1 503 [\s\S]*retry-after: 1\r\n/);
        assert.deepEqual(server.stats().rejected, { 503: 1 });
      } finally {
        held.close();
      }
    },
  );
});
