// An oak app (the npm build of @oakserver/oak 14) run on Wire's serve() through oak's
// `app.handle(request, remoteAddr)` and a small adapter (see adapt()), over TCP on
// 127.0.0.1 with Wire's Client.
//
// oak's `ctx.sendEvents()` cannot be used this way: it hands its response to oak's own
// server request object and makes `app.handle()` resolve with undefined (the same on
// Deno.serve), so the SSE route streams a ReadableStream of oak's `ServerSentEvent`s.

import { Application, isHttpError, Router, ServerSentEvent } from "npm:@oakserver/oak@14";
import { assert } from "../_assert.ts";
import type { Handler } from "../../http/handler.ts";
import { serve } from "../../http/serve.ts";
import { gate, parseEvents, TIMEOUT, withApp } from "./_serve.ts";

const encoder = new TextEncoder();

/**
 * oak's `app.handle`, typed with Deno's Request and Response: the npm build declares
 * undici's (Node's), which differ from Deno's (undici's Request requires `duplex`, its
 * Response lacks `bytes()` and `textStream()`), so TypeScript refuses to mix them.
 */
type Handle = (request: Request, addr?: Deno.NetAddr) => Promise<Response | undefined>;

/**
 * The adapter. The npm build of oak makes its responses with the `Response` of its
 * undici shim, not Deno's (dnt's `dntGlobalThis.Response`), so `serve()` (like
 * Deno.serve) refuses them as "not a Response": the adapter copies each into a Web
 * Response, body stream, status and headers.
 */
function adapt(app: Application): Handler {
  const handle = app.handle as unknown as Handle;
  return async (req, info) => {
    const r = await handle(req, info.remoteAddr as Deno.NetAddr);
    return r ? new Response(r.body, r) : new Response(null, { status: 404 });
  };
}

/** The app under test: Router routes with params and JSON, a middleware, errors. */
function api(logs: string[] = [], errors: unknown[] = []): Application {
  const router = new Router();
  router.get("/users/:id", (ctx) => {
    ctx.response.body = { id: ctx.params.id, tab: ctx.request.url.searchParams.get("tab") };
  });
  router.get("/teams/:team/members/:member", (ctx) => {
    ctx.response.body = { team: ctx.params.team, member: ctx.params.member };
  });
  router.post("/users", async (ctx) => {
    const user = await ctx.request.body.json();
    ctx.response.status = 201;
    ctx.response.headers.set("location", "/users/1");
    ctx.response.body = { id: 1, ...user };
  });
  router.get("/whoami", (ctx) => {
    ctx.response.body = { ip: ctx.request.ip };
  });
  router.get("/boom", () => {
    throw new Error("boom");
  });
  router.get("/private", (ctx) => ctx.throw(401, "Log in first"));
  // logErrors: false keeps oak from printing; the test collects the error events.
  const app = new Application({ logErrors: false });
  app.addEventListener("error", (event) => {
    errors.push(event.error);
  });
  app.use(async (ctx, next) => {
    await next();
    ctx.response.headers.set("x-served-by", "wire");
    logs.push(`${ctx.request.method} ${ctx.request.url.pathname} ${ctx.response.status}`);
  });
  app.use(router.routes(), router.allowedMethods());
  return app;
}

Deno.test("oak Router on serve() routes params, query strings and JSON bodies", async () => {
  const logs: string[] = [];
  const app = api(logs);
  await withApp((options) => serve(adapt(app), options), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const user = await client.fetch(`${base}/users/42?tab=repos`, { signal });
    assert.equal(user.status, 200);
    assert.equal(user.headers.get("content-type"), "application/json; charset=UTF-8");
    assert.deepEqual(await user.json(), { id: "42", tab: "repos" });

    const member = await client.fetch(`${base}/teams/core/members/ada%20l`, { signal });
    assert.deepEqual(await member.json(), { team: "core", member: "ada l" });

    const created = await client.fetch(`${base}/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada" }),
      signal,
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("location"), "/users/1");
    assert.deepEqual(await created.json(), { id: 1, name: "Ada" });

    const missing = await client.fetch(`${base}/nope`, { signal });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
  assert.deepEqual(logs, [
    "GET /users/42 200",
    "GET /teams/core/members/ada%20l 200",
    "POST /users 201",
    "GET /nope 404",
  ]);
});

Deno.test("oak middleware on serve() sets headers after next(), and ctx.request.ip is the peer", async () => {
  const app = api();
  await withApp((options) => serve(adapt(app), options), async (base, client) => {
    const response = await client.fetch(`${base}/whoami`, { signal: AbortSignal.timeout(TIMEOUT) });
    assert.equal(response.headers.get("x-served-by"), "wire");
    assert.deepEqual(await response.json(), { ip: "127.0.0.1" });
  });
});

Deno.test("oak allowedMethods() on serve() answers 405 with Allow for another method", async () => {
  const app = api();
  await withApp((options) => serve(adapt(app), options), async (base, client) => {
    const response = await client.fetch(`${base}/users/7`, {
      method: "DELETE",
      signal: AbortSignal.timeout(TIMEOUT),
    });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "HEAD, GET"); // oak's order
    await response.body?.cancel();
  });
});

Deno.test("oak on serve(): a thrown Error answers 500 and an error event, ctx.throw(401) its message", async () => {
  const errors: unknown[] = [];
  const app = api([], errors);
  await withApp((options) => serve(adapt(app), options), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const boom = await client.fetch(`${base}/boom`, { signal });
    assert.equal(boom.status, 500);
    assert.equal(await boom.text(), "Internal Server Error");
    const denied = await client.fetch(`${base}/private`, { signal });
    assert.equal(denied.status, 401);
    assert.equal(await denied.text(), "Log in first");
    // The server lives on, on the same connection.
    const after = await client.fetch(`${base}/users/1`, { signal });
    assert.equal(after.status, 200);
    await after.body?.cancel();
  });
  assert.equal(errors.length, 2);
  assert.ok(errors[0] instanceof Error && errors[0].message === "boom");
  assert.ok(isHttpError(errors[1]) && errors[1].status === 401);
});

/** An SSE route: the body waits for `release`, then sends three events 5 ms apart. */
function sseApp(release: Promise<void>, cancelled?: () => void): Application {
  const router = new Router();
  router.get("/events", (ctx) => {
    ctx.response.headers.set("content-type", "text/event-stream");
    ctx.response.headers.set("cache-control", "no-cache");
    let timer: ReturnType<typeof setTimeout> | undefined;
    ctx.response.body = new ReadableStream<Uint8Array>({
      async start(controller) {
        await release; // nothing is written before the test has read the head
        for (let i = 0; i < 3; i++) {
          if (i > 0) await new Promise((resolve) => timer = setTimeout(resolve, 5));
          // oak writes no id line for id 0, so ids count from 1.
          const event = new ServerSentEvent("tick", { data: { n: i }, id: i + 1 });
          controller.enqueue(encoder.encode(event.toString()));
        }
        controller.close();
      },
      cancel() {
        clearTimeout(timer);
        cancelled?.();
      },
    });
  });
  const app = new Application({ logErrors: false });
  app.use(router.routes());
  return app;
}

Deno.test("oak streamed SSE body on serve(): the head arrives before the first event, then three events and the end", async () => {
  const release = gate();
  const app = sseApp(release.promise);
  await withApp((options) => serve(adapt(app), options), async (base, client) => {
    try {
      const signal = AbortSignal.timeout(TIMEOUT);
      const response = await client.fetch(`${base}/events`, { signal }).catch((error) => {
        throw new Error(`No response head before the first event was written: ${error}`);
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/event-stream");
      assert.equal(response.headers.get("transfer-encoding"), "chunked");
      release.open();
      assert.deepEqual(parseEvents(await response.text()), [
        { event: "tick", data: '{"n":0}', id: "1" },
        { event: "tick", data: '{"n":1}', id: "2" },
        { event: "tick", data: '{"n":2}', id: "3" },
      ]);
    } finally {
      release.open();
    }
  });
});

Deno.test("oak streamed SSE body on serve() is cancelled when the client goes", async () => {
  const cancelled = gate();
  const router = new Router();
  router.get("/events", (ctx) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let n = 0;
    ctx.response.headers.set("content-type", "text/event-stream");
    ctx.response.body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // A tick every 5 ms until the client goes (bounded: at most 1,000 ticks).
        if (n > 0) await new Promise((resolve) => timer = setTimeout(resolve, 5));
        if (n === 1_000) return controller.close();
        controller.enqueue(
          encoder.encode(new ServerSentEvent("tick", { data: `${n++}` }).toString()),
        );
      },
      cancel() {
        clearTimeout(timer);
        cancelled.open();
      },
    }, { highWaterMark: 0 });
  });
  const app = new Application({ logErrors: false });
  app.use(router.routes());
  await withApp((options) => serve(adapt(app), options), async (base, client) => {
    const response = await client.fetch(`${base}/events`, { signal: AbortSignal.timeout(TIMEOUT) });
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /^event: tick\ndata: 0\n\n/);
    await reader.cancel(); // the Client closes the connection mid-body
    const bound = AbortSignal.timeout(TIMEOUT);
    const timedOut = new Promise<string>((resolve) =>
      bound.addEventListener("abort", () => resolve("timed out"))
    );
    assert.equal(
      await Promise.race([cancelled.promise.then(() => "cancelled"), timedOut]),
      "cancelled",
      "the server never cancelled the response body",
    );
  });
});
