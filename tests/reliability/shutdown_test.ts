// Graceful shutdown under load: with 100 requests in flight (some still uploading), shutdown()
// refuses new connections, closes idle keep-alive connections at once, lets every accepted
// request complete with `Connection: close`, and resolves `finished`; no promise rejection
// goes unhandled. Also: shutdown in the middle of a request stream from 50 busy clients
// never cuts a response short, and a deadline aborts handlers that would hang forever.

import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";
import { Client } from "../../http/client.ts";
import { fdsBackTo, openFds, randomBytes, sha256, waitFor, within } from "./_fd.ts";
import {
  closeQuietly,
  connectLocal,
  encodeRequest,
  header,
  type RawResponse,
  readToEof,
  ResponseReader,
  send,
} from "./_wire.ts";

const encoder = new TextEncoder();

/** Collects unhandled rejections while `fn` runs (and one macrotask after); returns them. */
async function catchingRejections(fn: () => Promise<void>): Promise<unknown[]> {
  const rejections: unknown[] = [];
  const onRejection = (event: PromiseRejectionEvent) => {
    rejections.push(event.reason);
    event.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    await fn();
    // Rejection events fire after the microtask queue drains: give them a turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
  return rejections;
}

/**
 * Whether a new connection to `port` goes unserved: refused, reset while connecting (the
 * listening socket closed with the connection still in its backlog), or accepted by the
 * kernel but closed without a byte of response.
 */
async function refused(port: number): Promise<boolean> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch (error) {
    if (isRefusal(error)) return true;
    throw error;
  }
  try {
    await send(conn, encodeRequest({ path: "/idle" }));
    const reply = await within(readToEof(conn), 5_000, "the unserved connection to close");
    return reply.length === 0;
  } catch (error) {
    if (isRefusal(error) || error instanceof Deno.errors.BrokenPipe) return true;
    throw error;
  } finally {
    closeQuietly(conn);
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionRefused ||
    error instanceof Deno.errors.ConnectionReset;
}

Deno.test("shutdown() with 100 requests in flight: all complete, new connections refused, idle ones closed, finished resolves, no unhandled rejection", async () => {
  const fdBase = openFds();
  let arrived = 0;
  let completed = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const server = serve(async (request, info) => {
    const url = new URL(request.url);
    if (url.pathname === "/idle") return new Response("idle");
    arrived++;
    info.completed.then(() => completed++);
    await gate;
    const body = new Uint8Array(await request.arrayBuffer());
    return new Response(`${url.searchParams.get("id")} ${body.length} ${await sha256(body)}`);
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const port = (server.addr as Deno.NetAddr).port;
  const client = new Client({ maxConnectionsPerOrigin: 64 });
  const stats = { raw: 0, uploads: 0, viaClient: 0, idleClosed: 0, closeHeaders: 0 };

  const rejections = await catchingRejections(async () => {
    // 10 idle keep-alive connections: one request each, then nothing.
    const idle: { conn: Deno.Conn; reader: ResponseReader }[] = [];
    for (let i = 0; i < 10; i++) {
      const conn = await connectLocal(port);
      const reader = new ResponseReader(conn);
      await send(conn, encodeRequest({ path: "/idle" }));
      const response = await reader.next();
      assert.equal(response?.status, 200);
      idle.push({ conn, reader });
    }

    // 50 plain requests, 25 uploads cut in two around the shutdown, 25 through the Client.
    const conns: Deno.Conn[] = [];
    const raw: Promise<RawResponse | null>[] = [];
    const uploads: { conn: Deno.Conn; rest: Uint8Array; reply: Promise<RawResponse | null> }[] = [];
    const expected = new Map<string, string>();
    for (let i = 0; i < 50; i++) {
      const conn = await connectLocal(port);
      conns.push(conn);
      const reader = new ResponseReader(conn);
      await send(conn, encodeRequest({ path: `/work?id=r${i}` }));
      expected.set(`r${i}`, `r${i} 0 ${await sha256(new Uint8Array(0))}`);
      raw.push(reader.next());
    }
    for (let i = 0; i < 25; i++) {
      const conn = await connectLocal(port);
      conns.push(conn);
      const reader = new ResponseReader(conn);
      const body = randomBytes(1000 + i, 256 * 1024);
      expected.set(`u${i}`, `u${i} ${body.length} ${await sha256(body)}`);
      const bytes = encodeRequest({ method: "POST", path: `/work?id=u${i}`, body });
      const cut = bytes.length - 192 * 1024;
      await send(conn, bytes.subarray(0, cut));
      uploads.push({ conn, rest: bytes.subarray(cut), reply: reader.next() });
    }
    const fetches: Promise<string>[] = [];
    for (let i = 0; i < 25; i++) {
      const body = randomBytes(2000 + i, 10_000);
      expected.set(`c${i}`, `c${i} ${body.length} ${await sha256(body)}`);
      fetches.push(
        client.fetch(`http://127.0.0.1:${port}/work?id=c${i}`, { method: "POST", body })
          .then((r) => r.text()),
      );
    }
    await waitFor(
      () => arrived === 100,
      "100 requests in the handler",
      10_000,
      10,
      () => `${arrived}`,
    );

    const shutdown = server.shutdown();
    assert.ok(await refused(port), "a new connection is refused once shutdown() is called");
    // Idle keep-alive connections close at once (before any in-flight request completes).
    for (const { reader } of idle) {
      assert.equal(await within(reader.drainToEof(), 5_000, "an idle connection to close"), 0);
      stats.idleClosed++;
    }
    assert.equal(completed, 0, "in-flight requests are still waiting");

    for (const upload of uploads) await send(upload.conn, upload.rest);
    release();

    for (const [i, reply] of raw.entries()) {
      const response = await within(reply, 10_000, `plain request ${i}`);
      assert.ok(response !== null, `plain request ${i} answered`);
      assert.equal(new TextDecoder().decode(response.body), expected.get(`r${i}`));
      if (header(response, "connection") === "close") stats.closeHeaders++;
      stats.raw++;
    }
    for (const [i, upload] of uploads.entries()) {
      const response = await within(upload.reply, 10_000, `upload ${i}`);
      assert.ok(response !== null, `upload ${i} answered`);
      assert.equal(new TextDecoder().decode(response.body), expected.get(`u${i}`));
      if (header(response, "connection") === "close") stats.closeHeaders++;
      stats.uploads++;
    }
    for (const [i, text] of fetches.entries()) {
      assert.equal(await within(text, 10_000, `fetch ${i}`), expected.get(`c${i}`));
      stats.viaClient++;
    }
    await within(shutdown, 10_000, "shutdown()");
    await within(server.finished, 1_000, "finished");
    assert.equal(server.connections, 0);
    for (const conn of conns) closeQuietly(conn);
    for (const { conn } of idle) closeQuietly(conn);
  });
  await client.close();
  console.log(
    `shutdown: ${stats.raw} plain + ${stats.uploads} mid-upload + ${stats.viaClient} Client requests ` +
      `completed after shutdown(); ${stats.closeHeaders} raw replies carried Connection: close; ` +
      `${stats.idleClosed} idle connections closed; ${rejections.length} unhandled rejections`,
  );
  assert.deepEqual(rejections, []);
  assert.equal(completed, 100, "info.completed resolved for every request");
  assert.equal(stats.closeHeaders, 75, "in-flight replies say Connection: close");
  await fdsBackTo(fdBase);
});

Deno.test("shutdown() in the middle of a stream of requests from 50 busy clients cuts no response short and loses no accepted request", async () => {
  const fdBase = openFds();
  let handled = 0;
  const server = serve((request) => {
    handled++;
    return new Response(new URL(request.url).searchParams.get("n"));
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const port = (server.addr as Deno.NetAddr).port;
  const tally = { responses: 0, cut: 0, refusedAfter: 0, wrong: 0 };
  let shutdownCalled = false;
  const rejections = await catchingRejections(async () => {
    const clients: Promise<void>[] = [];
    for (let c = 0; c < 50; c++) {
      clients.push((async () => {
        // Keep-alive requests one after another; reconnect when the server closes, until
        // the server refuses connections (bounded: 10,000 requests per client at most).
        for (let round = 0; round < 10_000; round++) {
          let conn: Deno.Conn;
          try {
            conn = await connectLocal(port);
          } catch (error) {
            if (!isRefusal(error)) throw error;
            assert.ok(shutdownCalled, "refused only after shutdown()");
            tally.refusedAfter++;
            return;
          }
          try {
            const reader = new ResponseReader(conn);
            for (let i = 0; i < 10_000; i++) {
              const n = `${c}-${round}-${i}`;
              try {
                await send(conn, encodeRequest({ path: `/?n=${n}` }));
              } catch {
                break; // closed by the server between requests: not accepted
              }
              let response: RawResponse | null;
              try {
                response = await reader.next();
              } catch (error) {
                if (error instanceof Deno.errors.ConnectionReset) break;
                tally.cut++;
                throw error;
              }
              if (response === null) break;
              tally.responses++;
              if (new TextDecoder().decode(response.body) !== n) tally.wrong++;
              if (!response.keepAlive) break;
            }
          } finally {
            closeQuietly(conn);
          }
        }
      })());
    }
    await waitFor(() => tally.responses >= 3_000, "3,000 responses before the shutdown", 30_000);
    shutdownCalled = true;
    await within(server.shutdown(), 10_000, "shutdown()");
    await within(Promise.all(clients), 10_000, "clients to stop");
  });
  console.log(
    `shutdown under load: ${tally.responses} responses, ${handled} handler calls, ` +
      `${tally.cut} cut short, ${tally.wrong} wrong, ${tally.refusedAfter} clients refused afterwards`,
  );
  assert.deepEqual(rejections, []);
  assert.equal(tally.cut, 0);
  assert.equal(tally.wrong, 0);
  assert.equal(handled, tally.responses, "every request the handler saw was answered in full");
  assert.equal(tally.refusedAfter, 50);
  await fdsBackTo(fdBase);
});

Deno.test("shutdown({ deadline }) aborts handlers that never finish, then finished resolves", async () => {
  const fdBase = openFds();
  let arrived = 0;
  const reasons: string[] = [];
  const server = serve((request) => {
    arrived++;
    return new Promise<Response>((resolve) => {
      const timer = setTimeout(() => resolve(new Response("late")), 30_000);
      request.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reasons.push(String((request.signal.reason as Error)?.message));
        resolve(new Response("aborted"));
      }, { once: true });
    });
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const port = (server.addr as Deno.NetAddr).port;
  const rejections = await catchingRejections(async () => {
    const conns: Deno.Conn[] = [];
    const replies: Promise<Uint8Array>[] = [];
    for (let i = 0; i < 20; i++) {
      const conn = await connectLocal(port);
      conns.push(conn);
      await send(conn, encoder.encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
      replies.push((async () => {
        const parts: number[] = [];
        const buf = new Uint8Array(4096);
        for (;;) {
          let n: number | null;
          try {
            n = await conn.read(buf);
          } catch {
            break;
          }
          if (n === null) break;
          parts.push(...buf.subarray(0, n));
        }
        return Uint8Array.from(parts);
      })());
    }
    await waitFor(() => arrived === 20, "20 hanging handlers");
    await within(server.shutdown({ deadline: 300 }), 5_000, "shutdown with a deadline");
    await within(server.finished, 1_000, "finished");
    await within(Promise.all(replies), 5_000, "the connections to close");
    for (const conn of conns) closeQuietly(conn);
  });
  assert.deepEqual(rejections, []);
  assert.equal(reasons.length, 20, "every hanging handler's signal aborted");
  assert.ok(reasons.every((r) => r.includes("shutting down")), reasons[0]);
  await fdsBackTo(fdBase);
});
