// The WireWebSocket client against Deno's own WebSocket server (Deno.serve +
// Deno.upgradeWebSocket) and node's `ws` server (npm:ws, with permessage-deflate): text,
// binary, fragmented messages, compression, subprotocols, extra headers, close codes
// both ways, and handshakes that fail.

import { WebSocketServer } from "npm:ws@8";
import { assert } from "../../_assert.ts";
import { WireWebSocket } from "../../../http/websocket.ts";
import { generateTlsCert } from "../../_tls.ts";
import { within } from "./_session.ts";

const enc = new TextEncoder();

/** Opens a client, waits for open; returns it and a queue of message data. */
async function connect(url: string, options?: ConstructorParameters<typeof WireWebSocket>[1]) {
  const ws = new WireWebSocket(url, options);
  assert.equal(ws.binaryType, "blob", "a client starts with blob, as browsers");
  ws.binaryType = "arraybuffer";
  const messages: unknown[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (event) => {
    messages.push(event.data);
    for (const resolve of waiters.splice(0)) resolve();
  };
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
  await within(
    new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = (event) => reject(new Error((event as ErrorEvent).message));
    }),
    "open",
  );
  const next = async (count: number) => {
    while (messages.length < count) {
      await within(new Promise<void>((resolve) => waiters.push(resolve)), `${count} messages`);
    }
    return messages;
  };
  return { ws, messages, next, closed };
}

/** Deno's WebSocket server, echoing, recording what it saw. */
function denoServer() {
  const seen: { protocol: string | null; header: string | null; close?: [number, string] } = {
    protocol: null,
    header: null,
  };
  const closes: Promise<void>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/forbidden") return new Response("no", { status: 403 });
    seen.header = request.headers.get("x-token");
    const offered = request.headers.get("sec-websocket-protocol");
    seen.protocol = offered;
    const { socket, response } = Deno.upgradeWebSocket(request, {
      protocol: offered?.includes("chat.v2") ? "chat.v2" : undefined,
      idleTimeout: 0,
    });
    closes.push(
      new Promise((resolve) => {
        socket.onclose = (event) => {
          seen.close = [event.code, event.reason];
          resolve();
        };
      }),
    );
    socket.onmessage = (event) => {
      if (event.data === "close me") socket.close(4000, "as asked");
      else socket.send(event.data);
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}`,
    seen,
    async close() {
      await within(Promise.all(closes), "the server sockets' close");
      await server.shutdown();
    },
  };
}

Deno.test("client vs Deno: text, binary, large and empty messages echo", async () => {
  const server = denoServer();
  try {
    const { ws, next, closed } = await connect(`${server.url}/echo`);
    const big = "x".repeat(200_000);
    ws.send("hello");
    ws.send(new Uint8Array([1, 2, 3]));
    ws.send(big);
    ws.send("");
    ws.send(new Uint8Array(70_000).fill(7).buffer);
    const got = await next(5);
    assert.equal(got[0], "hello");
    assert.deepEqual(new Uint8Array(got[1] as ArrayBuffer), new Uint8Array([1, 2, 3]));
    assert.equal(got[2], big);
    assert.equal(got[3], "");
    assert.equal((got[4] as ArrayBuffer).byteLength, 70_000);
    ws.close(3001, "done");
    const event = await within(closed, "close");
    assert.deepEqual([event.code, event.reason, event.wasClean], [3001, "done", true]);
  } finally {
    await server.close();
  }
  assert.deepEqual(server.seen.close, [3001, "done"]);
});

Deno.test("client vs Deno: subprotocol negotiation and extra headers", async () => {
  const server = denoServer();
  try {
    const { ws, closed } = await connect(`${server.url}/p`, {
      protocols: ["chat.v1", "chat.v2"],
      headers: { "x-token": "secret" },
    });
    assert.equal(ws.protocol, "chat.v2");
    assert.equal(ws.extensions, "");
    assert.equal(server.seen.protocol, "chat.v1, chat.v2");
    assert.equal(server.seen.header, "secret");
    ws.close();
    const event = await within(closed, "close");
    assert.equal(event.code, 1005, "close() without a code sends an empty close frame");
  } finally {
    await server.close();
  }
});

Deno.test("client vs Deno: the server closes with a code and reason", async () => {
  const server = denoServer();
  try {
    const { ws, closed } = await connect(`${server.url}/`);
    ws.send("close me");
    const event = await within(closed, "close");
    assert.deepEqual([event.code, event.reason, event.wasClean], [4000, "as asked", true]);
    assert.equal(ws.readyState, WireWebSocket.CLOSED);
  } finally {
    await server.close();
  }
});

Deno.test("client: a refused handshake fires error, then close 1006", async () => {
  const server = denoServer();
  try {
    const ws = new WireWebSocket(`${server.url}/forbidden`);
    const events: string[] = [];
    ws.onerror = (event) => events.push(`error: ${(event as ErrorEvent).message}`);
    const event = await within(
      new Promise<CloseEvent>((resolve) => (ws.onclose = resolve)),
      "close",
    );
    assert.equal(event.code, 1006);
    assert.equal(event.wasClean, false);
    assert.equal(events.length, 1);
    assert.match(events[0], /403/);
  } finally {
    await server.close();
  }
});

Deno.test("client: a refused connection fires error, then close 1006", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const ws = new WireWebSocket(`ws://127.0.0.1:${port}/`);
  const events: string[] = [];
  ws.onerror = () => events.push("error");
  const event = await within(new Promise<CloseEvent>((resolve) => (ws.onclose = resolve)), "close");
  assert.deepEqual([events, event.code], [["error"], 1006]);
});

Deno.test("client: a server that never answers the handshake times out", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const ws = new WireWebSocket(`ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`, {
    handshakeTimeout: 50,
  });
  let message = "";
  ws.onerror = (event) => (message = (event as ErrorEvent).message);
  const event = await within(new Promise<CloseEvent>((resolve) => (ws.onclose = resolve)), "close");
  assert.equal(event.code, 1006);
  assert.match(message, /timed out/);
  (await accepted).close();
  listener.close();
});

Deno.test("client: close() while connecting fails the connection (error, close 1006)", async () => {
  const server = denoServer();
  try {
    const ws = new WireWebSocket(`${server.url}/`);
    const events: string[] = [];
    ws.onerror = () => events.push("error");
    ws.onopen = () => events.push("open");
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    ws.close();
    assert.equal(ws.readyState, WireWebSocket.CLOSED);
    const event = await within(closed, "close");
    assert.deepEqual([events, event.code], [["error"], 1006]);
  } finally {
    // Give the aborted handshake time to be released (a connection the server upgraded
    // is closed by the client at once).
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close().catch(() => {});
  }
});

/** node's ws server: echoes; "frag:" sends a fragmented reply; "close:" closes. */
async function wsServer(perMessageDeflate: boolean | object) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate });
  await new Promise((resolve) => wss.on("listening", resolve));
  const closes: [number, string][] = [];
  // deno-lint-ignore no-explicit-any
  wss.on("connection", (socket: any) => {
    // deno-lint-ignore no-explicit-any
    socket.on("message", (data: any, isBinary: boolean) => {
      const text = isBinary ? "" : data.toString();
      if (text.startsWith("frag:")) {
        socket.send("part1-", { fin: false });
        socket.ping("between");
        socket.send("part2-", { fin: false });
        socket.send("part3", { fin: true });
      } else if (text.startsWith("close:")) {
        socket.close(Number(text.slice(6)), "bye from ws");
      } else socket.send(data, { binary: isBinary });
    });
    socket.on(
      "close",
      (code: number, reason: Uint8Array) => closes.push([code, new TextDecoder().decode(reason)]),
    );
  });
  // deno-lint-ignore no-explicit-any
  const port = (wss.address() as any).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    closes,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

Deno.test("client vs ws: echo, a fragmented message with a ping inside, close codes both ways", async () => {
  const server = await wsServer(false);
  try {
    const { ws, next, closed } = await connect(server.url);
    ws.send("hi");
    ws.send("frag:");
    ws.send(enc.encode("bytes"));
    const got = await next(3);
    assert.deepEqual(got.slice(0, 2), ["hi", "part1-part2-part3"]);
    assert.equal(new TextDecoder().decode(got[2] as ArrayBuffer), "bytes");
    ws.close(4321, "client done");
    const event = await within(closed, "close");
    assert.deepEqual([event.code, event.reason, event.wasClean], [4321, "client done", true]);
    const second = await connect(server.url);
    second.ws.send("close:4005");
    const byServer = await within(second.closed, "close");
    assert.deepEqual([byServer.code, byServer.reason, byServer.wasClean], [
      4005,
      "bye from ws",
      true,
    ]);
  } finally {
    await server.close();
  }
  // The echo of a close frame carries its code and reason.
  assert.deepEqual(server.closes, [[4321, "client done"], [4005, "bye from ws"]]);
});

Deno.test("client vs ws: permessage-deflate with context takeover, and without, with window bits", async () => {
  for (
    const [serverSide, clientSide] of [
      [{ threshold: 0 }, true],
      [{ threshold: 0 }, {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 9,
        threshold: 0,
      }],
      [{ threshold: 0, clientMaxWindowBits: 11, serverMaxWindowBits: 12 }, true],
    ] as const
  ) {
    const server = await wsServer(serverSide);
    try {
      const { ws, next, closed } = await connect(server.url, { perMessageDeflate: clientSide });
      assert.match(ws.extensions, /^permessage-deflate/);
      const messages = [
        "compress me ".repeat(200),
        "compress me ".repeat(200),
        "tiny",
        "€".repeat(5000),
      ];
      for (const message of messages) ws.send(message);
      ws.send(new Uint8Array(10_000).fill(3));
      ws.send("frag:");
      const got = await next(6);
      assert.deepEqual(got.slice(0, 4), messages);
      assert.equal((got[4] as ArrayBuffer).byteLength, 10_000);
      assert.equal(got[5], "part1-part2-part3");
      ws.close(1000);
      assert.equal((await within(closed, "close")).code, 1000);
    } finally {
      await server.close();
    }
  }
});

Deno.test("client vs ws: a message over maxPayload closes with 1009", async () => {
  const server = await wsServer(false);
  try {
    const { ws, closed } = await connect(server.url, { maxPayload: 1000 });
    const errors: string[] = [];
    ws.onerror = (event) => errors.push((event as ErrorEvent).message);
    ws.send("x".repeat(1001));
    const event = await within(closed, "close");
    assert.deepEqual([event.code, event.wasClean], [1009, false]);
    assert.equal(errors.length, 1);
  } finally {
    await server.close();
  }
  assert.equal(server.closes[0][0], 1009);
});

Deno.test("client: wss: over TLS with a private CA (caCerts), against Deno's server", async () => {
  const { cert, key } = await generateTlsCert();
  const ends: Promise<void>[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
      ends.push(new Promise((resolve) => socket.addEventListener("close", () => resolve())));
      socket.onmessage = (event) => socket.send(`secure ${event.data}`);
      return response;
    },
  );
  try {
    const { ws, next, closed } = await connect(`wss://127.0.0.1:${server.addr.port}/`, {
      caCerts: [cert],
    });
    ws.send("hello");
    assert.deepEqual(await next(1), ["secure hello"]);
    ws.close(1000);
    assert.equal((await within(closed, "close")).code, 1000);
    // Without the CA the handshake fails: error, then close 1006.
    const untrusted = new WireWebSocket(`wss://127.0.0.1:${server.addr.port}/`);
    const event = await within(
      new Promise<CloseEvent>((resolve) => (untrusted.onclose = resolve)),
      "close",
    );
    assert.equal(event.code, 1006);
  } finally {
    await within(Promise.all(ends), "server sockets");
    await server.shutdown();
  }
});
