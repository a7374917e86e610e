import { assert } from "../../_assert.ts";
import { HttpError } from "../../../http/http_error.ts";
import { inject } from "../../../http/inject.ts";
import { compose } from "../../../router/compose.ts";
import { type MultipartOptions, parseMultipart, readMultipart } from "../../../router/multipart.ts";
import { indexOfBytes, skipTable } from "../../../router/_multipart_scanner.ts";
import { parseDisposition } from "../../../router/_content_disposition.ts";
import { prng } from "../../_prng.ts";
import { overTcp, req, TIMEOUT } from "./_helpers.ts";

const B = "----wire-boundary";
const TYPE = `multipart/form-data; boundary=${B}`;

/** A multipart body from parts given as [headers, body]. */
function body(parts: [string[], string][], { preamble = "", epilogue = "" } = {}): string {
  let out = preamble;
  for (const [headers, content] of parts) {
    out += `--${B}\r\n${headers.map((h) => h + "\r\n").join("")}\r\n${content}\r\n`;
  }
  return out + `--${B}--\r\n` + epilogue;
}

const field = (name: string, value: string): [string[], string] => [
  [`Content-Disposition: form-data; name="${name}"`],
  value,
];

function request(text: string | ReadableStream<Uint8Array>, type = TYPE): Request {
  return req("/", { method: "POST", body: text, headers: { "content-type": type } });
}

/** `text` as a stream cut into pieces of `size` bytes. */
function pieces(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return ReadableStream.from(out);
}

async function collect(source: Request, options?: MultipartOptions) {
  const out: { name: string; filename?: string; type: string; text: string }[] = [];
  for await (const part of parseMultipart(source, options)) {
    out.push({
      name: part.name,
      ...(part.filename === undefined ? {} : { filename: part.filename }),
      type: part.type,
      text: await part.text(),
    });
  }
  return out;
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    assert.ok(error instanceof HttpError, String(error));
    return error.status;
  }
}

Deno.test("indexOfBytes finds a needle anywhere, including at the ends, like a naive search", () => {
  const random = prng(16);
  const needle = new TextEncoder().encode("\r\n--ab");
  const skip = skipTable(needle);
  for (let round = 0; round < 500; round++) {
    const hay = Uint8Array.from(
      { length: Math.floor(random() * 40) },
      () => needle[Math.floor(random() * needle.length)],
    );
    const from = Math.floor(random() * 5);
    let naive = -1;
    for (let i = from; i + needle.length <= hay.length && naive === -1; i++) {
      if (needle.every((b, j) => hay[i + j] === b)) naive = i;
    }
    assert.equal(indexOfBytes(hay, needle, from, skip), naive);
  }
});

Deno.test("parseMultipart reads what FormData serializes: fields and files, with types", async () => {
  const form = new FormData();
  form.append("title", 'caf\u00e9 "notes"');
  form.append("empty", "");
  form.append(
    "file",
    new File(["line 1\r\n--not a boundary\r\n"], "a b.txt", { type: "text/plain" }),
  );
  form.append("blob", new Blob([new Uint8Array([0, 255, 13, 10])]));
  const parts = await collect(req("/", { method: "POST", body: form }));
  assert.deepEqual(parts.map((p) => [p.name, p.filename, p.type]), [
    ["title", undefined, "text/plain"],
    ["empty", undefined, "text/plain"],
    ["file", "a b.txt", "text/plain"],
    ["blob", "blob", "application/octet-stream"],
  ]);
  assert.equal(parts[0].text, 'caf\u00e9 "notes"');
  assert.equal(parts[1].text, "");
  assert.equal(parts[2].text, "line 1\r\n--not a boundary\r\n");
});

Deno.test("parseMultipart gives the same parts whatever the body's chunking (every split size)", async () => {
  const text = body([
    field("a", "1"),
    [[
      'Content-Disposition: form-data; name="f"; filename="x.bin"',
      "Content-Type: application/x-thing",
    ], `ab\r\n--${B.slice(0, 5)}\r\r\n-`],
    field("b", ""),
  ], { preamble: "ignored preamble\r\n", epilogue: "ignored epilogue" });
  const expected = await collect(request(text));
  assert.deepEqual(expected.map((p) => p.text), ["1", `ab\r\n--${B.slice(0, 5)}\r\r\n-`, ""]);
  assert.equal(expected[1].type, "application/x-thing");
  for (let size = 1; size <= text.length; size++) {
    assert.deepEqual(await collect(request(pieces(text, size))), expected, `pieces of ${size}`);
  }
});

Deno.test("parseMultipart: a boundary at the very start, transport padding, and no headers error", async () => {
  const padded = `--${B}  \t\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${B}--`;
  assert.deepEqual((await collect(request(padded))).map((p) => p.text), ["1"]);
  const noHeaders = `--${B}\r\n\r\nvalue\r\n--${B}--\r\n`;
  assert.equal(await status(collect(request(noHeaders))), 400);
  const noName = body([[["Content-Disposition: form-data"], "x"]]);
  assert.equal(await status(collect(request(noName))), 400);
  const inline = body([[['Content-Disposition: inline; name="a"'], "x"]]);
  assert.equal(await status(collect(request(inline))), 400);
  const badHeader = body([[["Content-Disposition form-data"], "x"]]);
  assert.equal(await status(collect(request(badHeader))), 400);
  const badLine = `--${B}x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${B}--`;
  assert.equal(await status(collect(request(badLine))), 400);
});

Deno.test("parseMultipart: 415 and 400 for the wrong type, a bad boundary or a truncated body", async () => {
  assert.equal(await status(collect(request(body([field("a", "1")]), "application/json"))), 415);
  assert.equal(await status(collect(request("x", "multipart/form-data"))), 400);
  assert.equal(
    await status(collect(request("x", `multipart/form-data; boundary=${"b".repeat(71)}`))),
    400,
  );
  assert.equal(await status(collect(request("x", "multipart/form-data; boundary=a b "))), 400);
  assert.equal(
    await status(collect(req("/", { method: "POST", headers: { "content-type": TYPE } }))),
    400,
  );
  const text = body([field("a", "1"), field("b", "2")]);
  for (const cut of [0, 10, text.indexOf("1"), text.length - 4]) {
    assert.equal(await status(collect(request(text.slice(0, cut)))), 400, `cut at ${cut}`);
  }
  // A quoted boundary parameter works.
  const quoted = `multipart/form-data; boundary="${B}"`;
  assert.equal((await collect(request(text, quoted))).length, 2);
});

Deno.test("parseMultipart limits: part bytes, total bytes, parts and header bytes, at the limit and one past", async () => {
  const one = body([field("a", "x".repeat(100))]);
  assert.equal((await collect(request(one), { maxPartBytes: 100 }))[0].text.length, 100);
  assert.equal(await status(collect(request(one), { maxPartBytes: 99 })), 413);
  assert.equal(await status(collect(request(pieces(one, 7)), { maxPartBytes: 99 })), 413);
  const size = new TextEncoder().encode(one).length;
  assert.equal((await collect(request(pieces(one, 10)), { maxTotalBytes: size })).length, 1);
  assert.equal(await status(collect(request(pieces(one, 10)), { maxTotalBytes: size - 1 })), 413);
  const declared = req("/", {
    method: "POST",
    body: one,
    headers: { "content-type": TYPE, "content-length": String(size) },
  });
  assert.equal(await status(collect(declared, { maxTotalBytes: size - 1 })), 413);
  const three = body([field("a", "1"), field("b", "2"), field("c", "3")]);
  assert.equal((await collect(request(three), { maxParts: 3 })).length, 3);
  assert.equal(await status(collect(request(three), { maxParts: 2 })), 413);
  const header = 'Content-Disposition: form-data; name="a"';
  const headed = body([[[header], "1"]]);
  assert.equal((await collect(request(headed), { maxHeaderBytes: header.length })).length, 1);
  assert.equal(
    await status(collect(request(pieces(headed, 3)), { maxHeaderBytes: header.length - 1 })),
    413,
  );
  // The limit applies to parts the consumer never reads.
  let seen = 0;
  const skipped = async () => {
    for await (const _ of parseMultipart(request(one), { maxPartBytes: 50 })) seen++;
  };
  assert.equal(await status(skipped()), 413);
  assert.equal(seen, 1);
  assert.throws(() => parseMultipart(request(one), { maxParts: -1 }), RangeError);
  assert.throws(() => parseMultipart(request(one, "text/plain")), HttpError, "checked at the call");
});

Deno.test("parseMultipart streams: unread parts are skipped, a stale part errors, breaking out cancels the body", async () => {
  const text = body([field("a", "x".repeat(1000)), field("b", "2"), field("c", "3")]);
  const names: string[] = [];
  let stale: ReadableStream<Uint8Array> | undefined;
  for await (const part of parseMultipart(request(pieces(text, 64)))) {
    names.push(part.name);
    if (part.name === "a") stale = part.body;
    if (part.name === "b") assert.equal(await part.text(), "2");
  }
  assert.deepEqual(names, ["a", "b", "c"]);
  await assert.rejects(new Response(stale).arrayBuffer(), /after moving to the next one/);
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(
        new TextEncoder().encode(
          `--${B}\r\nContent-Disposition: form-data; name="f"\r\n\r\n` + "z".repeat(100),
        ),
      );
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const part of parseMultipart(request(source))) {
    const reader = part.body.getReader();
    await reader.read();
    reader.releaseLock();
    break;
  }
  assert.equal(cancelled, true);
});

Deno.test("Content-Disposition: quoted names, escapes, filename* (RFC 8187) preferred", () => {
  assert.deepEqual(parseDisposition('form-data; name="a;b"; filename="c\\"d.txt"'), {
    name: "a;b",
    filename: 'c"d.txt',
  });
  assert.deepEqual(parseDisposition("form-data; name=plain; filename=x.txt"), {
    name: "plain",
    filename: "x.txt",
  });
  assert.deepEqual(
    parseDisposition(
      `form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''%E2%9C%93.txt`,
    ),
    { name: "f", filename: "\u2713.txt" },
  );
  assert.deepEqual(
    parseDisposition(`Form-Data; NAME="f"; filename*=iso-8859-1'en'%E9.txt`),
    { name: "f", filename: "\u00e9.txt" },
  );
  assert.deepEqual(parseDisposition(`form-data; name="f"; filename*=bogus`), {
    name: "f",
    filename: undefined,
  });
  assert.equal(parseDisposition("attachment; name=a"), undefined);
  assert.equal(parseDisposition(null), undefined);
});

Deno.test("readMultipart collects fields and files into FormData under the limits", async () => {
  const form = new FormData();
  form.append("a", "1");
  form.append("a", "2");
  form.append("doc", new File(["hello"], "doc.txt", { type: "text/plain" }));
  const out = await readMultipart(req("/", { method: "POST", body: form }));
  assert.deepEqual(out.getAll("a"), ["1", "2"]);
  const doc = out.get("doc") as File;
  assert.equal(doc.name, "doc.txt");
  assert.equal(doc.type, "text/plain");
  assert.equal(await doc.text(), "hello");
  assert.equal(
    await status(readMultipart(req("/", { method: "POST", body: form }), { maxPartBytes: 4 })),
    413,
  );
});

Deno.test("parseMultipart over TCP and through inject(): a 1 MiB upload streamed part by part", async () => {
  const handler = compose(async (ctx) => {
    const sizes: Record<string, number> = {};
    for await (const part of parseMultipart(ctx, { maxPartBytes: 1024 * 1024 })) {
      let n = 0;
      for await (const chunk of part.body) n += chunk.length;
      sizes[part.filename ?? part.name] = n;
    }
    return Response.json(sizes);
  });
  const form = new FormData();
  form.append("note", "hi");
  form.append("file", new File([new Uint8Array(1024 * 1024).fill(45)], "big.bin"));
  await overTcp(handler, async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const ok = await client.fetch(base, { method: "POST", body: form, signal });
    assert.deepEqual(await ok.json(), { note: 2, "big.bin": 1024 * 1024 });
    const big = new FormData();
    big.append("file", new File([new Uint8Array(1024 * 1024 + 1)], "big.bin"));
    const refused = await client.fetch(base, { method: "POST", body: big, signal });
    assert.equal(refused.status, 413);
    await refused.body?.cancel();
  });
  const text = body([field("a", "1")]);
  const { response } = await inject(
    handler,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: ${TYPE}\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
    { chunkSize: 1 },
  );
  assert.deepEqual(await response.json(), { a: 1 });
});
