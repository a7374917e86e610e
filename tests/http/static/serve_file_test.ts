// serveFile called directly: headers, methods, validators, ranges (RFC 9110 §14) and
// If-Range, precompressed siblings, ETag modes and the small-file cache (preconditions:
// conditional_test.ts; streamed bodies: file_stream_test.ts).

import { assert } from "../../_assert.ts";
import { serveFile } from "../../../http/serve_file.ts";
import { contentType } from "../../../http/content_type.ts";
import { formatHttpDate } from "../../../http/_codec/date.ts";
import { makeSite } from "./_fixtures.ts";

const BASE = "http://localhost/";

function get(headers: HeadersInit = {}, method = "GET"): Request {
  return new Request(BASE, { method, headers });
}

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

Deno.test("serveFile sends a file with Content-Type, Content-Length, Accept-Ranges, ETag and Last-Modified", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  const info = await Deno.stat(path);
  const response = await serveFile(get(), path);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(response.headers.get("content-length"), String(site.hello.length));
  assert.equal(response.headers.get("accept-ranges"), "bytes");
  assert.match(response.headers.get("etag")!, /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.equal(response.headers.get("last-modified"), formatHttpDate(info.mtime!.getTime()));
  assert.equal(response.headers.get("vary"), null);
  assert.equal(await response.text(), site.hello);
});

Deno.test("serveFile answers HEAD with the GET head and no body, and other methods 405", async () => {
  await using site = await makeSite();
  const path = `${site.root}/bin/data.bin`;
  const head = await serveFile(get({}, "HEAD"), path);
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(site.binary.length));
  assert.equal(head.headers.get("content-type"), "application/octet-stream");
  assert.equal(head.body, null);
  for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
    const response = await serveFile(get({}, method), path);
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
    await response.body?.cancel();
  }
});

Deno.test("serveFile answers 404 for a missing path and for a directory", async () => {
  await using site = await makeSite();
  for (const path of [`${site.root}/nope.txt`, `${site.root}/docs`, `${site.root}/hello.txt/x`]) {
    const response = await serveFile(get(), path);
    assert.equal(response.status, 404, path);
    await response.body?.cancel();
  }
});

Deno.test("serveFile throws synchronously on bad arguments and options", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  assert.throws(() => serveFile("x" as unknown as Request, path), TypeError);
  assert.throws(() => serveFile(get(), ""), TypeError);
  assert.throws(() => serveFile(get(), path, { etag: "md5" as "hash" }), TypeError);
  assert.throws(() => serveFile(get(), path, { maxRanges: 0 }), RangeError);
  assert.throws(() => serveFile(get(), path, { chunkSize: 0 }), RangeError);
  assert.throws(() => serveFile(get(), path, { smallFileBytes: -1 }), RangeError);
  assert.throws(() => serveFile(get(), path, { fileCacheBytes: 1.5 }), RangeError);
  assert.throws(() => serveFile(get(), path, { precompressed: ["lzma" as "br"] }), TypeError);
});

Deno.test("contentType maps extensions, with charset=utf-8 on text types", () => {
  const table: [string, string | undefined][] = [
    ["index.html", "text/html; charset=utf-8"],
    ["style.CSS", "text/css; charset=utf-8"],
    ["app.mjs", "text/javascript; charset=utf-8"],
    ["data.json", "application/json; charset=utf-8"],
    ["icon.svg", "image/svg+xml; charset=utf-8"],
    ["photo.jpeg", "image/jpeg"],
    ["clip.mp4", "video/mp4"],
    ["clip.webm", "video/webm"],
    ["font.woff2", "font/woff2"],
    ["module.wasm", "application/wasm"],
    ["a.tar.gz", "application/gzip"],
    [".txt", "text/plain; charset=utf-8"],
    ["md", "text/markdown; charset=utf-8"],
    ["dir.d/README", undefined],
    ["archive.unknownext", undefined],
  ];
  for (const [path, type] of table) assert.equal(contentType(path), type, path);
});

Deno.test("serveFile uses the contentType option, and application/octet-stream for unknown extensions", async () => {
  await using site = await makeSite();
  await Deno.writeTextFile(`${site.root}/LICENSE`, "MIT");
  const unknown = await serveFile(get(), `${site.root}/LICENSE`);
  assert.equal(unknown.headers.get("content-type"), "application/octet-stream");
  await unknown.body?.cancel();
  const forced = await serveFile(get(), `${site.root}/LICENSE`, { contentType: "text/plain" });
  assert.equal(forced.headers.get("content-type"), "text/plain");
  await forced.body?.cancel();
});

/** One row of the range table. */
interface RangeCase {
  range: string;
  status: number;
  /** Expected Content-Range, or undefined for none. */
  contentRange?: string;
  /** Expected body as [start, end) of the file, for 200 and single-range 206. */
  slice?: [number, number];
}

function rangeCases(size: number): RangeCase[] {
  return [
    { range: "bytes=0-9", status: 206, contentRange: `bytes 0-9/${size}`, slice: [0, 10] },
    {
      range: "bytes=10-",
      status: 206,
      contentRange: `bytes 10-${size - 1}/${size}`,
      slice: [10, size],
    },
    {
      range: "bytes=-5",
      status: 206,
      contentRange: `bytes ${size - 5}-${size - 1}/${size}`,
      slice: [size - 5, size],
    },
    { range: "bytes=0-0", status: 206, contentRange: `bytes 0-0/${size}`, slice: [0, 1] },
    {
      range: "bytes=5-999999999",
      status: 206,
      contentRange: `bytes 5-${size - 1}/${size}`,
      slice: [5, size],
    },
    {
      range: `bytes=-${size + 100}`,
      status: 206,
      contentRange: `bytes 0-${size - 1}/${size}`,
      slice: [0, size],
    },
    { range: " bytes=1-2 ", status: 206, contentRange: `bytes 1-2/${size}`, slice: [1, 3] },
    { range: "BYTES=1-2", status: 206, contentRange: `bytes 1-2/${size}`, slice: [1, 3] },
    { range: `bytes=${size}-`, status: 416, contentRange: `bytes */${size}` },
    { range: `bytes=${size + 10}-${size + 20}`, status: 416, contentRange: `bytes */${size}` },
    { range: "bytes=-0", status: 416, contentRange: `bytes */${size}` },
    { range: "bytes=5-2", status: 200, slice: [0, size] },
    { range: "bytes=a-b", status: 200, slice: [0, size] },
    { range: "items=0-1", status: 200, slice: [0, size] },
    { range: "bytes=", status: 200, slice: [0, size] },
    { range: "bytes=-", status: 200, slice: [0, size] },
    { range: "bytes=1-2;x", status: 200, slice: [0, size] },
    { range: "bytes=1234567890123456-", status: 200, slice: [0, size] },
  ];
}

async function checkRanges(path: string, content: Uint8Array, options = {}) {
  for (const row of rangeCases(content.length)) {
    const response = await serveFile(get({ range: row.range }), path, options);
    assert.equal(response.status, row.status, row.range);
    assert.equal(response.headers.get("content-range") ?? undefined, row.contentRange, row.range);
    if (row.slice !== undefined) {
      const body = await bytesOf(response);
      const [start, end] = row.slice;
      assert.equal(response.headers.get("content-length"), String(end - start), row.range);
      assert.deepEqual(body, content.subarray(start, end), row.range);
    } else {
      assert.equal(await response.text(), "", row.range);
    }
  }
}

Deno.test("serveFile answers single, open-ended, suffix, unsatisfiable and malformed ranges (small file)", async () => {
  await using site = await makeSite();
  await checkRanges(`${site.root}/hello.txt`, new TextEncoder().encode(site.hello));
});

Deno.test("serveFile answers the same ranges from a streamed file", async () => {
  await using site = await makeSite();
  await checkRanges(`${site.root}/bin/data.bin`, site.binary, {
    smallFileBytes: 0,
    chunkSize: 4096,
  });
});

/** Parses a multipart/byteranges body into its parts. */
function parseMultipart(
  body: Uint8Array,
  contentType: string,
): { range: string; type: string; data: Uint8Array }[] {
  const boundary = /boundary=(\S+)/.exec(contentType)![1];
  const text = Array.from(body, (b) => String.fromCharCode(b)).join("");
  assert.ok(text.endsWith(`\r\n--${boundary}--\r\n`), "close delimiter");
  const parts = text.slice(0, -(boundary.length + 8)).split(`--${boundary}\r\n`).slice(1);
  return parts.map((part) => {
    const end = part.indexOf("\r\n\r\n");
    const head = part.slice(0, end);
    let data = part.slice(end + 4);
    if (data.endsWith("\r\n")) data = data.slice(0, -2);
    return {
      range: /content-range: (.*)/.exec(head)![1].trim(),
      type: /content-type: (.*)/.exec(head)![1].trim(),
      data: Uint8Array.from(data, (c) => c.charCodeAt(0)),
    };
  });
}

Deno.test("serveFile sends several ranges as multipart/byteranges, small and streamed", async () => {
  await using site = await makeSite();
  const path = `${site.root}/bin/data.bin`;
  const size = site.binary.length;
  for (const options of [{}, { smallFileBytes: 0, chunkSize: 1000 }]) {
    const response = await serveFile(get({ range: "bytes=0-9, 100-199, -16" }), path, options);
    assert.equal(response.status, 206);
    const type = response.headers.get("content-type")!;
    assert.match(type, /^multipart\/byteranges; boundary=[0-9a-f]{32}$/);
    const body = await bytesOf(response);
    assert.equal(response.headers.get("content-length"), String(body.length));
    const parts = parseMultipart(body, type);
    assert.deepEqual(parts.map((p) => p.range), [
      `bytes 0-9/${size}`,
      `bytes 100-199/${size}`,
      `bytes ${size - 16}-${size - 1}/${size}`,
    ]);
    assert.ok(parts.every((p) => p.type === "application/octet-stream"));
    assert.deepEqual(parts[0].data, site.binary.subarray(0, 10));
    assert.deepEqual(parts[1].data, site.binary.subarray(100, 200));
    assert.deepEqual(parts[2].data, site.binary.subarray(size - 16));
  }
});

Deno.test("serveFile merges overlapping ranges, sends one satisfiable range alone, and ignores too many", async () => {
  await using site = await makeSite();
  const path = `${site.root}/bin/data.bin`;
  const size = site.binary.length;
  const merged = await serveFile(get({ range: "bytes=50-99, 0-59, 200-209" }), path);
  const parts = parseMultipart(await bytesOf(merged), merged.headers.get("content-type")!);
  assert.deepEqual(parts.map((p) => p.range), [`bytes 0-99/${size}`, `bytes 200-209/${size}`]);
  const one = await serveFile(get({ range: `bytes=0-3, ${size + 5}-` }), path);
  assert.equal(one.status, 206);
  assert.equal(one.headers.get("content-range"), `bytes 0-3/${size}`);
  assert.deepEqual(await bytesOf(one), site.binary.subarray(0, 4));
  const many = Array.from({ length: 4 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(",");
  const ignored = await serveFile(get({ range: `bytes=${many}` }), path, { maxRanges: 3 });
  assert.equal(ignored.status, 200);
  assert.equal((await bytesOf(ignored)).length, size);
});

Deno.test("serveFile answers 416 for any range of an empty file", async () => {
  await using site = await makeSite();
  await Deno.writeFile(`${site.root}/empty.txt`, new Uint8Array(0));
  const response = await serveFile(get({ range: "bytes=0-" }), `${site.root}/empty.txt`);
  assert.equal(response.status, 416);
  assert.equal(response.headers.get("content-range"), "bytes */0");
  const whole = await serveFile(get(), `${site.root}/empty.txt`);
  assert.equal(whole.headers.get("content-length"), "0");
  assert.equal(await whole.text(), "");
});

Deno.test("serveFile honours If-Range only for a strong matching ETag or the exact Last-Modified", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  const first = await serveFile(get(), path);
  await first.body?.cancel();
  const etag = first.headers.get("etag")!;
  const lastModified = first.headers.get("last-modified")!;
  const earlier = formatHttpDate(Date.parse(lastModified) - 1000);
  const table: [string, number][] = [
    [etag, 206],
    [`W/${etag}`, 200],
    ['"other"', 200],
    [lastModified, 206],
    [earlier, 200],
    ["not a date", 200],
  ];
  for (const [ifRange, status] of table) {
    const response = await serveFile(get({ range: "bytes=0-4", "if-range": ifRange }), path);
    assert.equal(response.status, status, ifRange);
    const text = await response.text();
    assert.equal(text, status === 206 ? site.hello.slice(0, 5) : site.hello, ifRange);
  }
});

Deno.test("serveFile picks a precompressed sibling by Accept-Encoding, with Vary and its own ETag", async () => {
  await using site = await makeSite();
  const path = `${site.root}/app.js`;
  const options = { precompressed: true };
  const table: [string | null, string | null, string][] = [
    ["br, gzip, zstd", "br", "app.js.br"],
    ["gzip", "gzip", "app.js.gz"],
    ["zstd, gzip;q=0.5", "zstd", "app.js.zst"],
    ["br;q=0, gzip", "gzip", "app.js.gz"],
    ["x-gzip", "gzip", "app.js.gz"],
    ["deflate", null, "app.js"],
    [null, null, "app.js"],
    ["identity", null, "app.js"],
  ];
  const etags = new Set<string>();
  for (const [accept, coding, file] of table) {
    const headers: HeadersInit = accept === null ? {} : { "accept-encoding": accept };
    const response = await serveFile(get(headers), path, options);
    assert.equal(response.status, 200, String(accept));
    assert.equal(response.headers.get("content-encoding"), coding, String(accept));
    assert.equal(response.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(response.headers.get("vary"), "Accept-Encoding", String(accept));
    const expected = await Deno.readFile(`${site.root}/${file}`);
    assert.deepEqual(await bytesOf(response), expected, String(accept));
    assert.equal(response.headers.get("content-length"), String(expected.length));
    etags.add(response.headers.get("etag")!);
  }
  assert.equal(etags.size, 4, "each representation has its own ETag");
  // A missing sibling falls back to the next coding the client accepts.
  await Deno.remove(`${site.root}/app.js.br`);
  const fallback = await serveFile(get({ "accept-encoding": "br, gzip" }), path, options);
  assert.equal(fallback.headers.get("content-encoding"), "gzip");
  await fallback.body?.cancel();
  const only = await serveFile(get({ "accept-encoding": "br, gzip" }), path, {
    precompressed: ["br"],
  });
  assert.equal(only.headers.get("content-encoding"), null);
  await only.body?.cancel();
});

Deno.test("serveFile makes content-hash ETags, or none, as asked", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  const options = { etag: "hash" as const };
  const a = await serveFile(get(), path, options);
  await a.body?.cancel();
  const etag = a.headers.get("etag")!;
  assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/);
  const again = await serveFile(get({ "if-none-match": etag }), path, options);
  assert.equal(again.status, 304);
  await Deno.writeTextFile(path, "Other content, same length!!\n".slice(0, site.hello.length));
  const changed = await serveFile(get({ "if-none-match": etag }), path, options);
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get("etag"), etag);
  await changed.body?.cancel();
  // Large files are hashed as a stream, the same way.
  const big = await serveFile(get(), `${site.root}/bin/data.bin`, {
    etag: "hash",
    smallFileBytes: 0,
  });
  assert.match(big.headers.get("etag")!, /^"[A-Za-z0-9_-]{22}"$/);
  await big.body?.cancel();
  const none = await serveFile(get(), path, { etag: false, lastModified: false });
  assert.equal(none.headers.get("etag"), null);
  assert.equal(none.headers.get("last-modified"), null);
  await none.body?.cancel();
});

Deno.test("serveFile adds Cache-Control and extra headers to 200, 206 and 304 answers", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  const options = { cacheControl: "public, max-age=60", headers: { "x-served-by": "wire" } };
  const ok = await serveFile(get(), path, options);
  const etag = ok.headers.get("etag")!;
  await ok.body?.cancel();
  const partial = await serveFile(get({ range: "bytes=0-1" }), path, options);
  await partial.body?.cancel();
  const notModified = await serveFile(get({ "if-none-match": etag }), path, options);
  for (const response of [ok, partial, notModified]) {
    assert.equal(response.headers.get("cache-control"), "public, max-age=60");
    assert.equal(response.headers.get("x-served-by"), "wire");
  }
});

Deno.test("serveFile serves a changed file's new content from its cache (same size, new mtime)", async () => {
  await using site = await makeSite();
  const path = `${site.root}/hello.txt`;
  const options = {};
  assert.equal(await (await serveFile(get(), path, options)).text(), site.hello);
  assert.equal(await (await serveFile(get(), path, options)).text(), site.hello);
  const changed = "Jello, static world!\n";
  await Deno.writeTextFile(path, changed);
  // Make sure the modification time moves even on a coarse clock.
  const info = await Deno.stat(path);
  await Deno.utime(path, new Date(), new Date(info.mtime!.getTime() + 5000));
  assert.equal(await (await serveFile(get(), path, options)).text(), changed);
  await Deno.writeTextFile(path, "longer content now\n".repeat(3));
  assert.equal(
    await (await serveFile(get(), path, options)).text(),
    "longer content now\n".repeat(3),
  );
});
