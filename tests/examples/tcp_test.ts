import { assert } from "../_assert.ts";
import { DEFAULT_ECHO_PORT, echoConnection, startEchoServer } from "../../examples/tcp_echo.ts";
import { DEFAULT_MESSAGES, runEchoClient } from "../../examples/tcp_client.ts";
import { writeAll } from "../../net/_write_all.ts";
import { readAll, readExactly, within } from "../net/_helpers.ts";

const LOOPBACK = "127.0.0.1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("tcp_echo answers each message from tcp_client with echo: + the message", async () => {
  await using server = startEchoServer({ hostname: LOOPBACK, port: 0 });
  const replies = await within(
    runEchoClient({ port: server.addr.port }),
    10_000,
    "the client to finish",
  );
  assert.deepEqual(replies, DEFAULT_MESSAGES.map((m) => `echo:${m}`));
  assert.equal(DEFAULT_ECHO_PORT, 8080);
});

Deno.test("tcp_echo serves 30 clients at once, each getting its own replies", async () => {
  await using server = startEchoServer({ hostname: LOOPBACK, port: 0 });
  const results = await within(
    Promise.all(Array.from({ length: 30 }, (_, i) =>
      runEchoClient({
        port: server.addr.port,
        messages: [`client ${i} first`, `client ${i} second`, "ü and ✓"],
      }))),
    20_000,
    "30 clients to finish",
  );
  results.forEach((replies, i) => {
    assert.deepEqual(replies, [
      `echo:client ${i} first`,
      `echo:client ${i} second`,
      "echo:ü and ✓",
    ]);
  });
});

Deno.test("tcp_echo prefixes every chunk it reads, and the bytes after the prefix are the input", async () => {
  await using server = startEchoServer({ hostname: LOOPBACK, port: 0 });
  const conn = await Deno.connect({ hostname: LOOPBACK, port: server.addr.port });
  try {
    // One chunk at a time, waiting for each reply, so each read is exactly one message.
    for (const message of ["a", "bc", "x".repeat(1000)]) {
      await writeAll(conn, encoder.encode(message));
      const reply = await within(readExactly(conn, 5 + message.length), 5_000, "the reply");
      assert.equal(decoder.decode(reply), `echo:${message}`);
    }
  } finally {
    conn.close();
  }
});

Deno.test("tcp_echo close() ends open connections and resolves finished", async () => {
  const server = startEchoServer({ hostname: LOOPBACK, port: 0 });
  const conn = await Deno.connect({ hostname: LOOPBACK, port: server.addr.port });
  await writeAll(conn, encoder.encode("hi"));
  assert.equal(decoder.decode(await readExactly(conn, 7)), "echo:hi");
  await within(server.close(), 5_000, "close()");
  await within(server.finished, 1_000, "finished");
  // The server closed our connection: we read EOF.
  assert.equal((await within(readAll(conn), 5_000, "EOF")).length, 0);
  conn.close();
  await server.close(); // a second close is harmless
});

Deno.test("tcp_echo stops on an aborted signal", async () => {
  const controller = new AbortController();
  const server = startEchoServer({ hostname: LOOPBACK, port: 0, signal: controller.signal });
  const conn = await Deno.connect({ hostname: LOOPBACK, port: server.addr.port });
  await writeAll(conn, encoder.encode("x"));
  await readExactly(conn, 6);
  controller.abort();
  await within(server.finished, 5_000, "finished after abort");
  assert.equal((await within(readAll(conn), 5_000, "EOF")).length, 0);
  conn.close();
  await assert.rejects(
    Deno.connect({ hostname: LOOPBACK, port: server.addr.port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("echoConnection ends quietly when the client closes with its reply unread", async () => {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const client = await Deno.connect({ hostname: LOOPBACK, port: listener.addr.port });
  const serverSide = await listener.accept();
  const logged: unknown[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const done = echoConnection(serverSide);
    await writeAll(client, encoder.encode("bye"));
    // Closing with the echo unread makes the kernel answer with a reset (or a plain FIN
    // if the echo has not arrived yet); either way the handler ends without noise.
    client.close();
    await within(done, 5_000, "the handler to end");
  } finally {
    console.error = consoleError;
    listener.close();
  }
  assert.deepEqual(logged, []);
});

Deno.test("tcp_client fails with the server's address when nothing listens", async () => {
  const probe = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const port = probe.addr.port;
  probe.close();
  await assert.rejects(
    runEchoClient({ port }),
    (error: Error) => error.message === `Cannot connect to 127.0.0.1:${port}: connection refused`,
  );
});

Deno.test("tcp_echo and tcp_client run as programs", async () => {
  const dir = new URL("../../examples/", import.meta.url);
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", new URL("tcp_echo.ts", dir).pathname, "0"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    // The first line names the address, with the port the system picked.
    const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let banner = "";
    while (!banner.includes("\n")) {
      const { value, done } = await within(reader.read(), 20_000, "the server's banner");
      if (done) break;
      banner += value;
    }
    reader.releaseLock();
    const match = banner.match(/listening on 127\.0\.0\.1:(\d+)/);
    assert.ok(match, `banner: ${banner}`);
    const output = await within(
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-net",
          new URL("tcp_client.ts", dir).pathname,
          match[1],
          "one",
          "two",
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output(),
      20_000,
      "the client program",
    );
    assert.equal(output.code, 0, decoder.decode(output.stderr));
    assert.equal(decoder.decode(output.stdout), "echo:one\necho:two\n");
  } finally {
    server.kill("SIGINT");
    const status = await within(server.status, 10_000, "the server to stop on SIGINT");
    await server.stdout.cancel().catch(() => {});
    await server.stderr.cancel();
    assert.equal(status.code, 0);
  }
});
