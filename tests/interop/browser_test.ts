// A real browser against examples/batteries.ts: a page on one origin (127.0.0.1:A)
// makes credentialed CORS requests to the app on another (127.0.0.1:B) and receives its
// server-sent events with EventSource, which resumes and then stops on the 204. Needs
// Chromium (Debian's package); skipped with a note when it is absent.

import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";
import { createApp } from "../../examples/batteries.ts";
import { CHROMIUM, type Page, withChromium } from "../_chromium.ts";

if (CHROMIUM === null) {
  console.warn(
    "tests/interop/browser_test.ts: skipped, Chromium is not installed (apt-get install -y chromium)",
  );
}

const PAGE = "<!doctype html><meta charset=utf-8><title>app</title><p>app</p>";
const LOOPBACK = { hostname: "127.0.0.1", port: 0, onListen() {} };

/** Serves a blank page (the browser app's origin), the example app, and runs `fn`. */
async function withOrigins(
  fn: (
    page: Page,
    urls: { app: string; api: string; other: string },
    logged: () => Promise<string[]>,
  ) => Promise<void>,
): Promise<void> {
  const html = () =>
    new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
  const appServer = serve(html, LOOPBACK);
  const otherServer = serve(html, LOOPBACK);
  const app = `http://127.0.0.1:${(appServer.addr as Deno.NetAddr).port}`;
  const logged: string[] = [];
  const { handler, log } = createApp({
    appOrigin: app,
    eventInterval: 10,
    log: (text) => void logged.push(...text.trimEnd().split("\n")),
  });
  const apiServer = serve(handler, LOOPBACK);
  const api = `http://127.0.0.1:${(apiServer.addr as Deno.NetAddr).port}`;
  const other = `http://127.0.0.1:${(otherServer.addr as Deno.NetAddr).port}`;
  try {
    // The access log is batched: flush it before reading.
    const flushed = async () => (await log.flush(), logged);
    await withChromium((page) => fn(page, { app, api, other }, flushed));
  } finally {
    for (const server of [appServer, otherServer, apiServer]) {
      await server.shutdown({ deadline: 0 });
    }
    await log.close();
  }
}

Deno.test({
  name: "Chromium on another origin: credentialed CORS with a signed cookie, preflights, refusals",
  ignore: CHROMIUM === null,
  async fn() {
    await withOrigins(async (page, { app, api, other }, logged) => {
      // Log in at the API's origin (a top-level navigation stores the SameSite=Lax cookie).
      await page.navigate(`${api}/login`);
      const { sid } = JSON.parse(await page.evaluate<string>("document.body.innerText"));
      await page.navigate(`${app}/`);
      const results = await page.evaluate<Record<string, unknown>>(`(async () => {
        const api = ${JSON.stringify(api)};
        const out = {};
        out.ping = await (await fetch(api + "/api/ping", { credentials: "include" })).json();
        const me = await fetch(api + "/api/whoami", { credentials: "include" });
        out.me = [me.status, await me.json()];
        const anon = await fetch(api + "/api/whoami");
        out.anon = anon.status;
        const pre = await fetch(api + "/api/ping", { credentials: "include", headers: { "x-token": "1" } });
        out.preflighted = [pre.status, await pre.json()];
        out.requestId = me.headers.get("x-request-id");
        try {
          await fetch(api + "/whoami", { credentials: "include" });
          out.outside = "read";
        } catch (error) {
          out.outside = error.name;
        }
        return out;
      })()`);
      assert.deepEqual(results.ping, { pong: true });
      assert.deepEqual(results.me, [200, { sid }]);
      assert.equal(results.anon, 401, "without credentials the cookie stays home");
      assert.deepEqual(results.preflighted, [200, { pong: true }]);
      assert.equal(results.requestId, null, "x-request-id is not exposed to scripts");
      assert.equal(results.outside, "TypeError", "no CORS on /whoami: the browser refuses");
      assert.ok(
        (await logged()).some((line) => /"OPTIONS \/api\/ping HTTP\/1\.1" 204 /.test(line)),
        "a preflight went out",
      );

      // Another origin is refused.
      await page.navigate(`${other}/`);
      const refused = await page.evaluate<string>(
        `fetch(${JSON.stringify(api)} + "/api/ping", { credentials: "include" })
        .then(() => "read", (error) => error.name)`,
      );
      assert.equal(refused, "TypeError");
    });
  },
});

Deno.test({
  name:
    "Chromium on another origin: EventSource gets ids 1-3, reconnects with Last-Event-ID, stops on 204",
  ignore: CHROMIUM === null,
  async fn() {
    await withOrigins(async (page, { app, api }, logged) => {
      await page.navigate(`${app}/`);
      const result = await page.evaluate<{ ids: string[]; data: number[]; state: number }>(
        `new Promise((resolve, reject) => {
        const source = new EventSource(${
          JSON.stringify(api)
        } + "/events", { withCredentials: true });
        const ids = [];
        const data = [];
        source.addEventListener("tick", (event) => {
          ids.push(event.lastEventId);
          data.push(JSON.parse(event.data).n);
        });
        // After the third event the stream ends; EventSource reconnects with
        // Last-Event-ID: 3, gets 204 and closes for good (readyState 2).
        source.addEventListener("error", () => {
          if (source.readyState === EventSource.CLOSED) resolve({ ids, data, state: source.readyState });
        });
        setTimeout(() => reject(new Error("EventSource did not finish: " + ids)), 15000);
      })`,
      );
      assert.deepEqual(result, { ids: ["1", "2", "3"], data: [1, 2, 3], state: 2 });
      const events = (await logged()).filter((line) => line.includes("GET /events"));
      assert.equal(events.length, 2, events.join("\n"));
      assert.match(events[0], /" 200 /);
      assert.match(events[1], /" 204 /);
    });
  },
});
