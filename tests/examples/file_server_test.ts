// examples/file_server.ts: its handler over a folder (files, compression, listing, the
// log line), and the program itself started as a user would, on port 0.

import { assert } from "../_assert.ts";
import { INFO } from "../router/_info.ts";
import { createFileServer, parseArgs } from "../../examples/file_server.ts";
import { makeSite } from "../http/static/_fixtures.ts";

function req(path: string, headers: HeadersInit = {}): Request {
  return new Request(`http://localhost${path}`, { headers });
}

Deno.test("examples/file_server.ts serves a folder with ranges, gzip and a log line per request", async () => {
  await using site = await makeSite();
  const lines: string[] = [];
  const handler = createFileServer({ root: site.root, log: (line) => lines.push(line) });
  const file = await handler(req("/hello.txt"), INFO);
  assert.equal(await file.text(), site.hello);
  const partial = await handler(req("/bin/data.bin", { range: "bytes=0-99" }), INFO);
  assert.equal(partial.status, 206);
  assert.equal((await partial.arrayBuffer()).byteLength, 100);
  const json = await handler(req("/data.json", { "accept-encoding": "gzip" }), INFO);
  assert.equal(json.headers.get("content-encoding"), "gzip");
  await json.body?.cancel();
  const index = await handler(req("/docs/"), INFO);
  assert.equal(await index.text(), site.index);
  const listing = await handler(req("/bin/"), INFO);
  assert.equal(listing.status, 404, "no listing unless --listing");
  await listing.body?.cancel();
  assert.deepEqual(lines.map((line) => line.split(" ").slice(0, 3).join(" ")), [
    "GET /hello.txt 200",
    "GET /bin/data.bin range=bytes=0-99",
    "GET /data.json 200",
    "GET /docs/ 200",
    "GET /bin/ 404",
  ]);
  const listed = createFileServer({ root: site.root, listing: true, compress: false });
  const page = await listed(req("/bin/"), INFO);
  assert.match(await page.text(), /data\.bin/);
});

Deno.test("examples/file_server.ts reads its command line", () => {
  const options = parseArgs(["--root", "/srv", "--port", "9000", "--listing", "--no-compress"]);
  assert.equal(options.root, "/srv");
  assert.equal(options.port, 9000);
  assert.equal(options.hostname, "127.0.0.1");
  assert.equal(options.listing, true);
  assert.equal(options.compress, false);
  assert.equal(options.precompressed, false);
  const defaults = parseArgs([]);
  assert.deepEqual([defaults.root, defaults.port, defaults.compress], [".", 8000, true]);
});

Deno.test("deno run examples/file_server.ts --root DIR --port 0 prints its address and serves DIR", async () => {
  await using site = await makeSite();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-read=${site.root}`,
      new URL("../../examples/file_server.ts", import.meta.url).pathname,
      "--root",
      site.root,
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    const deadline = AbortSignal.timeout(30_000);
    while (!/Listening on http:\/\/127\.0\.0\.1:\d+\//.test(seen)) {
      if (deadline.aborted) throw new Error(`no address printed: ${seen}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`exited before listening: ${seen}`);
      seen += value;
    }
    const url = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen)![1];
    const response = await fetch(`${url}hello.txt`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(await response.text(), site.hello);
  } finally {
    child.kill("SIGTERM");
    await reader.cancel().catch(() => {});
    await child.status;
  }
});
