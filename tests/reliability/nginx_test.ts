// Wire behind and in front of a real nginx (from apt, started here on 127.0.0.1 with a
// generated config): serve() as an upstream with keep-alive connections, and the Client
// downloading static files nginx serves. Skips with a note when nginx is not installed.

import { assert } from "../_assert.ts";
import { Client } from "../../http/client.ts";
import { serve } from "../../http/serve.ts";
import { nginxAvailable, startNginx } from "./_nginx.ts";
import { fdsBackTo, openFds, pick, prng, randomBytes, runSeed, sha256, within } from "./_fd.ts";

const available = nginxAvailable();
if (!available) {
  console.warn("nginx_test: /usr/sbin/nginx not found, skipping (apt-get install nginx)");
}

/** Proxied requests (the issue asks for 10,000). */
const PROXY_REQUESTS = Number(Deno.env.get("WIRE_NGINX_REQUESTS") ?? 10_000);
/** Concurrent clients talking to nginx. */
const PROXY_CONCURRENCY = 32;

Deno.test({
  name:
    "nginx with keep-alive upstream connections in front of serve(): 10,000 bodies echoed intact",
  ignore: !available,
  fn: async () => {
    const seed = runSeed("nginx proxy", 0x6e67696e);
    const fdBase = openFds();
    const upstreamConns = new Set<number>();
    let handled = 0;
    const server = serve(async (request, info) => {
      handled++;
      upstreamConns.add((info.remoteAddr as Deno.NetAddr).port);
      const body = new Uint8Array(await request.arrayBuffer());
      return new Response(body, {
        headers: {
          "x-id": request.headers.get("x-id") ?? "",
          "x-sha256": await sha256(body),
        },
      });
    }, { hostname: "127.0.0.1", port: 0, onListen() {} });
    // As many idle upstream connections as clients, so nginx need not open new ones.
    const nginx = await startNginx({
      upstreamPort: (server.addr as Deno.NetAddr).port,
      upstreamKeepalive: PROXY_CONCURRENCY,
    });
    const client = new Client({ maxConnectionsPerOrigin: PROXY_CONCURRENCY });
    const counts = { sent: 0, ok: 0, corrupted: 0, wrongId: 0, badStatus: 0, bytes: 0 };
    const failures: string[] = [];
    try {
      const base = `http://127.0.0.1:${nginx.port}`;
      let nextId = 0;
      const worker = async (w: number) => {
        const random = prng(seed + w);
        for (;;) {
          const id = nextId++;
          if (id >= PROXY_REQUESTS) return;
          // Mostly small bodies, some up to 256 KiB, a few empty.
          const roll = random();
          const size = roll < 0.05 ? 0 : roll < 0.9 ? pick(random, 4096) : pick(random, 256 * 1024);
          const body = randomBytes(seed ^ id, size);
          const want = await sha256(body);
          counts.sent++;
          const response = await client.fetch(`${base}/echo/${id}`, {
            method: "POST",
            body,
            headers: { "x-id": String(id) },
          });
          const got = new Uint8Array(await response.arrayBuffer());
          counts.bytes += size + got.length;
          if (response.status !== 200) {
            counts.badStatus++;
            if (failures.length < 5) failures.push(`${id}: status ${response.status}`);
          } else if (response.headers.get("x-id") !== String(id)) {
            counts.wrongId++;
            if (failures.length < 5) {
              failures.push(`${id}: answered as ${response.headers.get("x-id")}`);
            }
          } else if (
            got.length !== size || await sha256(got) !== want ||
            response.headers.get("x-sha256") !== want
          ) {
            counts.corrupted++;
            if (failures.length < 5) failures.push(`${id}: ${size} B sent, ${got.length} B back`);
          } else counts.ok++;
        }
      };
      const workers = [];
      for (let w = 0; w < PROXY_CONCURRENCY; w++) workers.push(worker(w));
      await within(Promise.all(workers), 120_000, "proxied requests");
    } finally {
      await client.close();
      await nginx.stop();
      await server.shutdown();
    }
    console.log(
      `nginx proxy: ${counts.sent} requests, ${counts.ok} intact, ${counts.corrupted} corrupted, ` +
        `${counts.wrongId} mismatched, ${counts.badStatus} bad status, ${
          (counts.bytes / 2 ** 20).toFixed(1)
        } MiB ` +
        `moved; ${handled} reached serve() over ${upstreamConns.size} upstream connections`,
    );
    assert.deepEqual(failures, []);
    assert.equal(counts.ok, PROXY_REQUESTS);
    assert.equal(handled, PROXY_REQUESTS, "every request reached the handler exactly once");
    // nginx keeps `keepalive 32` idle connections, one per client: if serve() keeps them
    // open, nginx opens few more than that (allow 4x for nginx's own scheduling).
    assert.ok(
      upstreamConns.size <= 4 * PROXY_CONCURRENCY,
      `upstream connections were not reused: ${upstreamConns.size} for ${PROXY_REQUESTS} requests`,
    );
    await fdsBackTo(fdBase);
  },
});

Deno.test({
  name: "Client downloads static files from nginx intact (keep-alive, concurrent, HEAD, 304, 404)",
  ignore: !available,
  fn: async () => {
    const seed = runSeed("nginx files", 0x66696c65);
    const sizes = [0, 1, 1000, 16 * 1024, 64 * 1024 + 3, 1024 * 1024, 5 * 1024 * 1024 + 7];
    const files: Record<string, Uint8Array> = {};
    const sums: Record<string, string> = {};
    for (const size of sizes) {
      const name = `f${size}.bin`;
      files[name] = randomBytes(seed ^ size, size);
      sums[name] = await sha256(files[name]);
    }
    const fdBase = openFds();
    const nginx = await startNginx({ files });
    const client = new Client({ maxConnectionsPerOrigin: 8 });
    let fetched = 0;
    let bytes = 0;
    try {
      const base = `http://127.0.0.1:${nginx.port}/files`;
      const names = Object.keys(files);
      const jobs: Promise<void>[] = [];
      for (let round = 0; round < 20; round++) {
        for (const name of names) {
          jobs.push((async () => {
            const response = await client.fetch(`${base}/${name}`);
            const body = new Uint8Array(await response.arrayBuffer());
            assert.equal(response.status, 200, name);
            assert.equal(response.headers.get("content-length"), String(files[name].length));
            assert.equal(await sha256(body), sums[name], `${name} content`);
            fetched++;
            bytes += body.length;
          })());
        }
      }
      await within(Promise.all(jobs), 60_000, "file downloads");

      const head = await client.fetch(`${base}/f1000.bin`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), "1000");
      assert.equal((await head.arrayBuffer()).byteLength, 0);

      const etag = head.headers.get("etag");
      assert.ok(etag !== null, "nginx sends an ETag");
      const notModified = await client.fetch(`${base}/f1000.bin`, {
        headers: { "if-none-match": etag },
      });
      assert.equal(notModified.status, 304);
      assert.equal((await notModified.arrayBuffer()).byteLength, 0);

      const missing = await client.fetch(`${base}/nope.bin`);
      assert.equal(missing.status, 404);
      assert.ok((await missing.text()).includes("404"));

      // The connection is still good after HEAD, 304 and 404.
      const again = await client.fetch(`${base}/f65539.bin`);
      assert.equal(await sha256(new Uint8Array(await again.arrayBuffer())), sums["f65539.bin"]);
    } finally {
      await client.close();
      await nginx.stop();
    }
    console.log(
      `nginx files: ${fetched} downloads, ${(bytes / 2 ** 20).toFixed(1)} MiB, all checksums match`,
    );
    assert.equal(fetched, 20 * sizes.length);
    await fdsBackTo(fdBase);
  },
});
