import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { compose } from "../../../router/compose.ts";
import { etag, type EtagOptions } from "../../../router/etag.ts";
import { streamSSE } from "../../../http/stream_sse.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

function app(options?: EtagOptions) {
  let n = 0;
  return compose(etag(options), (ctx) => {
    switch (ctx.path) {
      case "/json":
        return Response.json({ hello: "world" }, {
          headers: { "cache-control": "max-age=60", vary: "Accept", "x-other": "1" },
        });
      case "/count":
        return new Response(`count ${++n}`);
      case "/tagged":
        return new Response("t", { headers: { etag: '"v1"' } });
      case "/nostore":
        return new Response("s", { headers: { "cache-control": "private, no-store" } });
      case "/created":
        return new Response("c", { status: 201 });
      case "/stream":
        return new Response(
          ReadableStream.from(["a", "b", "c"].map((s) => new TextEncoder().encode(s.repeat(10)))),
        );
      case "/events":
        return streamSSE(ctx, (s) => s.write({ data: "x" }));
      case "/empty":
        return new Response(null);
      default:
        return new Response("post", { status: 200 });
    }
  });
}

Deno.test("etag: a strong tag from the body, stable for the same bytes, different for others", async () => {
  const handler = app();
  const a = await handler(req("/json"), INFO);
  const b = await handler(req("/json"), INFO);
  assert.match(a.headers.get("etag")!, /^"[\w-]{27}"$/);
  assert.equal(a.headers.get("etag"), b.headers.get("etag"));
  assert.deepEqual(await a.json(), { hello: "world" });
  const c1 = await handler(req("/count"), INFO);
  const c2 = await handler(req("/count"), INFO);
  assert.notEqual(c1.headers.get("etag"), c2.headers.get("etag"));
  assert.match(
    (await app({ weak: true })(req("/json"), INFO)).headers.get("etag")!,
    /^W\/"[\w-]{27}"$/,
  );
  const empty = await handler(req("/empty"), INFO);
  assert.equal(empty.headers.get("etag"), '"2jmj7l5rSw0yVb_vlWAYkK_YBwk"', "SHA-1 of nothing");
});

Deno.test("etag: If-None-Match answers 304 with the retained headers only (weak comparison, lists, *)", async () => {
  const handler = app();
  const tag = (await handler(req("/json"), INFO)).headers.get("etag")!;
  for (const inm of [tag, `W/${tag}`, `"other", ${tag}`, "*"]) {
    const response = await handler(req("/json", { headers: { "if-none-match": inm } }), INFO);
    assert.equal(response.status, 304, inm);
    assert.equal(response.body, null);
    assert.equal(response.headers.get("etag"), tag);
    assert.equal(response.headers.get("cache-control"), "max-age=60");
    assert.equal(response.headers.get("vary"), "Accept");
    assert.equal(response.headers.get("x-other"), null);
    assert.equal(response.headers.get("content-type"), null);
  }
  const miss = await handler(req("/json", { headers: { "if-none-match": '"nope"' } }), INFO);
  assert.equal(miss.status, 200);
  const own = await handler(req("/tagged", { headers: { "if-none-match": 'W/"v1"' } }), INFO);
  assert.equal(own.status, 304);
  assert.equal(own.headers.get("etag"), '"v1"');
  const head = await handler(
    req("/json", { method: "HEAD", headers: { "if-none-match": tag } }),
    INFO,
  );
  assert.equal(head.status, 304);
});

Deno.test("etag skips other methods and statuses, no-store, event streams; a long stream passes intact", async () => {
  const handler = app({ maxBytes: 20 });
  const post = await handler(req("/json", { method: "POST" }), INFO);
  assert.equal(post.headers.get("etag"), null);
  assert.equal((await handler(req("/created"), INFO)).headers.get("etag"), null);
  assert.equal((await handler(req("/nostore"), INFO)).headers.get("etag"), null);
  const events = await handler(req("/events"), INFO);
  assert.equal(events.headers.get("etag"), null);
  assert.equal(await events.text(), "data: x\n\n");
  const stream = await handler(req("/stream"), INFO);
  assert.equal(stream.headers.get("etag"), null);
  assert.equal(await stream.text(), "a".repeat(10) + "b".repeat(10) + "c".repeat(10));
  const small = await app({ maxBytes: 30 })(req("/stream"), INFO);
  assert.ok(small.headers.get("etag"), "at the limit it is hashed");
  assert.throws(() => etag({ maxBytes: -1 }), RangeError);
});

Deno.test("etag through inject(): a 304 on the wire has no body and no length", async () => {
  const handler = app();
  const first = await inject(handler, http(["GET /json HTTP/1.1", "Host: x"]));
  const tag = first.response.headers.get("etag")!;
  assert.equal(first.response.headers.get("content-length"), "17");
  const { bytes, response } = await inject(
    handler,
    http(["GET /json HTTP/1.1", "Host: x", `If-None-Match: ${tag}`]),
  );
  assert.equal(response.status, 304);
  const text = new TextDecoder().decode(bytes);
  assert.ok(text.endsWith("\r\n\r\n"), "nothing after the head");
  assert.doesNotMatch(text, /content-length|transfer-encoding/i);
});

Deno.test("etag over TCP: a conditional GET on a kept-alive connection gets 304, then 200 again", async () => {
  await overTcp(app(), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const first = await client.fetch(`${base}/json`, { signal });
    const tag = first.headers.get("etag")!;
    assert.deepEqual(await first.json(), { hello: "world" });
    const again = await client.fetch(`${base}/json`, { headers: { "if-none-match": tag }, signal });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    const changed = await client.fetch(`${base}/json`, {
      headers: { "if-none-match": '"x"' },
      signal,
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(await changed.json(), { hello: "world" });
  });
});
