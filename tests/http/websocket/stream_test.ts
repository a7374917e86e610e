// WireWebSocketStream, the streams API: opened/closed/close() as the WHATWG
// WebSocketStream, both roles, and backpressure both ways: the readable stops reading the
// socket while its queue is full, and a write resolves once its bytes are written.

import { assert } from "../../_assert.ts";
import type { Duplex } from "../../../http/_codec/duplex.ts";
import { memoryPipe } from "../../../http/_codec/memory_pipe.ts";
import {
  createServerStream,
  resolveServerOptions,
  serverHandshake,
} from "../../../http/_websocket/server_socket.ts";
import { WebSocketStreamError, WireWebSocketStream } from "../../../http/websocket_stream.ts";
import { closeBody } from "./_frames.ts";
import { rawServer } from "./_raw_server.ts";
import { Peer, within } from "./_session.ts";

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** Deno's echo server. */
function denoEcho() {
  const ends: Promise<void>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (new URL(request.url).pathname === "/nope") return new Response(null, { status: 404 });
    const offered = request.headers.get("sec-websocket-protocol");
    const { socket, response } = Deno.upgradeWebSocket(request, {
      idleTimeout: 0,
      protocol: offered === "echo" ? "echo" : undefined,
    });
    ends.push(new Promise((resolve) => socket.addEventListener("close", () => resolve())));
    socket.onmessage = (event) => {
      if (event.data === "drop") {
        // Abruptly: no close frame (Deno has no abort, so close the server instead).
        socket.close(4999, "drop");
      } else socket.send(event.data);
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}`,
    async close() {
      await within(Promise.all(ends), "server sockets");
      await server.shutdown();
    },
  };
}

Deno.test("stream: a client stream echoes through Deno's server and closes with a code", async () => {
  const server = denoEcho();
  try {
    const wss = new WireWebSocketStream(`${server.url}/`, { protocols: ["echo"] });
    assert.equal(wss.url, `${server.url}/`);
    const { readable, writable, protocol, extensions } = await within(wss.opened, "opened");
    assert.equal(protocol, "echo");
    assert.equal(extensions, "");
    const writer = writable.getWriter();
    const reader = readable.getReader();
    await writer.write("text");
    await writer.write(new Uint8Array([1, 2, 3]));
    await writer.write(new Uint16Array([0x0102]).buffer);
    assert.equal((await reader.read()).value, "text");
    assert.deepEqual((await reader.read()).value, new Uint8Array([1, 2, 3]));
    assert.equal(((await reader.read()).value as Uint8Array).length, 2);
    wss.close({ closeCode: 4000, reason: "bye" });
    assert.deepEqual(await within(wss.closed, "closed"), { closeCode: 4000, reason: "bye" });
    assert.equal((await reader.read()).done, true, "the readable closes after a clean close");
  } finally {
    await server.close();
  }
});

Deno.test("stream: a refused handshake rejects opened and closed with a WebSocketStreamError", async () => {
  const server = denoEcho();
  try {
    const wss = new WireWebSocketStream(`${server.url}/nope`);
    const error = await wss.opened.then(() => null, (e) => e);
    assert.ok(error instanceof WebSocketStreamError);
    assert.equal(error.name, "WebSocketError");
    assert.equal(error.closeCode, 1006);
    assert.match(error.message, /404/);
    assert.equal(await wss.closed.then(() => null, (e) => e), error);
  } finally {
    await server.close();
  }
});

Deno.test("stream: close() checks its code and reason; a reason without a code means 1000", async () => {
  const server = denoEcho();
  try {
    const wss = new WireWebSocketStream(`${server.url}/`);
    await within(wss.opened, "opened");
    assert.throws(() => wss.close({ closeCode: 1001 }), { name: "InvalidAccessError" });
    assert.throws(() => wss.close({ closeCode: 1000, reason: "x".repeat(124) }), {
      name: "SyntaxError",
    });
    wss.close({ reason: "only a reason" });
    assert.deepEqual(await within(wss.closed, "closed"), {
      closeCode: 1000,
      reason: "only a reason",
    });
  } finally {
    await server.close();
  }
});

Deno.test("stream: a server stream (createServerStream) echoes by piping its readable to its writable", async () => {
  const closes: Promise<unknown>[] = [];
  const server = rawServer(
    (accepted) => {
      if (accepted.kind !== "stream") return;
      const stream = accepted.stream;
      closes.push(stream.closed);
      stream.opened.then(({ readable, writable }) => readable.pipeTo(writable)).catch(() => {});
    },
    {},
    "stream",
  );
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    const got: unknown[] = [];
    const three = new Promise<void>((resolve) => {
      ws.onmessage = (event) => {
        got.push(event.data);
        if (got.length === 3) resolve();
      };
    });
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    await within(new Promise((resolve) => (ws.onopen = resolve)), "open");
    ws.send("one");
    ws.send("two");
    ws.send("x".repeat(100_000));
    await within(three, "3 echoes");
    assert.deepEqual(got, ["one", "two", "x".repeat(100_000)]);
    ws.close(1000, "done");
    const event = await within(closed, "close");
    assert.deepEqual([event.code, event.wasClean], [1000, true]);
  } finally {
    await server.close();
  }
  assert.deepEqual(await Promise.all(closes), [{ closeCode: 1000, reason: "done" }]);
});

/** A server stream over a pipe; `reads` counts the session's reads from the pipe. */
function pipedStream(highWaterMark: number) {
  const handshake = serverHandshake(
    new Request("http://localhost/", {
      headers: {
        upgrade: "websocket",
        connection: "upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    }),
    resolveServerOptions({ idleTimeout: 0 }),
  );
  if ("status" in handshake) throw new Error(handshake.message);
  const { stream, target } = createServerStream(handshake, highWaterMark);
  const [a, b] = memoryPipe();
  const counter = { reads: 0 };
  const counted: Duplex = {
    read: (buffer) => {
      counter.reads++;
      return a.read(buffer);
    },
    write: (buffer) => a.write(buffer),
    close: () => a.close(),
  };
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  target.attach(
    counted,
    new Uint8Array(0),
    { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    resolveDone,
  );
  return { stream, counter, peerEnd: b, done };
}

Deno.test("stream: the readable stops reading the socket while its queue is full, and resumes as it is read", async () => {
  const { stream, counter, peerEnd, done } = pipedStream(100);
  const peer = new Peer(peerEnd, true);
  const { readable } = await within(stream.opened, "opened");
  // Each frame is its own write on the pipe, so each read gets one message of 150 bytes.
  for (let i = 0; i < 20; i++) await peer.send({ opcode: 2, payload: new Uint8Array(150).fill(i) });
  await turns(5);
  const readsWhileFull = counter.reads;
  assert.ok(readsWhileFull <= 2, `reads while the queue is full: ${readsWhileFull}`);
  const reader = readable.getReader();
  for (let i = 0; i < 20; i++) {
    const { value } = await within(reader.read(), `message ${i}`);
    assert.equal((value as Uint8Array)[0], i);
  }
  assert.ok(counter.reads > readsWhileFull);
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  assert.equal((await within(reader.read(), "end")).done, true);
  await within(done, "done");
  await peer.end();
});

Deno.test("stream: a write resolves once its bytes are written (the peer reads), not before", async () => {
  const { stream, peerEnd, done } = pipedStream(1024);
  const { writable } = await within(stream.opened, "opened");
  const writer = writable.getWriter();
  // The pipe takes one write while less than 256 KiB wait unread; the next one waits.
  await within(writer.write(new Uint8Array(1024 * 1024)), "the first write");
  let written = false;
  const write = writer.write(new Uint8Array(1024 * 1024).fill(1)).then(() => (written = true));
  await turns(5);
  assert.equal(written, false, "the write waits for the peer");
  const peer = new Peer(peerEnd, true);
  assert.equal((await peer.next("the first message"))?.payload.length, 1024 * 1024);
  assert.equal((await peer.next("the second message"))?.payload[0], 1);
  await within(write, "the second write");
  assert.equal(written, true);
  await writer.close();
  assert.equal((await peer.next("close"))?.opcode, 8);
  await peer.send({ opcode: 8 });
  await within(done, "done");
  assert.deepEqual(await stream.closed, { closeCode: 1005, reason: "" });
  await peer.end();
});

Deno.test("stream: cancelling the readable with a WebSocketStreamError closes with its code", async () => {
  const { stream, peerEnd, done } = pipedStream(1024);
  const peer = new Peer(peerEnd, true);
  const { readable } = await within(stream.opened, "opened");
  await readable.cancel(new WebSocketStreamError("stop", { closeCode: 4002, reason: "enough" }));
  const frame = await peer.next("close");
  assert.equal(frame?.closeCode, 4002);
  await peer.send({ opcode: 8, payload: closeBody(4002, "ok") });
  await within(done, "done");
  assert.deepEqual(await stream.closed, { closeCode: 4002, reason: "ok" });
  await peer.end();
});

Deno.test("stream: a connection lost without a close handshake errors the readable and rejects closed (1006)", async () => {
  const { stream, peerEnd, done } = pipedStream(1024);
  const { readable, writable } = await within(stream.opened, "opened");
  peerEnd.close();
  await within(done, "done");
  const error = await stream.closed.then(() => null, (e) => e);
  assert.ok(error instanceof WebSocketStreamError);
  assert.equal(error.closeCode, 1006);
  await assert.rejects(readable.getReader().read());
  await assert.rejects(writable.getWriter().write("late"));
});
