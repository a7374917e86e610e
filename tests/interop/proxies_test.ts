// Wire behind real nginx and HAProxy (from apt, started here on 127.0.0.1 with generated
// configs). What the router sees is what the proxy saw: targets a proxy's deny rule did
// not match but the URL parser would turn into the denied path are refused (400), and
// the same setup with `lenient.normalizePath` shows the rule would otherwise be stepped
// around. Then the client's address through trustProxy (X-Forwarded-*, Forwarded) and
// through the PROXY protocol (HAProxy send-proxy and send-proxy-v2). Skips with a note
// when a proxy is not installed.

import { assert } from "../_assert.ts";
import { rawExchange } from "../_server.ts";
import { serve } from "../../http/serve.ts";
import type { ServeOptions } from "../../http/server_options.ts";
import type { ServeInfo } from "../../http/handler.ts";
import { Router } from "../../router/router.ts";
import { compose } from "../../router/compose.ts";
import {
  HAPROXY_PATH,
  installed,
  NGINX_PATH,
  type Proxy,
  startHaproxy,
  startNginx,
} from "./_proxies.ts";

const nginx = installed(NGINX_PATH);
const haproxy = installed(HAPROXY_PATH);
if (!nginx) {
  console.warn("proxies_test: nginx not found, skipping its cases (apt-get install nginx)");
}
if (!haproxy) {
  console.warn("proxies_test: haproxy not found, skipping its cases (apt-get install haproxy)");
}

/** Each response as the proxy's client read it: status line and body. */
interface Answer {
  status: number;
  body: string;
}

async function get(proxy: Proxy, target: string, fields = ""): Promise<Answer> {
  const result = await rawExchange(
    { transport: "tcp", hostname: "127.0.0.1", port: proxy.port },
    `GET ${target} HTTP/1.1\r\nHost: app.test\r\n${fields}Connection: close\r\n\r\n`,
  );
  const status = Number(result.text.slice(9, 12));
  const body = result.text.slice(result.text.indexOf("\r\n\r\n") + 4);
  return { status, body };
}

/** An app whose /admin must never be served through the proxy: a Router, as in the issue. */
function app() {
  const router = new Router();
  router.get("/admin", () => new Response("ADMIN"));
  router.get("/public/:name", (ctx) => new Response(`public ${ctx.params.name}`));
  return compose(router.routes());
}

/** Serves `handler` on 127.0.0.1, puts `start(port)` in front, runs `fn`, stops both. */
async function behind(
  handler: (request: Request, info: ServeInfo) => Response | Promise<Response>,
  options: ServeOptions,
  start: (port: number) => Promise<Proxy>,
  fn: (proxy: Proxy) => Promise<void>,
): Promise<void> {
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {}, ...options });
  try {
    const proxy = await start((server.addr as Deno.NetAddr).port);
    try {
      await fn(proxy);
    } catch (error) {
      console.error(proxy.log());
      throw error;
    } finally {
      await proxy.stop();
    }
  } finally {
    await server.shutdown({ deadline: 0 });
  }
}

const NGINX_DENY = (port: number) => startNginx(port, "location /admin { deny all; }");
const HAPROXY_DENY = (port: number) =>
  startHaproxy(port, "http-request deny if { path_beg /admin }");

/** The bypasses: [proxy, target] pairs that pass the proxy's rule. */
const BYPASSES: [string, (port: number) => Promise<Proxy>, string, boolean][] = [
  ["nginx", NGINX_DENY, "/public\\..\\admin", nginx],
  ["haproxy", HAPROXY_DENY, "/public/../admin", haproxy],
  ["haproxy", HAPROXY_DENY, "/%2e%2e/admin", haproxy],
  ["haproxy", HAPROXY_DENY, "/public/.%2e/admin", haproxy],
  ["haproxy", HAPROXY_DENY, "/./admin", haproxy],
  ["haproxy", HAPROXY_DENY, "/public\\..\\admin", haproxy],
];

for (const [name, start, target, available] of BYPASSES) {
  Deno.test({
    name:
      `behind ${name} denying /admin: ${target} is refused by Wire (400), never served as /admin`,
    ignore: !available,
    fn: () =>
      behind(app(), {}, start, async (proxy) => {
        assert.equal((await get(proxy, "/admin")).status, 403, "the proxy's rule works");
        assert.deepEqual(await get(proxy, "/public/x"), { status: 200, body: "public x" });
        const answer = await get(proxy, target);
        assert.equal(answer.status, 400, target);
        assert.doesNotMatch(answer.body, /ADMIN/);
      }),
  });
  Deno.test({
    name: `behind ${name} denying /admin: with lenient.normalizePath, ${target} reaches /admin`,
    ignore: !available,
    fn: () =>
      behind(app(), { lenient: { normalizePath: true } }, start, async (proxy) => {
        // What the strict default prevents: the proxy's rule is stepped around.
        assert.deepEqual(await get(proxy, target), { status: 200, body: "ADMIN" });
      }),
  });
}

Deno.test({
  name: "behind nginx and HAProxy: no spelling of /admin is served",
  ignore: !nginx || !haproxy,
  fn: async () => {
    const targets = [
      "/admin",
      "/ADMIN",
      "/admin/",
      "/./admin",
      "/public/../admin",
      "/public/%2e%2e/admin",
      "/%2e%2e/admin",
      "/%2E%2E/admin",
      "/public\\..\\admin",
      "/public/..%5cadmin",
      "/public%2f..%2fadmin",
      "//admin",
      "/admin#x",
      "/x#/../admin",
      "/admin;x",
      "/admin%00",
    ];
    for (const start of [NGINX_DENY, HAPROXY_DENY]) {
      await behind(app(), {}, start, async (proxy) => {
        for (const target of targets) {
          const answer = await get(proxy, target);
          assert.doesNotMatch(answer.body, /ADMIN/, target);
        }
      });
    }
  },
});

/** A handler that reports what Wire knows of the client. */
function whoami(request: Request, info: ServeInfo): Response {
  const remote = info.remoteAddr as Deno.NetAddr;
  const peer = info.peerAddr as Deno.NetAddr;
  return Response.json({
    url: request.url,
    remote: `${remote.hostname}:${remote.port}`,
    peer: `${peer.hostname}:${peer.port}`,
  });
}

Deno.test({
  name:
    "behind nginx with trustProxy: X-Forwarded-For/-Proto/-Host name the client; a spoof is ignored",
  ignore: !nginx,
  fn: () =>
    behind(
      whoami,
      // Only nginx, the direct peer, is trusted: a hop it reports is the client.
      { trustProxy: (_address, hop) => hop === 0 },
      (port) =>
        startNginx(
          port,
          "",
          "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n" +
            "proxy_set_header X-Forwarded-Proto https;\n" +
            "proxy_set_header X-Forwarded-Host $host;",
        ),
      async (proxy) => {
        const answer = await get(proxy, "/who?x=1", "X-Forwarded-For: 6.6.6.6\r\n");
        assert.equal(answer.status, 200);
        const seen = JSON.parse(answer.body);
        assert.equal(seen.url, "https://app.test/who?x=1");
        assert.equal(seen.remote, "127.0.0.1:0", "nginx's view of the client, not the spoof");
        assert.match(seen.peer, /^127\.0\.0\.1:\d+$/);
      },
    ),
});

Deno.test({
  name:
    "behind HAProxy with trustProxy: its Forwarded element names the client; a spoof is ignored",
  ignore: !haproxy,
  fn: () =>
    behind(
      whoami,
      { trustProxy: { trust: (_address, hop) => hop === 0, headers: "forwarded" } },
      (port) =>
        startHaproxy(
          port,
          // HAProxy 2.6 has no `option forwarded` (2.8 does): the element is added by hand,
          // after whatever the client sent; X-Forwarded-For is someone else's header here.
          'http-request add-header Forwarded "for=%[src];proto=https;host=%[req.hdr(host)]"\n' +
            "  option forwardfor",
        ),
      async (proxy) => {
        const answer = await get(
          proxy,
          "/who",
          "Forwarded: for=6.6.6.6;host=evil.test\r\nX-Forwarded-For: 7.7.7.7\r\n",
        );
        assert.equal(answer.status, 200);
        const seen = JSON.parse(answer.body);
        assert.equal(seen.url, "https://app.test/who");
        assert.equal(seen.remote, "127.0.0.1:0", "HAProxy's element, not the client's");
      },
    ),
});

for (const [mode, line] of [["send-proxy-v2", "send-proxy-v2"], ["send-proxy", "send-proxy"]]) {
  Deno.test({
    name: `behind HAProxy with ${mode}: the client's own address and port are info.remoteAddr`,
    ignore: !haproxy,
    fn: () =>
      behind(
        whoami,
        { proxyProtocol: true },
        (port) => startHaproxy(port, "", line),
        async (proxy) => {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
          try {
            const local = conn.localAddr as Deno.NetAddr;
            const request = "GET /who HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n";
            await conn.write(new TextEncoder().encode(request));
            let text = "";
            const buffer = new Uint8Array(4096);
            const deadline = AbortSignal.timeout(5_000);
            while (!deadline.aborted) {
              const n = await conn.read(buffer);
              if (n === null) break;
              text += new TextDecoder().decode(buffer.subarray(0, n));
            }
            assert.match(text, /^HTTP\/1\.1 200/);
            const seen = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
            assert.equal(seen.remote, `127.0.0.1:${local.port}`, "the PROXY header's source");
            assert.notEqual(seen.peer, seen.remote, "the socket's peer is HAProxy");
          } finally {
            conn.close();
          }
        },
      ),
  });
}

Deno.test({
  name: "behind HAProxy with send-proxy-v2: its health checks (LOCAL) and many clients are served",
  ignore: !haproxy,
  fn: async () => {
    const checks: boolean[] = [];
    const handler = (request: Request, info: ServeInfo) => {
      if (new URL(request.url).pathname === "/health") {
        // A LOCAL header: the proxy speaks for itself, the socket's address is kept.
        checks.push(info.remoteAddr === info.peerAddr);
        return new Response("ok");
      }
      return whoami(request, info);
    };
    const start = (port: number) =>
      startHaproxy(port, "", "send-proxy-v2 check inter 50", "option httpchk GET /health");
    await behind(handler, { proxyProtocol: true }, start, async (proxy) => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => get(proxy, `/who?i=${i}`)),
      );
      for (const answer of answers) assert.equal(answer.status, 200);
      const remotes = new Set(answers.map((a) => JSON.parse(a.body).remote));
      assert.equal(remotes.size, 20, "each client its own source port");
      const deadline = Date.now() + 5_000;
      while (checks.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(checks.length > 0, "HAProxy's health check reached the handler");
      assert.ok(checks.every((local) => local), "health checks keep the socket's address");
    });
  },
});
