import { assert } from "../../_assert.ts";
import { HttpError } from "../../../http/http_error.ts";
import { inject } from "../../../http/inject.ts";
import { compose } from "../../../router/compose.ts";
import { Context } from "../../../router/context.ts";
import {
  DEFAULT_FORM_MAX_BYTES,
  readBytes,
  readForm,
  readJson,
  readText,
} from "../../../router/read_body.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

function post(body: BodyInit | null, type?: string, headers: Record<string, string> = {}): Request {
  return req("/", {
    method: "POST",
    body,
    headers: type === undefined ? headers : { "content-type": type, ...headers },
  });
}

/** A stream body without a declared length (as a chunked request has). */
function streamed(text: string, pieceSize = 3): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) pieces.push(bytes.slice(i, i + pieceSize));
  return ReadableStream.from(pieces);
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

Deno.test("readJson parses JSON and +json types, from a Request or a Context", async () => {
  assert.deepEqual(await readJson(post('{"a":[1,2]}', "application/json")), { a: [1, 2] });
  assert.deepEqual(await readJson(post("3", "application/problem+json; charset=UTF-8")), 3);
  const ctx = new Context(post('"x"', "application/json"), INFO);
  assert.equal(await readJson<string>(ctx), "x");
  assert.deepEqual(await readJson(post("[1]", "text/plain"), { types: false }), [1]);
  assert.deepEqual(await readJson(post("[1]", "text/plain"), { types: "text/plain" }), [1]);
});

Deno.test("readJson answers 415, 400 and 413 as HttpErrors", async () => {
  assert.equal(await status(readJson(post("{}", "text/plain"))), 415);
  assert.equal(
    await status(readJson(post("{}"))),
    415,
    "text/plain is Deno's default for a string",
  );
  assert.equal(await status(readJson(post(new Uint8Array([123, 125])))), 415, "no Content-Type");
  assert.equal(await status(readJson(post("{}", "application/json; charset=latin1"))), 415);
  assert.equal(await status(readJson(post("{}", "application/json; charset=nope"))), 415);
  assert.equal(await status(readJson(post("{oops", "application/json"))), 400);
  assert.equal(await status(readJson(post("", "application/json"))), 400);
  assert.equal(await status(readJson(post("  ", "application/json"))), 400);
  assert.equal(
    await status(readJson(post(new Uint8Array([0x22, 0xff, 0x22]), "application/json"))),
    400,
  );
  const body = JSON.stringify({ s: "x".repeat(92) }); // 100 bytes
  assert.equal(body.length, 100);
  assert.deepEqual(await readJson(post(body, "application/json"), { maxBytes: 100 }), {
    s: "x".repeat(92),
  });
  assert.equal(await status(readJson(post(body, "application/json"), { maxBytes: 99 })), 413);
  assert.equal(
    await status(
      readJson(post(body, "application/json", { "content-length": "100" }), { maxBytes: 99 }),
    ),
    413,
  );
});

Deno.test("body readers count a body without Content-Length: at the limit and one byte past", async () => {
  const text = "y".repeat(50);
  assert.equal(await readText(post(streamed(text), "text/plain"), { maxBytes: 50 }), text);
  assert.equal(
    await status(readText(post(streamed(text + "y"), "text/plain"), { maxBytes: 50 })),
    413,
  );
  assert.equal((await readBytes(post(streamed(text)), { maxBytes: 50 })).length, 50);
  assert.equal(await status(readBytes(post(streamed(text + "y")), { maxBytes: 50 })), 413);
  assert.equal(await status(readBytes(post(streamed("")), { maxBytes: 0 })), 0);
  assert.deepEqual(await readBytes(req("/")), new Uint8Array(0), "no body: empty");
});

Deno.test("readForm reads URL-encoded forms up to 56 KiB", async () => {
  const form = await readForm(post(new URLSearchParams({ a: "1 2", b: "\u00e9" })));
  assert.equal(form.get("a"), "1 2");
  assert.equal(form.get("b"), "\u00e9");
  assert.equal(await status(readForm(post("a=1", "application/json"))), 415);
  const big = "a=" + "x".repeat(DEFAULT_FORM_MAX_BYTES - 2);
  assert.equal(
    (await readForm(post(big, "application/x-www-form-urlencoded"))).get("a")?.length,
    big.length - 2,
  );
  assert.equal(await status(readForm(post(big + "x", "application/x-www-form-urlencoded"))), 413);
});

Deno.test("readText decodes the declared charset and refuses unknown ones and bad bytes", async () => {
  assert.equal(
    await readText(
      post(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), "text/plain; charset=ISO-8859-1"),
    ),
    "caf\u00e9",
  );
  assert.equal(await readText(post("caf\u00e9", "text/plain")), "caf\u00e9");
  assert.equal(await status(readText(post(new Uint8Array([0xff]), "text/plain"))), 400);
  assert.equal(await status(readText(post("x", "text/plain; charset=klingon"))), 415);
  assert.equal(await status(readText(post("x", "image/png"), { types: ["text/*"] })), 415);
  await assert.rejects(readText({} as Request), TypeError);
  await assert.rejects(readText(post("x"), { maxBytes: -1 }), RangeError);
});

Deno.test("readJson in a chain through inject(): errors become their status; chunked bodies are counted", async () => {
  const handler = compose(async (ctx) => Response.json(await readJson(ctx, { maxBytes: 8 })));
  const ok = await inject(
    handler,
    http(
      ["POST / HTTP/1.1", "Host: x", "Content-Type: application/json", "Content-Length: 8"],
      '{"a":12}',
    ),
  );
  assert.deepEqual(await ok.response.json(), { a: 12 });
  const past = await inject(
    handler,
    http(
      [
        "POST / HTTP/1.1",
        "Host: x",
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
      ],
      '5\r\n{"a":\r\n4\r\n123}\r\n0\r\n\r\n',
    ),
  );
  assert.equal(past.response.status, 413);
  const bad = await inject(
    handler,
    http(
      ["POST / HTTP/1.1", "Host: x", "Content-Type: application/json", "Content-Length: 2"],
      "{]",
    ),
  );
  assert.equal(bad.response.status, 400);
  assert.equal(await bad.response.text(), "Cannot parse JSON: the body is not valid JSON");
});

Deno.test("body readers over TCP: JSON, a form and a streamed upload past the limit", async () => {
  const handler = compose(async (ctx) => {
    if (ctx.path === "/json") return Response.json(await readJson(ctx));
    if (ctx.path === "/form") return new Response((await readForm(ctx)).get("a"));
    return new Response(String((await readBytes(ctx, { maxBytes: 10 })).length));
  });
  await overTcp(handler, async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const json = await client.fetch(`${base}/json`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"x":[1]}',
      signal,
    });
    assert.deepEqual(await json.json(), { x: [1] });
    const form = await client.fetch(`${base}/form`, {
      method: "POST",
      body: new URLSearchParams({ a: "b c" }),
      signal,
    });
    assert.equal(await form.text(), "b c");
    const streamed = await client.fetch(`${base}/bytes`, {
      method: "POST",
      body: ReadableStream.from([new Uint8Array(6), new Uint8Array(5)]),
      signal,
    });
    assert.equal(streamed.status, 413);
    await streamed.body?.cancel();
  });
});
