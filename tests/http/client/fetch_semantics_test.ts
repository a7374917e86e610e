// The Fetch standard's rules that undici's own fetch tests check (test/fetch/*.js),
// ported: Cookie joining, Host, the request target, Location as UTF-8, redirect "error",
// default Accept-Encoding, referrer and referrerPolicy, and integrity.

import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { parseReferrerPolicy, refererFor } from "../../../http/_client/referrer.ts";
import { rawServer, RequestReader, send } from "./_helpers.ts";
import zlib from "node:zlib";

interface Seen {
  target: string;
  headers: Record<string, string>;
  lines: string[];
}

/**
 * A raw server: `/redirect?to=URL&policy=P` answers 302 (with Referrer-Policy P), and
 * anything else answers JSON of what it received.
 */
function echoServer() {
  const seen: Seen[] = [];
  const server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    for (let request; (request = await reader.read()) !== null;) {
      const entry = {
        target: request.target,
        headers: Object.fromEntries(request.headers),
        lines: request.lines,
      };
      seen.push(entry);
      const url = new URL(request.target, "http://x");
      if (url.pathname === "/redirect") {
        const policy = url.searchParams.get("policy");
        await send(
          conn,
          `HTTP/1.1 302 Found\r\nLocation: ${url.searchParams.get("to")}\r\n` +
            (policy === null ? "" : `Referrer-Policy: ${policy}\r\n`) + "Content-Length: 0\r\n\r\n",
        );
        continue;
      }
      const body = JSON.stringify(entry); // ASCII: one byte per char
      await send(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    }
  });
  return Object.assign(server, { seen });
}

Deno.test("fetch: two Cookie entries are sent as one field joined with '; ' (undici #1905)", async () => {
  await using server = echoServer();
  await using client = new Client();
  const inits: HeadersInit[] = [
    [["cookie", "FOO=lorem-ipsum-dolor-sit-amet"], ["cookie", "BAR=the-quick-brown-fox"]],
    new Headers([["cookie", "FOO=lorem-ipsum-dolor-sit-amet"], [
      "cookie",
      "BAR=the-quick-brown-fox",
    ]]),
  ];
  for (const headers of inits) {
    const seen: Seen = await (await client.fetch(server.url, { headers })).json();
    assert.equal(seen.headers.cookie, "FOO=lorem-ipsum-dolor-sit-amet; BAR=the-quick-brown-fox");
    assert.equal(seen.lines.filter((line) => /^cookie:/i.test(line)).length, 1);
  }
  // One entry goes as it is, from every kind of init (undici #1463).
  for (
    const headers of [{ cookie: "value" }, [["cookie", "value"]], new Headers({ cookie: "value" })]
  ) {
    const seen: Seen = await (await client.fetch(server.url, { headers: headers as HeadersInit }))
      .json();
    assert.equal(seen.headers.cookie, "value");
  }
});

Deno.test("fetch: a caller's Host header is ignored; Host names the URL's host", async () => {
  await using server = echoServer();
  await using client = new Client();
  const seen: Seen = await (await client.fetch(server.url, { headers: { host: "evil.test" } }))
    .json();
  assert.equal(seen.headers.host, `127.0.0.1:${server.port}`);
  assert.equal(seen.lines.filter((line) => /^host:/i.test(line)).length, 1);
  const request = new Request(server.url, { headers: { host: "evil.test" } });
  const again: Seen = await (await client.fetch(request)).json();
  assert.equal(again.headers.host, `127.0.0.1:${server.port}`);
});

Deno.test("fetch: an empty query is kept in the target", async () => {
  await using server = echoServer();
  await using client = new Client();
  for (const [path, target] of [["/p?", "/p?"], ["/p", "/p"], ["/p?a=1", "/p?a=1"], ["/?", "/?"]]) {
    const seen: Seen = await (await client.fetch(server.url + path)).json();
    assert.equal(seen.target, target, path);
  }
});

Deno.test("fetch: a non-ASCII Location is read as UTF-8", async () => {
  for (
    const [bytes, expected] of [
      ["/caf\xc3\xa9?q=\xe2\x9c\x93", "/caf%C3%A9?q=%E2%9C%93"], // UTF-8
      ["/caf\xe9", "/caf%C3%A9"], // not UTF-8: read as Latin-1
    ]
  ) {
    const seen: string[] = [];
    await using server = rawServer(async (conn) => {
      const reader = new RequestReader(conn);
      for (let request; (request = await reader.read()) !== null;) {
        seen.push(request.target);
        if (request.target === "/") {
          await send(conn, `HTTP/1.1 301 Moved\r\nLocation: ${bytes}\r\nContent-Length: 0\r\n\r\n`);
        } else await send(conn, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      }
    });
    await using client = new Client();
    const response = await client.fetch(server.url + "/");
    assert.equal(response.url, server.url + expected);
    assert.deepEqual(seen, ["/", expected]);
  }
});

Deno.test("fetch: redirect 'error' rejects with a cause, 'unexpected redirect'", async () => {
  await using server = echoServer();
  await using client = new Client();
  const error = await client.fetch(`${server.url}/redirect?to=/end`, { redirect: "error" })
    .then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.equal(error.code, "REDIRECT_REJECTED");
  assert.equal((error.cause as Error).message, "unexpected redirect");
});

Deno.test("fetch: Accept-Encoding by default is gzip, deflate on http (no br, as browsers)", async () => {
  await using server = echoServer();
  await using client = new Client();
  const seen: Seen = await (await client.fetch(server.url)).json();
  assert.equal(seen.headers["accept-encoding"], "gzip, deflate");
  const own: Seen = await (await client.fetch(server.url, {
    headers: { "accept-encoding": "br" },
  })).json();
  assert.equal(own.headers["accept-encoding"], "br");
});

Deno.test("fetch: no Referer by default, and the referrer's policy decides what is sent", async () => {
  await using server = echoServer();
  await using client = new Client();
  const referer = async (init: RequestInit, path = "/page") =>
    ((await (await client.fetch(server.url + path, init)).json()) as Seen).headers.referer;
  const same = `${server.url}/from?x=1`;
  const other = "http://other.test/from?x=1";
  const secure = "https://secure.test/from?x=1";
  assert.equal(await referer({}), undefined);
  assert.equal(await referer({ referrer: "" }), undefined);
  assert.equal(await referer({ referrer: "about:client" }), undefined);
  // strict-origin-when-cross-origin by default.
  assert.equal(await referer({ referrer: same + "#frag" }), same);
  assert.equal(await referer({ referrer: other }), "http://other.test/");
  // http://127.0.0.1 is loopback, a secure context: https → it is no downgrade.
  assert.equal(await referer({ referrer: secure }), "https://secure.test/");
  const cases: [ReferrerPolicy, string, string | undefined][] = [
    ["no-referrer", same, undefined],
    ["origin", same, `${server.url}/`],
    ["unsafe-url", secure, secure],
    ["same-origin", other, undefined],
    ["same-origin", same, same],
    ["origin-when-cross-origin", other, "http://other.test/"],
    ["strict-origin", secure, "https://secure.test/"],
    ["strict-origin", other, "http://other.test/"],
    ["no-referrer-when-downgrade", other, other],
    ["no-referrer-when-downgrade", secure, secure],
  ];
  for (const [referrerPolicy, referrer, expected] of cases) {
    assert.equal(await referer({ referrer, referrerPolicy }), expected, referrerPolicy);
  }
  // Credentials never go out in a Referer.
  assert.equal(
    await referer({ referrer: "http://u:p@other.test/a", referrerPolicy: "unsafe-url" }),
    "http://other.test/a",
  );
  // From a Request too.
  const request = new Request(server.url + "/r", { referrer: other, referrerPolicy: "unsafe-url" });
  assert.equal(((await (await client.fetch(request)).json()) as Seen).headers.referer, other);
  await assert.rejects(
    client.fetch(server.url, { referrerPolicy: "bogus" as ReferrerPolicy }),
    TypeError,
  );
  await assert.rejects(client.fetch(server.url, { referrer: "not a url" }), TypeError);
});

Deno.test("fetch: the referrer policies on a downgrade from https to a plain http host", () => {
  const to = new URL("http://plain.test/x");
  const from = "https://secure.test/page?q=1";
  const expected: [ReferrerPolicy, string | null][] = [
    ["", null],
    ["strict-origin-when-cross-origin", null],
    ["strict-origin", null],
    ["no-referrer-when-downgrade", null],
    ["origin", "https://secure.test/"],
    ["origin-when-cross-origin", "https://secure.test/"],
    ["unsafe-url", from],
    ["same-origin", null],
    ["no-referrer", null],
  ];
  for (const [policy, referer] of expected) {
    assert.equal(refererFor(from, policy, to), referer, policy);
  }
  // A referrer longer than 4096 bytes is cut to its origin.
  const long = "http://plain.test/" + "a".repeat(5000);
  assert.equal(refererFor(long, "unsafe-url", to), "http://plain.test/");
  assert.equal(refererFor("data:text/plain,x", "unsafe-url", to), null);
  assert.equal(parseReferrerPolicy("no-referrer, bogus"), "no-referrer");
  assert.equal(parseReferrerPolicy(null), "");
});

Deno.test("fetch: a redirect's Referrer-Policy governs the next hop's Referer", async () => {
  await using server = echoServer();
  await using client = new Client();
  const referrer = "http://other.test/from";
  const hop = async (policy: string | null) => {
    const query = new URLSearchParams({ to: "/end" });
    if (policy !== null) query.set("policy", policy);
    const response = await client.fetch(`${server.url}/redirect?${query}`, {
      referrer,
      referrerPolicy: "unsafe-url",
    });
    return ((await response.json()) as Seen).headers.referer;
  };
  assert.equal(await hop(null), referrer);
  assert.equal(await hop("no-referrer"), undefined);
  assert.equal(await hop("origin"), "http://other.test/");
  assert.equal(await hop("unknown-policy, origin"), "http://other.test/", "last known token wins");
  assert.equal(await hop("bogus"), referrer, "an unknown policy changes nothing");
});

async function sri(algorithm: "SHA-256" | "SHA-384" | "SHA-512", text: string) {
  const digest = new Uint8Array(
    await crypto.subtle.digest(algorithm, new TextEncoder().encode(text)),
  );
  return `${algorithm.replace("-", "").toLowerCase()}-${btoa(String.fromCharCode(...digest))}`;
}

Deno.test("fetch: integrity is checked on the (decoded) body before the response is handed over", async () => {
  const body = "Hello world!";
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    for (let request; (request = await reader.read()) !== null;) {
      const gzip = request.target === "/gzip";
      const bytes = gzip ? zlib.gzipSync(body) : new TextEncoder().encode(body);
      await send(
        conn,
        `HTTP/1.1 200 OK\r\n${
          gzip ? "Content-Encoding: gzip\r\n" : ""
        }Content-Length: ${bytes.length}\r\n\r\n`,
      );
      await send(conn, bytes);
    }
  });
  await using client = new Client();
  const good = await sri("SHA-256", body);
  assert.equal(await (await client.fetch(server.url, { integrity: good })).text(), body);
  assert.equal(await (await client.fetch(`${server.url}/gzip`, { integrity: good })).text(), body);
  // base64url and a ?option are accepted; the strongest algorithm listed decides.
  const url = good.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "") + "?ct=text/plain";
  assert.equal(await (await client.fetch(server.url, { integrity: url })).text(), body);
  const strong = await sri("SHA-512", body);
  const both = `sha256-AAAA ${strong}`;
  assert.equal(await (await client.fetch(server.url, { integrity: both })).text(), body);
  // An algorithm nobody knows imposes nothing.
  assert.equal(await (await client.fetch(server.url, { integrity: "md5-xyz" })).text(), body);
  for (
    const bad of [
      "sha256-c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51b",
      `${strong.slice(0, -4)}AAA= ${good}`,
    ]
  ) {
    const error = await client.fetch(server.url, { integrity: bad }).then(() => null, (e) => e);
    assert.ok(error instanceof ClientError, String(error));
    assert.equal(error.code, "INTEGRITY_MISMATCH");
    assert.equal((error.cause as Error).message, "integrity mismatch");
  }
  const response = await client.fetch(new Request(server.url, { integrity: good }));
  assert.equal(response.url, `${server.url}/`);
  assert.equal(await response.text(), body);
});
