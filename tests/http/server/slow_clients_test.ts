// Bounded memory against slow clients (bench/slow_clients.ts measures it): a half-sent
// head holds a small read buffer and, once parked, no parser (slowloris).
// Driven over a scripted transport whose reads and writes the test controls, and a clock
// the test advances by calling checkTimeouts itself.

import { assert, bytesOf, textOf } from "../../_assert.ts";
import { parseResponses, TEST_TIMEOUT, withServer } from "../../_server.ts";
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

/** A GET for `path`. */
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

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
  // A short read: the client paused mid-head. Its bytes are kept, the parser pooled, and
  // the next read goes right behind them (256 bytes of room, no small buffer).
  transport.feed(head.slice(SMALL_READ_BYTES));
  await transport.waitForRead();
  assert.equal(config.parsers.length, 1, "the parser is back in the pool");
  assert.equal(transport.readSizes.at(-1), 256);
  assert.equal(connection.idle, false, "a parked head is not an idle connection");
  // A trickle: parked again after each short read, every byte kept.
  for (const byte of "\r\nX-Last: 2") {
    transport.feed(byte);
    await transport.waitForRead();
    assert.equal(config.parsers.length, 1);
  }
  // The end of the head: a pooled parser parses it from its first byte.
  transport.feed("\r\n\r\n");
  await until(() => transport.written.includes("/slow 2"), "the answer");
  assert.equal(parseResponses(transport.written)[0].status, 200);
  // The next request reads into a small buffer again.
  transport.feed(get("/next"));
  await until(() => transport.written.includes("/next null"), "the next answer");
  assert.equal(transport.readSizes.at(-1), SMALL_READ_BYTES);
  connection.abort();
  await released;
});

Deno.test("slowloris: a half-sent head longer than 4 KiB keeps its parser (bounded re-scans)", async () => {
  const { transport, config, connection, released } = open(echo);
  transport.feed(partialHead(6000));
  await transport.waitForRead();
  assert.equal(config.parsers.length, 0, "a long half-sent head keeps its parser");
  assert.equal(transport.readSizes.at(-1), SMALL_READ_BYTES);
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
    transport.feed(head); // the last read is short: parked
    await transport.waitForRead();
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
  connection.checkTimeouts(Date.now() + 5100);
  await until(() => transport.written.length > 0, "the 408");
  assert.equal(parseResponses(transport.written)[0].status, 408);
  transport.feed(null); // the client goes: the lingering connection closes
  await released;
});

// ---- slow readers ---------------------------------------------------------------------

/** Answers /N with N bytes made for the request (as a page rendered in memory). */
function bytesHandler(calls: { count: number }): Handler {
  return async (request) => {
    calls.count++;
    await null;
    const size = Number(new URL(request.url).pathname.slice(1));
    return new Response(new Uint8Array(size).fill(120));
  };
}

/** Lets queued microtasks and a few macrotasks run (the connection settles). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("slow read: pipelined requests behind an unsent large response wait unparsed", async () => {
  const calls = { count: 0 };
  const { transport, connection, released } = open(bytesHandler(calls));
  transport.stall = true;
  const SIZE = 200_000;
  transport.feed(get(`/${SIZE}`).repeat(8));
  await until(() => calls.count > 0, "the first handler");
  await settle();
  assert.equal(calls.count, 1, "one response at a time is made for a peer that does not read");
  // The peer reads: every request is answered, in order.
  transport.drain();
  await until(() => calls.count === 8 && transport.written.length >= 8 * SIZE, "all");
  await settle();
  assert.equal(parseResponses(transport.written).length, 8);
  connection.abort();
  await released;
});

Deno.test("slow read: the next request is parsed while under 64 KiB are unsent, not past it", async () => {
  // Responses of SIZE bytes plus a head: requests are handled until the unsent bytes
  // reach MAX_UNSENT_BYTES (64 KiB), then parsing waits for the socket.
  const SIZE = 20_000;
  const probe = open(bytesHandler({ count: 0 }));
  probe.transport.feed(get(`/${SIZE}`));
  await until(() => probe.transport.written.length > SIZE, "a response");
  const each = probe.transport.written.length; // head + body of one response
  probe.connection.abort();
  await probe.released;
  const expected = Math.ceil(64 * 1024 / each);
  const calls = { count: 0 };
  const { transport, connection, released } = open(bytesHandler(calls));
  transport.stall = true;
  transport.feed(get(`/${SIZE}`).repeat(10));
  await until(() => calls.count >= expected, "the handlers");
  await settle();
  assert.equal(calls.count, expected, `${each} bytes each: ${expected} fit under 64 KiB`);
  transport.drain();
  await until(() => calls.count === 10 && transport.written.length >= 10 * each, "all");
  connection.abort();
  await released;
});

Deno.test("slow read: pipelined responses that are ready together still leave in one write", async () => {
  const writes: number[] = [];
  const { transport, connection, released } = open(async (request) => {
    await null;
    return new Response(new URL(request.url).pathname);
  });
  const write = transport.write.bind(transport);
  transport.write = (bytes) => {
    writes.push(bytes.length);
    return write(bytes);
  };
  let input = "";
  for (let i = 0; i < 16; i++) input += get(`/${i}`);
  transport.feed(input);
  await until(() => parseResponses(transport.written).length === 16, "16 answers");
  assert.equal(writes.length, 1, `writes: ${writes}`);
  assert.deepEqual(
    parseResponses(transport.written).map((r) => r.body),
    Array.from({ length: 16 }, (_, i) => `/${i}`),
  );
  connection.abort();
  await released;
});

Deno.test("sendTimeout: a write that takes no byte for the limit closes the connection and aborts the request", async () => {
  const limit = 1000;
  let signal: AbortSignal | null = null;
  const { transport, connection, released } = open((request) => {
    signal = request.signal;
    return new Response(new Uint8Array(256 * 1024));
  }, { sendTimeout: limit });
  transport.stall = true;
  transport.feed(get("/"));
  await until(() => signal !== null, "the handler");
  await settle();
  const t0 = Date.now();
  connection.checkTimeouts(t0); // the clock sees the write stalled
  connection.checkTimeouts(t0 + limit - 1);
  assert.equal(connection.closed, false, "at the limit minus 1 ms: open");
  connection.checkTimeouts(t0 + limit);
  assert.equal(connection.closed, true, "at the limit: closed");
  assert.equal(signal!.aborted, true);
  assert.equal((signal!.reason as DOMException).name, "TimeoutError");
  assert.match((signal!.reason as DOMException).message, /sendTimeout of 1000 ms/);
  await released;
});

Deno.test("sendTimeout: a slow reader that keeps taking bytes is not cut off", async () => {
  const limit = 1000;
  const { transport, connection, released } = open(
    () => new Response(new Uint8Array(256 * 1024)),
    { sendTimeout: limit },
  );
  const held: (() => void)[] = [];
  const write = transport.write.bind(transport);
  // Each write waits until the test lets it through: one write per "read" of the peer.
  transport.write = (bytes) =>
    new Promise((resolve, reject) => held.push(() => write(bytes).then(resolve, reject)));
  transport.feed(get("/"));
  await until(() => held.length > 0, "the head's write");
  const t0 = Date.now();
  connection.checkTimeouts(t0);
  connection.checkTimeouts(t0 + limit - 1);
  // The peer takes the head: the body's write starts, and the count starts again.
  held.shift()!();
  await until(() => held.length > 0, "the body's write");
  const t1 = t0 + limit + 100;
  connection.checkTimeouts(t1);
  assert.equal(connection.closed, false, "past the limit since the first write, but it moved");
  connection.checkTimeouts(t1 + limit - 1);
  assert.equal(connection.closed, false);
  connection.checkTimeouts(t1 + limit);
  assert.equal(connection.closed, true, "a full limit without progress");
  for (const release of held.splice(0)) release(); // the stalled write fails: closed
  await released;
});

Deno.test("sendTimeout: a response stream waiting for its source is not a stalled write", async () => {
  const { transport, connection, released } = open(
    () => new Response(new ReadableStream({ pull() {} })),
    { sendTimeout: 1000 },
  );
  transport.feed(get("/events"));
  await until(() => transport.written.includes("200 OK"), "the head");
  await settle();
  connection.checkTimeouts(Date.now());
  connection.checkTimeouts(Date.now() + 10_000);
  assert.equal(connection.closed, false);
  connection.abort();
  await released;
});

Deno.test("sendTimeout: default 60 s, a whole number of milliseconds from 1", () => {
  assert.equal(resolveConfig(echo, {}, "http", "x").sendTimeout, 60_000);
  assert.equal(resolveConfig(echo, { sendTimeout: 1 }, "http", "x").sendTimeout, 1);
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => resolveConfig(echo, { sendTimeout: bad }, "http", "x"), RangeError);
  }
});

// ---- over TCP --------------------------------------------------------------------------

/** A response of `size` bytes streamed in 1 MiB chunks; `cut` settles if it is cancelled. */
function bigStream(size: number, cut: { cancelled: boolean }): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1024 * 1024).fill(120);
  let left = size;
  return new ReadableStream({
    pull(controller) {
      const n = Math.min(left, chunk.length);
      controller.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n));
      left -= n;
      if (left === 0) controller.close();
    },
    cancel() {
      cut.cancelled = true;
    },
  });
}

Deno.test("sendTimeout over TCP: a client that stops reading is cut off; one that reads is served", async () => {
  const SIZE = 64 * 1024 * 1024; // more than loopback's socket buffers hold
  let signal: AbortSignal | null = null;
  const cut = { cancelled: false };
  await withServer(
    (request) => {
      signal = request.signal;
      return new Response(bigStream(SIZE, cut), {
        headers: { "content-length": String(SIZE) },
      });
    },
    // keepAliveTimeout sets the clock's tick (a quarter of the shortest timeout: 100 ms).
    { sendTimeout: 300, keepAliveTimeout: 400 },
    async (_server, addr) => {
      const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      try {
        await conn.write(bytesOf(get("/big")));
        await until(() => signal?.aborted === true, "the send timeout");
        assert.equal((signal!.reason as DOMException).name, "TimeoutError");
        assert.match((signal!.reason as DOMException).message, /sendTimeout of 300 ms/);
        await until(() => cut.cancelled, "the body stream to be cancelled");
      } finally {
        conn.close();
      }
      // A client that reads (however the chunks come) gets every byte.
      const reader = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      try {
        await reader.write(
          bytesOf(get("/big").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")),
        );
        const buf = new Uint8Array(256 * 1024);
        let total = 0;
        for (;;) {
          const n = await reader.read(buf);
          if (n === null) break;
          total += n;
        }
        assert.ok(total > SIZE, `read ${total} bytes`);
      } finally {
        reader.close();
      }
    },
  );
});

Deno.test("slow read over TCP: 60 pipelined 1 MiB responses to a client not reading are not all made at once", async () => {
  const calls = { count: 0 };
  await withServer(bytesHandler(calls), {}, async (_server, addr) => {
    const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      await conn.write(bytesOf(
        get("/1048576").repeat(59) + get("/1").replace(
          "\r\n\r\n",
          "\r\nConnection: close\r\n\r\n",
        ),
      ));
      // Until the server stops making responses (the socket's buffers are full).
      let last = -1;
      while (calls.count !== last) {
        last = calls.count;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(calls.count < 30, `${calls.count} responses made for a client not reading`);
      // Now it reads: every response comes, then the close the last request asked for.
      const buf = new Uint8Array(1024 * 1024);
      let total = 0;
      let tail = "";
      const deadline = Date.now() + TEST_TIMEOUT;
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        total += n;
        tail = (tail + textOf(buf.subarray(Math.max(0, n - 200), n))).slice(-200);
        if (Date.now() > deadline) throw new Error("Timed out reading the responses");
      }
      assert.equal(calls.count, 60);
      assert.ok(total > 59 * 1024 * 1024, `read ${total} bytes`);
      assert.ok(tail.endsWith("\r\n\r\nx"), "the last response (1 byte) ends the stream");
    } finally {
      conn.close();
    }
  });
});
