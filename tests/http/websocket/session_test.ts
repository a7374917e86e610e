// The protocol state machine over an in-memory pipe: echo, fragmentation with pings in
// between, the close handshake from either side, the close timeout, the idle ping,
// protocol failures (1002, 1007, 1009), abnormal closure (1006), bufferedAmount, read
// backpressure, and two sessions talking with permessage-deflate.

import { assert } from "../../_assert.ts";
import { memoryPipe } from "../../../http/_codec/memory_pipe.ts";
import { CLOSED, OPEN, Session } from "../../../http/_websocket/session.ts";
import { closeBody, frame, join } from "./_frames.ts";
import { open, Recorder, SERVER, within } from "./_session.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("session: echoes text and binary; server frames are unmasked", async () => {
  const { session, host, peer, done } = open();
  host.onMessage = (data) => session.send(data);
  assert.deepEqual(host.events, ["open"]);
  await peer.send({ opcode: 1, payload: "hello" }, {
    opcode: 2,
    payload: new Uint8Array([1, 2, 3]),
  });
  const text = await peer.next();
  assert.equal(text?.opcode, 1);
  assert.equal(dec.decode(text!.payload), "hello");
  const binary = await peer.next();
  assert.deepEqual([binary?.opcode, ...binary!.payload], [2, 1, 2, 3]);
  assert.deepEqual(host.messages, ["hello", new Uint8Array([1, 2, 3])]);
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  await within(done, "done");
  await peer.end();
});

Deno.test("session: fragments make one message; pings between them are answered first", async () => {
  const { session, host, peer, done } = open();
  host.onMessage = (data) => session.send(data);
  await peer.send(
    { opcode: 1, payload: "fra", fin: false },
    { opcode: 9, payload: "p1" },
    { opcode: 0, payload: "gmen", fin: false },
    { opcode: 9, payload: "p2" },
    { opcode: 0, payload: "t €" },
  );
  const frames = [await peer.next(), await peer.next(), await peer.next()];
  assert.deepEqual(frames.map((f) => [f!.opcode, dec.decode(f!.payload)]), [
    [10, "p1"],
    [10, "p2"],
    [1, "fragment €"],
  ]);
  await peer.send({ opcode: 8 });
  assert.equal((await peer.next())?.opcode, 8);
  await within(done, "done");
  await peer.end();
});

Deno.test("session: a long frame read straight into its message arrives whole", async () => {
  const { session, host, peer, done } = open();
  const payload = new Uint8Array(300_000);
  for (let i = 0; i < payload.length; i++) payload[i] = i * 31;
  // Fragmented too: two long frames.
  await peer.send(
    { opcode: 2, payload: payload.subarray(0, 100_000), fin: false },
    { opcode: 0, payload: payload.subarray(100_000) },
  );
  await host.messagesAt(1);
  assert.deepEqual(host.messages[0], payload);
  session.close(1000, "");
  assert.equal((await peer.next())?.closeCode, 1000);
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  await within(done, "done");
  await peer.end();
});

Deno.test("session: the peer closes: the close is echoed with its code, then the server ends TCP", async () => {
  const { host, peer, done } = open();
  await peer.send({ opcode: 8, payload: closeBody(4001, "bye") });
  const echo = await peer.next();
  assert.equal(echo?.opcode, 8);
  assert.equal(echo?.closeCode, 4001);
  await peer.end();
  await within(done, "done");
  assert.deepEqual(host.closeInfo, { code: 4001, reason: "bye", wasClean: true });
  assert.deepEqual(host.events, ["open", "close"]);
});

Deno.test("session: an empty close frame is answered by an empty one; the close event says 1005", async () => {
  const { host, peer, done } = open();
  await peer.send({ opcode: 8 });
  const echo = await peer.next();
  assert.equal(echo?.payload.length, 0);
  await within(done, "done");
  assert.deepEqual(host.closeInfo, { code: 1005, reason: "", wasClean: true });
  await peer.end();
});

Deno.test("session: the server closes: its frame first, then the peer's, then TCP; messages after close() are dropped", async () => {
  const { session, host, peer, done } = open();
  session.close(1000, "done");
  assert.equal(session.readyState, 2);
  const closeFrame = await peer.next();
  assert.equal(closeFrame?.closeCode, 1000);
  assert.equal(dec.decode(closeFrame!.payload.subarray(2)), "done");
  await peer.send({ opcode: 1, payload: "late" }, { opcode: 8, payload: closeBody(1000, "ok") });
  await within(done, "done");
  assert.deepEqual(host.messages, []);
  assert.deepEqual(host.closeInfo, { code: 1000, reason: "ok", wasClean: true });
  await peer.end();
});

Deno.test("session: no close frame back within closeTimeout: 1006, not clean", async () => {
  const { session, host, peer, done } = open({ closeTimeout: 50 });
  session.close(1000, "");
  assert.equal((await peer.next())?.opcode, 8);
  await within(done, "the close timeout");
  assert.deepEqual(host.closeInfo, { code: 1006, reason: "", wasClean: false });
  await peer.end();
});

Deno.test("session: a client waits for the server to end TCP after the close handshake", async () => {
  const { session, host, peer, done } = open({ client: true });
  session.close(1000, "");
  assert.equal((await peer.next())?.opcode, 8);
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  // The client still holds the connection: the server ends it.
  assert.equal(host.closeInfo, null);
  peer.close();
  await within(done, "done");
  assert.deepEqual(host.closeInfo, { code: 1000, reason: "", wasClean: true });
});

Deno.test("session: a silent peer is pinged after idleTimeout/2, then closed with 1001", async () => {
  const { host, peer, done } = open({ idleTimeout: 0.1 });
  const ping = await peer.next("the idle ping");
  assert.equal(ping?.opcode, 9);
  const close = await peer.next("the idle close");
  assert.equal(close?.closeCode, 1001);
  await within(done, "done");
  assert.deepEqual(host.events, ["open", "error", "close"]);
  assert.deepEqual(host.closeInfo, {
    code: 1001,
    reason: "No response from ping frame",
    wasClean: false,
  });
  await peer.end();
});

Deno.test("session: a peer that answers pings stays open", async () => {
  const { session, host, peer, done } = open({ idleTimeout: 0.04 });
  for (let i = 0; i < 4; i++) {
    const ping = await peer.next("a ping");
    assert.equal(ping?.opcode, 9);
    await peer.send({ opcode: 10 });
  }
  assert.equal(session.readyState, OPEN);
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  await within(done, "done");
  assert.equal(host.closeInfo?.code, 1000);
  await peer.end();
});

const FAILURES: [string, Uint8Array, number, Partial<typeof SERVER>?][] = [
  ["an unmasked client frame: 1002", frame({ opcode: 1, payload: "x", mask: null }), 1002],
  ["a reserved opcode: 1002", frame({ opcode: 3 }), 1002],
  [
    "invalid UTF-8 in a text message: 1007",
    frame({ opcode: 1, payload: new Uint8Array([0xce, 0xba, 0xff]) }),
    1007,
  ],
  [
    "invalid UTF-8 in the first of two fragments: 1007 before the second arrives",
    frame({ opcode: 1, payload: new Uint8Array([0xc0]), fin: false }),
    1007,
  ],
  [
    "a message over maxPayload: 1009 on the head alone",
    frame({ opcode: 2, announce: 5000 }).subarray(0, 8),
    1009,
    { maxPayload: 4096 },
  ],
  [
    "a close code not allowed on the wire: 1002",
    frame({ opcode: 8, payload: closeBody(1006) }),
    1002,
  ],
];

for (const [rule, bytes, code, options] of FAILURES) {
  Deno.test(`session: ${rule}`, async () => {
    const { host, peer, done } = open(options);
    await peer.write(bytes);
    const close = await peer.next("the failure's close frame");
    assert.equal(close?.opcode, 8);
    assert.equal(close?.closeCode, code);
    await peer.end();
    await within(done, "done");
    assert.deepEqual(host.events, ["open", "error", "close"]);
    assert.equal(host.closeInfo?.code, code);
    assert.equal(host.closeInfo?.wasClean, false);
  });
}

Deno.test("session: the connection lost without a close frame: 1006", async () => {
  const { host, peer, done } = open();
  await peer.send({ opcode: 1, payload: "hi" });
  await host.messagesAt(1);
  peer.close();
  await within(done, "done");
  assert.deepEqual(host.closeInfo, { code: 1006, reason: "", wasClean: false });
  assert.deepEqual(host.events, ["open", "message", "close"]);
});

Deno.test("session: frames already read with the handshake are handled first", async () => {
  const head = join(frame({ opcode: 1, payload: "early" }), frame({ opcode: 9, payload: "p" }));
  const { host, peer, done } = open({}, head);
  assert.deepEqual(host.messages, ["early"]);
  assert.equal((await peer.next())?.opcode, 10);
  await peer.send({ opcode: 8 });
  await within(done, "done");
  await peer.end();
});

Deno.test("session: shutdown closes with 1001; abort ends at once with 1006", async () => {
  const first = open();
  first.session.shutdown();
  const close = await first.peer.next();
  assert.equal(close?.closeCode, 1001);
  assert.equal(dec.decode(close!.payload.subarray(2)), "server shutting down");
  await first.peer.send({ opcode: 8, payload: closeBody(1001) });
  await within(first.done, "done");
  assert.equal(first.host.closeInfo?.code, 1001);
  await first.peer.end();

  const second = open();
  second.session.abort();
  await within(second.done, "done");
  assert.deepEqual(second.host.closeInfo, { code: 1006, reason: "", wasClean: false });
  await second.peer.end();
});

Deno.test("session: bufferedAmount counts unwritten bytes, then drains; sends after close only count", async () => {
  const { session, peer, done } = open();
  const chunk = new Uint8Array(100_000);
  for (let i = 0; i < 5; i++) session.send(chunk);
  assert.equal(session.bufferedAmount, 500_000);
  for (let i = 0; i < 5; i++) assert.equal((await peer.next())?.payload.length, 100_000);
  await within(session.flushed(), "the flush");
  assert.equal(session.bufferedAmount, 0);
  session.close(1000, "");
  session.send("dropped");
  assert.equal(session.bufferedAmount, 7);
  assert.equal((await peer.next())?.opcode, 8);
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  await within(done, "done");
  await peer.end();
});

Deno.test("session: pause stops reading the socket; resume goes on", async () => {
  const { session, host, peer, done } = open();
  session.pause();
  await peer.send({ opcode: 1, payload: "a" });
  // The read in progress delivers what it got; after that nothing is read.
  await host.messagesAt(1);
  await peer.send({ opcode: 1, payload: "b" });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(host.messages, ["a"]);
  session.resume();
  await host.messagesAt(2);
  assert.deepEqual(host.messages, ["a", "b"]);
  await peer.send({ opcode: 8 });
  await within(done, "done");
  await peer.end();
});

Deno.test("session: a client and a server session talk, with and without permessage-deflate", async () => {
  for (const deflate of [false, true]) {
    const [a, b] = memoryPipe();
    const params = {
      serverNoContextTakeover: false,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 12,
    };
    const tuning = { threshold: 16, level: 6, memLevel: 8 };
    const serverHost = new Recorder();
    const clientHost = new Recorder();
    const server = new Session(
      { ...SERVER, deflate: deflate ? { params, tuning } : null },
      serverHost,
    );
    const client = new Session(
      { ...SERVER, client: true, deflate: deflate ? { params, tuning } : null },
      clientHost,
    );
    serverHost.onMessage = (data) => server.send(data);
    server.start(a, new Uint8Array(0), null);
    client.start(b, new Uint8Array(0), null);
    const sent: (string | Uint8Array)[] = [
      "short",
      "long text ".repeat(500),
      enc.encode("binary ".repeat(300)),
      new Uint8Array(0),
      "",
      "€😀 ".repeat(1000),
    ];
    for (const message of sent) client.send(message);
    client.send(new Blob([enc.encode("from a blob")]));
    client.send("after the blob");
    await clientHost.messagesAt(sent.length + 2);
    assert.deepEqual(clientHost.messages, [...sent, enc.encode("from a blob"), "after the blob"]);
    client.close(1000, "end");
    const info = await within(clientHost.closedPromise, "the client's close");
    assert.deepEqual(info, { code: 1000, reason: "end", wasClean: true });
    await within(serverHost.closedPromise, "the server's close");
    assert.equal(server.readyState, CLOSED);
  }
});

Deno.test("session: compressed data that does not inflate fails with 1007", async () => {
  const params = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  const { host, peer, done } = open({
    deflate: { params, tuning: { threshold: 0, level: 1, memLevel: 8 } },
  });
  await peer.send({ opcode: 2, payload: new Uint8Array([0xff, 0xff, 0xff]), rsv: 4 });
  assert.equal((await peer.next())?.closeCode, 1007);
  await within(done, "done");
  assert.equal(host.closeInfo?.code, 1007);
  await peer.end();
});

Deno.test("session: closeTimeout 0 ends the connection once the close frame is written", async () => {
  const { session, host, peer, done } = open({ closeTimeout: 0 });
  session.close(4000, "now");
  assert.equal((await peer.next())?.closeCode, 4000);
  await within(done, "done");
  assert.deepEqual(host.closeInfo, { code: 1006, reason: "", wasClean: false });
  await peer.end();
});

Deno.test("session: closeTimeout Infinity waits for the peer's close frame", async () => {
  const { session, host, peer, done } = open({ closeTimeout: Infinity, idleTimeout: Infinity });
  session.close(1000, "");
  assert.equal((await peer.next())?.opcode, 8);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(host.closeInfo, null, "still waiting");
  await peer.send({ opcode: 8, payload: closeBody(1000) });
  const info = await within(host.closedPromise, "close");
  assert.equal(info.wasClean, true);
  await within(done, "done");
  await peer.end();
});
