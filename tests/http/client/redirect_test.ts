import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { nodeServer, readNodeBody } from "./_helpers.ts";
import type http from "node:http";

const decoder = new TextDecoder();

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * /redirect/STATUS?to=URL answers STATUS with Location URL; /hops/N redirects N times;
 * anything else echoes the request as JSON.
 */
async function redirectServer() {
  const seen: Seen[] = [];
  const server = await nodeServer(async (req, res) => {
    const body = decoder.decode(await readNodeBody(req));
    const url = new URL(req.url!, "http://x");
    seen.push({ method: req.method!, url: req.url!, body, headers: req.headers });
    const m = url.pathname.match(/^\/redirect\/(\d+)$/);
    if (m) {
      res.writeHead(Number(m[1]), { location: url.searchParams.get("to") ?? "/end" });
      res.end("moved");
      return;
    }
    const hops = url.pathname.match(/^\/hops\/(\d+)$/);
    if (hops) {
      const n = Number(hops[1]);
      res.writeHead(302, { location: n > 1 ? `/hops/${n - 1}` : "/end" });
      res.end();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ method: req.method, url: req.url, body, headers: req.headers }));
  });
  return Object.assign(server, { seen });
}

Deno.test("Client follows a redirect and sets response.url and redirected", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  const response = await client.fetch(`${server.url}/redirect/301?to=/end`);
  assert.equal(response.status, 200);
  assert.equal(response.redirected, true);
  assert.equal(response.url, `${server.url}/end`);
  assert.equal((await response.json()).url, "/end");
  assert.equal(server.connections, 1, "the redirect body was read and the connection reused");
});

Deno.test("Client turns POST into GET on 301, 302 and 303 and drops the body", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  for (const status of [301, 302, 303]) {
    const response = await client.fetch(`${server.url}/redirect/${status}`, {
      method: "POST",
      body: "payload",
      headers: { "content-type": "text/plain", "x-keep": "1" },
    });
    const echo = await response.json();
    assert.equal(echo.method, "GET", `status ${status}`);
    assert.equal(echo.body, "");
    assert.equal(echo.headers["content-type"], undefined);
    assert.equal(echo.headers["content-length"], undefined);
    assert.equal(echo.headers["x-keep"], "1");
  }
});

Deno.test("Client turns PUT into GET on 303 but keeps it on 301 and 302", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  const see = await client.fetch(`${server.url}/redirect/303`, { method: "PUT", body: "p" });
  assert.equal((await see.json()).method, "GET");
  for (const status of [301, 302]) {
    const kept = await client.fetch(`${server.url}/redirect/${status}`, {
      method: "PUT",
      body: "p",
    });
    const echo = await kept.json();
    assert.equal(echo.method, "PUT");
    assert.equal(echo.body, "p");
  }
  const head = await client.fetch(`${server.url}/redirect/303`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(server.seen.at(-1)!.method, "HEAD", "303 keeps HEAD");
});

Deno.test("Client keeps method and body on 307 and 308", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  for (const status of [307, 308]) {
    const bodies: BodyInit[] = [
      "text body",
      new TextEncoder().encode("text body"),
      new Blob(["text body"]),
    ];
    for (const body of bodies) {
      const response = await client.fetch(`${server.url}/redirect/${status}`, {
        method: "POST",
        body,
      });
      const echo = await response.json();
      assert.equal(echo.method, "POST");
      assert.equal(echo.body, "text body");
    }
  }
});

Deno.test("Client rejects a 307 that needs a streamed body again with BODY_NOT_REPLAYABLE", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  const error = await client.fetch(`${server.url}/redirect/307`, {
    method: "POST",
    body: ReadableStream.from([new TextEncoder().encode("stream")]),
  }).then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.equal(error.code, "BODY_NOT_REPLAYABLE");
});

Deno.test("Client with redirect manual returns the redirect response", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  const response = await client.fetch(`${server.url}/redirect/302?to=/elsewhere`, {
    redirect: "manual",
  });
  assert.equal(response.status, 302);
  assert.equal(response.headers.get("location"), "/elsewhere");
  assert.equal(await response.text(), "moved");
  assert.equal(response.redirected, false);
});

Deno.test("Client with redirect error rejects with REDIRECT_REJECTED", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  const error = await client.fetch(`${server.url}/redirect/301`, { redirect: "error" })
    .then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.equal(error.code, "REDIRECT_REJECTED");
});

Deno.test("Client follows 20 redirects and rejects the 21st with TOO_MANY_REDIRECTS", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  // /hops/20 redirects 20 times before /end: allowed.
  const ok = await client.fetch(`${server.url}/hops/20`);
  assert.equal(ok.status, 200);
  assert.equal(ok.url, `${server.url}/end`);
  await ok.arrayBuffer();
  const error = await client.fetch(`${server.url}/hops/21`).then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.equal(error.code, "TOO_MANY_REDIRECTS");
});

Deno.test("Client strips Authorization and Cookie on a cross-origin redirect only", async () => {
  await using a = await redirectServer();
  await using b = await redirectServer();
  await using client = new Client();
  const headers = { authorization: "Bearer secret", cookie: "s=1", "x-other": "kept" };
  const same = await client.fetch(`${a.url}/redirect/302?to=/end`, { headers });
  const sameEcho = await same.json();
  assert.equal(sameEcho.headers.authorization, "Bearer secret");
  assert.equal(sameEcho.headers.cookie, "s=1");

  const cross = await client.fetch(`${a.url}/redirect/302?to=${b.url}/end`, { headers });
  const crossEcho = await cross.json();
  assert.equal(cross.url, `${b.url}/end`);
  assert.equal(crossEcho.headers.authorization, undefined);
  assert.equal(crossEcho.headers.cookie, undefined);
  assert.equal(crossEcho.headers["x-other"], "kept");
  assert.equal(crossEcho.headers.host, `127.0.0.1:${b.port}`);
});

Deno.test("Client returns a redirect without Location as it is", async () => {
  await using server = await nodeServer((_req, res) => {
    res.writeHead(301);
    res.end("no location");
  });
  await using client = new Client();
  const response = await client.fetch(server.url);
  assert.equal(response.status, 301);
  assert.equal(await response.text(), "no location");
});

Deno.test("Client rejects a redirect to a non-http scheme with REDIRECT_REJECTED", async () => {
  await using server = await redirectServer();
  await using client = new Client();
  const error = await client.fetch(`${server.url}/redirect/302?to=ftp://example.com/`)
    .then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.equal(error.code, "REDIRECT_REJECTED");
});
