// Bounded memory against slow clients (bench/slow_clients.ts measures it): a half-sent
// head holds a small read buffer and, once parked, no parser (slowloris).
// Driven over a scripted transport whose reads and writes the test controls, and a clock
// the test advances by calling checkTimeouts itself.

import { assert, bytesOf, textOf } from "../../_assert.ts";
import { parseResponses, TEST_TIMEOUT } from "../../_server.ts";
import { Connection } from "../../../http/_server/connection.ts";
import type { Transport } from "../../../http/_server/transport.ts";
import { Clock } from "../../../http/_server/clock.ts";
import { type ConnectionConfig, resolveConfig } from "../../../http/_server/config.ts";
import { LARGE_READ_BYTES, SMALL_READ_BYTES } from "../../../http/_server/pools.ts";
import type { Handler } from "../../../http/handler.ts";
import type { ConnectionOptions } from "../../../http/server_options.ts";

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
 * A transport the test drives: reads take what `feed` queued (the size of every read
 * buffer is recorded); writes complete at once, or, while `stall` is set, wait until
 * `drain()`.
 */
class ScriptedTransport implements Transport {
  written = "";
  /** Size of the buffer of every read the connection made. */
  readSizes: number[] = [];
  /** Writes wait (the peer does not read) until drain(). */
  stall = false;
  closed = false;
  #queued: (Uint8Array | null)[] = [];
  #reader: { into: Uint8Array; resolve: (n: number | null) => void } | null = null;
  #readWaiter: (() => void) | null = null;
  #stalled: (() => void)[] = [];

  read(into: Uint8Array): Promise<number | null> {
    this.readSizes.push(into.length);
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
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    if (!this.stall) {
      this.written += textOf(bytes);
      return Promise.resolve(bytes.length);
    }
    return new Promise((resolve, reject) => {
      this.#stalled.push(() => {
        if (this.closed) reject(new Deno.errors.BadResource("closed"));
        else {
          this.written += textOf(bytes);
          resolve(bytes.length);
        }
      });
    });
  }

  /** Lets the peer read again: stalled writes complete, new ones go through. */
  drain(): void {
    this.stall = false;
    for (const write of this.#stalled.splice(0)) write();
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
    for (const write of this.#stalled.splice(0)) write();
    this.#give(null);
  }

  /** Queues bytes (or, with null, the end of the stream) for the connection. */
  feed(data: string | Uint8Array | null): void {
    this.#give(typeof data === "string" ? bytesOf(data) : data);
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
    // What does not fit is read next, as from a socket.
    if (chunk.length > into.length) this.#queued.unshift(chunk.subarray(into.length));
    const n = Math.min(chunk.length, into.length);
    into.set(chunk.subarray(0, n));
    return n;
  }
}

const REMOTE: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };

/** A connection over a scripted transport, with its config (and so its parser pool). */
function open(handler: Handler, options: ConnectionOptions = {}) {
  const transport = new ScriptedTransport();
  const config: ConnectionConfig = resolveConfig(handler, options, "http", "localhost");
  const connection = new Connection(transport, REMOTE, config, new Clock(60_000));
  const released = bounded(
    new Promise<Connection>((resolve) => connection.start(resolve)),
    "the connection to be released",
  );
  return { transport, config, connection, released };
}

/** Waits until `check` holds, a macrotask at a time (bounded). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TEST_TIMEOUT;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The first `size` bytes of a GET head: request line, Host, fields, cut inside a value. */
function partialHead(size: number): string {
  let head = "GET /slow HTTP/1.1\r\nHost: x\r\n";
  for (let i = 0; head.length + 100 < size; i++) head += `X-Pad-${i}: ${"p".repeat(60)}\r\n`;
  head += "X-Tail: ";
  return head + "t".repeat(size - head.length);
}

const echo: Handler = (request) =>
  new Response(`${new URL(request.url).pathname} ${request.headers.get("x-last")}`);

Deno.test("slowloris: a half-sent head fills the small read buffer but never pulls the large one", async () => {
  const { transport, connection, released } = open(echo);
  // Exactly one small buffer of head, then more of it: every read stays small.
  transport.feed(partialHead(SMALL_READ_BYTES));
  await transport.waitForRead();
  transport.feed(partialHead(SMALL_READ_BYTES * 3).slice(SMALL_READ_BYTES));
  await transport.waitForRead();
  assert.ok(
    transport.readSizes.every((size) => size === SMALL_READ_BYTES),
    `${transport.readSizes}`,
  );
  transport.feed("\r\nX-Last: 1\r\n\r\n");
  await until(() => transport.written.includes("/slow 1"), "the answer");
  // A body that fills the small buffer is read big from then on.
  transport.readSizes = [];
  transport.feed(
    `POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n` + "b".repeat(2000),
  );
  await transport.waitForRead();
  assert.equal(transport.readSizes.at(-1), LARGE_READ_BYTES);
  connection.abort();
  await released;
});

Deno.test("slowloris: a read that leaves a short head half-sent parks it (its parser pooled)", async () => {
  const { transport, config, connection, released } = open(echo);
  const head = partialHead(1200);
  // A full small buffer: more is coming, the parser stays.
  transport.feed(head.slice(0, SMALL_READ_BYTES));
  await transport.waitForRead();
  assert.equal(config.parsers.length, 0, "the head in progress holds a parser");
  // A short read: the client paused mid-head; its bytes are kept, the parser pooled.
  transport.feed(head.slice(SMALL_READ_BYTES));
  await transport.waitForRead();
  assert.equal(config.parsers.length, 1, "the parser is back in the pool");
  assert.equal(connection.idle, false, "a parked head is not an idle connection");
  // The rest of the head: a pooled parser resumes it, fields before the park included.
  transport.feed("\r\nX-Last: 2\r\n\r\n");
  await until(() => transport.written.includes("/slow 2"), "the answer");
  assert.equal(parseResponses(transport.written)[0].status, 200);
  connection.abort();
  await released;
});

Deno.test("slowloris: a long head (past 4 KiB) is parked once it has been partial for a second", async () => {
  const { transport, config, connection, released } = open(echo);
  transport.feed(partialHead(6000));
  await transport.waitForRead();
  assert.equal(config.parsers.length, 0, "a long half-sent head keeps its parser at first");
  connection.checkTimeouts(Date.now() + 500);
  assert.equal(config.parsers.length, 0, "not yet a second");
  connection.checkTimeouts(Date.now() + 1100);
  assert.equal(config.parsers.length, 1, "parked: the parser is back in the pool");
  transport.feed("\r\nX-Last: 3\r\n\r\n");
  await until(() => transport.written.includes("/slow 3"), "the answer");
  assert.equal(parseResponses(transport.written)[0].status, 200);
  connection.abort();
  await released;
});

Deno.test("slowloris: a parked head still meets maxHeaderBytes (431 one byte past) and headersTimeout", async () => {
  for (const [extra, status] of [[0, 200], [1, 431]] as const) {
    const limit = 2048;
    const { transport, connection, released } = open(echo, { maxHeaderBytes: limit });
    const head = partialHead(limit - 16);
    transport.feed(head);
    await transport.waitForRead();
    connection.checkTimeouts(Date.now() + 1100);
    // The end makes the head exactly the limit (or one byte past it).
    const end = "\r\nX-Last: " + "z".repeat(2 + extra) + "\r\n\r\n";
    transport.feed(end);
    await until(() => transport.written.length > 0, "the answer");
    assert.equal(head.length + end.length, limit + extra);
    assert.equal(parseResponses(transport.written)[0].status, status, `extra ${extra}`);
    connection.abort();
    await released;
  }
  const { transport, connection, released } = open(echo, { headersTimeout: 5000 });
  transport.feed(partialHead(1200));
  await transport.waitForRead();
  connection.checkTimeouts(Date.now() + 1100);
  connection.checkTimeouts(Date.now() + 5100);
  await until(() => transport.written.length > 0, "the 408");
  assert.equal(parseResponses(transport.written)[0].status, 408);
  transport.feed(null); // the client goes: the lingering connection closes
  await released;
});
