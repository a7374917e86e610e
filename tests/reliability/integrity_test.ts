// Integrity under load: 200 concurrent raw-socket clients send random bodies (0 B to 1 MiB,
// Content-Length and chunked, keep-alive, pipelined and one connection per request) to an echo
// handler; every response is matched to its request by id and by SHA-256. Counts lost,
// corrupted, duplicated and reordered responses and asserts each is 0. A second test does the
// same through Wire's Client.

import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";
import { Client } from "../../http/client.ts";
import { fdsBackTo, openFds, pick, prng, randomBytes, runSeed, sha256, within } from "./_fd.ts";
import {
  closeQuietly,
  connectLocal,
  encodeRequest,
  header,
  type RawResponse,
  ResponseReader,
  send,
} from "./_wire.ts";

const CLIENTS = 200;
const REQUESTS_PER_CLIENT = 25;
const MAX_BODY = 1024 * 1024;

interface Planned {
  id: string;
  body: Uint8Array;
  sha: string;
  chunked: boolean;
  mode: "stream" | "buffer";
}

interface Tally {
  sent: number;
  ok: number;
  lost: number;
  corrupted: number;
  duplicated: number;
  reordered: number;
  badStatus: number;
  bytesSent: number;
  bytesReceived: number;
  chunkedUploads: number;
  streamedEchoes: number;
  /** New connections opened after the server answered with `Connection: close`. */
  reconnects: number;
  failures: string[];
}

/** Body sizes from 0 B to 1 MiB, skewed small so 2,000 requests fit in seconds. */
function bodySize(random: () => number): number {
  const roll = random();
  if (roll < 0.1) return 0;
  if (roll < 0.7) return pick(random, 4096);
  if (roll < 0.95) return pick(random, 64 * 1024);
  return roll < 0.97 ? MAX_BODY : pick(random, MAX_BODY + 1);
}

/** The echo handler: "stream" pipes the body straight back (chunked), "buffer" reads it first. */
function echoServer(seen: Map<string, number>) {
  return serve(async (request) => {
    const id = request.headers.get("x-id") ?? "";
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (request.headers.get("x-mode") === "stream") {
      return new Response(request.body, { headers: { "x-id": id } });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    return new Response(body, { headers: { "x-id": id, "x-sha256": await sha256(body) } });
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
}

async function judge(
  tally: Tally,
  expected: Planned[],
  index: number,
  response: RawResponse,
  answered: Set<string>,
): Promise<void> {
  const want = expected[index];
  const id = header(response, "x-id") ?? "";
  tally.bytesReceived += response.body.length;
  if (response.status !== 200) {
    tally.badStatus++;
    if (tally.failures.length < 10) tally.failures.push(`${want.id}: status ${response.status}`);
    return;
  }
  if (answered.has(id)) {
    tally.duplicated++;
    if (tally.failures.length < 10) tally.failures.push(`${id} answered twice`);
    return;
  }
  answered.add(id);
  if (id !== want.id) {
    tally.reordered++;
    if (tally.failures.length < 10) tally.failures.push(`expected ${want.id}, got ${id}`);
    return;
  }
  const got = await sha256(response.body);
  const serverSha = header(response, "x-sha256");
  if (got !== want.sha || (serverSha !== undefined && serverSha !== want.sha)) {
    tally.corrupted++;
    if (tally.failures.length < 10) {
      tally.failures.push(`${id}: ${want.body.length} B sent, ${response.body.length} B back`);
    }
    return;
  }
  if (want.mode === "stream" && header(response, "transfer-encoding") === "chunked") {
    tally.streamedEchoes++;
  }
  tally.ok++;
}

async function plan(random: () => number, seed: number, client: number): Promise<Planned[]> {
  const out: Planned[] = [];
  for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
    const id = `${client}-${i}`;
    const size = bodySize(random);
    const body = randomBytes(seed ^ (client * 7919 + i * 104729), size);
    out.push({
      id,
      body,
      sha: await sha256(body),
      chunked: random() < 0.4,
      mode: random() < 0.5 ? "stream" : "buffer",
    });
  }
  return out;
}

function encode(p: Planned, random: () => number, close = false): Uint8Array {
  return encodeRequest({
    method: "POST",
    path: `/echo/${p.id}`,
    headers: [["x-id", p.id], ["x-mode", p.mode]],
    body: p.body,
    chunked: p.chunked,
    close,
    random,
  });
}

async function runClient(port: number, client: number, seed: number, tally: Tally): Promise<void> {
  const random = prng(seed + client);
  const planned = await plan(random, seed, client);
  const answered = new Set<string>();
  for (const p of planned) {
    tally.sent++;
    tally.bytesSent += p.body.length;
    if (p.chunked) tally.chunkedUploads++;
  }
  const style = client % 3; // 0 keep-alive, 1 pipelined, 2 one connection per request
  let received = 0;
  if (style === 2) {
    for (let i = 0; i < planned.length; i++) {
      const conn = await connectLocal(port);
      try {
        const reader = new ResponseReader(conn);
        await send(conn, encode(planned[i], random, true));
        const response = await reader.next();
        if (response === null) break;
        received++;
        await judge(tally, planned, i, response, answered);
        if (response.keepAlive) tally.failures.push(`${planned[i].id}: Connection: close ignored`);
        const extra = await reader.drainToEof();
        if (extra !== 0) {
          tally.failures.push(`${planned[i].id}: ${extra} bytes after the last response`);
        }
      } finally {
        closeQuietly(conn);
      }
    }
  } else {
    // A response with `Connection: close` ends the connection: like any HTTP client, send
    // what is still unanswered again on a new one (counted, and bounded by the plan's size).
    for (let attempt = 0; received < planned.length && attempt < planned.length; attempt++) {
      if (attempt > 0) tally.reconnects++;
      const from = received;
      const conn = await connectLocal(port);
      let closedByServer = false;
      try {
        const reader = new ResponseReader(conn);
        // Style 0 sends each request after the previous answer; style 1 pipelines: a
        // writer sends them all while this loop reads the answers.
        const pipelined = style !== 0;
        let readerDone = false;
        const writer = pipelined
          ? (async () => {
            for (let i = from; i < planned.length && !readerDone; i++) {
              await send(conn, encode(planned[i], random));
            }
          })()
          : null;
        for (let i = from; i < planned.length; i++) {
          if (!pipelined) await send(conn, encode(planned[i], random));
          const response = await reader.next();
          if (response === null) break;
          received++;
          await judge(tally, planned, i, response, answered);
          if (!response.keepAlive) {
            closedByServer = true;
            break;
          }
        }
        readerDone = true;
        // Writes after the server closed may fail; that is the close, not a loss.
        await writer?.catch((error) => {
          if (!closedByServer) throw error;
        });
      } finally {
        closeQuietly(conn);
      }
      if (!closedByServer) break;
    }
  }
  tally.lost += planned.length - received;
}

function emptyTally(): Tally {
  return {
    sent: 0,
    ok: 0,
    lost: 0,
    corrupted: 0,
    duplicated: 0,
    reordered: 0,
    badStatus: 0,
    bytesSent: 0,
    bytesReceived: 0,
    chunkedUploads: 0,
    streamedEchoes: 0,
    reconnects: 0,
    failures: [],
  };
}

Deno.test("serve() echoes 5,000 random bodies from 200 concurrent raw clients with nothing lost, corrupted, duplicated or reordered", async () => {
  const seed = runSeed("integrity", 0x1a7e6e17);
  const fdBase = openFds();
  const seen = new Map<string, number>();
  const server = echoServer(seen);
  const port = (server.addr as Deno.NetAddr).port;
  const tally = emptyTally();
  const started = performance.now();
  try {
    const clients: Promise<void>[] = [];
    for (let c = 0; c < CLIENTS; c++) clients.push(runClient(port, c, seed, tally));
    const results = await within(Promise.allSettled(clients), 120_000, "200 clients");
    for (const r of results) {
      if (r.status === "rejected" && tally.failures.length < 10) {
        tally.failures.push(String(r.reason));
      }
    }
  } finally {
    await within(server.shutdown(), 10_000, "server shutdown");
  }
  const duplicatedAtServer = [...seen.values()].filter((n) => n > 1).length;
  console.log(
    `integrity: ${CLIENTS} clients, ${tally.sent} requests (${tally.chunkedUploads} chunked uploads, ` +
      `${tally.streamedEchoes} streamed echoes), ${
        (tally.bytesSent / 2 ** 20).toFixed(1)
      } MiB up, ` +
      `${(tally.bytesReceived / 2 ** 20).toFixed(1)} MiB down in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s; ` +
      `ok ${tally.ok}, lost ${tally.lost}, corrupted ${tally.corrupted}, duplicated ${tally.duplicated}, ` +
      `reordered ${tally.reordered}, bad status ${tally.badStatus}; ${tally.reconnects} reconnects after ` +
      `Connection: close; handler calls ${seen.size} ids, ` +
      `${duplicatedAtServer} seen twice`,
  );
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.lost, 0, "lost");
  assert.equal(tally.corrupted, 0, "corrupted");
  assert.equal(tally.duplicated, 0, "duplicated");
  assert.equal(tally.reordered, 0, "reordered");
  assert.equal(tally.badStatus, 0, "bad status");
  assert.equal(tally.ok, CLIENTS * REQUESTS_PER_CLIENT);
  assert.equal(seen.size, CLIENTS * REQUESTS_PER_CLIENT, "every request reached the handler");
  assert.equal(duplicatedAtServer, 0, "no request reached the handler twice");
  await fdsBackTo(fdBase);
});

Deno.test("Client and serve() exchange 1,000 random bodies (buffered and streamed uploads) intact", async () => {
  const seed = runSeed("integrity client", 0x0c11e27);
  const fdBase = openFds();
  const seen = new Map<string, number>();
  const server = echoServer(seen);
  const port = (server.addr as Deno.NetAddr).port;
  const client = new Client({ maxConnectionsPerOrigin: 32 });
  const tally = emptyTally();
  const total = 1000;
  try {
    let next = 0;
    const worker = async (w: number) => {
      const random = prng(seed + w);
      for (;;) {
        const n = next++;
        if (n >= total) return;
        const id = `c-${n}`;
        const body = randomBytes(seed ^ n, bodySize(random));
        const sha = await sha256(body);
        const streamed = random() < 0.5;
        const mode = random() < 0.5 ? "stream" : "buffer";
        tally.sent++;
        tally.bytesSent += body.length;
        if (streamed) tally.chunkedUploads++;
        // A streamed upload has no known length: the Client sends it chunked.
        const payload: BodyInit = streamed
          ? new ReadableStream<Uint8Array>({
            start(controller) {
              for (let o = 0; o < body.length; o += 50_000) {
                controller.enqueue(body.slice(o, o + 50_000));
              }
              controller.close();
            },
          })
          : body;
        const response = await client.fetch(`http://127.0.0.1:${port}/echo/${id}`, {
          method: "POST",
          body: payload,
          headers: { "x-id": id, "x-mode": mode },
        });
        const got = new Uint8Array(await response.arrayBuffer());
        tally.bytesReceived += got.length;
        if (response.status !== 200) tally.badStatus++;
        else if (response.headers.get("x-id") !== id) tally.reordered++;
        else if (await sha256(got) !== sha) {
          tally.corrupted++;
          if (tally.failures.length < 10) {
            tally.failures.push(`${id}: ${body.length} B sent, ${got.length} B back`);
          }
        } else tally.ok++;
      }
    };
    const workers = [];
    for (let w = 0; w < 32; w++) workers.push(worker(w));
    await within(Promise.all(workers), 120_000, "client workers");
  } finally {
    await client.close();
    await within(server.shutdown(), 10_000, "server shutdown");
  }
  console.log(
    `integrity via Client: ${tally.sent} requests (${tally.chunkedUploads} streamed uploads), ` +
      `${(tally.bytesSent / 2 ** 20).toFixed(1)} MiB up, ${
        (tally.bytesReceived / 2 ** 20).toFixed(1)
      } MiB down; ` +
      `ok ${tally.ok}, corrupted ${tally.corrupted}, mismatched ${tally.reordered}, bad status ${tally.badStatus}`,
  );
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.ok, total);
  assert.equal(seen.size, total);
  await fdsBackTo(fdBase);
});
