import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { httpError } from "../../../http/http_error.ts";
import { compose } from "../../../router/compose.ts";
import { Context } from "../../../router/context.ts";
import { endTime, serverTiming, setMetric, startTime } from "../../../router/server_timing.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

Deno.test("serverTiming: total plus the metrics route code records, in order", async () => {
  const handler = compose(serverTiming({ precision: 0 }), (ctx) => {
    startTime(ctx, "db", "Query");
    startTime(ctx, "db");
    endTime(ctx, "db");
    endTime(ctx, "db");
    endTime(ctx, "never-started");
    setMetric(ctx, "cache", 1.26, 'a "quoted"\\ desc');
    setMetric(ctx, "region", "eu-west");
    setMetric(ctx, "hit");
    startTime(ctx, "open");
    return new Response("ok");
  });
  const response = await handler(req("/"), INFO);
  const value = response.headers.get("server-timing")!;
  assert.match(
    value,
    /^db;dur=\d+;desc="Query", db;dur=\d+, cache;dur=1;desc="a \\"quoted\\"\\\\ desc", region;desc="eu-west", hit, open, total;dur=\d+;desc="Total Response Time"$/,
  );
});

Deno.test("serverTiming: disabled, per request, cross-origin, no total, and an HttpError response", async () => {
  const off = compose(serverTiming({ enabled: false }), () => new Response("ok"));
  assert.equal((await off(req("/"), INFO)).headers.get("server-timing"), null);
  const internal = compose(
    serverTiming({ enabled: (ctx) => ctx.request.headers.has("x-debug") }),
    () => new Response("ok"),
  );
  assert.equal((await internal(req("/"), INFO)).headers.get("server-timing"), null);
  assert.ok(
    (await internal(req("/", { headers: { "x-debug": "1" } }), INFO)).headers.get("server-timing"),
  );
  const shared = compose(
    serverTiming({ crossOrigin: true, total: false }),
    () => new Response("ok"),
  );
  const response = await shared(req("/"), INFO);
  assert.equal(response.headers.get("timing-allow-origin"), "*");
  assert.equal(response.headers.get("server-timing"), null, "no metrics, no header");
  const named = compose(serverTiming({ crossOrigin: "https://app.test" }), () => httpError(418));
  const teapot = await named(req("/"), INFO);
  assert.equal(teapot.status, 418);
  assert.equal(teapot.headers.get("timing-allow-origin"), "https://app.test");
  assert.match(teapot.headers.get("server-timing")!, /^total;dur=/);
  assert.throws(() => serverTiming({ precision: 7 }), RangeError);
});

Deno.test("metric functions are no-ops without serverTiming() and check names with it", async () => {
  const ctx = new Context(req("/"), INFO);
  startTime(ctx, "a b"); // no middleware: not even checked
  setMetric(ctx, "x", 1);
  endTime(ctx, "x");
  const handler = compose(serverTiming(), (ctx) => {
    startTime(ctx, "bad name");
    return new Response("unreachable");
  });
  const response = await compose(async (_ctx, next) => {
    try {
      return await next();
    } catch (error) {
      return new Response(String(error instanceof TypeError), { status: 500 });
    }
  }, handler)(req("/"), INFO);
  assert.equal(await response.text(), "true");
});

Deno.test("serverTiming through inject(): the header reaches the wire", async () => {
  const handler = compose(serverTiming(), (ctx) => {
    setMetric(ctx, "app", 2);
    return new Response("ok");
  });
  const { response } = await inject(handler, http(["GET / HTTP/1.1", "Host: x"]));
  assert.match(
    response.headers.get("server-timing")!,
    /^app;dur=2\.0, total;dur=[\d.]+;desc="Total Response Time"$/,
  );
});

Deno.test("serverTiming over TCP: Wire's Client reads the header", async () => {
  const handler = compose(serverTiming({ crossOrigin: true }), () => new Response("ok"));
  await overTcp(handler, async (base, client) => {
    const response = await client.fetch(base, { signal: AbortSignal.timeout(TIMEOUT) });
    assert.match(
      response.headers.get("server-timing")!,
      /^total;dur=[\d.]+;desc="Total Response Time"$/,
    );
    assert.equal(response.headers.get("timing-allow-origin"), "*");
    await response.body?.cancel();
  });
});
