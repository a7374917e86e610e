import { assert } from "../_assert.ts";
import { listen, type Listener } from "../../net/mod.ts";
import { writeAll } from "../../net/_write_all.ts";
import { plainEcho, readAll, readExactly, within } from "./_helpers.ts";

const LOOPBACK = "127.0.0.1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs the accept loop with `handle` per connection; `stop()` closes and waits for all. */
function serveWith(listener: Listener, handle: (conn: Deno.Conn) => Promise<void>) {
  const handlers: Promise<void>[] = [];
  const loop = (async () => {
    for await (const conn of listener) handlers.push(handle(conn));
  })();
  return {
    loop,
    async stop(): Promise<void> {
      listener.close();
      await within(loop, 5_000, "the accept loop to end");
      await within(Promise.all(handlers), 5_000, "the handlers to finish");
    },
  };
}

/** A payload that differs per client and per position, so swapped or shifted bytes show. */
function payload(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

Deno.test("listen binds 127.0.0.1 with port 0 and reports the picked port", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const addr = listener.addr as Deno.NetAddr;
  assert.equal(addr.transport, "tcp");
  assert.equal(addr.hostname, LOOPBACK);
  assert.ok(addr.port > 0);
  const server = serveWith(listener, async (conn) => {
    await writeAll(conn, encoder.encode("hi"));
    conn.close();
  });
  const conn = await Deno.connect({ hostname: LOOPBACK, port: addr.port });
  assert.equal(decoder.decode(await readAll(conn)), "hi");
  conn.close();
  await server.stop();
});

Deno.test("Listener echoes 50 concurrent clients with 1 MiB payloads intact", async () => {
  const clients = 50;
  const size = 1024 * 1024;
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const server = serveWith(listener, plainEcho);
  let peak = 0;
  try {
    await within(
      Promise.all(Array.from({ length: clients }, async (_, i) => {
        const sent = payload(i + 1, size);
        const conn = await Deno.connect({ hostname: LOOPBACK, port });
        try {
          // Write and read at once: the echo would stall if we wrote 1 MiB before reading.
          const [, received] = await Promise.all([
            writeAll(conn, sent),
            readExactly(conn, size),
          ]);
          peak = Math.max(peak, listener.connections.size);
          assert.equal(received.length, size, `client ${i} got ${received.length} bytes`);
          let firstDiff = -1;
          for (let j = 0; j < size; j++) {
            if (received[j] !== sent[j]) {
              firstDiff = j;
              break;
            }
          }
          assert.equal(firstDiff, -1, `client ${i} got a different byte at ${firstDiff}`);
        } finally {
          conn.close();
        }
      })),
      60_000,
      "50 clients to be echoed",
    );
  } finally {
    await server.stop();
  }
  assert.ok(peak >= 1, "connections were tracked while open");
  assert.equal(listener.connections.size, 0, "every connection left the set when closed");
});

Deno.test("close() ends a pending for-await loop without an error", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const seen: Deno.Conn[] = [];
  const loop = (async () => {
    for await (const conn of listener) seen.push(conn);
  })();
  listener.close();
  await within(loop, 5_000, "the loop to end after close()");
  await within(listener.closed, 5_000, "closed to resolve");
  assert.equal(listener.isClosed, true);
  assert.equal(seen.length, 0);
  assert.equal(await listener.accept(), null, "accept() after close gives null");
});

Deno.test("close() releases the port: a new listener can bind it", () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const again = listen({ hostname: LOOPBACK, port });
  assert.equal((again.addr as Deno.NetAddr).port, port);
  again.close();
});

Deno.test("close() twice, and dispose after close, are harmless", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  listener.close();
  listener.close();
  listener[Symbol.dispose]();
  await listener[Symbol.asyncDispose]();
  assert.equal(listener.isClosed, true);
});

Deno.test("using and await using close the listener", async () => {
  let port: number;
  {
    using listener = listen({ hostname: LOOPBACK, port: 0 });
    port = (listener.addr as Deno.NetAddr).port;
  }
  {
    await using listener = listen({ hostname: LOOPBACK, port });
    assert.equal((listener.addr as Deno.NetAddr).port, port, "the port was free again");
  }
  const probe = Deno.listen({ hostname: LOOPBACK, port });
  probe.close();
});

Deno.test("an aborted signal ends the loop and the listener", async () => {
  const controller = new AbortController();
  const listener = listen({ hostname: LOOPBACK, port: 0, signal: controller.signal });
  const loop = (async () => {
    for await (const conn of listener) conn.close();
  })();
  controller.abort();
  await within(loop, 5_000, "the loop to end after abort");
  assert.equal(listener.isClosed, true);
  await assert.rejects(
    Deno.connect({ hostname: LOOPBACK, port: (listener.addr as Deno.NetAddr).port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("an already aborted signal gives a closed listener and an empty loop", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0, signal: AbortSignal.abort() });
  assert.equal(listener.isClosed, true);
  let count = 0;
  for await (const _ of listener) count++;
  assert.equal(count, 0);
});

Deno.test("connections stay tracked until closed, and closeConnections closes the rest", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const clients = await Promise.all(
    [1, 2, 3].map(() => Deno.connect({ hostname: LOOPBACK, port })),
  );
  const accepted: Deno.Conn[] = [];
  for (let i = 0; i < 3; i++) accepted.push((await listener.accept())!);
  assert.equal(listener.connections.size, 3);

  accepted[0].close();
  assert.equal(listener.connections.size, 2);
  assert.equal(listener.connections.has(accepted[0]), false);
  accepted[0].close(); // a second close is harmless on a tracked connection

  listener.close();
  assert.equal(listener.connections.size, 2, "closing the listener leaves connections open");
  assert.equal(listener.closeConnections(), 2);
  assert.equal(listener.connections.size, 0);

  // The clients see the server side go away.
  for (const client of clients) {
    assert.equal((await within(readAll(client), 5_000, "EOF")).length, 0);
    client.close();
  }
});

Deno.test("a tracked connection closed by Deno at readable's end leaves the set on close()", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const client = await Deno.connect({ hostname: LOOPBACK, port });
  const conn = (await listener.accept())!;
  await writeAll(client, encoder.encode("bye"));
  client.close();
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk);
  assert.equal(decoder.decode(chunks[0]), "bye");
  // Deno has closed the resource already; close() must neither throw nor keep it tracked.
  conn.close();
  assert.equal(listener.connections.size, 0);
  listener.close();
});

Deno.test("[Symbol.dispose] on a tracked connection removes it from the set", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const client = await Deno.connect({ hostname: LOOPBACK, port });
  {
    using _conn = (await listener.accept())!;
    assert.equal(listener.connections.size, 1);
  }
  assert.equal(listener.connections.size, 0);
  client.close();
  listener.close();
});

Deno.test("listen rejects bad options with TypeError or RangeError", () => {
  assert.throws(() => listen({}), TypeError);
  assert.throws(() => listen(null as unknown as { port: number }), TypeError);
  assert.throws(() => listen({ port: -1 }), RangeError);
  assert.throws(() => listen({ port: 65536 }), RangeError);
  assert.throws(() => listen({ port: 80.5 }), RangeError);
  assert.throws(() => listen({ port: "80" as unknown as number }), TypeError);
  assert.throws(() => listen({ port: 0, hostname: "" }), TypeError);
  assert.throws(() => listen({ port: 0, path: "/tmp/wire.sock" }), TypeError);
  assert.throws(() => listen({ path: "" }), TypeError);
  assert.throws(() => listen({ path: "/tmp/wire.sock", cert: "c", key: "k" }), TypeError);
  assert.throws(() => listen({ path: "/tmp/wire.sock", reusePort: true }), TypeError);
  assert.throws(() => listen({ port: 0, cert: "only a cert" }), TypeError);
  assert.throws(() => listen({ port: 0, key: "only a key" }), TypeError);
});

Deno.test("listen on a port in use throws AddrInUse", () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    assert.throws(() => listen({ hostname: LOOPBACK, port }), Deno.errors.AddrInUse);
  } finally {
    listener.close();
  }
});

Deno.test("reusePort lets two listeners share a port (with --unstable-net)", async () => {
  const first = listen({ hostname: LOOPBACK, port: 0, reusePort: true });
  const { port } = first.addr as Deno.NetAddr;
  const second = listen({ hostname: LOOPBACK, port, reusePort: true });
  try {
    assert.equal((second.addr as Deno.NetAddr).port, port);
    const client = await Deno.connect({ hostname: LOOPBACK, port });
    // The kernel hands the connection to one of the two.
    const conn = await within(
      Promise.race([first.accept(), second.accept()]),
      5_000,
      "a reusePort listener to accept",
    );
    conn?.close();
    client.close();
  } finally {
    first.close();
    second.close();
  }
});

Deno.test("reusePort without --unstable-net throws NotSupported instead of exiting", async () => {
  const script = `
    import { listen } from ${JSON.stringify(new URL("../../net/mod.ts", import.meta.url).href)};
    try {
      listen({ hostname: "127.0.0.1", port: 0, reusePort: true }).close();
      console.log("no error");
    } catch (error) {
      console.log(error.name + ": " + error.message);
    }
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = decoder.decode(output.stdout).trim();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  assert.equal(
    stdout,
    "NotSupported: Cannot listen with reusePort: Deno needs the --unstable-net flag for it",
  );
});

Deno.test("overlapping accept() calls take turns instead of failing with Busy", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const first = listener.accept();
  const second = listener.accept();
  const third = listener.accept();
  const clients = [
    await Deno.connect({ hostname: LOOPBACK, port }),
    await Deno.connect({ hostname: LOOPBACK, port }),
  ];
  const accepted = await within(Promise.all([first, second]), 5_000, "two accepts");
  assert.ok(accepted.every((conn) => conn !== null));
  assert.equal(listener.connections.size, 2);
  listener.close();
  assert.equal(await within(third, 5_000, "the third accept"), null);
  assert.equal(listener.isClosed, true);
  listener.closeConnections();
  for (const client of clients) client.close();
});
