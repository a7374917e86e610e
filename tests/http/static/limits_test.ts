// The limits of serveFile and serveDir, each at the limit and one past it: maxRanges,
// smallFileBytes (read whole when the Response is made, or streamed from the file later),
// fileCacheBytes (a cached file is not read again) and the listing's 10,000 entries.

import { assert } from "../../_assert.ts";
import { serveDir } from "../../../http/serve_dir.ts";
import { serveFile } from "../../../http/serve_file.ts";
import { bytesRead, makeSite, pattern } from "./_fixtures.ts";

function get(headers: HeadersInit = {}, url = "http://localhost/"): Request {
  return new Request(url, { headers });
}

Deno.test("maxRanges: that many ranges are a multipart answer, one more the whole file", async () => {
  await using site = await makeSite();
  const path = `${site.root}/bin/data.bin`;
  const ranges = (n: number) =>
    "bytes=" + Array.from({ length: n }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(",");
  const at = await serveFile(get({ range: ranges(5) }), path, { maxRanges: 5 });
  assert.equal(at.status, 206);
  assert.match(at.headers.get("content-type")!, /^multipart\/byteranges/);
  await at.body?.cancel();
  const past = await serveFile(get({ range: ranges(6) }), path, { maxRanges: 5 });
  assert.equal(past.status, 200);
  assert.equal((await past.arrayBuffer()).byteLength, site.binary.length);
});

Deno.test("smallFileBytes: a file of that size is read at once, one byte more is streamed later", async () => {
  await using site = await makeSite();
  const path = `${site.root}/sized.bin`;
  const content = pattern(4096);
  for (const [limit, streamed] of [[4096, false], [4095, true]] as const) {
    await Deno.writeFile(path, content);
    const response = await serveFile(get(), path, { smallFileBytes: limit, fileCacheBytes: 0 });
    // Gone before the body is read: a body read at once still has it, a stream does not.
    await Deno.remove(path);
    if (streamed) {
      await assert.rejects(() => response.arrayBuffer(), Deno.errors.NotFound, `${limit}`);
    } else {
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), content, `${limit}`);
    }
  }
});

Deno.test("fileCacheBytes: a file that fits (twice its size) is served again without a read, one byte less and it is read again", async () => {
  assert.ok(bytesRead() >= 0, "/proc/PID/io is readable (Linux)");
  await using site = await makeSite();
  const path = `${site.root}/cached.bin`;
  const size = 32 * 1024;
  await Deno.writeFile(path, pattern(size));
  for (const [cacheBytes, cached] of [[2 * size, true], [2 * size - 1, false]] as const) {
    const options = { fileCacheBytes: cacheBytes };
    await (await serveFile(get(), path, options)).arrayBuffer();
    const before = bytesRead();
    const again = await serveFile(get(), path, options);
    const read = bytesRead() - before;
    assert.equal((await again.arrayBuffer()).byteLength, size);
    // The /proc read itself counts a few hundred bytes.
    if (cached) assert.ok(read < size, `${cacheBytes}: read ${read} bytes`);
    else assert.ok(read >= size, `${cacheBytes}: read ${read} bytes`);
  }
});

Deno.test("listing: 10,000 entries are listed, past that a note counts the rest", async () => {
  await using site = await makeSite();
  const dir = `${site.root}/many`;
  await Deno.mkdir(dir);
  for (let i = 0; i < 10_000; i++) Deno.writeFileSync(`${dir}/f${i}`, new Uint8Array(0));
  const options = { root: site.root, listing: true, index: false as const };
  const page = async () =>
    await (await serveDir(get({}, "http://localhost/many/"), options)).text();
  const at = await page();
  assert.equal(at.match(/<a href="f\d+">/g)?.length, 10_000);
  assert.ok(!at.includes("not listed"));
  Deno.writeFileSync(`${dir}/g`, new Uint8Array(0));
  const past = await page();
  assert.equal(past.match(/<a href="[fg]\d*">/g)?.length, 10_000);
  assert.ok(past.includes("1 more entry not listed"));
});
