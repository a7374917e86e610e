import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { httpError } from "../../../http/http_error.ts";
import { streamSSE } from "../../../http/stream_sse.ts";
import { basicAuth } from "../../../router/basic_auth.ts";
import { compose } from "../../../router/compose.ts";
import { logger, type LoggerOptions } from "../../../router/logger.ts";
import { requestId } from "../../../router/request_id.ts";
import { formatAccessLog } from "../../../http/access_log.ts";
import { rawExchange } from "../../_server.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

/** A logger writing into an array of batches; `written(n)` waits (bounded) for n lines. */
function capture(options: LoggerOptions = {}) {
  const batches: string[] = [];
  const lines = () => batches.join("").split("\n").filter((l) => l !== "");
  let wake = () => {};
  const log = logger({
    write: (text) => {
      batches.push(text);
      wake();
    },
    ...options,
  });
  const written = async (n: number) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    while (lines().length < n) {
      if (signal.aborted) throw new Error(`only ${lines().length} of ${n} lines were written`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  };
  return { log, batches, lines, written };
}

const CLF = String.raw`\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\]`;

Deno.test("logger: common and combined lines, with Content-Length bytes or '-'", async () => {
  for (const format of ["common", "combined"] as const) {
    const { log, lines } = capture({ format });
    const handler = compose(
      log,
      (ctx) =>
        ctx.path === "/sized"
          ? new Response("hello", { status: 201, headers: { "content-length": "5" } })
          : new Response("unsized"),
    );
    await handler(
      req("/sized?q=1", { headers: { referer: "https://r.test/", "user-agent": 'ua "x"' } }),
      INFO,
    );
    await handler(req("/plain"), INFO);
    await log.close();
    const [sized, plain] = lines();
    const tail = format === "combined" ? ' "https://r.test/" "ua \\"x\\""' : "";
    assert.match(
      sized,
      new RegExp(`^127\\.0\\.0\\.1 - - ${CLF} "GET /sized\\?q=1 HTTP/1\\.1" 201 5${escape(tail)}$`),
    );
    assert.match(
      plain,
      new RegExp(
        `^127\\.0\\.0\\.1 - - ${CLF} "GET /plain HTTP/1\\.1" 200 -${
          format === "combined" ? ' "-" "-"' : ""
        }$`,
      ),
    );
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

Deno.test("logger: JSON lines with duration, request ID and user; thrown errors logged and rethrown", async () => {
  const { log, lines } = capture({ format: "json" });
  const handler = compose(
    requestId(),
    log,
    basicAuth({ users: [{ username: "ada", password: "pw" }] }),
    (ctx) => {
      if (ctx.path === "/teapot") httpError(418);
      if (ctx.path === "/bug") throw new Error("bug");
      return Response.json({ ok: true });
    },
  );
  const auth = { authorization: "Basic " + btoa("ada:pw"), "x-request-id": "id-1" };
  await handler(req("/", { headers: auth }), INFO);
  assert.equal((await handler(req("/teapot", { headers: auth }), INFO)).status, 418);
  const original = console.error;
  console.error = () => {};
  try {
    assert.equal((await handler(req("/bug", { headers: auth }), INFO)).status, 500);
  } finally {
    console.error = original;
  }
  await handler(req("/"), INFO);
  await log.close();
  const entries = lines().map((line) => JSON.parse(line));
  assert.deepEqual(entries.map((e) => [e.url, e.status, e.user, e.requestId]), [
    ["/", 200, "ada", "id-1"],
    ["/teapot", 418, "ada", "id-1"],
    ["/bug", 500, "ada", "id-1"],
    ["/", 401, null, entries[3].requestId],
  ]);
  assert.match(entries[0].time, /^\d{4}-\d\d-\d\dT/);
  assert.equal(typeof entries[0].duration, "number");
  assert.equal(entries[0].remoteAddress, "127.0.0.1");
  assert.equal(entries[0].error, null);
  assert.equal(entries[0].bytes, null);
});

Deno.test("logger: lines are batched into one write per interval, or earlier at maxBatchBytes", async () => {
  const { log, batches, lines } = capture({ format: "common", flushInterval: 60_000 });
  const handler = compose(log, () => new Response("ok"));
  for (let i = 0; i < 50; i++) await handler(req(`/${i}`), INFO);
  assert.equal(batches.length, 0, "nothing written on the request path");
  await log.flush();
  assert.equal(batches.length, 1);
  assert.equal(lines().length, 50);
  await log.close();
  const small = capture({ format: "common", maxBatchBytes: 1000, flushInterval: 60_000 });
  const handler2 = compose(small.log, () => new Response("ok"));
  for (let i = 0; i < 12; i++) await handler2(req("/"), INFO);
  await small.log.close();
  assert.deepEqual(small.batches.map((b) => b.split("\n").length - 1), [5, 5, 2]);
  // A sink that fails is reported once and does not break requests.
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void errors.push(args);
  try {
    const failing = logger({ write: () => Promise.reject(new Error("disk full")) });
    await compose(failing, () => new Response("ok"))(req("/"), INFO);
    await failing.close();
    await compose(failing, () => new Response("ok"))(req("/"), INFO);
    await failing.close();
  } finally {
    console.error = original;
  }
  assert.equal(errors.length, 1);
});

Deno.test("logger: skip, custom format, bad options, CLF time", async () => {
  const { log, lines } = capture({
    skip: (ctx) => ctx.path === "/health",
    format: (e) => `${e.method} ${e.url} ${e.status}`,
  });
  const handler = compose(log, () => new Response("ok"));
  await handler(req("/health"), INFO);
  await handler(req("/x", { method: "POST" }), INFO);
  await log.close();
  assert.deepEqual(lines(), ["POST /x 200"]);
  const entry = {
    time: 0,
    remoteAddress: "/run/app.sock",
    method: "GET",
    url: "/a b",
    protocol: "HTTP/1.1",
    status: 200,
    bytes: 0,
    duration: 1,
    referer: 'x"y\\z',
    userAgent: "tab\there\x7f",
    user: "ada lovelace",
    requestId: undefined,
    error: undefined,
  };
  assert.equal(
    formatAccessLog(entry, "combined"),
    '/run/app.sock - ada_lovelace [01/Jan/1970:00:00:00 +0000] "GET /a b HTTP/1.1" 200 0 ' +
      '"x\\"y\\\\z" "tab\\x09here\\x7f"',
  );
  assert.throws(() => logger({ format: "apache" as "common" }), TypeError);
  assert.throws(() => logger({ flushInterval: -1 }), RangeError);
  assert.throws(() => logger({ maxBatchBytes: 1.5 }), RangeError);
});

Deno.test("logger over TCP: delivered responses, and a stream the client cut short with the reason", async () => {
  const { log, lines, written } = capture({ format: "combined", flushInterval: 0 });
  const handler = compose(log, (ctx) =>
    ctx.path === "/events"
      ? streamSSE(ctx, async (stream) => {
        while (!stream.closed) {
          await stream.write({ data: "tick" });
          await stream.sleep(5);
        }
      })
      : new Response("hello", { headers: { "content-length": "5" } }));
  await overTcp(handler, async (base, client, addr) => {
    const ok = await client.fetch(`${base}/`, {
      headers: { "user-agent": "wire-test" },
      signal: AbortSignal.timeout(TIMEOUT),
    });
    assert.equal(await ok.text(), "hello");
    await rawExchange(addr, http(["GET /events HTTP/1.1", "Host: x"]), {
      until: (t) => t.split("data: tick").length > 2,
    });
    // The entry is added once the server knows the exchange ended.
    await written(2);
  });
  await log.close();
  const [delivered, cut] = lines();
  assert.match(delivered, /^127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 5 "-" "wire-test"$/);
  assert.match(
    cut,
    /^127\.0\.0\.1 - - \[.*\] "GET \/events HTTP\/1\.1" 200 - "-" "-" "ended early: the client closed the connection"$/,
  );
});

Deno.test("logger through inject(): one line per pipelined request", async () => {
  const { log, lines } = capture({ format: "common" });
  const handler = compose(log, (ctx) => new Response(ctx.path));
  await inject(
    handler,
    http(["GET /a HTTP/1.1", "Host: x"]) + http(["GET /b HTTP/1.1", "Host: x"]),
  );
  await log.close();
  assert.deepEqual(lines().map((l) => l.split('"')[1]), ["GET /a HTTP/1.1", "GET /b HTTP/1.1"]);
});
