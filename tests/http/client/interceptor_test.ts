// Interceptors: the onion around every request, and the built-ins (retry, redirects,
// decoding) expressed as interceptors. Requests go to in-memory handlers: no port.

import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import type { ClientInterceptor } from "../../../http/client_interceptor.ts";
import { decompressInterceptor } from "../../../http/decompress_interceptor.ts";
import { redirectInterceptor } from "../../../http/redirect_interceptor.ts";
import { retryInterceptor } from "../../../http/retry_interceptor.ts";
import { backoffDelay, retryAfterDelay } from "../../../http/_client/backoff.ts";
import { closedPort } from "./_helpers.ts";
import zlib from "node:zlib";

Deno.test("interceptors run as an onion, outermost first, around the Client's fetch", async () => {
  const log: string[] = [];
  const step = (name: string): ClientInterceptor => async (request, next) => {
    log.push(`${name} in ${new URL(request.url).pathname}`);
    const response = await next();
    log.push(`${name} out ${response.status}`);
    return response;
  };
  await using client = new Client({
    handler: () => {
      log.push("handler");
      return new Response("ok", { status: 201 });
    },
    interceptors: [step("a")],
  }).use(step("b"));
  assert.equal(await (await client.fetch("http://svc.test/x")).text(), "ok");
  assert.deepEqual(log, ["a in /x", "b in /x", "handler", "b out 201", "a out 201"]);
});

Deno.test("an interceptor may change the request, answer itself, or fail", async () => {
  let reached = 0;
  await using client = new Client({
    handler: (request) => {
      reached++;
      return new Response(request.headers.get("authorization"));
    },
  });
  client.use((request, next) => {
    if (new URL(request.url).pathname === "/cached") return new Response("from memory");
    if (new URL(request.url).pathname === "/broken") throw new Error("refused by policy");
    const headers = new Headers(request.headers);
    headers.set("authorization", "Bearer t");
    return next(new Request(request, { headers }));
  });
  assert.equal(await (await client.fetch("http://svc.test/")).text(), "Bearer t");
  assert.equal(await (await client.fetch("http://svc.test/cached")).text(), "from memory");
  await assert.rejects(client.fetch("http://svc.test/broken"), /refused by policy/);
  assert.equal(reached, 1);
});

Deno.test("interceptors are checked: not a function, or not returning a Response", async () => {
  assert.throws(
    () => new Client({ interceptors: [42 as unknown as ClientInterceptor] }),
    TypeError,
  );
  await using client = new Client({ handler: () => new Response("x") });
  assert.throws(() => client.use("nope" as unknown as ClientInterceptor), TypeError);
  client.use(() => "not a response" as unknown as Response);
  await assert.rejects(client.fetch("http://svc.test/"), /returned a string, not a Response/);
});

Deno.test("backoff: exponential with equal jitter, capped; Retry-After as seconds or a date", () => {
  assert.equal(backoffDelay(0, 100, 10_000, 2, () => 0), 50);
  assert.equal(backoffDelay(0, 100, 10_000, 2, () => 0.999999) > 99, true);
  assert.equal(backoffDelay(3, 100, 10_000, 2, () => 0), 400);
  assert.equal(backoffDelay(20, 100, 10_000, 2, () => 0), 5_000);
  const now = Date.UTC(2026, 0, 1);
  assert.equal(retryAfterDelay("120", now), 120_000);
  assert.equal(retryAfterDelay(new Date(now + 5_000).toUTCString(), now), 5_000);
  assert.equal(retryAfterDelay(new Date(now - 5_000).toUTCString(), now), 0);
  assert.equal(retryAfterDelay("soon", now), -1);
  assert.equal(retryAfterDelay(null, now), -1);
});

Deno.test("retryInterceptor retries 503s of idempotent requests, body included, and not POST", async () => {
  const seen: string[] = [];
  let calls = 0;
  await using client = new Client({
    handler: async (request) => {
      seen.push(`${request.method} ${await request.text()}`);
      return ++calls % 3 === 0 ? new Response("ok") : new Response("busy", { status: 503 });
    },
    interceptors: [retryInterceptor({ minDelay: 1, random: () => 0 })],
  });
  const response = await client.fetch("http://svc.test/", { method: "PUT", body: "payload" });
  assert.equal(await response.text(), "ok");
  assert.deepEqual(seen, ["PUT payload", "PUT payload", "PUT payload"]);
  const post = await client.fetch("http://svc.test/", { method: "POST", body: "once" });
  assert.equal(post.status, 503);
  await post.body?.cancel();
  assert.equal(seen.length, 4);
});

Deno.test("retryInterceptor gives up after `retries` and returns the last response", async () => {
  let calls = 0;
  await using client = new Client({
    handler: () => {
      calls++;
      return new Response(null, { status: 502 });
    },
    interceptors: [retryInterceptor({ retries: 2, minDelay: 1 })],
  });
  assert.equal((await client.fetch("http://svc.test/")).status, 502);
  assert.equal(calls, 3);
});

Deno.test("retryInterceptor follows Retry-After, and returns a response that asks for too long", async () => {
  let calls = 0;
  await using client = new Client({
    handler: (request) => {
      calls++;
      const wait = new URL(request.url).searchParams.get("wait")!;
      return calls % 2 === 1
        ? new Response(null, { status: 429, headers: { "retry-after": wait } })
        : new Response("ok");
    },
    interceptors: [retryInterceptor({ minDelay: 60_000, maxDelay: 60_000 })],
  });
  // Retry-After: 0 beats the one-minute backoff.
  assert.equal(await (await client.fetch("http://svc.test/?wait=0")).text(), "ok");
  const tooLong = await client.fetch("http://svc.test/?wait=3600");
  assert.equal(tooLong.status, 429);
  assert.equal(calls, 3);
});

Deno.test("retryInterceptor retries refused connections, then fails with the error", async () => {
  let attempts = 0;
  await using client = new Client({
    interceptors: [
      retryInterceptor({ retries: 2, minDelay: 1 }),
      (_request, next) => {
        attempts++;
        return next();
      },
    ],
  });
  const error = await client.fetch(`http://127.0.0.1:${closedPort()}/`).then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.equal(error.code, "ECONNREFUSED");
  assert.equal(attempts, 3);
});

Deno.test("retryInterceptor stops waiting when the request is aborted", async () => {
  await using client = new Client({
    handler: () => new Response(null, { status: 503 }),
    interceptors: [retryInterceptor({ minDelay: 60_000 })],
  });
  const controller = new AbortController();
  const reason = new Error("stop waiting");
  const pending = client.fetch("http://svc.test/", { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 10);
  assert.equal(await pending.then(() => null, (e) => e), reason);
});

/** A handler that redirects /from/STATUS to /to (or ?to=URL) and echoes the rest. */
async function redirecting(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const status = url.pathname.match(/^\/from\/(\d+)$/);
  if (status) {
    const to = url.searchParams.get("to") ?? "/to";
    return new Response(null, { status: Number(status[1]), headers: { location: to } });
  }
  if (url.pathname === "/loop") {
    return new Response(null, { status: 302, headers: { location: "/loop" } });
  }
  return Response.json({
    host: url.host,
    path: url.pathname,
    method: request.method,
    body: await request.text(),
    auth: request.headers.get("authorization"),
  });
}

Deno.test("redirectInterceptor follows redirects hop by hop through the interceptors inside it", async () => {
  const hops: string[] = [];
  await using client = new Client({
    handler: redirecting,
    interceptors: [redirectInterceptor(), (request, next) => {
      hops.push(`${request.method} ${new URL(request.url).pathname} ${request.redirect}`);
      return next();
    }],
  });
  const response = await client.fetch("http://a.test/from/303", { method: "POST", body: "x" });
  assert.deepEqual(await response.json(), {
    host: "a.test",
    path: "/to",
    method: "GET",
    body: "",
    auth: null,
  });
  assert.equal(response.redirected, true);
  assert.equal(response.url, "http://a.test/to");
  assert.deepEqual(hops, ["POST /from/303 manual", "GET /to manual"]);
  // 307 sends the body again; a cross-origin hop drops credentials.
  const kept = await client.fetch("http://a.test/from/307?to=http://b.test/next", {
    method: "PUT",
    body: ReadableStream.from([new TextEncoder().encode("streamed")]),
    headers: { authorization: "Bearer secret" },
  });
  assert.deepEqual(await kept.json(), {
    host: "b.test",
    path: "/next",
    method: "PUT",
    body: "streamed",
    auth: null,
  });
});

Deno.test("redirectInterceptor honours manual, error and maxRedirects", async () => {
  await using client = new Client({
    handler: redirecting,
    interceptors: [redirectInterceptor({ maxRedirects: 3 })],
  });
  const manual = await client.fetch("http://a.test/from/302", { redirect: "manual" });
  assert.equal(manual.status, 302);
  assert.equal(manual.headers.get("location"), "/to");
  const error = await client.fetch("http://a.test/from/302", { redirect: "error" }).then(
    () => null,
    (e) => e,
  );
  assert.equal(error?.code, "REDIRECT_REJECTED");
  const loop = await client.fetch("http://a.test/loop").then(() => null, (e) => e);
  assert.equal(loop?.code, "TOO_MANY_REDIRECTS");
  assert.match(loop.message, /more than 3 redirects/);
  const scheme = await client.fetch("http://a.test/from/302?to=file:///etc/passwd").then(
    () => null,
    (e) => e,
  );
  assert.equal(scheme?.code, "REDIRECT_REJECTED");
});

Deno.test("decompressInterceptor decodes in place of the core; inner interceptors see coded bytes", async () => {
  const text = "decoded ".repeat(100);
  const inner: string[] = [];
  await using client = new Client({
    handler: (request) =>
      new Response(new Uint8Array(zlib.gzipSync(text)), {
        headers: {
          "content-encoding": "gzip",
          "x-asked": request.headers.get("accept-encoding") ?? "",
        },
      }),
    interceptors: [
      decompressInterceptor({ maxResponseBodyBytes: 10_000 }),
      async (_request, next) => {
        const response = await next();
        const copy = response.clone();
        inner.push(`${response.headers.get("x-asked")} ${(await copy.arrayBuffer()).byteLength}`);
        return response;
      },
    ],
  });
  const response = await client.fetch("http://svc.test/");
  assert.equal(await response.text(), text);
  assert.deepEqual(inner, [`gzip, deflate ${zlib.gzipSync(text).length}`]);
  await using small = new Client({
    handler: () =>
      new Response(new Uint8Array(zlib.gzipSync(text)), {
        headers: { "content-encoding": "gzip" },
      }),
    interceptors: [decompressInterceptor({ maxResponseBodyBytes: 100 })],
  });
  const error = await (await small.fetch("http://svc.test/")).text().then(() => null, (e) => e);
  assert.equal(error?.code, "RESPONSE_TOO_LARGE");
});
