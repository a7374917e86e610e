// Resource bounds: 10,000 keep-alive requests with bodies leave the server's memory flat (the
// 100,000-request run is `deno task soak`); 5,000 idle keep-alive connections are held open
// and then closed by keepAliveTimeout, releasing all 10,000 descriptors.

import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";
import { fdsBackTo, openFds, waitFor, within } from "./_fd.ts";
import { closeQuietly, connectLocal, encodeRequest, ResponseReader, send } from "./_wire.ts";

Deno.test("10,000 mixed keep-alive requests keep the server's heap and RSS flat (soak.ts in a child, heap measured after GC)", async () => {
  // The server runs in its own process (soak.ts --role=server, with --expose-gc) so its
  // memory is measured alone; the load and every check (status, length, SHA-256) run here.
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-run",
      new URL("./soak.ts", import.meta.url).pathname,
      "--requests=10000",
      "--samples=5",
      "--json",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  const report = JSON.parse(stdout.split("\n").at(-1) ?? "{}");
  console.log(
    `memory: ${report.requests} requests (${report.posts} POST, ${report.chunkedUploads} chunked, ` +
      `${report.connectionsOpened} connections), ${report.mibUp} MiB up, ${report.seconds} s; server RSS ` +
      `${report.rssStartMib} -> ${report.rssMidMib} -> ${report.rssEndMib} MiB, heap after GC ${report.heapStartMib} -> ` +
      `${report.heapEndMib} MiB, fds ${report.fdsStart} -> ${report.fdsEnd}`,
  );
  assert.deepEqual(report.errors, [], stderr);
  assert.ok(output.success, stderr);
  assert.equal(report.requests, 10_000);
  // soak.ts itself fails past 8 MiB of heap growth or 32 MiB of RSS growth over the second
  // half of the run; check the figures here too.
  assert.ok(report.heapEndMib - report.heapStartMib < 8, "heap after GC stays flat");
  assert.ok(report.rssEndMib - report.rssMidMib < 32, "RSS stays flat over the second half");
  assert.ok(report.fdsEnd <= report.fdsStart + 4, "no descriptors left behind in the server");
});

Deno.test("5,000 idle keep-alive connections are held, then closed by keepAliveTimeout", async () => {
  const CONNECTIONS = 5_000;
  const KEEP_ALIVE = 3_000;
  const fdBase = openFds();
  const server = serve(() => new Response("hi"), {
    hostname: "127.0.0.1",
    port: 0,
    keepAliveTimeout: KEEP_ALIVE,
    onListen() {},
  });
  const port = (server.addr as Deno.NetAddr).port;
  const answeredAt: number[] = new Array(CONNECTIONS).fill(0);
  const closedAt: number[] = new Array(CONNECTIONS).fill(0);
  const conns: Deno.Conn[] = [];
  let heldPeak = 0;
  let fdPeak = 0;
  try {
    const started = performance.now();
    const closes: Promise<void>[] = [];
    const open = async (i: number) => {
      const conn = await connectLocal(port);
      conns.push(conn);
      const reader = new ResponseReader(conn, 1024);
      await send(conn, encodeRequest({ path: "/" }));
      const response = await reader.next();
      assert.ok(response !== null && response.status === 200 && response.keepAlive);
      answeredAt[i] = performance.now();
      closes.push(
        reader.drainToEof().then((extra) => {
          assert.equal(extra, 0);
          closedAt[i] = performance.now();
        }),
      );
    };
    for (let batch = 0; batch < CONNECTIONS; batch += 250) {
      const opening = [];
      for (let i = batch; i < Math.min(CONNECTIONS, batch + 250); i++) opening.push(open(i));
      await within(Promise.all(opening), 30_000, "a batch of connections");
    }
    const setup = performance.now() - started;
    heldPeak = server.connections;
    fdPeak = openFds();
    // The server still answers while holding them all.
    const extra = await connectLocal(port);
    try {
      const reader = new ResponseReader(extra);
      await send(extra, encodeRequest({ path: "/", close: true }));
      assert.equal(
        (await within(reader.next(), 5_000, "a request beside 5,000 idle"))?.status,
        200,
      );
    } finally {
      closeQuietly(extra);
    }
    await within(Promise.all(closes), KEEP_ALIVE + 30_000, "keepAliveTimeout to close them all");
    const early = answeredAt.filter((t, i) => closedAt[i] - t < KEEP_ALIVE - 100).length;
    const lastClose = Math.max(...closedAt) - started;
    console.log(
      `idle: ${CONNECTIONS} keep-alive connections opened and answered in ${
        (setup / 1000).toFixed(1)
      } s, ` +
        `${heldPeak} held by the server (${fdPeak - fdBase} fds in this process), all closed by ` +
        `keepAliveTimeout ${KEEP_ALIVE} ms (last ${
          (lastClose / 1000).toFixed(1)
        } s after the start), ` +
        `${early} closed early`,
    );
    assert.equal(early, 0, "no idle connection closed before keepAliveTimeout");
    assert.ok(
      heldPeak > 0 && fdPeak - fdBase >= 2 * heldPeak,
      "server and client sockets were open",
    );
    await waitFor(() => server.connections === 0, "the server to forget them");
  } finally {
    for (const conn of conns) closeQuietly(conn);
    await within(server.shutdown(), 10_000, "server shutdown");
  }
  await fdsBackTo(fdBase, 10_000);
});
