// trustProxy: forwarding headers (X-Forwarded-For/-Proto/-Host, or RFC 7239 Forwarded)
// are believed only from trusted peers; the rightmost untrusted hop is the client
// (express's and fastify's rule); the scheme and host go into request.url; spoofed
// headers from anyone else, and malformed ones, change nothing.

import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, withServer } from "../../_server.ts";
import { inject, type InjectOptions } from "../../../http/inject.ts";
import type { ServeInfo } from "../../../http/handler.ts";
import { serve } from "../../../http/serve.ts";
import type { TrustProxy } from "../../../http/trust_proxy.ts";
import { resolveTrustProxy } from "../../../http/_server/proxy_trust.ts";
import { parseForwarded, parseNode } from "../../../http/_server/forwarded.ts";

/** What the handler saw: client address, socket peer, URL. */
interface Seen {
  remote: string;
  peer: string;
  url: string;
}

function addr(a: Deno.Addr | undefined): string {
  if (a === undefined) return "none";
  if (a.transport === "unix" || a.transport === "unixpacket") return `unix:${a.path}`;
  const net = a as Deno.NetAddr;
  return `${net.hostname}:${net.port}`;
}

/** Injects one GET with `fields` under `options` and returns what the handler saw. */
async function see(fields: string, options: InjectOptions, target = "/p?q=1"): Promise<Seen> {
  let seen: Seen | null = null;
  const { response } = await inject(
    (request: Request, info: ServeInfo) => {
      seen = { remote: addr(info.remoteAddr), peer: addr(info.peerAddr), url: request.url };
      return new Response("ok");
    },
    `GET ${target} HTTP/1.1\r\nHost: inner.test:8000\r\n${fields}\r\n`,
    options,
  );
  assert.equal(response.status, 200);
  assert.ok(seen !== null);
  return seen;
}

const PROXY: Deno.NetAddr = { transport: "tcp", hostname: "10.0.0.2", port: 5000 };
const STRANGER: Deno.NetAddr = { transport: "tcp", hostname: "203.0.113.5", port: 6000 };
const AS_SENT: Seen = {
  remote: "10.0.0.2:5000",
  peer: "10.0.0.2:5000",
  url: "http://inner.test:8000/p?q=1",
};

function trusting(trustProxy: TrustProxy, remoteAddr: Deno.Addr = PROXY): InjectOptions {
  return { trustProxy, remoteAddr };
}

Deno.test("trustProxy off (the default): forwarding headers change nothing", async () => {
  const seen = await see(
    "X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\n" +
      "Forwarded: for=198.51.100.8;proto=https;host=evil.test\r\n",
    { remoteAddr: PROXY },
  );
  assert.deepEqual(seen, AS_SENT);
});

Deno.test("trustProxy: spoofed headers from an untrusted peer are ignored", async () => {
  for (const trustProxy of ["10.0.0.0/8", { trust: "10.0.0.0/8", headers: "forwarded" }] as const) {
    const seen = await see(
      "X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\n" +
        "Forwarded: for=198.51.100.8;proto=https;host=evil.test\r\n",
      trusting(trustProxy, STRANGER),
    );
    assert.deepEqual(seen, {
      remote: "203.0.113.5:6000",
      peer: "203.0.113.5:6000",
      url: "http://inner.test:8000/p?q=1",
    });
  }
});

Deno.test("trustProxy: X-Forwarded-For, -Proto and -Host from a trusted peer", async () => {
  const seen = await see(
    "X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: example.com\r\n",
    trusting("10.0.0.2"),
  );
  assert.deepEqual(seen, {
    remote: "198.51.100.7:0",
    peer: "10.0.0.2:5000",
    url: "https://example.com/p?q=1",
  });
});

Deno.test("trustProxy: the rightmost untrusted hop is the client; hops left of it are ignored", async () => {
  const options = trusting(["10.0.0.0/8", "fd00::/8"]);
  // A client wrote "1.1.1.1" itself; the trusted proxies appended what they saw.
  let seen = await see("X-Forwarded-For: 1.1.1.1, 198.51.100.7, fd00::3, 10.1.2.3\r\n", options);
  assert.equal(seen.remote, "198.51.100.7:0");
  // Every hop trusted: the leftmost is as far as anyone can tell.
  seen = await see("X-Forwarded-For: 10.9.9.9, 10.1.2.3\r\n", options);
  assert.equal(seen.remote, "10.9.9.9:0");
  // Field lines are one list, in order (RFC 9110 §5.3).
  seen = await see("X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-For: 10.1.2.3\r\n", options);
  assert.equal(seen.remote, "198.51.100.7:0");
  seen = await see("X-Forwarded-For: 10.1.2.3\r\nX-Forwarded-For: 198.51.100.9\r\n", options);
  assert.equal(seen.remote, "198.51.100.9:0");
});

Deno.test("trustProxy: a trust function sees each hop's address and number", async () => {
  const asked: [string, number][] = [];
  const seen = await see(
    "X-Forwarded-For: 198.51.100.7, 192.0.2.1\r\n",
    trusting((address, hop) => {
      asked.push([address, hop]);
      return hop < 2;
    }),
  );
  assert.deepEqual(asked, [["10.0.0.2", 0], ["192.0.2.1", 1], ["198.51.100.7", 2]]);
  assert.equal(seen.remote, "198.51.100.7:0");
});

Deno.test("trustProxy: a hop that is not an IP address ends the walk at the last address known", async () => {
  const options = trusting("10.0.0.0/8");
  const cases: [string, string][] = [
    ["garbage", "10.0.0.2:5000"],
    ["unknown", "10.0.0.2:5000"],
    ["", "10.0.0.2:5000"],
    ["198.51.100.7, ", "10.0.0.2:5000"],
    ["198.51.100.7,,10.0.0.9", "10.0.0.9:0"],
    ["1.2.3.4:99999", "10.0.0.2:5000"],
    ["1.2.3", "10.0.0.2:5000"],
    ["01.2.3.4", "10.0.0.2:5000"],
    ["[2001:db8::1", "10.0.0.2:5000"],
    ["2001:db8::1::2", "10.0.0.2:5000"],
    ["198.51.100.7, garbage, 10.0.0.9", "10.0.0.9:0"],
    ["198.51.100.7:4711", "198.51.100.7:4711"],
    ["[2001:DB8::1]:4711", "2001:db8::1:4711"],
    ["2001:db8::1", "2001:db8::1:0"],
    [" 198.51.100.7 ,\t10.0.0.9 ", "198.51.100.7:0"],
  ];
  for (const [header, remote] of cases) {
    const seen = await see(`X-Forwarded-For: ${header}\r\n`, options);
    assert.equal(seen.remote, remote, header);
    assert.equal(seen.peer, "10.0.0.2:5000", header);
  }
});

Deno.test("trustProxy: X-Forwarded-Proto and -Host take the last value, and only valid ones", async () => {
  const options = trusting("10.0.0.2");
  const cases: [string, string][] = [
    ["X-Forwarded-Proto: https\r\n", "https://inner.test:8000/p?q=1"],
    ["X-Forwarded-Proto: HTTPS\r\n", "https://inner.test:8000/p?q=1"],
    ["X-Forwarded-Proto: https, http\r\n", "http://inner.test:8000/p?q=1"],
    ["X-Forwarded-Proto: http\r\nX-Forwarded-Proto: https\r\n", "https://inner.test:8000/p?q=1"],
    ["X-Forwarded-Proto: ftp\r\n", "http://inner.test:8000/p?q=1"],
    ["X-Forwarded-Proto: \r\n", "http://inner.test:8000/p?q=1"],
    ["X-Forwarded-Host: example.com\r\n", "http://example.com/p?q=1"],
    ["X-Forwarded-Host: Example.COM:8443\r\n", "http://example.com:8443/p?q=1"],
    ["X-Forwarded-Host: a.test, b.test\r\n", "http://b.test/p?q=1"],
    ["X-Forwarded-Host: [2001:db8::1]:81\r\n", "http://[2001:db8::1]:81/p?q=1"],
    ["X-Forwarded-Host: evil.test/x\r\n", "http://inner.test:8000/p?q=1"],
    ["X-Forwarded-Host: user@evil.test\r\n", "http://inner.test:8000/p?q=1"],
    ["X-Forwarded-Host: evil.test:99999\r\n", "http://inner.test:8000/p?q=1"],
    ["X-Forwarded-Host: \r\n", "http://inner.test:8000/p?q=1"],
    [
      "X-Forwarded-Proto: https\r\nX-Forwarded-Host: example.com:443\r\n",
      "https://example.com/p?q=1",
    ],
  ];
  for (const [fields, url] of cases) {
    const seen = await see(fields, options);
    assert.equal(seen.url, url, fields);
    assert.equal(seen.remote, "10.0.0.2:5000", fields);
  }
});

Deno.test("trustProxy: an absolute-form target keeps its own URL", async () => {
  const seen = await see(
    "X-Forwarded-Proto: https\r\nX-Forwarded-Host: example.com\r\n",
    trusting("10.0.0.2"),
    "http://abs.test/x",
  );
  assert.equal(seen.url, "http://abs.test/x");
});

Deno.test("trustProxy: Forwarded (RFC 7239) elements give client, scheme and host per hop", async () => {
  const options = trusting({ trust: ["10.0.0.0/8", "2001:db8:cafe::/48"], headers: "forwarded" });
  const cases: [string, Seen][] = [
    [
      'Forwarded: for="[2001:db8::7]:4711";proto=https;host=example.com\r\n',
      { remote: "2001:db8::7:4711", peer: "10.0.0.2:5000", url: "https://example.com/p?q=1" },
    ],
    [
      // The client's own element (left) is not believed; the trusted proxies' are.
      "Forwarded: for=1.1.1.1;host=evil.test, for=198.51.100.7;proto=https;host=a.test, " +
      'for="[2001:db8:cafe::17]";proto=http;host=inner.a.test\r\n',
      { remote: "198.51.100.7:0", peer: "10.0.0.2:5000", url: "https://a.test/p?q=1" },
    ],
    [
      // Missing parameters fall back to what nearer trusted proxies said.
      "Forwarded: for=198.51.100.7, for=10.1.1.1;proto=https;host=a.test\r\n",
      { remote: "198.51.100.7:0", peer: "10.0.0.2:5000", url: "https://a.test/p?q=1" },
    ],
    [
      "Forwarded: For=198.51.100.7 ; PROTO=https\r\nForwarded: for=10.1.1.1\r\n",
      { remote: "198.51.100.7:0", peer: "10.0.0.2:5000", url: "https://inner.test:8000/p?q=1" },
    ],
    [
      // An obfuscated or unknown node ends the walk; that element's proto still counts.
      "Forwarded: for=198.51.100.7, for=_hidden;proto=https\r\n",
      { remote: "10.0.0.2:5000", peer: "10.0.0.2:5000", url: "https://inner.test:8000/p?q=1" },
    ],
    [
      "Forwarded: for=unknown\r\n",
      { remote: "10.0.0.2:5000", peer: "10.0.0.2:5000", url: "http://inner.test:8000/p?q=1" },
    ],
    [
      'Forwarded: for="198.51.100.7:_port"\r\n',
      { remote: "198.51.100.7:0", peer: "10.0.0.2:5000", url: "http://inner.test:8000/p?q=1" },
    ],
    [
      // In "forwarded" mode X-Forwarded-* is someone else's header: ignored.
      "X-Forwarded-For: 198.51.100.9\r\nX-Forwarded-Proto: https\r\n",
      { remote: "10.0.0.2:5000", peer: "10.0.0.2:5000", url: "http://inner.test:8000/p?q=1" },
    ],
  ];
  for (const [fields, want] of cases) assert.deepEqual(await see(fields, options), want, fields);
});

Deno.test("trustProxy: a malformed Forwarded header is ignored as a whole", async () => {
  const options = trusting({ trust: "10.0.0.0/8", headers: "forwarded" });
  const malformed = [
    'for="198.51.100.7', // unterminated quote (a client's, swallowing the proxy's element)
    "for=198.51.100.7;for=198.51.100.8", // a parameter twice in one element
    "for", // no "="
    "for=", // no value
    "for=a b",
    "for=[::1]", // brackets are not token characters: must be quoted
    "=x",
    'for="x"y',
    "for=198.51.100.7;proto=https, for=192.0.2.1 garbage",
  ];
  for (const value of malformed) {
    const seen = await see(`Forwarded: ${value}\r\n`, options);
    assert.deepEqual(seen, AS_SENT, value);
  }
  assert.equal(parseForwarded("for=a;FOR=b"), null, "for twice in one element (any case)");
  assert.deepEqual(parseForwarded('for="a\\"b", , for=c;by=d'), [
    { for: 'a"b', proto: null, host: null },
    { for: "c", proto: null, host: null },
  ]);
});

Deno.test("trustProxy: X-Forwarded-* mode ignores Forwarded", async () => {
  const seen = await see(
    "Forwarded: for=198.51.100.8;proto=https;host=evil.test\r\n",
    trusting("10.0.0.2"),
  );
  assert.deepEqual(seen, AS_SENT);
});

Deno.test("trustProxy: named ranges, IPv4-mapped peers and Unix-socket peers", async () => {
  const xff = "X-Forwarded-For: 198.51.100.7\r\n";
  const mapped: Deno.NetAddr = { transport: "tcp", hostname: "::ffff:127.0.0.1", port: 1 };
  assert.equal((await see(xff, trusting("loopback", mapped))).remote, "198.51.100.7:0");
  assert.equal((await see(xff, trusting("127.0.0.1", mapped))).remote, "198.51.100.7:0");
  const v6: Deno.NetAddr = { transport: "tcp", hostname: "::1", port: 1 };
  assert.equal((await see(xff, trusting("loopback", v6))).remote, "198.51.100.7:0");
  const link: Deno.NetAddr = { transport: "tcp", hostname: "fe80::1%2", port: 1 };
  assert.equal((await see(xff, trusting("linklocal", link))).remote, "198.51.100.7:0");
  const local: Deno.NetAddr = { transport: "tcp", hostname: "172.20.0.1", port: 1 };
  assert.equal((await see(xff, trusting("uniquelocal", local))).remote, "198.51.100.7:0");
  assert.equal((await see(xff, trusting("loopback", local))).remote, "172.20.0.1:1");
  const unix: Deno.UnixAddr = { transport: "unix", path: "/tmp/wire.sock" };
  assert.equal((await see(xff, trusting("unix", unix))).remote, "198.51.100.7:0");
  assert.equal((await see(xff, trusting("loopback", unix))).remote, "unix:/tmp/wire.sock");
  // CIDR edges: /31 holds .0 and .1, not .2.
  const edge = (hostname: string): Deno.NetAddr => ({ transport: "tcp", hostname, port: 1 });
  assert.equal(
    (await see(xff, trusting("10.0.0.0/31", edge("10.0.0.1")))).remote,
    "198.51.100.7:0",
  );
  assert.equal((await see(xff, trusting("10.0.0.0/31", edge("10.0.0.2")))).remote, "10.0.0.2:1");
  assert.equal((await see(xff, trusting("0.0.0.0/0", edge("8.8.8.8")))).remote, "198.51.100.7:0");
  assert.equal((await see(xff, trusting("::/0", edge("2001:db8::1")))).remote, "198.51.100.7:0");
  assert.equal(
    (await see(xff, trusting("2001:db8::/127", edge("2001:db8::1")))).remote,
    "198.51.100.7:0",
  );
  assert.equal(
    (await see(xff, trusting("2001:db8::/127", edge("2001:db8::2")))).remote,
    "2001:db8::2:1",
  );
});

Deno.test("trustProxy: a bad option is a TypeError before anything listens", () => {
  const bad: unknown[] = [
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/08",
    "10.0.0",
    "localhost",
    ["10.0.0.1", 7],
    true,
    42,
    { trust: "10.0.0.1", headers: "x-real-ip" },
    { trust: 5 },
  ];
  for (const value of bad) {
    assert.throws(() => resolveTrustProxy(value), TypeError, JSON.stringify(value));
    assert.throws(
      () =>
        serve(() => new Response(), { port: 0, onListen() {}, trustProxy: value as TrustProxy }),
      TypeError,
    );
  }
  assert.equal(resolveTrustProxy(undefined), null);
  assert.equal(resolveTrustProxy(false), null);
  assert.equal(resolveTrustProxy("10.0.0.0/8")?.rfc7239, false);
  assert.equal(resolveTrustProxy({ trust: [], headers: "forwarded" })?.rfc7239, true);
});

Deno.test("parseNode reads IPv4, IPv6 and bracketed forms, with and without ports", () => {
  assert.deepEqual(parseNode("192.0.2.1"), { hostname: "192.0.2.1", port: 0 });
  assert.deepEqual(parseNode("192.0.2.1:65535"), { hostname: "192.0.2.1", port: 65535 });
  assert.equal(parseNode("192.0.2.1:65536"), null);
  assert.equal(parseNode("192.0.2.1:"), null);
  assert.deepEqual(parseNode("[::1]:0"), { hostname: "::1", port: 0 });
  assert.deepEqual(parseNode("::ffff:192.0.2.1"), { hostname: "::ffff:192.0.2.1", port: 0 });
  assert.equal(parseNode("[192.0.2.1]"), null);
  assert.equal(parseNode("[::1]x"), null);
  assert.equal(parseNode("256.0.0.1"), null);
});

Deno.test("trustProxy over TCP: the peer's headers are believed from 127.0.0.1 only", async () => {
  const handler = (request: Request, info: ServeInfo) =>
    new Response(
      `${addr(info.remoteAddr)} ${(info.peerAddr as Deno.NetAddr).hostname} ${request.url}`,
    );
  const request = "GET /x HTTP/1.1\r\nHost: inner:1\r\nX-Forwarded-For: 198.51.100.7\r\n" +
    "X-Forwarded-Proto: https\r\nX-Forwarded-Host: example.com\r\nConnection: close\r\n\r\n";
  await withServer(handler, { trustProxy: "127.0.0.1" }, async (_server, address) => {
    const result = await rawExchange(address, request);
    assert.equal(
      parseResponses(result.bytes)[0].body,
      "198.51.100.7:0 127.0.0.1 https://example.com/x",
    );
  });
  await withServer(handler, { trustProxy: "10.0.0.0/8" }, async (_server, address) => {
    const result = await rawExchange(address, request);
    const body = parseResponses(result.bytes)[0].body;
    assert.match(body, /^127\.0\.0\.1:\d+ 127\.0\.0\.1 http:\/\/inner:1\/x$/);
  });
});
