// proxyProtocol: the PROXY protocol header (v1 text, v2 binary, HAProxy's specification)
// before the first HTTP byte names the client; anything else closes the connection
// without an answer. Hand-written headers, through the parser alone, inject() and TCP.

import { assert, bytesOf } from "../../_assert.ts";
import { parseResponses, rawExchange, readAll, TEST_TIMEOUT, withServer } from "../../_server.ts";
import { inject } from "../../../http/inject.ts";
import { serve } from "../../../http/serve.ts";
import type { ServeInfo } from "../../../http/handler.ts";
import type { ProxyProtocol } from "../../../http/proxy_protocol.ts";
import { parseProxyHeader, resolveProxyProtocol } from "../../../http/_server/proxy_header.ts";
import { formatIpv6, parseIp } from "../../../http/_server/ip_address.ts";

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** A v2 header: version/command byte, family byte, and the address block (plus TLVs). */
function v2(command: number, family: number, block: number[] | Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + block.length);
  out.set(SIGNATURE);
  out[12] = command;
  out[13] = family;
  out[14] = block.length >> 8;
  out[15] = block.length & 0xff;
  out.set(block, 16);
  return out;
}

function tcp4(source: number[], sourcePort: number, extra: number[] = []): number[] {
  return [...source, 10, 0, 0, 1, sourcePort >> 8, sourcePort & 0xff, 0x1f, 0x40, ...extra];
}

function tcp6(source: string, sourcePort: number): number[] {
  return [...parseIp(source)!, ...parseIp("::1")!, sourcePort >> 8, sourcePort & 0xff, 0, 80];
}

function unixBlock(source: string): number[] {
  const block = new Array(216).fill(0);
  bytesOf(source).forEach((b, i) => (block[i] = b));
  bytesOf("/run/dst.sock").forEach((b, i) => (block[108 + i] = b));
  return block;
}

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const arrays = parts.map((p) => typeof p === "string" ? bytesOf(p) : p);
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Parses `bytes` whole and checks every shorter prefix only asks for more. */
function parseAll(bytes: Uint8Array, maxBytes = 4096) {
  const whole = parseProxyHeader(bytes, bytes.length, maxBytes);
  if (whole.length > 0) {
    for (let end = 0; end < whole.length; end++) {
      const part = parseProxyHeader(bytes, end, maxBytes);
      assert.equal(part.length, 0, `prefix ${end} is incomplete`);
      assert.equal(part.error, "", `prefix ${end} is not an error`);
    }
  }
  return whole;
}

function describe(addr: Deno.Addr | undefined): string {
  if (addr === undefined) return "none";
  if (addr.transport === "unix" || addr.transport === "unixpacket") return `unix:${addr.path}`;
  return `${(addr as Deno.NetAddr).hostname}:${(addr as Deno.NetAddr).port}`;
}

const GET = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

Deno.test("PROXY v1: TCP4, TCP6 and UNKNOWN headers name the source (or keep the socket's)", () => {
  const cases: [string, string | null][] = [
    ["PROXY TCP4 192.0.2.1 10.0.0.1 51000 8000\r\n", "192.0.2.1:51000"],
    ["PROXY TCP6 2001:DB8::1 ::1 0 65535\r\n", "2001:db8::1:0"],
    ["PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n", "::ffff:192.0.2.1:1"],
    ["PROXY UNKNOWN\r\n", null],
    ["PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", null],
  ];
  for (const [text, source] of cases) {
    const parsed = parseAll(bytesOf(text + "GET"));
    assert.equal(parsed.error, "", text);
    assert.equal(parsed.length, text.length, text);
    assert.equal(parsed.source === null ? null : describe(parsed.source), source, text);
  }
});

Deno.test("PROXY v1: malformed headers are refused", () => {
  const bad = [
    "PROXY TCP4 192.0.2.1 10.0.0.1 51000 8000\n", // bare LF
    "PROXY TCP4 192.0.2.1 10.0.0.1 51000 8000\rX",
    "PROXY  TCP4 192.0.2.1 10.0.0.1 51000 8000\r\n",
    "PROXY tcp4 192.0.2.1 10.0.0.1 51000 8000\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 51000\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 51000 8000 9\r\n",
    "PROXY TCP4 ::1 10.0.0.1 51000 8000\r\n",
    "PROXY TCP6 192.0.2.1 ::1 51000 8000\r\n",
    "PROXY TCP4 192.0.2.256 10.0.0.1 51000 8000\r\n",
    "PROXY TCP4 192.0.2.01 10.0.0.1 51000 8000\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 65536 8000\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 -1 8000\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 123456 8000\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 51000 8000 \r\n",
    "PROXY UDP4 192.0.2.1 10.0.0.1 51000 8000\r\n",
    "PROXY UNKNOWN\tx\r\n",
    "PROXYTCP4\r\n",
    "proxy TCP4 192.0.2.1 10.0.0.1 1 2\r\n",
    "GET / HTTP/1.1\r\n",
    "\r\n\r\nGET", // not the v2 signature after its first four bytes
  ];
  for (const text of bad) {
    const parsed = parseProxyHeader(bytesOf(text), text.length, 4096);
    assert.equal(parsed.length, 0, JSON.stringify(text));
    assert.notEqual(parsed.error, "", JSON.stringify(text));
  }
});

Deno.test("PROXY v1: at most 107 bytes: a CRLF ending at byte 107 is read, one byte more is refused", () => {
  const base = "PROXY UNKNOWN ";
  const at = base + "x".repeat(107 - base.length - 2) + "\r\n";
  assert.equal(at.length, 107);
  assert.equal(parseProxyHeader(bytesOf(at), 107, 4096).length, 107);
  const past = base + "x".repeat(108 - base.length - 2) + "\r\n";
  const parsed = parseProxyHeader(bytesOf(past), past.length, 4096);
  assert.equal(parsed.length, 0);
  assert.match(parsed.error, /no CRLF in 107 bytes/);
  // 106 bytes without a CRLF may still end well; 107 cannot.
  assert.equal(parseProxyHeader(bytesOf(past), 106, 4096).error, "");
  assert.notEqual(parseProxyHeader(bytesOf(past), 107, 4096).error, "");
});

Deno.test("PROXY v2: TCP4, TCP6, Unix, LOCAL, UNSPEC and UDP", () => {
  const cases: [Uint8Array, string | null][] = [
    [v2(0x21, 0x11, tcp4([192, 0, 2, 1], 51000)), "192.0.2.1:51000"],
    [v2(0x21, 0x11, tcp4([192, 0, 2, 1], 51000, [0x04, 0x00, 0x01, 0x07])), "192.0.2.1:51000"],
    [v2(0x21, 0x21, tcp6("2001:db8::7", 443)), "2001:db8::7:443"],
    [v2(0x21, 0x21, tcp6("::ffff:192.0.2.9", 1)), "::ffff:192.0.2.9:1"],
    [v2(0x21, 0x31, unixBlock("/run/src.sock")), "unix:/run/src.sock"],
    [v2(0x20, 0x11, tcp4([192, 0, 2, 1], 51000)), null], // LOCAL: the proxy itself
    [v2(0x20, 0x00, []), null],
    [v2(0x20, 0x77, [1, 2, 3]), null], // LOCAL ignores the block, family included
    [v2(0x21, 0x00, []), null], // UNSPEC
    [v2(0x21, 0x00, [1, 2, 3, 4]), null],
    [v2(0x21, 0x12, tcp4([192, 0, 2, 1], 1)), null], // UDP: keep the socket's
    [v2(0x21, 0x22, tcp6("2001:db8::7", 1)), null],
    [v2(0x21, 0x32, unixBlock("/x")), null],
  ];
  for (const [bytes, source] of cases) {
    const parsed = parseAll(concat(bytes, "GET / HTTP/1.1\r\n"));
    assert.equal(parsed.error, "", source ?? "null");
    assert.equal(parsed.length, bytes.length);
    assert.equal(parsed.source === null ? null : describe(parsed.source), source);
  }
});

Deno.test("PROXY v2: malformed headers are refused", () => {
  const bad: [Uint8Array, RegExp][] = [
    [v2(0x11, 0x11, tcp4([1, 2, 3, 4], 1)), /version 1/],
    [v2(0x31, 0x11, tcp4([1, 2, 3, 4], 1)), /version 3/],
    [v2(0x22, 0x11, tcp4([1, 2, 3, 4], 1)), /command 2/],
    [v2(0x2f, 0x11, tcp4([1, 2, 3, 4], 1)), /command 15/],
    [v2(0x21, 0x11, [1, 2, 3, 4]), /4 address bytes, 12 needed/],
    [v2(0x21, 0x21, tcp4([1, 2, 3, 4], 1)), /12 address bytes, 36 needed/],
    [v2(0x21, 0x31, new Array(215).fill(0)), /215 address bytes, 216 needed/],
    [v2(0x21, 0x13, tcp4([1, 2, 3, 4], 1)), /family and protocol 0x13/],
    [v2(0x21, 0x41, tcp4([1, 2, 3, 4], 1)), /family and protocol 0x41/],
    [v2(0x21, 0x10, tcp4([1, 2, 3, 4], 1)), /family and protocol 0x10/],
  ];
  for (const [bytes, message] of bad) {
    const parsed = parseProxyHeader(bytes, bytes.length, 4096);
    assert.equal(parsed.length, 0);
    assert.match(parsed.error, message);
  }
  const wrongSignature = v2(0x21, 0x11, tcp4([1, 2, 3, 4], 1));
  wrongSignature[11] = 0x0b;
  assert.match(parseProxyHeader(wrongSignature, 16, 4096).error, /no v1 or v2 signature/);
});

Deno.test("PROXY v2: maxBytes is the whole header: at the limit read, one byte past refused", () => {
  const header = v2(0x21, 0x11, tcp4([192, 0, 2, 1], 1, new Array(100).fill(0)));
  assert.equal(parseProxyHeader(header, header.length, header.length).length, header.length);
  const past = parseProxyHeader(header, 16, header.length - 1);
  assert.equal(past.length, 0);
  assert.match(past.error, /128 bytes, more than maxBytes \(127\)/);
  // The fixed part alone tells the length: refused before the rest arrives.
  assert.equal(parseProxyHeader(header, 16, header.length).needed, header.length);
});

Deno.test("formatIpv6 writes RFC 5952 text", () => {
  const cases = [
    "::",
    "::1",
    "1::",
    "2001:db8::1",
    "2001:db8:0:1:1:1:1:1", // a single zero group is not compressed
    "2001:0:0:1::1", // the longer run wins
    "1:0:0:2::", // of equal runs, the first... unless a longer one follows
    "fe80::abcd:ef01",
    "::ffff:192.0.2.1",
    "1:2:3:4:5:6:7:8",
  ];
  const want = [
    "::",
    "::1",
    "1::",
    "2001:db8::1",
    "2001:db8:0:1:1:1:1:1",
    "2001:0:0:1::1",
    "1:0:0:2::",
    "fe80::abcd:ef01",
    "::ffff:192.0.2.1",
    "1:2:3:4:5:6:7:8",
  ];
  assert.deepEqual(cases.map((c) => formatIpv6(parseIp(c)!, 0)), want);
  assert.equal(formatIpv6(parseIp("1:0:0:2:0:0:3:4")!, 0), "1::2:0:0:3:4");
});

Deno.test("proxyProtocol: bad settings are refused before anything listens", () => {
  assert.equal(resolveProxyProtocol(undefined, "http"), null);
  assert.equal(resolveProxyProtocol(false, "http"), null);
  assert.deepEqual(resolveProxyProtocol(true, "http"), { timeout: 5000, maxBytes: 4096 });
  assert.deepEqual(resolveProxyProtocol({ maxBytes: 16 }, "http"), { timeout: 5000, maxBytes: 16 });
  assert.throws(() => resolveProxyProtocol({ maxBytes: 15 }, "http"), RangeError);
  assert.throws(() => resolveProxyProtocol({ maxBytes: 65552 }, "http"), RangeError);
  assert.equal(resolveProxyProtocol({ maxBytes: 65551 }, "http")?.maxBytes, 65551);
  assert.throws(() => resolveProxyProtocol({ timeout: 0 }, "http"), RangeError);
  assert.throws(() => resolveProxyProtocol({ timeout: "1" }, "http"), TypeError);
  assert.throws(() => resolveProxyProtocol("yes", "http"), TypeError);
  assert.throws(() => resolveProxyProtocol(null, "http"), TypeError);
  assert.throws(() => resolveProxyProtocol(true, "https"), TypeError);
  // Checked before the certificate is even read: nothing listens.
  const tls = { cert: "not read", key: "not read" };
  assert.throws(
    () => serve(() => new Response(), { port: 0, onListen() {}, ...tls, proxyProtocol: true }),
    /proxyProtocol needs a plain listener/,
  );
});

Deno.test("proxyProtocol through inject(): whole and one byte at a time", async () => {
  for (const chunkSize of [Infinity, 1]) {
    const { response } = await inject(
      (_request, info) => new Response(`${describe(info.remoteAddr)} ${describe(info.peerAddr)}`),
      concat(v2(0x21, 0x11, tcp4([192, 0, 2, 1], 51000)), GET),
      { proxyProtocol: true, chunkSize },
    );
    assert.equal(await response.text(), "192.0.2.1:51000 127.0.0.1:40000");
  }
});

/** Serves with `proxyProtocol` and answers with the addresses the handler saw. */
function withProxyServer(
  proxyProtocol: ProxyProtocol,
  fn: (addr: Deno.NetAddr) => Promise<void>,
  extra: Parameters<typeof withServer>[1] = {},
): Promise<void> {
  const handler = (_request: Request, info: ServeInfo) =>
    new Response(`${describe(info.remoteAddr)} ${describe(info.peerAddr)}`);
  return withServer(handler, { proxyProtocol, ...extra }, (_server, addr) => fn(addr));
}

Deno.test("proxyProtocol over TCP: v1 and v2 sources become info.remoteAddr", async () => {
  await withProxyServer(true, async (addr) => {
    const cases: [Uint8Array | string, RegExp][] = [
      ["PROXY TCP4 192.0.2.1 10.0.0.1 51000 8000\r\n", /^192\.0\.2\.1:51000 127\.0\.0\.1:\d+$/],
      ["PROXY TCP6 2001:db8::1 ::1 4711 80\r\n", /^2001:db8::1:4711 127\.0\.0\.1:\d+$/],
      ["PROXY UNKNOWN\r\n", /^127\.0\.0\.1:(\d+) 127\.0\.0\.1:\1$/],
      [v2(0x21, 0x11, tcp4([198, 51, 100, 7], 1234)), /^198\.51\.100\.7:1234 127\.0\.0\.1:\d+$/],
      [v2(0x21, 0x21, tcp6("2001:db8::9", 9)), /^2001:db8::9:9 127\.0\.0\.1:\d+$/],
      [v2(0x20, 0x00, []), /^127\.0\.0\.1:(\d+) 127\.0\.0\.1:\1$/],
      [
        v2(0x21, 0x31, unixBlock("/run/client.sock")),
        /^unix:\/run\/client\.sock 127\.0\.0\.1:\d+$/,
      ],
    ];
    for (const [header, want] of cases) {
      // The header and the request in one write (the server keeps what follows the header).
      const result = await rawExchange(addr, concat(header, GET));
      const responses = parseResponses(result.bytes);
      assert.equal(responses.length, 1);
      assert.match(responses[0].body, want);
    }
  });
});

Deno.test("proxyProtocol over TCP: the header in pieces, then keep-alive requests", async () => {
  await withProxyServer(true, async (addr) => {
    const header = v2(0x21, 0x11, tcp4([192, 0, 2, 1], 7, new Array(300).fill(0)));
    const request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    const result = await rawExchange(addr, "", {
      pieces: [
        header.subarray(0, 5),
        header.subarray(5, 16),
        header.subarray(16),
        request,
        request,
      ],
      until: (text) => (text.match(/HTTP\/1\.1 200/g) ?? []).length === 2,
    });
    const responses = parseResponses(result.bytes);
    assert.equal(responses.length, 2);
    for (const response of responses) assert.match(response.body, /^192\.0\.2\.1:7 /);
  });
});

Deno.test("proxyProtocol over TCP: missing, malformed, truncated or too large closes without an answer", async () => {
  await withProxyServer({ maxBytes: 64 }, async (addr) => {
    const cases: (Uint8Array | string)[] = [
      GET,
      "PROXY TCP4 192.0.2.1 10.0.0.1 51000\r\n" + GET,
      "PROXY TCP4 192.0.2.1 10.0.0.1 51000 8000\n" + GET,
      concat(v2(0x21, 0x41, tcp4([1, 2, 3, 4], 1)), GET),
      concat(v2(0x21, 0x11, tcp4([1, 2, 3, 4], 1, new Array(37).fill(0))), GET), // 65 bytes
    ];
    for (const input of cases) {
      const result = await rawExchange(addr, input);
      assert.equal(result.text, "", "no answer");
      assert.ok(result.closed, "closed");
    }
    // Truncated, then the client ends its side.
    const truncated = v2(0x21, 0x11, tcp4([1, 2, 3, 4], 1)).subarray(0, 20);
    const result = await rawExchange(addr, truncated, { closeWrite: true });
    assert.equal(result.text, "");
    assert.ok(result.closed);
    // At the limit: 64 bytes are read.
    const atLimit = v2(0x21, 0x11, tcp4([192, 0, 2, 1], 2, new Array(36).fill(0)));
    assert.equal(atLimit.length, 64);
    const ok = await rawExchange(addr, concat(atLimit, GET));
    assert.match(parseResponses(ok.bytes)[0].body, /^192\.0\.2\.1:2 /);
  });
});

Deno.test("proxyProtocol over TCP: a header that does not come in time closes the connection", async () => {
  await withProxyServer({ timeout: 100 }, async (addr) => {
    const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      await conn.write(bytesOf("PROXY TCP4 192.0.2.1"));
      const result = await readAll(conn, { timeout: TEST_TIMEOUT });
      assert.ok(result.closed, "the server closed the connection");
      assert.equal(result.text, "");
    } finally {
      conn.close();
    }
    // Saying nothing at all is the same.
    const silent = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    try {
      const result = await readAll(silent, { timeout: TEST_TIMEOUT });
      assert.ok(result.closed);
    } finally {
      silent.close();
    }
  });
});

Deno.test("proxyProtocol over TCP: shutdown closes a connection still waiting for its header", async () => {
  const server = serve(() => new Response("x"), {
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    proxyProtocol: true,
  });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: (server.addr as Deno.NetAddr).port,
  });
  try {
    await conn.write(bytesOf("PROXY "));
    // Wait until the server counts the connection, then shut down gracefully.
    const deadline = Date.now() + TEST_TIMEOUT;
    while (server.connections === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await server.shutdown();
    const result = await readAll(conn, { timeout: TEST_TIMEOUT });
    assert.ok(result.closed);
    assert.equal(result.text, "");
  } finally {
    conn.close();
  }
});

Deno.test("proxyProtocol with trustProxy: the PROXY source is the peer trust is judged on", async () => {
  const xff =
    "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7\r\nConnection: close\r\n\r\n";
  await withProxyServer(true, async (addr) => {
    // The source 10.0.0.5 is a trusted proxy: its X-Forwarded-For is believed.
    let result = await rawExchange(addr, "PROXY TCP4 10.0.0.5 10.0.0.1 1 80\r\n" + xff);
    assert.match(parseResponses(result.bytes)[0].body, /^198\.51\.100\.7:0 127\.0\.0\.1:\d+$/);
    // The source is a client: its header is ignored, although the socket peer is local.
    result = await rawExchange(addr, "PROXY TCP4 203.0.113.1 10.0.0.1 1 80\r\n" + xff);
    assert.match(parseResponses(result.bytes)[0].body, /^203\.0\.113\.1:1 127\.0\.0\.1:\d+$/);
  }, { trustProxy: "10.0.0.0/8" });
});
