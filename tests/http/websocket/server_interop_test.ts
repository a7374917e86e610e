// The server role (createServerSocket behind a hand-made 101, as upgradeWebSocket will
// use it) against real clients on 127.0.0.1: Deno's WebSocket, node's `ws` (with
// permessage-deflate) and Wire's own client: echo, subprotocols, close codes both ways,
// compression, a refused version, and the server's shutdown (1001).

import { WebSocket as NodeWebSocket } from "npm:ws@8";
import { assert } from "../../_assert.ts";
import type { UpgradeTarget } from "../../../http/_codec/duplex.ts";
import { WireWebSocket } from "../../../http/websocket.ts";
import { type Accepted, rawServer } from "./_raw_server.ts";
import { within } from "./_session.ts";

/** Echo every message; "close:CODE" closes with that code. Records close events. */
function echo(closes: [number, string, boolean][]) {
  return (accepted: Accepted) => {
    if (accepted.kind !== "socket") return;
    const socket = accepted.socket;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      if (typeof event.data === "string" && event.data.startsWith("close:")) {
        socket.close(Number(event.data.slice(6)), "server says bye");
      } else socket.send(event.data);
    };
    socket.onclose = (event) => closes.push([event.code, event.reason, event.wasClean]);
  };
}

async function denoClient(url: string, protocols?: string[]) {
  const ws = new WebSocket(url, protocols);
  ws.binaryType = "arraybuffer";
  const messages: unknown[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (event) => {
    messages.push(event.data);
    for (const resolve of waiters.splice(0)) resolve();
  };
  const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
  await within(
    new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error("Deno's client failed"));
    }),
    "open",
  );
  const next = async (count: number) => {
    while (messages.length < count) {
      await within(new Promise<void>((resolve) => waiters.push(resolve)), `${count} messages`);
    }
    return messages;
  };
  return { ws, next, closed };
}

Deno.test("server vs Deno's client: echo of text and binary, large and small; the client closes", async () => {
  const closes: [number, string, boolean][] = [];
  const server = rawServer(echo(closes));
  try {
    const { ws, next, closed } = await denoClient(`ws://127.0.0.1:${server.port}/chat`);
    const big = "y".repeat(300_000);
    ws.send("hello");
    ws.send(new Uint8Array([9, 8, 7]));
    ws.send(big);
    ws.send(new Uint8Array(100_000).fill(1));
    const got = await next(4);
    assert.equal(got[0], "hello");
    assert.deepEqual(new Uint8Array(got[1] as ArrayBuffer), new Uint8Array([9, 8, 7]));
    assert.equal(got[2], big);
    assert.equal((got[3] as ArrayBuffer).byteLength, 100_000);
    ws.close(3002, "client bye");
    const event = await within(closed, "close");
    assert.deepEqual([event.code, event.reason, event.wasClean], [3002, "client bye", true]);
  } finally {
    await server.close();
  }
  assert.deepEqual(closes, [[3002, "client bye", true]]);
});

Deno.test("server vs Deno's client: the server closes with a code; the subprotocol is chosen by preference", async () => {
  const closes: [number, string, boolean][] = [];
  let chosen = "";
  const server = rawServer((accepted) => {
    if (accepted.kind === "socket") chosen = accepted.socket.protocol;
    echo(closes)(accepted);
  }, { protocol: ["v3", "v2"] });
  try {
    const { ws, closed } = await denoClient(`ws://127.0.0.1:${server.port}/`, ["v1", "v2", "v3"]);
    assert.equal(ws.protocol, "v3");
    ws.send("close:4010");
    const event = await within(closed, "close");
    assert.deepEqual([event.code, event.reason], [4010, "server says bye"]);
  } finally {
    await server.close();
  }
  assert.equal(chosen, "v3");
  assert.deepEqual(closes, [[4010, "server says bye", true]]);
});

Deno.test("server vs node's ws client: permessage-deflate both ways, fragments, pings, close", async () => {
  const closes: [number, string, boolean][] = [];
  const server = rawServer(echo(closes), { perMessageDeflate: { threshold: 64 } });
  try {
    const ws = new NodeWebSocket(`ws://127.0.0.1:${server.port}/`, {
      perMessageDeflate: { threshold: 0 },
    });
    const messages: string[] = [];
    const waiters: (() => void)[] = [];
    // deno-lint-ignore no-explicit-any
    ws.on("message", (data: any, isBinary: boolean) => {
      messages.push(isBinary ? `binary:${data.length}` : data.toString());
      for (const resolve of waiters.splice(0)) resolve();
    });
    let pong = false;
    ws.on("pong", () => (pong = true));
    const closed = new Promise<[number, string]>((resolve) =>
      ws.on(
        "close",
        (code: number, reason: Uint8Array) => resolve([code, new TextDecoder().decode(reason)]),
      )
    );
    await within(new Promise((resolve) => ws.on("open", resolve)), "open");
    assert.match(String(ws.extensions), /permessage-deflate/);
    const long = "compressible ".repeat(1000);
    ws.send(long);
    ws.send("short");
    ws.send("frag-", { fin: false });
    ws.ping("p");
    ws.send("ment", { fin: true });
    ws.send(new Uint8Array(50_000).fill(2));
    while (messages.length < 4) {
      await within(new Promise<void>((resolve) => waiters.push(resolve)), "4 messages");
    }
    assert.deepEqual(messages, [long, "short", "frag-ment", "binary:50000"]);
    assert.equal(pong, true);
    ws.close(1000, "ws bye");
    assert.deepEqual(await within(closed, "close"), [1000, "ws bye"]);
  } finally {
    await server.close();
  }
  assert.deepEqual(closes, [[1000, "ws bye", true]]);
});

Deno.test("server vs Wire's client: deflate negotiated with window bits and no context takeover", async () => {
  const closes: [number, string, boolean][] = [];
  let extensions = "";
  const server = rawServer((accepted) => {
    if (accepted.kind === "socket") extensions = accepted.socket.extensions;
    echo(closes)(accepted);
  }, {
    perMessageDeflate: { serverNoContextTakeover: true, clientMaxWindowBits: 10, threshold: 0 },
  });
  try {
    const ws = new WireWebSocket(`ws://127.0.0.1:${server.port}/`, {
      perMessageDeflate: { threshold: 0 },
    });
    const got: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      ws.onmessage = (event) => {
        got.push(event.data);
        if (got.length === 3) resolve();
      };
    });
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    await within(new Promise((resolve) => (ws.onopen = resolve)), "open");
    ws.send("a".repeat(3000));
    ws.send("a".repeat(3000));
    ws.send("b");
    await within(done, "3 messages");
    assert.deepEqual(got, ["a".repeat(3000), "a".repeat(3000), "b"]);
    assert.equal(ws.extensions, extensions);
    assert.equal(
      extensions,
      "permessage-deflate; server_no_context_takeover; client_max_window_bits=10",
    );
    ws.close(1000);
    assert.equal((await within(closed, "close")).code, 1000);
  } finally {
    await server.close();
  }
});

Deno.test("server: a client asking for another version gets 426 with Sec-WebSocket-Version: 13", async () => {
  const server = rawServer(() => {});
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await conn.write(new TextEncoder().encode(
      "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
    ));
    const buf = new Uint8Array(1024);
    let text = "";
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    conn.close();
    assert.match(text, /^HTTP\/1\.1 426 /);
    assert.match(text, /Sec-WebSocket-Version: 13/);
  } finally {
    await server.close();
  }
});

Deno.test("server: the server's shutdown closes an open socket with 1001 and ends once the handshake is done", async () => {
  const targets: UpgradeTarget[] = [];
  const closes: [number, string, boolean][] = [];
  const server = rawServer((accepted) => {
    targets.push(accepted.target);
    echo(closes)(accepted);
  });
  try {
    const { closed } = await denoClient(`ws://127.0.0.1:${server.port}/`);
    targets[0].shutdown();
    targets[0].shutdown(); // a second call is harmless
    const event = await within(closed, "the client's close");
    assert.deepEqual([event.code, event.reason, event.wasClean], [
      1001,
      "server shutting down",
      true,
    ]);
  } finally {
    await server.close();
  }
  assert.deepEqual(closes, [[1001, "server shutting down", true]]);
});
