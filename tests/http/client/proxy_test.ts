// Requests through an HTTP proxy: http:// in absolute form, https:// through a CONNECT
// tunnel with TLS over it, 407s and refused tunnels, timeouts and aborts covering the
// tunnel, NO_PROXY, and the environment variables the default fetch reads.

import { assert } from "../../_assert.ts";
import { generateTlsCert } from "../../_tls.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { proxyFromEnv } from "../../../http/client_proxy.ts";
import { closeDefaultClient, fetch as wireFetch } from "../../../http/fetch.ts";
import { proxyFor, resolveProxy } from "../../../http/_client/proxy_config.ts";
import { closedPort, nodeServer, rawServer, RequestReader } from "./_helpers.ts";
import { testProxy } from "./_proxy.ts";

const BASIC = "Basic " + btoa("user:p@ss");

/** A node:http origin answering JSON of the request. */
function echoOrigin() {
  return nodeServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
}

/** A TLS origin (Deno.serve) answering JSON of the request. */
async function tlsOrigin() {
  const { cert, key } = await generateTlsCert();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    (request) =>
      Response.json({
        url: new URL(request.url).pathname,
        headers: Object.fromEntries(request.headers),
      }),
  );
  return {
    cert,
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ClientError, `expected a ClientError, got ${error}`);
  return error;
}

Deno.test("proxy: http:// goes in absolute form with Proxy-Authorization, the connection kept alive", async () => {
  await using origin = await echoOrigin();
  await using proxy = await testProxy({ auth: BASIC });
  await using client = new Client({ proxy: `http://user:p%40ss@127.0.0.1:${proxy.port}` });
  for (let i = 0; i < 3; i++) {
    const response = await client.fetch(`${origin.url}/p/${i}?q=1`);
    const echo = await response.json();
    assert.equal(echo.url, `/p/${i}?q=1`);
    assert.equal(echo.headers.host, `127.0.0.1:${origin.port}`);
    assert.equal(echo.headers["proxy-authorization"], undefined, "the origin never sees it");
    assert.equal(response.url, `${origin.url}/p/${i}?q=1`);
  }
  assert.deepEqual(proxy.seen.map((s) => s.url), [0, 1, 2].map((i) => `${origin.url}/p/${i}?q=1`));
  assert.ok(proxy.seen.every((s) => s.headers["proxy-authorization"] === BASIC));
  assert.equal(proxy.connections, 1);
});

Deno.test("proxy: https:// goes through a CONNECT tunnel with TLS to the origin over it", async () => {
  await using origin = await tlsOrigin();
  await using proxy = await testProxy({ auth: BASIC });
  await using client = new Client({
    proxy: { https: `http://user:p%40ss@127.0.0.1:${proxy.port}` },
    caCerts: [origin.cert],
  });
  for (let i = 0; i < 2; i++) {
    const echo = await (await client.fetch(`https://localhost:${origin.port}/s/${i}`)).json();
    assert.equal(echo.url, `/s/${i}`);
    assert.equal(echo.headers["proxy-authorization"], undefined);
    assert.equal(echo.headers["accept-encoding"], "gzip, deflate, br, zstd");
  }
  assert.equal(proxy.seen.length, 1, "one tunnel, kept alive");
  assert.equal(proxy.seen[0].method, "CONNECT");
  assert.equal(proxy.seen[0].url, `localhost:${origin.port}`);
  assert.equal(proxy.seen[0].headers["proxy-authorization"], BASIC);
});

Deno.test("proxy: a 407 fails with PROXY_AUTHENTICATION_REQUIRED, for http and for a tunnel", async () => {
  await using origin = await echoOrigin();
  await using secure = await tlsOrigin();
  await using proxy = await testProxy({ auth: BASIC });
  await using client = new Client({ proxy: proxy.url, caCerts: [secure.cert] });
  for (const url of [origin.url, `https://localhost:${secure.port}/`]) {
    const error = await failure(client.fetch(url));
    assert.equal(error.code, "PROXY_AUTHENTICATION_REQUIRED", url);
    assert.equal(error.status, 407);
    assert.match(error.message, new RegExp(`proxy 127\\.0\\.0\\.1:${proxy.port} answered 407`));
  }
});

Deno.test("proxy: a refused tunnel fails with PROXY_TUNNEL_FAILED and its status", async () => {
  await using secure = await tlsOrigin();
  await using proxy = await testProxy({ refuse: () => 403 });
  await using client = new Client({ proxy: proxy.url, caCerts: [secure.cert] });
  const error = await failure(client.fetch(`https://localhost:${secure.port}/`));
  assert.equal(error.code, "PROXY_TUNNEL_FAILED");
  assert.equal(error.status, 403);
  assert.match(error.message, /answered 403 Refused to CONNECT localhost:\d+/);
});

Deno.test("proxy: a proxy that closes or breaks the CONNECT answer fails with PROXY_TUNNEL_FAILED", async () => {
  for (const answer of ["", "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\nextra bytes"]) {
    await using proxy = rawServer(async (conn) => {
      await new RequestReader(conn).read();
      if (answer !== "") await conn.write(new TextEncoder().encode(answer));
    });
    await using client = new Client({ proxy: proxy.url });
    const error = await failure(client.fetch("https://localhost:1/"));
    assert.equal(error.code, "PROXY_TUNNEL_FAILED", JSON.stringify(answer));
  }
});

Deno.test("proxy: connectTimeout and the signal cover the tunnel", async () => {
  await using proxy = await testProxy({ stall: true });
  {
    await using client = new Client({ proxy: proxy.url, connectTimeout: 50 });
    const error = await failure(client.fetch("https://localhost:1/"));
    assert.equal(error.code, "ETIMEDOUT");
    assert.equal(error.timeout, "connect");
  }
  await using client = new Client({ proxy: proxy.url });
  const reason = new Error("give up");
  const controller = new AbortController();
  const pending = client.fetch("https://localhost:1/", { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 20);
  assert.equal(await pending.then(() => null, (e) => e), reason);
});

Deno.test("proxy: a proxy that refuses connections fails with ECONNREFUSED naming it", async () => {
  const port = closedPort();
  await using client = new Client({ proxy: `127.0.0.1:${port}` });
  const error = await failure(client.fetch("http://localhost:1/"));
  assert.equal(error.code, "ECONNREFUSED");
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

Deno.test("proxy: noProxy hosts are reached directly", async () => {
  await using origin = await echoOrigin();
  await using proxy = await testProxy();
  await using client = new Client({
    proxy: { http: proxy.url, noProxy: `example.test, 127.0.0.0/8` },
  });
  await (await client.fetch(origin.url)).arrayBuffer();
  assert.equal(proxy.seen.length, 0);
  await using viaProxy = new Client({ proxy: { http: proxy.url, noProxy: "example.test" } });
  await (await viaProxy.fetch(origin.url)).arrayBuffer();
  assert.equal(proxy.seen.length, 1);
});

Deno.test("proxy: NO_PROXY rules match names, subdomains, ports, addresses and blocks", () => {
  const config = resolveProxy({
    http: "http://127.0.0.1:3128",
    https: "127.0.0.1:3129",
    noProxy: "internal.test, .corp.test, api.test:8080, 10.0.0.0/8, ::1, [fd00::]/8, 192.168.1.5",
  });
  const direct = (url: string) => proxyFor(config, new URL(url)) === null;
  assert.ok(direct("http://internal.test/"));
  assert.ok(direct("http://a.internal.test/"));
  assert.ok(!direct("http://notinternal.test/"));
  assert.ok(direct("https://corp.test/") && direct("https://x.y.corp.test/"));
  assert.ok(direct("http://api.test:8080/") && !direct("http://api.test/"));
  assert.ok(direct("http://10.1.2.3/") && !direct("http://11.1.2.3/"));
  assert.ok(
    direct("http://[::1]:8000/") && direct("http://[fd12::1]/") && !direct("http://[fe80::1]/"),
  );
  assert.ok(direct("http://192.168.1.5/") && !direct("http://192.168.1.6/"));
  assert.equal(proxyFor(config, new URL("https://elsewhere.test/"))?.address, "127.0.0.1:3129");
  assert.ok(
    proxyFor(resolveProxy({ http: "127.0.0.1:1", noProxy: "*" }), new URL("http://a/")) === null,
  );
  assert.equal(proxyFor(resolveProxy({ http: "127.0.0.1:1" }), new URL("https://a/")), null);
});

Deno.test("proxy: only http:// proxies, given as URLs, are accepted", () => {
  assert.throws(() => new Client({ proxy: "socks5://127.0.0.1:1080" }), TypeError);
  assert.throws(() => new Client({ proxy: "https://127.0.0.1:3128" }), TypeError);
  assert.throws(() => new Client({ proxy: "http://[bad" }), TypeError);
  assert.throws(() => new Client({ proxy: 3128 as unknown as string }), TypeError);
  assert.throws(() => new Client({ proxy: "127.0.0.1:1", socketPath: "/tmp/x.sock" }), TypeError);
  const lines =
    resolveProxy({ http: "http://u:p@127.0.0.1:1", headers: { "x-team": "a" } }).http!.lines;
  assert.equal(lines, `proxy-authorization: Basic ${btoa("u:p")}\r\nx-team: a\r\n`);
});

Deno.test("proxy: proxyFromEnv reads HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY, upper or lower case", () => {
  const names = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUEST_METHOD",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
  ];
  const saved = new Map(names.map((name) => [name, Deno.env.get(name)]));
  const set = (values: Record<string, string>) => {
    for (const name of names) Deno.env.delete(name);
    for (const [name, value] of Object.entries(values)) Deno.env.set(name, value);
  };
  try {
    set({});
    assert.equal(proxyFromEnv(), undefined);
    set({ HTTP_PROXY: "http://127.0.0.1:1", https_proxy: "127.0.0.1:2", NO_PROXY: "a.test" });
    assert.deepEqual(proxyFromEnv(), {
      http: "http://127.0.0.1:1",
      https: "127.0.0.1:2",
      noProxy: "a.test",
    });
    set({ all_proxy: "http://127.0.0.1:3", HTTPS_PROXY: "http://127.0.0.1:4" });
    assert.deepEqual(proxyFromEnv(), { http: "http://127.0.0.1:3", https: "http://127.0.0.1:4" });
    // In a CGI program, HTTP_PROXY may come from a request's Proxy header ("httpoxy").
    set({ HTTP_PROXY: "http://127.0.0.1:5", REQUEST_METHOD: "GET" });
    assert.equal(proxyFromEnv(), undefined);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});

Deno.test("proxy: the default fetch goes through HTTP_PROXY as Deno's fetch does", async () => {
  await using origin = await echoOrigin();
  await using proxy = await testProxy();
  const saved = Deno.env.get("HTTP_PROXY");
  const savedNo = Deno.env.get("NO_PROXY");
  Deno.env.set("HTTP_PROXY", proxy.url);
  Deno.env.delete("NO_PROXY");
  await closeDefaultClient();
  try {
    const echo = await (await wireFetch(`${origin.url}/env`)).json();
    assert.equal(echo.url, "/env");
    assert.deepEqual(proxy.seen.map((s) => s.url), [`${origin.url}/env`]);
  } finally {
    await closeDefaultClient();
    if (saved === undefined) Deno.env.delete("HTTP_PROXY");
    else Deno.env.set("HTTP_PROXY", saved);
    if (savedNo !== undefined) Deno.env.set("NO_PROXY", savedNo);
  }
});
