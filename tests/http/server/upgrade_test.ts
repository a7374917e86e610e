// The Upgrade mechanism (RFC 9110 §7.8): a handler switches a connection to another
// protocol with upgrade(); the server sends exactly that 101 (`Connection: upgrade`), then
// hands over the socket with the bytes already read behind the head, and no HTTP timer
// applies any more; any other 101 is a 500. Over TCP and in memory (injectConnection).

import { assert, bytesOf, textOf } from "../../_assert.ts";
import { readAll, TEST_TIMEOUT } from "../../_server.ts";
import { serve } from "../../../http/serve.ts";
import { injectBytes, injectConnection } from "../../../http/inject.ts";
import { upgrade, type UpgradedConnection } from "../../../http/upgrade.ts";
import type { Handler } from "../../../http/handler.ts";

const UPGRADE_HEAD =
  "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo/1\r\n\r\n";

/** A handler that upgrades to `echo/1` and echoes every byte; it records its connections. */
function echoServer(): { handler: Handler; connections: UpgradedConnection[] } {
  const connections: UpgradedConnection[] = [];
  const handler: Handler = (request) => {
    if (request.headers.get("upgrade") !== "echo/1") {
      return new Response("upgrade to echo/1", { status: 426, headers: { upgrade: "echo/1" } });
    }
    const { response, connection } = upgrade(request, { headers: { "x-proto": "echo" } });
    connection.then((c) => {
      connections.push(c);
      return c.readable.pipeTo(c.writable);
    }).catch(() => {});
    return response;
  };
  return { handler, connections };
}

/** Reads from any byte source until `text` is seen (bounded). */
async function readUntil(
  source: { read(buffer: Uint8Array): Promise<number | null> },
  text: string,
): Promise<string> {
  const buffer = new Uint8Array(4096);
  let seen = "";
  const deadline = Date.now() + TEST_TIMEOUT;
  while (!seen.includes(text)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${JSON.stringify(text)}`);
    const n = await source.read(buffer);
    if (n === null || n === 0) throw new Error(`Closed before ${JSON.stringify(text)}: ${seen}`);
    seen += textOf(buffer.subarray(0, n));
  }
  return seen;
}

Deno.test("upgrade(): the 101 says Connection: upgrade, then the socket is the new protocol's, bytes behind the head included", async () => {
  const { handler } = echoServer();
  const server = serve(handler, {
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    keepAliveTimeout: 100,
  });
  try {
    const addr = server.addr as Deno.NetAddr;
    const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      // The first protocol bytes travel in the same packet as the request head.
      await conn.write(bytesOf(UPGRADE_HEAD + "HELLO"));
      const head = await readUntil(conn, "HELLO");
      assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(head, /\r\nconnection: upgrade\r\n/i);
      assert.match(head, /\r\nupgrade: echo\/1\r\n/);
      assert.match(head, /\r\nx-proto: echo\r\n/);
      assert.ok(!/keep-alive|content-length|transfer-encoding/i.test(head.split("\r\n\r\n")[0]));
      // No HTTP timer applies any more: idle longer than keepAliveTimeout, still echoing.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await conn.write(bytesOf("second"));
      assert.equal(await readUntil(conn, "second"), "second");
      assert.equal(server.connections, 1, "still tracked by the server");
    } finally {
      conn.close();
    }
    await server.shutdown({ deadline: TEST_TIMEOUT });
    assert.equal(server.connections, 0);
  } finally {
    await server.shutdown({ deadline: 0 });
  }
});

Deno.test("upgrade() in memory: injectConnection carries the upgraded protocol", async () => {
  const { handler } = echoServer();
  const conn = injectConnection(handler);
  await conn.write(bytesOf(UPGRADE_HEAD));
  await readUntil(conn, "\r\n\r\n");
  await conn.write(bytesOf("ping"));
  assert.equal(await readUntil(conn, "ping"), "ping");
  conn.close();
  await conn.finished;
});

Deno.test("a 101 the handler did not get from upgrade() is a 500 (Deno.upgradeWebSocket's Response, a hand-made one)", async () => {
  const errors: unknown[] = [];
  const onError = (error: unknown) => {
    errors.push(error);
    return new Response("no switch", { status: 500 });
  };
  const denoWebSocket: Handler = (request) => Deno.upgradeWebSocket(request).response;
  const handMade: Handler = () =>
    new Response(null, { status: 101, headers: { upgrade: "websocket", connection: "upgrade" } });
  const request = "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  for (const handler of [denoWebSocket, handMade]) {
    const bytes = textOf(await injectBytes(handler, bytesOf(request), { onError }));
    assert.match(bytes, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.match(bytes, /connection: close\r\n\r\nno switch$/);
  }
  assert.equal(errors.length, 2);
  assert.match(String(errors[0]), /not made by upgradeWebSocket\(\) or upgrade\(\)/);
  // A 101 to a request that never asked to switch.
  const plain = textOf(
    await injectBytes(handMade, bytesOf("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), {
      onError,
    }),
  );
  assert.match(plain, /^HTTP\/1\.1 500 /);
  assert.match(String(errors[2]), /did not ask to switch protocols/);
});

Deno.test("upgrade() refuses a request that did not ask, and a protocol it did not offer", async () => {
  const seen: string[] = [];
  const handler: Handler = (request) => {
    try {
      upgrade(request, { protocol: "other/2" });
    } catch (error) {
      seen.push((error as Error).message);
    }
    return new Response("ok");
  };
  await injectBytes(handler, bytesOf("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  await injectBytes(handler, bytesOf(UPGRADE_HEAD));
  assert.equal(seen.length, 2);
  assert.match(seen[0], /did not ask to switch protocols/);
  assert.match(seen[1], /Cannot upgrade to "other\/2": the request offers "echo\/1"/);
  assert.throws(() => upgrade(new Request("http://x/", { headers: { upgrade: "a" } })), TypeError);
});

Deno.test("a handler that takes the upgrade but answers otherwise: its connection promise rejects, the connection closes", async () => {
  let outcome: unknown = null;
  const handler: Handler = (request) => {
    const { connection } = upgrade(request);
    connection.then(() => (outcome = "connected"), (error) => (outcome = error));
    return new Response("changed my mind");
  };
  const bytes = textOf(await injectBytes(handler, bytesOf(UPGRADE_HEAD + "IGNORED")));
  assert.match(bytes, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(bytes, /connection: close\r\n\r\nchanged my mind$/);
  await Promise.resolve();
  assert.ok(outcome instanceof TypeError, String(outcome));
});

Deno.test("an Upgrade request with a body switches after the body; the bytes behind it are kept", async () => {
  let body = "";
  const handler: Handler = async (request) => {
    body = await request.text();
    const { response, connection } = upgrade(request);
    connection.then((c) => c.readable.pipeTo(c.writable)).catch(() => {});
    return response;
  };
  const conn = injectConnection(handler);
  await conn.write(bytesOf(
    "POST /up HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo/1\r\nContent-Length: 4\r\n\r\nbodyAFTER",
  ));
  const seen = await readUntil(conn, "AFTER");
  assert.equal(body, "body");
  assert.match(seen, /^HTTP\/1\.1 101 /);
  conn.close();
  await conn.finished;
});

Deno.test("shutdown() aborts an upgraded connection's signal; its deadline closes it", async () => {
  const { handler, connections } = echoServer();
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const addr = server.addr as Deno.NetAddr;
  const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
  try {
    await conn.write(bytesOf(UPGRADE_HEAD + "x"));
    await readUntil(conn, "x");
    const [upgraded] = connections;
    // The echo never ends by itself: graceful shutdown tells it, the deadline cuts it.
    const finished = server.shutdown({ deadline: 200 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(upgraded.signal.aborted, true);
    await finished;
    await upgraded.closed;
    const rest = await readAll(conn, { timeout: TEST_TIMEOUT });
    assert.equal(rest.closed, true);
  } finally {
    conn.close();
  }
});

Deno.test("an Upgrade request refused at its head (no Host) is answered 400, its body never parsed", async () => {
  const bytes = textOf(
    await injectBytes(
      () => new Response("unreached"),
      bytesOf(
        "PUT /u HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: ws\r\nContent-Length: 4\r\n\r\nabcdefgh",
      ),
    ),
  );
  assert.match(bytes, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.equal(bytes.split("HTTP/1.1").length, 2, "one answer");
});
