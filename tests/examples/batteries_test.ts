// examples/batteries.ts: every route through the exported handler (inject() and direct
// calls), and the program itself over TCP with its command line and its access log.

import { assert } from "../_assert.ts";
import { inject } from "../../http/inject.ts";
import { createApp, EVENT_COUNT, MAX_UPLOAD_BYTES } from "../../examples/batteries.ts";
import { parseEvents } from "../interop/_serve.ts";
import { INFO, req } from "../router/_info.ts";
import { parseResponses, rawExchange, TEST_TIMEOUT } from "../_server.ts";

const APP = "http://app.test";

function app() {
  const logged: string[] = [];
  const { handler, log } = createApp({
    keys: ["test key"],
    eventInterval: 0,
    log: (text) => void logged.push(...text.trimEnd().split("\n")),
  });
  return { handler, log, logged };
}

Deno.test("examples/batteries: /login sets a signed sid; /whoami answers it, 401 when missing or tampered", async () => {
  const { handler, log } = app();
  const login = await handler(req("/login"), INFO);
  assert.equal(login.status, 200);
  const { sid } = await login.json();
  const setCookie = login.headers.get("set-cookie")!;
  assert.match(
    setCookie,
    /^sid=[0-9a-f-]{36}\.[\w-]{43}; Max-Age=86400; Path=\/; HttpOnly; SameSite=Lax$/,
  );
  const cookie = setCookie.split(";")[0];
  const me = await handler(req("/whoami", { headers: { cookie } }), INFO);
  assert.deepEqual(await me.json(), { sid });
  const missing = await handler(req("/whoami"), INFO);
  assert.equal(missing.status, 401);
  const forged = cookie.replace(/^sid=./, (m) => m.endsWith("a") ? "sid=b" : "sid=a");
  assert.equal((await handler(req("/whoami", { headers: { cookie: forged } }), INFO)).status, 401);
  const unsigned = `sid=${sid}`;
  assert.equal(
    (await handler(req("/whoami", { headers: { cookie: unsigned } }), INFO)).status,
    401,
  );
  await log.close();
});

Deno.test("examples/batteries: /api/* allows credentialed CORS from http://app.test only", async () => {
  const { handler, log } = app();
  const ping = await handler(req("/api/ping", { headers: { origin: APP } }), INFO);
  assert.deepEqual(await ping.json(), { pong: true });
  assert.equal(ping.headers.get("access-control-allow-origin"), APP);
  assert.equal(ping.headers.get("access-control-allow-credentials"), "true");
  assert.equal(ping.headers.get("vary"), "Origin");
  const preflight = await handler(
    req("/api/ping", {
      method: "OPTIONS",
      headers: {
        origin: APP,
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-token",
      },
    }),
    INFO,
  );
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-headers"), "x-token");
  const evil = await handler(req("/api/ping", { headers: { origin: "http://evil.test" } }), INFO);
  assert.equal(evil.headers.get("access-control-allow-origin"), null);
  const outside = await handler(req("/whoami", { headers: { origin: APP } }), INFO);
  assert.equal(outside.headers.get("access-control-allow-origin"), null, "only /api/* and /events");
  await log.close();
});

Deno.test("examples/batteries: /events streams ids 1-3 and ends; a reconnect resumes after Last-Event-ID", async () => {
  const { handler, log } = app();
  const all = await inject(handler, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(all.response.headers.get("content-type"), "text/event-stream");
  const events = parseEvents(await all.response.text()).filter((e) => e.event === "tick");
  assert.deepEqual(events.map((e) => [e.id, JSON.parse(e.data).n]), [["1", 1], ["2", 2], ["3", 3]]);
  const resumed = await inject(
    handler,
    "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n",
  );
  assert.deepEqual(
    parseEvents(await resumed.response.text()).filter((e) => e.id).map((e) => e.id),
    ["2", "3"],
  );
  const done = await handler(
    req("/events", { headers: { "last-event-id": String(EVENT_COUNT) } }),
    INFO,
  );
  assert.equal(done.status, 204);
  const junk = await inject(handler, "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: x\r\n\r\n");
  assert.equal(parseEvents(await junk.response.text()).filter((e) => e.id).length, 3);
  await log.close();
});

Deno.test("examples/batteries: POST /upload takes 1 MiB and answers 413 one byte past it", async () => {
  const { handler, log } = app();
  const head = (n: number) => `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${n}\r\n\r\n`;
  const at = await inject(handler, head(MAX_UPLOAD_BYTES) + "x".repeat(MAX_UPLOAD_BYTES));
  assert.equal(at.response.status, 201);
  assert.deepEqual(await at.response.json(), { bytes: MAX_UPLOAD_BYTES });
  const past = await inject(handler, head(MAX_UPLOAD_BYTES + 1) + "x".repeat(MAX_UPLOAD_BYTES + 1));
  assert.equal(past.response.status, 413);
  const chunk = "x".repeat(MAX_UPLOAD_BYTES + 1);
  const chunked = await inject(
    handler,
    `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${
      chunk.length.toString(16)
    }\r\n${chunk}\r\n0\r\n\r\n`,
  );
  assert.equal(chunked.response.status, 413);
  await log.close();
});

Deno.test("examples/batteries: every response carries x-request-id and is logged in the combined format", async () => {
  const { handler, log, logged } = app();
  const responses = [
    await handler(req("/api/ping"), INFO),
    await handler(req("/nope"), INFO),
    await handler(req("/login", { method: "DELETE" }), INFO),
    await handler(
      req("/whoami", { headers: { "user-agent": "ua/1", referer: "http://r.test/" } }),
      INFO,
    ),
    await handler(
      req("/api/ping", {
        method: "OPTIONS",
        headers: { origin: APP, "access-control-request-method": "GET" },
      }),
      INFO,
    ),
    await handler(
      req("/upload", {
        method: "POST",
        headers: { "content-length": String(MAX_UPLOAD_BYTES + 1) },
      }),
      INFO,
    ),
  ];
  assert.deepEqual(responses.map((r) => r.status), [200, 404, 405, 401, 204, 413]);
  for (const response of responses) {
    assert.match(response.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
  }
  const kept = await handler(req("/api/ping", { headers: { "x-request-id": "edge-42" } }), INFO);
  assert.equal(kept.headers.get("x-request-id"), "edge-42");
  await log.close();
  assert.equal(logged.length, 7);
  assert.match(
    logged[3],
    /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/whoami HTTP\/1\.1" 401 - "http:\/\/r\.test\/" "ua\/1"$/,
  );
  assert.deepEqual(logged.map((line) => line.split('"')[2].trim().split(" ")[0]), [
    "200",
    "404",
    "405",
    "401",
    "204",
    "413",
    "200",
  ]);
});

Deno.test("examples/batteries runs: --port/--hostname, Listening line, 413 before 100 Continue, log on stdout", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../examples/batteries.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    const deadline = AbortSignal.timeout(30_000);
    while (!/Listening on http:\/\/127\.0\.0\.1:(\d+)\/\n/.test(out)) {
      if (deadline.aborted) throw new Error(`no Listening line: ${out}`);
      const { value, done } = await stdout.read();
      if (done) throw new Error(`exited: ${out}`);
      out += value;
    }
    const port = Number(/Listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1]);
    const addr = { transport: "tcp" as const, hostname: "127.0.0.1", port };
    const refused = await rawExchange(
      addr,
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${
        MAX_UPLOAD_BYTES + 1
      }\r\nExpect: 100-continue\r\n\r\n`,
    );
    assert.doesNotMatch(refused.text, /100 Continue/);
    const [response] = parseResponses(refused.text);
    assert.equal(response.status, 413);
    assert.match(response.header("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const ping = await rawExchange(
      addr,
      "GET /api/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.match(ping.text, /\r\n\r\n\{"pong":true\}$/);
    child.kill("SIGTERM");
    const rest = AbortSignal.timeout(TEST_TIMEOUT);
    for (;;) {
      const { value, done } = await Promise.race([
        stdout.read(),
        new Promise<never>((_, reject) =>
          rest.addEventListener("abort", () => reject(new Error("no exit")))
        ),
      ]);
      if (done) break;
      out += value;
    }
    assert.match(out, /"POST \/upload HTTP\/1\.1" 413 /);
    assert.match(out, /"GET \/api\/ping HTTP\/1\.1" 200 /);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited already
    }
    await stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    await child.status;
  }
});
