// WireWebSocket, the WHATWG WebSocket interface, as a server socket over an in-memory
// pipe (createServerSocket + its UpgradeTarget, as upgradeWebSocket uses them): the
// type, readyState, event order and classes, on* handlers, binaryType, what send()
// takes, close() argument checks, bufferedAmount, and a 101 that never went out.

import { assert } from "../../_assert.ts";
import { memoryPipe } from "../../../http/_codec/memory_pipe.ts";
import {
  createServerSocket,
  resolveServerOptions,
  serverHandshake,
} from "../../../http/_websocket/server_socket.ts";
import { WireWebSocket } from "../../../http/websocket.ts";
import type { WebSocketServerOptions } from "../../../http/websocket_options.ts";
import { closeBody } from "./_frames.ts";
import { Peer, within } from "./_session.ts";

const dec = new TextDecoder();

function request(headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/room?id=1", {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...headers,
    },
  });
}

/** A server socket (CONNECTING) and a function that attaches it to a pipe. */
function serverSocket(options: WebSocketServerOptions = {}, headers?: Record<string, string>) {
  const handshake = serverHandshake(
    request(headers),
    resolveServerOptions({ idleTimeout: 0, ...options }),
  );
  if ("status" in handshake) throw new Error(handshake.message);
  const { socket, target } = createServerSocket(handshake);
  const events: string[] = [];
  for (const type of ["open", "message", "error", "close"]) {
    socket.addEventListener(type, (event) => events.push(`${type}:${event.constructor.name}`));
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const attach = (head = new Uint8Array(0)) => {
    const [a, b] = memoryPipe();
    const peer = new Peer(b, true);
    target.attach(a, head, { transport: "tcp", hostname: "127.0.0.1", port: 1 }, resolveDone);
    return peer;
  };
  return { socket, target, events, attach, done };
}

Deno.test("socket: a WireWebSocket is a WebSocket (type and constants)", () => {
  const { socket } = serverSocket();
  const ws: WebSocket = socket; // compiles: the DOM interface is implemented
  assert.ok(ws instanceof EventTarget);
  assert.deepEqual([
    WireWebSocket.CONNECTING,
    WireWebSocket.OPEN,
    WireWebSocket.CLOSING,
    WireWebSocket.CLOSED,
  ], [0, 1, 2, 3]);
  assert.deepEqual([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED], [0, 1, 2, 3]);
  assert.equal(ws.readyState, WebSocket.CONNECTING);
  assert.equal(ws.url, "http://localhost/room?id=1");
  assert.equal(ws.binaryType, "arraybuffer", "a server socket starts as Deno's does");
  assert.equal(ws.bufferedAmount, 0);
  assert.equal(ws.protocol, "");
  assert.equal(ws.extensions, "");
});

Deno.test("socket: open, message and close events in order, with their classes; on* handlers get `this`", async () => {
  const { socket, events, attach, done } = serverSocket({ protocol: "p1" }, {
    "sec-websocket-protocol": "p0, p1",
  });
  assert.equal(socket.protocol, "p1");
  const handlerThis: unknown[] = [];
  socket.onopen = function () {
    handlerThis.push(this);
  };
  let data: unknown;
  let origin = "";
  socket.onmessage = (event) => {
    data = event.data;
    origin = event.origin;
  };
  let close: CloseEvent | null = null;
  socket.onclose = (event) => (close = event);
  const peer = attach();
  assert.equal(socket.readyState, WebSocket.OPEN);
  assert.deepEqual(handlerThis, [socket]);
  await peer.send({ opcode: 1, payload: "hi" });
  await peer.send({ opcode: 8, payload: closeBody(4000, "r") });
  await within(done, "done");
  assert.equal(data, "hi");
  assert.equal(origin, "http://localhost");
  assert.deepEqual(events, ["open:Event", "message:MessageEvent", "close:CloseEvent"]);
  assert.equal(close!.code, 4000);
  assert.equal(close!.reason, "r");
  assert.equal(close!.wasClean, true);
  assert.equal(socket.readyState, WebSocket.CLOSED);
  await peer.end();
});

Deno.test("socket: binaryType blob and arraybuffer; invalid values are ignored", async () => {
  const { socket, attach, done } = serverSocket();
  socket.binaryType = "blob";
  const received: unknown[] = [];
  socket.onmessage = (event) => received.push(event.data);
  const peer = attach();
  await peer.send({ opcode: 2, payload: new Uint8Array([1, 2]) });
  // deno-lint-ignore no-explicit-any
  socket.binaryType = "nonsense" as any;
  assert.equal(socket.binaryType, "blob");
  await waitFor(() => received.length === 1);
  socket.binaryType = "arraybuffer";
  await peer.send({ opcode: 2, payload: new Uint8Array([3]) });
  await waitFor(() => received.length === 2);
  assert.ok(received[0] instanceof Blob);
  assert.deepEqual(
    new Uint8Array(await (received[0] as Blob).arrayBuffer()),
    new Uint8Array([1, 2]),
  );
  assert.ok(received[1] instanceof ArrayBuffer);
  assert.deepEqual(new Uint8Array(received[1] as ArrayBuffer), new Uint8Array([3]));
  await peer.send({ opcode: 8 });
  await within(done, "done");
  await peer.end();
});

Deno.test("socket: send takes strings, ArrayBuffers, typed arrays, DataViews and Blobs, in order", async () => {
  const { socket, attach, done } = serverSocket();
  const peer = attach();
  const bytes = new Uint8Array([0, 1, 2, 3, 4, 5]);
  socket.send("text");
  socket.send(bytes.buffer);
  socket.send(bytes.subarray(2, 4));
  socket.send(new DataView(bytes.buffer, 4, 2));
  socket.send(new Blob(["blob"]));
  socket.send("after blob");
  assert.equal(socket.bufferedAmount, 4 + 6 + 2 + 2 + 4 + 10);
  const frames = [];
  for (let i = 0; i < 6; i++) frames.push(await peer.next());
  assert.deepEqual(frames.map((f) => f!.opcode), [1, 2, 2, 2, 2, 1]);
  assert.deepEqual(frames.map((f) => [...f!.payload]), [
    [...new TextEncoder().encode("text")],
    [0, 1, 2, 3, 4, 5],
    [2, 3],
    [4, 5],
    [...new TextEncoder().encode("blob")],
    [...new TextEncoder().encode("after blob")],
  ]);
  await within(waitFor(() => socket.bufferedAmount === 0), "drain");
  socket.close();
  await peer.send({ opcode: 8 });
  await within(done, "done");
  await peer.end();
});

Deno.test("socket: send while connecting throws InvalidStateError; after close it only counts", async () => {
  const { socket, attach, done } = serverSocket();
  assert.throws(() => socket.send("early"), { name: "InvalidStateError" });
  const peer = attach();
  socket.close(1000);
  socket.send("late");
  assert.equal(socket.bufferedAmount, 4);
  assert.equal((await peer.next())?.closeCode, 1000);
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  await within(done, "done");
  await peer.end();
});

Deno.test("socket: close() checks its arguments as the WHATWG standard says", async () => {
  const { socket, attach, done } = serverSocket();
  for (const code of [999, 1001, 1005, 1006, 1011, 2999, 5000, 65536 + 1000]) {
    assert.throws(() => socket.close(code), { name: "InvalidAccessError" }, `${code}`);
  }
  assert.throws(() => socket.close(1000, "x".repeat(124)), { name: "SyntaxError" });
  assert.throws(() => socket.close(1000, "é".repeat(62)), { name: "SyntaxError" }, "124 bytes");
  const peer = attach();
  // 1000.4 clamps to 1000; 123 bytes of reason are fine; a second close is harmless.
  socket.close(1000.4, "é".repeat(61) + "x");
  socket.close(4000);
  const frame = await peer.next();
  assert.equal(frame?.closeCode, 1000);
  assert.equal(dec.decode(frame!.payload.subarray(2)), "é".repeat(61) + "x");
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  await within(done, "done");
  await peer.end();
});

Deno.test("socket: close() with a reason and no code sends 1000; with neither, an empty close frame", async () => {
  const cases: [[number?, string?], number][] = [[[undefined, "why"], 1000], [[], 1005]];
  for (const [args, code] of cases) {
    const { socket, attach, done } = serverSocket();
    const peer = attach();
    socket.close(...args);
    assert.equal((await peer.next())?.closeCode, code);
    await peer.send({ opcode: 8 });
    await within(done, "done");
    await peer.end();
  }
});

Deno.test("socket: close() before the 101 is sent goes out as soon as the socket is attached", async () => {
  const { socket, events, attach, done } = serverSocket();
  socket.close(4001, "never mind");
  assert.equal(socket.readyState, WebSocket.CLOSING);
  const peer = attach();
  assert.equal((await peer.next())?.closeCode, 4001);
  await peer.send({ opcode: 8, payload: closeBody(4001) });
  await within(done, "done");
  assert.deepEqual(events, ["close:CloseEvent"]);
  await peer.end();
});

Deno.test("socket: a 101 that could not be sent: error, then close 1006", () => {
  const { socket, target, events } = serverSocket();
  let closeEvent: CloseEvent | null = null;
  socket.onclose = (event) => (closeEvent = event);
  target.fail(new Error("client gone"));
  assert.deepEqual(events, ["error:ErrorEvent", "close:CloseEvent"]);
  assert.equal(closeEvent!.code, 1006);
  assert.equal(closeEvent!.wasClean, false);
  assert.equal(socket.readyState, WebSocket.CLOSED);
});

Deno.test("socket: abort() ends the connection at once: close 1006", async () => {
  const { socket, target, attach, done } = serverSocket();
  const peer = attach();
  target.abort(new Error("deadline"));
  await within(done, "done");
  assert.equal(socket.readyState, WebSocket.CLOSED);
  await peer.end();
});

Deno.test("socket: await using closes with 1000 and waits for the close event", async () => {
  const { socket, attach, done } = serverSocket();
  const peer = attach();
  const answer = (async () => {
    assert.equal((await peer.next())?.closeCode, 1000);
    await peer.send({ opcode: 8, payload: closeBody(1000) });
  })();
  {
    await using ws = socket;
    assert.equal(ws.readyState, WebSocket.OPEN);
  }
  assert.equal(socket.readyState, WebSocket.CLOSED);
  await answer;
  await within(done, "done");
  await peer.end();
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert.ok(condition(), "condition never became true");
}

Deno.test("socket: an on* handler sees the socket as target and this, whether or not listeners exist", async () => {
  const { socket, attach, done } = serverSocket();
  const seen: unknown[] = [];
  socket.onmessage = function (event) {
    seen.push(
      this === socket,
      event.target === socket,
      event.currentTarget === socket,
      event instanceof MessageEvent,
      event.type,
    );
  };
  const peer = attach();
  await peer.send({ opcode: 1, payload: "a" });
  await waitFor(() => seen.length === 5);
  assert.deepEqual(seen, [true, true, true, true, "message"]);
  await peer.send({ opcode: 8 });
  await within(done, "done");
  await peer.end();
});

Deno.test("socket: handlers and listeners run in the order the standard gives them", async () => {
  const { socket, attach, done } = serverSocket();
  const order: string[] = [];
  socket.onmessage = () => order.push("handler (set first)");
  socket.addEventListener("message", () => order.push("listener"));
  socket.onclose = () => order.push("close handler (set last)");
  socket.addEventListener("close", () => order.push("close listener"));
  const peer = attach();
  await peer.send({ opcode: 1, payload: "a" });
  await waitFor(() => order.length === 2);
  // Setting a handler to null takes it out; setting it again puts it at the end.
  socket.onmessage = null;
  socket.onmessage = () => order.push("handler (set again)");
  await peer.send({ opcode: 1, payload: "b" });
  await waitFor(() => order.length === 4);
  await peer.send({ opcode: 8 });
  await within(done, "done");
  assert.deepEqual(order, [
    "handler (set first)",
    "listener",
    "listener",
    "handler (set again)",
    "close handler (set last)",
    "close listener",
  ]);
  await peer.end();
});

Deno.test("socket: an event dispatched by the application reaches the on* handler", () => {
  const { socket } = serverSocket();
  const got: unknown[] = [];
  socket.onmessage = (event) => got.push(event.data);
  socket.dispatchEvent(new MessageEvent("message", { data: "synthetic" }));
  assert.deepEqual(got, ["synthetic"]);
});

Deno.test("socket: a handler that throws reports the error (global error event) and the socket lives on", async () => {
  for (const withListener of [false, true]) {
    const { socket, attach, done } = serverSocket();
    const reported: unknown[] = [];
    const onGlobalError = (event: ErrorEvent) => {
      event.preventDefault();
      reported.push(event.error);
    };
    globalThis.addEventListener("error", onGlobalError);
    try {
      const got: string[] = [];
      socket.onmessage = (event) => {
        got.push(event.data);
        if (event.data === "throw") throw new Error("handler failed");
      };
      if (withListener) socket.addEventListener("message", () => {});
      const peer = attach();
      await peer.send({ opcode: 1, payload: "throw" }, { opcode: 1, payload: "after" });
      await waitFor(() => got.length === 2);
      assert.deepEqual(got, ["throw", "after"]);
      assert.equal(reported.length, 1);
      assert.equal((reported[0] as Error).message, "handler failed");
      assert.equal(socket.readyState, WebSocket.OPEN);
      await peer.send({ opcode: 8 });
      await within(done, "done");
      await peer.end();
    } finally {
      globalThis.removeEventListener("error", onGlobalError);
    }
  }
});
