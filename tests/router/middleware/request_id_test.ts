import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { httpError } from "../../../http/http_error.ts";
import { compose, composeWith } from "../../../router/compose.ts";
import { requestId, type RequestIdOptions } from "../../../router/request_id.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

function app(options?: RequestIdOptions) {
  return compose(requestId(options), (ctx) => {
    if (ctx.path === "/fail") httpError(404, "none");
    return new Response(String(ctx.state.requestId));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

Deno.test("requestId makes a UUID per request, in ctx.state and X-Request-Id", async () => {
  const handler = app();
  const a = await handler(req("/"), INFO);
  const b = await handler(req("/"), INFO);
  assert.match(a.headers.get("x-request-id")!, UUID);
  assert.equal(await a.text(), a.headers.get("x-request-id"));
  assert.notEqual(a.headers.get("x-request-id"), b.headers.get("x-request-id"));
});

Deno.test("requestId reuses a well-formed incoming ID and replaces a malformed or long one", async () => {
  const handler = app();
  const id = async (value: string) =>
    (await handler(req("/", { headers: { "x-request-id": value } }), INFO)).headers.get(
      "x-request-id",
    )!;
  assert.equal(await id("abc-123_=.:Z"), "abc-123_=.:Z");
  assert.equal(await id("x".repeat(255)), "x".repeat(255));
  assert.match(await id("x".repeat(256)), UUID);
  for (const bad of ["a b", "a/b", "<script>", "\u00e9", "a,b"]) {
    assert.match(await id(bad), UUID, bad);
  }
  const untrusting = app({ trustIncoming: false });
  const response = await untrusting(req("/", { headers: { "x-request-id": "abc" } }), INFO);
  assert.match(response.headers.get("x-request-id")!, UUID);
  const short = app({ maxLength: 3 });
  const long = await short(req("/", { headers: { "x-request-id": "abcd" } }), INFO);
  assert.match(long.headers.get("x-request-id")!, UUID);
});

Deno.test("requestId: a custom header and generator, no header at all, HttpError responses, onError", async () => {
  let n = 0;
  const custom = app({ header: "Request-Id", generate: () => `req-${++n}` });
  const response = await custom(req("/"), INFO);
  assert.equal(response.headers.get("request-id"), "req-1");
  assert.equal(response.headers.get("x-request-id"), null);
  const none = app({ header: "" });
  const silent = await none(req("/", { headers: { "x-request-id": "abc" } }), INFO);
  assert.match(await silent.text(), UUID, "an empty header trusts nothing");
  assert.equal([...silent.headers.keys()].some((k) => k.includes("request")), false);
  const failed = await app()(req("/fail"), INFO);
  assert.equal(failed.status, 404);
  assert.match(failed.headers.get("x-request-id")!, UUID);
  // A 500 from another error gets the ID from composeWith's onError.
  const handler = composeWith(
    {
      onError: (_error, ctx) =>
        new Response("sorry", {
          status: 500,
          headers: { "x-request-id": String(ctx.state.requestId) },
        }),
    },
    requestId(),
    () => {
      throw new Error("bug");
    },
  );
  const crashed = await handler(req("/", { headers: { "x-request-id": "trace-1" } }), INFO);
  assert.equal(crashed.headers.get("x-request-id"), "trace-1");
  assert.throws(() => requestId({ maxLength: 0 }), RangeError);
  assert.throws(() => requestId({ generate: 1 as unknown as () => string }), TypeError);
});

Deno.test("requestId over TCP and through inject()", async () => {
  const handler = app();
  const { response } = await inject(
    handler,
    http(["GET / HTTP/1.1", "Host: x", "X-Request-Id: from-proxy"]),
  );
  assert.equal(response.headers.get("x-request-id"), "from-proxy");
  await overTcp(handler, async (base, client) => {
    const res = await client.fetch(base, { signal: AbortSignal.timeout(TIMEOUT) });
    assert.equal(await res.text(), res.headers.get("x-request-id"));
  });
});
