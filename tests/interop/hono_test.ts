// A Hono app run unchanged on Wire's serve(), as on Deno.serve: `serve(app.fetch)` and
// `serve(app)`, over TCP on 127.0.0.1 with Wire's Client (and once with Deno's fetch).

import { Hono } from "npm:hono@4";
import { cors } from "npm:hono@4/cors";
import { getConnInfo } from "npm:hono@4/deno";
import { HTTPException } from "npm:hono@4/http-exception";
import { logger } from "npm:hono@4/logger";
import { streamSSE } from "npm:hono@4/streaming";
import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";
import { gate, parseEvents, TIMEOUT, withApp } from "./_serve.ts";

/** The app under test: routes with params and JSON, middleware, CORS, errors. */
function api(logs: string[] = []): Hono {
  const app = new Hono();
  app.use(logger((line) => logs.push(line)));
  app.use(async (c, next) => {
    await next();
    c.header("x-served-by", "wire");
  });
  app.use("/api/*", cors({ origin: "http://app.test", allowMethods: ["GET", "POST", "QUERY"] }));
  app.get("/users/:id", (c) => c.json({ id: c.req.param("id"), tab: c.req.query("tab") ?? null }));
  app.get("/teams/:team/members/:member", (c) => c.json(c.req.param()));
  app.post("/users", async (c) => {
    const user = await c.req.json<{ name: string }>();
    c.header("location", "/users/1");
    return c.json({ id: 1, ...user }, 201);
  });
  app.get("/api/items", (c) => c.json([{ id: 1 }]));
  app.on("QUERY", "/api/items", async (c) => c.json({ query: await c.req.json() }));
  app.get("/whoami", (c) => c.json(getConnInfo(c).remote));
  app.get("/boom", () => {
    throw new Error("boom");
  });
  app.get("/private", () => {
    throw new HTTPException(401, { message: "Log in first" });
  });
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    return c.json({ error: error.message }, 500);
  });
  return app;
}

Deno.test("Hono app.fetch on serve() routes params, query strings and JSON bodies", async () => {
  const logs: string[] = [];
  const app = api(logs);
  await withApp((options) => serve(app.fetch, options), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const user = await client.fetch(`${base}/users/42?tab=repos`, { signal });
    assert.equal(user.status, 200);
    assert.equal(user.headers.get("content-type"), "application/json");
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
    assert.equal(await missing.text(), "404 Not Found");
  });
  assert.equal(logs[0], "<-- GET /users/42?tab=repos");
  assert.match(logs[1], /^--> GET \/users\/42\?tab=repos \S*200\S* \d+m?s$/);
  assert.equal(logs.length, 8, logs.join("\n"));
});

Deno.test("Hono middleware on serve() sets headers after next(), and c.env is the ServeInfo", async () => {
  const app = api();
  await withApp((options) => serve(app.fetch, options), async (base, client) => {
    const response = await client.fetch(`${base}/whoami`, { signal: AbortSignal.timeout(TIMEOUT) });
    assert.equal(response.headers.get("x-served-by"), "wire");
    // hono/deno's getConnInfo reads c.env.remoteAddr, which Deno.serve's info carries.
    const remote = await response.json();
    assert.equal(remote.address, "127.0.0.1");
    assert.equal(remote.transport, "tcp");
    assert.ok(remote.port > 0);
  });
});

Deno.test("Hono cors() on serve(): preflight answers 204 with the allowed origin and methods", async () => {
  const app = api();
  await withApp((options) => serve(app.fetch, options), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const preflight = await client.fetch(`${base}/api/items`, {
      method: "OPTIONS",
      headers: { origin: "http://app.test", "access-control-request-method": "QUERY" },
      signal,
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://app.test");
    assert.equal(preflight.headers.get("access-control-allow-methods"), "GET,POST,QUERY");
    assert.equal(await preflight.text(), "");

    const simple = await client.fetch(`${base}/api/items`, {
      headers: { origin: "http://app.test" },
      signal,
    });
    assert.equal(simple.headers.get("access-control-allow-origin"), "http://app.test");
    assert.deepEqual(await simple.json(), [{ id: 1 }]);

    // QUERY (RFC 10008) reaches a Hono route with its body.
    const query = await client.fetch(`${base}/api/items`, {
      method: "QUERY",
      headers: { origin: "http://app.test", "content-type": "application/json" },
      body: JSON.stringify({ id: 1 }),
      signal,
    });
    assert.equal(query.status, 200);
    assert.equal(query.headers.get("access-control-allow-origin"), "http://app.test");
    assert.deepEqual(await query.json(), { query: { id: 1 } });
  });
});

Deno.test("Hono onError on serve(): a thrown Error answers 500 and an HTTPException its status", async () => {
  const app = api();
  await withApp((options) => serve(app.fetch, options), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const boom = await client.fetch(`${base}/boom`, { signal });
    assert.equal(boom.status, 500);
    assert.deepEqual(await boom.json(), { error: "boom" });
    const denied = await client.fetch(`${base}/private`, { signal });
    assert.equal(denied.status, 401);
    assert.equal(await denied.text(), "Log in first");
    // The server lives on, on the same connection.
    const after = await client.fetch(`${base}/users/1`, { signal });
    assert.equal(after.status, 200);
    await after.body?.cancel();
  });
});

Deno.test("Hono streamSSE on serve(): the head arrives before the first event, then three events and the end", async () => {
  const release = gate();
  const app = new Hono().get("/events", (c) =>
    streamSSE(c, async (stream) => {
      await release.promise; // nothing is written before the test has read the head
      for (let i = 0; i < 3; i++) {
        if (i > 0) await stream.sleep(5);
        await stream.writeSSE({ event: "tick", data: `tick ${i}`, id: String(i) });
      }
    }));
  await withApp((options) => serve(app.fetch, options), async (base, client) => {
    try {
      const signal = AbortSignal.timeout(TIMEOUT);
      const response = await client.fetch(`${base}/events`, { signal }).catch((error) => {
        throw new Error(`No response head before the first event was written: ${error}`);
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/event-stream");
      assert.equal(response.headers.get("cache-control"), "no-cache");
      // Hono sets Transfer-Encoding itself; the server frames the body once.
      assert.equal(response.headers.get("transfer-encoding"), "chunked");
      release.open();
      assert.deepEqual(parseEvents(await response.text()), [
        { event: "tick", data: "tick 0", id: "0" },
        { event: "tick", data: "tick 1", id: "1" },
        { event: "tick", data: "tick 2", id: "2" },
      ]);
    } finally {
      release.open();
    }
  });
});

Deno.test("Hono streamSSE on serve(): stream.onAbort runs and the request signal aborts when the client goes", async () => {
  const aborted = gate();
  const signalled = gate();
  const app = new Hono().get("/events", (c) => {
    c.req.raw.signal.addEventListener("abort", signalled.open);
    return streamSSE(c, async (stream) => {
      stream.onAbort(aborted.open);
      // A tick every 5 ms until the client goes (bounded: at most 1,000 ticks).
      for (let i = 0; i < 1_000 && !stream.aborted; i++) {
        await stream.writeSSE({ data: `tick ${i}` });
        await stream.sleep(5);
      }
    });
  });
  await withApp((options) => serve(app.fetch, options), async (base, client) => {
    const response = await client.fetch(`${base}/events`, { signal: AbortSignal.timeout(TIMEOUT) });
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /^data: tick 0\n\n/);
    await reader.cancel(); // the Client closes the connection mid-body
    const bound = AbortSignal.timeout(TIMEOUT);
    const timedOut = new Promise<string>((resolve) =>
      bound.addEventListener("abort", () => resolve("timed out"))
    );
    assert.equal(
      await Promise.race([aborted.promise.then(() => "aborted"), timedOut]),
      "aborted",
      "Hono's stream.onAbort did not run: the server never cancelled the response body",
    );
    assert.equal(
      await Promise.race([signalled.promise.then(() => "aborted"), timedOut]),
      "aborted",
      "request.signal did not abort when the client went away",
    );
  });
});

Deno.test("Hono app passed as { fetch } to serve() runs as with serve(app.fetch)", async () => {
  const app = api();
  await withApp((options) => serve(app, options), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const user = await client.fetch(`${base}/users/7`, { signal });
    assert.equal(user.status, 200);
    assert.equal(user.headers.get("x-served-by"), "wire");
    assert.deepEqual(await user.json(), { id: "7", tab: null });
  });
});

Deno.test("Hono app on serve() answers Deno's own fetch", async () => {
  const app = api();
  await withApp((options) => serve(app.fetch, options), async (base) => {
    const response = await fetch(`${base}/users/9`, {
      headers: { connection: "close" },
      signal: AbortSignal.timeout(TIMEOUT),
    });
    assert.deepEqual(await response.json(), { id: "9", tab: null });
  });
});
