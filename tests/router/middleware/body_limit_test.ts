import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { bodyLimit } from "../../../router/body_limit.ts";
import { compose } from "../../../router/compose.ts";
import { Router } from "../../../router/router.ts";
import { parseResponses, rawExchange } from "../../_server.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

const LIMIT = 16;

/** POST /upload limited to LIMIT bytes: answers the byte count it read. */
function app(options = {}) {
  const router = new Router()
    .post("/upload", bodyLimit(LIMIT, options), async (ctx) => {
      const text = await ctx.request.text();
      return new Response(`read ${text.length}`);
    })
    .post("/swallow", bodyLimit(LIMIT), async (ctx) => {
      try {
        await ctx.request.arrayBuffer();
      } catch {
        // the handler hides the failure: the middleware still answers 413
      }
      return new Response("fine?");
    })
    .get("/get", bodyLimit(LIMIT, { types: "application/json" }), () => new Response("got"));
  return compose(router.routes(), router.allowedMethods());
}

function post(path: string, body: string, headers: string[] = []): string {
  return http(
    [`POST ${path} HTTP/1.1`, "Host: x", `Content-Length: ${body.length}`, ...headers],
    body,
  );
}

function chunked(path: string, pieces: string[], headers: string[] = []): string {
  const framed = pieces.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join("") + "0\r\n\r\n";
  return http(
    [`POST ${path} HTTP/1.1`, "Host: x", "Transfer-Encoding: chunked", ...headers],
    framed,
  );
}

Deno.test("bodyLimit: a Content-Length at the limit passes, one byte past is 413 before reading", async () => {
  const handler = app();
  const at = await inject(handler, post("/upload", "x".repeat(LIMIT)));
  assert.equal(await at.response.text(), `read ${LIMIT}`);
  const past = await inject(handler, post("/upload", "x".repeat(LIMIT + 1)));
  assert.equal(past.response.status, 413);
  assert.equal(
    await past.response.text(),
    `Request body of ${LIMIT + 1} bytes exceeds the limit of ${LIMIT} bytes`,
  );
  const direct = await handler(
    req("/upload", { method: "POST", body: "x", headers: { "content-length": "1000" } }),
    INFO,
  );
  assert.equal(direct.status, 413);
});

Deno.test("bodyLimit: a chunked body is counted as it is read: at the limit passes, one byte past is 413", async () => {
  const handler = app();
  const at = await inject(handler, chunked("/upload", ["x".repeat(10), "x".repeat(LIMIT - 10)]));
  assert.equal(await at.response.text(), `read ${LIMIT}`);
  const past = await inject(handler, chunked("/upload", ["x".repeat(10), "x".repeat(LIMIT - 9)]));
  assert.equal(past.response.status, 413);
  assert.equal(await past.response.text(), `Request body exceeds the limit of ${LIMIT} bytes`);
  const swallowed = await inject(handler, chunked("/swallow", ["x".repeat(LIMIT + 1)]));
  assert.equal(swallowed.response.status, 413, "even when the handler ignores the error");
  const fine = await inject(handler, chunked("/swallow", ["x"]));
  assert.equal(await fine.response.text(), "fine?");
  // A Request built in code without Content-Length is counted the same way.
  const direct = await handler(
    req("/upload", { method: "POST", body: "x".repeat(LIMIT + 1) }),
    INFO,
  );
  assert.equal(direct.status, 413);
  const small = await handler(req("/upload", { method: "POST", body: "x".repeat(LIMIT) }), INFO);
  assert.equal(await small.text(), `read ${LIMIT}`);
});

Deno.test("bodyLimit: types answers 415 for another type or none, and lets bodiless requests through", async () => {
  const handler = app({ types: ["application/json", "text/*", "+xml"] });
  const json = await inject(
    handler,
    post("/upload", "{}", ["Content-Type: Application/JSON; charset=utf-8"]),
  );
  assert.equal(json.response.status, 200);
  const text = await inject(handler, post("/upload", "hi", ["Content-Type: text/csv"]));
  assert.equal(text.response.status, 200);
  const xml = await inject(
    handler,
    post("/upload", "<a/>", ["Content-Type: application/atom+xml"]),
  );
  assert.equal(xml.response.status, 200);
  const form = await inject(
    handler,
    post("/upload", "a=1", ["Content-Type: application/x-www-form-urlencoded"]),
  );
  assert.equal(form.response.status, 415);
  assert.match(await form.response.text(), /application\/x-www-form-urlencoded is not accepted/);
  const none = await inject(handler, post("/upload", "a=1"));
  assert.equal(none.response.status, 415);
  const chunkedNone = await inject(handler, chunked("/upload", ["a"]));
  assert.equal(chunkedNone.response.status, 415);
  const empty = await inject(handler, post("/upload", ""));
  assert.equal(await empty.response.text(), "read 0", "no body: no type needed");
  const get = await inject(handler, http(["GET /get HTTP/1.1", "Host: x"]));
  assert.equal(await get.response.text(), "got");
});

Deno.test("bodyLimit: bad arguments throw at creation", () => {
  for (const bad of [-1, 1.5, NaN, "1" as unknown as number]) {
    assert.throws(() => bodyLimit(bad), RangeError, String(bad));
  }
  assert.throws(() => bodyLimit(1, { types: [] }), TypeError);
  assert.throws(() => bodyLimit(1, { types: "json" }), TypeError);
  assert.throws(() => bodyLimit(1, null as unknown as object), TypeError);
  assert.equal(typeof bodyLimit(0), "function");
});

Deno.test("bodyLimit over TCP: Expect: 100-continue past the limit gets 413 and never a 100 Continue", async () => {
  const handler = app();
  await overTcp(handler, async (base, client, addr) => {
    const refused = await rawExchange(
      addr,
      http([
        "POST /upload HTTP/1.1",
        "Host: x",
        `Content-Length: ${LIMIT + 1}`,
        "Expect: 100-continue",
      ]),
    );
    assert.doesNotMatch(refused.text, /100 Continue/);
    const [answer] = parseResponses(refused.text);
    assert.equal(answer.status, 413);
    assert.equal(refused.closed, true, "the unsent body cannot be skipped: the server closes");
    // Within the limit the server asks for the body, then answers.
    const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      const write = (text: string) => conn.write(new TextEncoder().encode(text));
      await write(
        http([
          "POST /upload HTTP/1.1",
          "Host: x",
          `Content-Length: ${LIMIT}`,
          "Expect: 100-continue",
          "Connection: close",
        ]),
      );
      const buf = new Uint8Array(1024);
      const n = await Promise.race([
        conn.read(buf),
        new Promise<null>((_, reject) => setTimeout(() => reject(new Error("no 100")), TIMEOUT)),
      ]);
      assert.match(
        new TextDecoder().decode(buf.subarray(0, n ?? 0)),
        /^HTTP\/1\.1 100 Continue\r\n\r\n/,
      );
      await write("x".repeat(LIMIT));
      let text = "";
      for (;;) {
        const m = await conn.read(buf);
        if (m === null) break;
        text += new TextDecoder().decode(buf.subarray(0, m));
      }
      assert.match(text, /\r\n\r\nread 16$/);
    } finally {
      conn.close();
    }
    // A chunked upload through Wire's Client, past the limit.
    const body = ReadableStream.from([new TextEncoder().encode("x".repeat(LIMIT + 5))]);
    const response = await client.fetch(`${base}/upload`, {
      method: "POST",
      body,
      signal: AbortSignal.timeout(TIMEOUT),
    });
    assert.equal(response.status, 413);
    await response.body?.cancel();
  });
});
