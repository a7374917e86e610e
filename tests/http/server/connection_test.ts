// The connection's phases (http/_server/connection.ts): driven over a scripted transport,
// one step at a time, the phase follows the diagram in the module doc.

import { assert, bytesOf, textOf } from "../../_assert.ts";
import { TEST_TIMEOUT } from "../../_server.ts";
import {
  Connection,
  PHASE_ANSWERING,
  PHASE_CLOSED,
  PHASE_LAST_REQUEST,
  PHASE_LINGERING,
  PHASE_NEW,
  PHASE_READING,
  PHASE_RELEASED,
} from "../../../http/_server/connection.ts";
import type { Transport } from "../../../http/_server/transport.ts";
import { Clock } from "../../../http/_server/clock.ts";
import { resolveConfig } from "../../../http/_server/config.ts";
import type { Handler } from "../../../http/handler.ts";

/** Rejects when `promise` takes longer than TEST_TIMEOUT. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  const signal = AbortSignal.timeout(TEST_TIMEOUT);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`Timed out waiting for ${what}`));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * A transport the test feeds by hand. `waitForRead()` resolves once the connection asks
 * for bytes and none are queued: everything fed so far has been taken in.
 */
class ScriptedTransport implements Transport {
  written = "";
  closedWrite = false;
  #queued: (Uint8Array | null)[] = [];
  #reader: { into: Uint8Array; resolve: (n: number | null) => void } | null = null;
  #readWaiter: (() => void) | null = null;

  read(into: Uint8Array): Promise<number | null> {
    const next = this.#queued.shift();
    if (next !== undefined) return Promise.resolve(this.#copy(next, into));
    return new Promise((resolve) => {
      this.#reader = { into, resolve };
      const waiter = this.#readWaiter;
      this.#readWaiter = null;
      waiter?.();
    });
  }

  write(bytes: Uint8Array): Promise<number> {
    this.written += textOf(bytes);
    return Promise.resolve(bytes.length);
  }

  closeWrite(): Promise<void> {
    this.closedWrite = true;
    return Promise.resolve();
  }

  close(): void {
    this.#give(null);
  }

  /** Queues `text` (or, with null, the end of the stream) for the connection. */
  feed(text: string | null): void {
    this.#give(text === null ? null : bytesOf(text));
  }

  /** Resolves once the connection waits for bytes with none queued. */
  waitForRead(): Promise<void> {
    if (this.#reader !== null) return Promise.resolve();
    return bounded(new Promise<void>((resolve) => (this.#readWaiter = resolve)), "a read");
  }

  #give(chunk: Uint8Array | null): void {
    const reader = this.#reader;
    if (reader === null) {
      this.#queued.push(chunk);
      return;
    }
    this.#reader = null;
    reader.resolve(this.#copy(chunk, reader.into));
  }

  #copy(chunk: Uint8Array | null, into: Uint8Array): number | null {
    if (chunk === null) return null;
    into.set(chunk);
    return chunk.length;
  }
}

const REMOTE: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };

/** A connection over a scripted transport; `released` resolves when it is released. */
function open(handler: Handler) {
  const transport = new ScriptedTransport();
  const config = resolveConfig(handler, {}, "http", "localhost");
  const connection = new Connection(transport, REMOTE, config, new Clock(1000));
  const released = bounded(
    new Promise<Connection>((resolve) => connection.start(resolve)),
    "the connection to be released",
  );
  return { transport, connection, released };
}

Deno.test("Connection goes NEW → READING → LAST_REQUEST → ANSWERING → LINGERING → RELEASED", async () => {
  let answered = 0;
  // The second handler holds its answer until the test has looked at the phase.
  const bodyRead = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  const { transport, connection, released } = open(async (request) => {
    const text = await request.text();
    if (answered++ === 1) {
      bodyRead.resolve();
      await gate.promise;
    }
    return new Response(text);
  });
  await transport.waitForRead();
  assert.equal(connection.phase, PHASE_NEW);

  // A keep-alive request: answered, and the connection reads on.
  transport.feed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  await transport.waitForRead();
  assert.equal(connection.phase, PHASE_READING);
  assert.equal(answered, 1);

  // A request that asks to close, its body half sent: the last one parsed.
  transport.feed("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nab");
  await transport.waitForRead();
  assert.equal(connection.phase, PHASE_LAST_REQUEST);

  // Its END: nothing more is parsed, the answer is still due.
  transport.feed("cde");
  await bounded(bodyRead.promise, "the handler to read the body");
  assert.equal(connection.phase, PHASE_ANSWERING);

  // Once the answer is out, the write side shuts and the connection lingers, reading
  // what the client still sends.
  gate.resolve();
  await transport.waitForRead();
  assert.equal(connection.phase, PHASE_LINGERING);
  assert.ok(transport.closedWrite);
  assert.match(transport.written, /connection: close\r\n\r\nabcde$/);

  // The client's EOF ends the linger.
  transport.feed(null);
  assert.equal(await released, connection);
  assert.equal(connection.phase, PHASE_RELEASED);
  assert.ok(connection.closed);
});

Deno.test("Connection refuses a bad head with the server's own answer, then lingers", async () => {
  let called = false;
  const { transport, connection, released } = open(() => {
    called = true;
    return new Response("x");
  });
  transport.feed("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
  await transport.waitForRead();
  assert.equal(connection.phase, PHASE_LINGERING);
  assert.equal(called, false, "nothing after a refused head is parsed");
  assert.match(
    transport.written,
    /^HTTP\/1\.1 400 Bad Request\r\ncontent-type: text\/plain;charset=UTF-8\r\ndate: [^\r]+\r\ncontent-length: 11\r\nconnection: close\r\n\r\nBad Request$/,
  );
  transport.feed(null);
  await released;
  assert.equal(connection.phase, PHASE_RELEASED);
});

Deno.test("Connection closes at once on EOF before any request, writing nothing", async () => {
  const { transport, connection, released } = open(() => new Response("x"));
  transport.feed(null);
  await released;
  assert.equal(connection.phase, PHASE_RELEASED);
  assert.equal(transport.written, "");
  assert.equal(transport.closedWrite, false, "no linger once the client ended its side");
});

Deno.test("Connection shutdown: idle closes at once; mid-request the request is the last", async () => {
  const idle = open(() => new Response("x"));
  await idle.transport.waitForRead();
  idle.connection.shutdown();
  assert.ok(idle.connection.phase >= PHASE_CLOSED);
  await idle.released;

  const busy = open(async (request) => new Response(await request.text()));
  busy.transport.feed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\na");
  await busy.transport.waitForRead();
  assert.equal(busy.connection.phase, PHASE_READING);
  busy.connection.shutdown();
  assert.equal(busy.connection.phase, PHASE_LAST_REQUEST);
  busy.connection.shutdown(); // a second call is harmless
  busy.transport.feed("b");
  await busy.transport.waitForRead();
  assert.equal(busy.connection.phase, PHASE_LINGERING);
  assert.match(busy.transport.written, /connection: close\r\n\r\nab$/);
  busy.transport.feed(null);
  await busy.released;
});

Deno.test("Connection phase never moves back: a late abort from LINGERING closes", async () => {
  const { transport, connection, released } = open(() => new Response("x"));
  transport.feed("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  await transport.waitForRead();
  assert.equal(connection.phase, PHASE_LINGERING);
  connection.shutdown();
  assert.ok(connection.phase >= PHASE_CLOSED);
  await released;
  assert.equal(connection.phase, PHASE_RELEASED);
  assert.ok(PHASE_ANSWERING < PHASE_LINGERING && PHASE_READING < PHASE_LAST_REQUEST);
});
