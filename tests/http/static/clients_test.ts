// A folder served by serve(compose(compress(), serveStatic(root))) to real clients over
// TCP: curl (-r, -C -, --compressed, -z, -I) and Deno's fetch (ranges, revalidation,
// gzip), a large download with backpressure, and a client that goes away mid-file
// (the file is closed: no descriptor leak).

import { assert } from "../../_assert.ts";
import { readAll, withServer } from "../../_server.ts";
import { compose } from "../../../router/compose.ts";
import { compress } from "../../../router/compress.ts";
import { serveStatic } from "../../../router/static.ts";
import {
  bytesRead,
  curl,
  HAVE_CURL,
  makeSite,
  openDescriptors,
  pattern,
  type Site,
} from "./_fixtures.ts";

function app(site: Site, options: Parameters<typeof serveStatic>[1] = {}) {
  return compose(compress(), serveStatic(site.root, { precompressed: true, ...options }));
}

Deno.test({
  name: "curl -r, -C -, --compressed, -z and -I against a served folder",
  ignore: !HAVE_CURL,
  async fn() {
    await using site = await makeSite();
    await withServer(app(site), {}, async (_server, addr) => {
      const base = `http://127.0.0.1:${addr.port}`;
      // -r: a range, and several as multipart/byteranges.
      const range = await curl(["-r", "100-199", `${base}/bin/data.bin`]);
      assert.deepEqual(range.stdout, site.binary.subarray(100, 200));
      const multi = await curl(["-i", "-r", "0-1,10-11", `${base}/hello.txt`]);
      assert.match(multi.text, /^HTTP\/1.1 206/);
      assert.match(multi.text, /content-type: multipart\/byteranges; boundary=/i);
      // -C -: resume a partial download where the file on disk ends.
      const out = await Deno.makeTempFile();
      try {
        await Deno.writeFile(out, site.binary.subarray(0, 50_000));
        const resumed = await curl(["-C", "-", "-o", out, `${base}/bin/data.bin`]);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.deepEqual(await Deno.readFile(out), site.binary);
      } finally {
        await Deno.remove(out);
      }
      // --compressed: a precompressed sibling for app.js, on-the-fly gzip for JSON.
      const script = await curl(["--compressed", "-D", "-", `${base}/app.js`]);
      assert.match(script.text, /content-encoding: (br|zstd|gzip)/i);
      assert.ok(script.text.endsWith(site.script));
      const json = await curl(["--compressed", "-D", "-", `${base}/data.json`]);
      assert.match(json.text, /content-encoding: (br|zstd|gzip|deflate)/i);
      assert.match(json.text, /vary: Accept-Encoding/i);
      assert.ok(json.text.endsWith(await Deno.readTextFile(`${site.root}/data.json`)));
      // -z: If-Modified-Since from a date; a later date gives 304 and no body.
      const later = new Date(Date.now() + 3_600_000).toUTCString();
      const notModified = await curl(["-i", "-z", later, `${base}/hello.txt`]);
      assert.match(notModified.text, /^HTTP\/1.1 304/);
      const earlier = await curl(["-z", "1 Jan 2000", `${base}/hello.txt`]);
      assert.equal(earlier.text, site.hello);
      // -I: HEAD with the GET head.
      const head = await curl(["-I", `${base}/bin/data.bin`]);
      assert.match(head.text, new RegExp(`content-length: ${site.binary.length}`, "i"));
      assert.match(head.text, /accept-ranges: bytes/i);
    });
  },
});

Deno.test("Deno's fetch gets ranges, 304s and gzip from a served folder", async () => {
  await using site = await makeSite();
  await withServer(app(site), {}, async (_server, addr) => {
    const base = `http://127.0.0.1:${addr.port}`;
    const partial = await fetch(`${base}/bin/data.bin`, { headers: { range: "bytes=-1000" } });
    assert.equal(partial.status, 206);
    assert.deepEqual(new Uint8Array(await partial.arrayBuffer()), site.binary.subarray(-1000));
    const first = await fetch(`${base}/hello.txt`);
    const etag = first.headers.get("etag")!;
    await first.body?.cancel();
    const again = await fetch(`${base}/hello.txt`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    await again.body?.cancel();
    const json = await fetch(`${base}/data.json`, { headers: { "accept-encoding": "gzip" } });
    assert.equal(json.headers.get("content-encoding"), "gzip");
    assert.deepEqual(await json.json(), { rows: Array(300).fill("x") });
    const failed = await fetch(`${base}/hello.txt`, { headers: { "if-match": '"nope"' } });
    assert.equal(failed.status, 412);
    await failed.body?.cancel();
  });
});

Deno.test("over TCP: If-Range, 416, the trailing-slash redirect, precompressed and compressed revalidation", async () => {
  await using site = await makeSite();
  await withServer(app(site), {}, async (_server, addr) => {
    const base = `http://127.0.0.1:${addr.port}`;
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${base}${path}`, { headers, redirect: "manual" });
      const body = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, body };
    };
    const full = await get("/bin/data.bin");
    const etag = full.headers.get("etag")!;
    const lastModified = full.headers.get("last-modified")!;
    // If-Range (RFC 9110 §13.1.5): the current ETag or date → 206; a stale one → 200.
    for (const validator of [etag, lastModified]) {
      const partial = await get("/bin/data.bin", { range: "bytes=10-19", "if-range": validator });
      assert.equal(partial.status, 206, validator);
      assert.deepEqual(partial.body, site.binary.subarray(10, 20));
    }
    const stale = await get("/bin/data.bin", { range: "bytes=10-19", "if-range": '"stale"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, site.binary.length);
    // Unsatisfiable: 416 with the size.
    const unsatisfiable = await get("/bin/data.bin", { range: `bytes=${site.binary.length}-` });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get("content-range"), `bytes */${site.binary.length}`);
    // A folder without its slash: 301 to it, the query kept.
    const redirect = await get("/docs?x=1");
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/docs/?x=1");
    assert.equal(new TextDecoder().decode((await get("/docs/")).body), site.index);
    // A precompressed sibling: Vary, its own strong ETag, and a 304 for it.
    const br = await fetch(`${base}/app.js`, { headers: { "accept-encoding": "br" } });
    assert.equal(br.headers.get("content-encoding"), "br");
    assert.equal(br.headers.get("vary"), "Accept-Encoding");
    assert.equal(await br.text(), site.script, "fetch decodes it");
    const brTag = br.headers.get("etag")!;
    assert.match(brTag, /^"/);
    const brAgain = await get("/app.js", { "accept-encoding": "br", "if-none-match": brTag });
    assert.equal(brAgain.status, 304);
    // Compressed on the fly: the ETag turns weak and still revalidates (weak comparison).
    const gz = await fetch(`${base}/data.json`, { headers: { "accept-encoding": "gzip" } });
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    await gz.body?.cancel();
    const weak = gz.headers.get("etag")!;
    assert.match(weak, /^W\/"/);
    const gzAgain = await get("/data.json", { "accept-encoding": "gzip", "if-none-match": weak });
    assert.equal(gzAgain.status, 304);
    // HEAD: the GET's head (length of the identity body), no body.
    const head = await fetch(`${base}/bin/data.bin`, { method: "HEAD" });
    assert.equal(head.headers.get("content-length"), String(site.binary.length));
    assert.equal(head.headers.get("etag"), etag);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });
});

Deno.test("a large file streams with backpressure, and a client that goes away closes it", async () => {
  await using site = await makeSite();
  const size = 48 * 1024 * 1024;
  const block = pattern(1024 * 1024);
  const file = await Deno.open(`${site.root}/big.bin`, { write: true, create: true });
  for (let i = 0; i < size / block.length; i++) {
    let n = 0;
    while (n < block.length) n += await file.write(block.subarray(n));
  }
  file.close();
  await withServer(app(site), {}, async (_server, addr) => {
    const before = openDescriptors();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: addr.port });
    try {
      await conn.write(new TextEncoder().encode("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
      const start = bytesRead();
      const head = await readAll(conn, { maxBytes: 1024 * 1024 });
      assert.match(
        new TextDecoder().decode(head.bytes.subarray(0, 400)),
        /content-length: 50331648/,
      );
      // The client stops reading: the server fills the socket buffers, then waits.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const read = bytesRead() - start;
      assert.ok(start >= 0, "/proc/PID/io is readable (Linux)");
      assert.ok(read < 24 * 1024 * 1024, `read ${read} bytes of a paused 48 MiB download`);
      assert.equal(
        openDescriptors(),
        before + 3,
        "both ends of the connection and the file are open",
      );
    } finally {
      conn.close();
    }
    // The client went away: the server cancels the body and closes the file.
    const deadline = Date.now() + 5_000;
    while (openDescriptors() > before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(openDescriptors(), before, "no descriptor left behind");
  });
});

Deno.test("a 48 MiB download arrives whole over TCP", async () => {
  await using site = await makeSite();
  const size = 48 * 1024 * 1024;
  const block = pattern(1024 * 1024);
  const file = await Deno.open(`${site.root}/big.bin`, { write: true, create: true });
  for (let i = 0; i < size / block.length; i++) {
    block[0] = i;
    let n = 0;
    while (n < block.length) n += await file.write(block.subarray(n));
  }
  file.close();
  await withServer(app(site), {}, async (_server, addr) => {
    const response = await fetch(`http://127.0.0.1:${addr.port}/big.bin`);
    const body = new Uint8Array(await response.arrayBuffer());
    assert.equal(body.length, size);
    const expected = await Deno.readFile(`${site.root}/big.bin`);
    assert.ok(body.every((b, i) => b === expected[i]), "same bytes");
  });
});
