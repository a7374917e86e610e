// The opening handshake (RFC 6455 §4): the accept key, the server's checks of a
// client's request, subprotocol selection, the 101 the server answers with, and the
// client's request head and checks of the 101.

import { assert } from "../../_assert.ts";
import { Parser } from "../../../http/parser.ts";
import { PARSE_UPGRADE } from "../../../http/parse_event.ts";
import {
  checkResponse,
  requestHead,
  webSocketUrl,
} from "../../../http/_websocket/client_handshake.ts";
import { resolveClientOptions, resolveServerOptions } from "../../../http/_websocket/config.ts";
import {
  acceptKey,
  checkUpgradeRequest,
  newKey,
  parseProtocols,
  selectProtocol,
} from "../../../http/_websocket/handshake.ts";
import { serverHandshake } from "../../../http/_websocket/server_socket.ts";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const GOOD = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-version": "13",
  "sec-websocket-key": KEY,
};

Deno.test("handshake: the accept key of RFC 6455 §1.3's example", () => {
  assert.equal(acceptKey(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("handshake: a new key is 16 random bytes in base64", () => {
  const key = newKey();
  assert.equal(atob(key).length, 16);
  assert.notEqual(newKey(), key);
  assert.equal(
    checkUpgradeRequest("GET", new Headers({ ...GOOD, "sec-websocket-key": key })),
    null,
  );
});

const REQUEST_CASES: [string, string, Record<string, string>, number | null][] = [
  ["a valid request", "GET", GOOD, null],
  ["tokens are case-insensitive and may be listed", "GET", {
    ...GOOD,
    upgrade: "WebSocket",
    connection: "keep-alive, UPGRADE",
  }, null],
  ["POST is refused", "POST", GOOD, 400],
  ["no Upgrade", "GET", { ...GOOD, upgrade: "" }, 400],
  ["Upgrade of another protocol", "GET", { ...GOOD, upgrade: "h2c" }, 400],
  ["Connection without upgrade", "GET", { ...GOOD, connection: "keep-alive" }, 400],
  ["version 8: 426", "GET", { ...GOOD, "sec-websocket-version": "8" }, 426],
  ["no version: 426", "GET", {
    upgrade: "websocket",
    connection: "upgrade",
    "sec-websocket-key": KEY,
  }, 426],
  [
    "no key",
    "GET",
    { upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "13" },
    400,
  ],
  ["a key of 15 bytes", "GET", { ...GOOD, "sec-websocket-key": btoa("x".repeat(15)) }, 400],
  ["a key of 17 bytes", "GET", { ...GOOD, "sec-websocket-key": btoa("x".repeat(17)) }, 400],
  [
    "a key that is not base64",
    "GET",
    { ...GOOD, "sec-websocket-key": "!!!!!!!!!!!!!!!!!!!!!!==" },
    400,
  ],
  ["a key with bits in the padding", "GET", {
    ...GOOD,
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZR==",
  }, 400],
];

for (const [rule, method, headers, status] of REQUEST_CASES) {
  Deno.test(`handshake: server: ${rule}`, () => {
    const problem = checkUpgradeRequest(method, new Headers(headers));
    assert.equal(problem?.status ?? null, status, problem?.message);
  });
}

Deno.test("handshake: subprotocol lists are distinct tokens", () => {
  assert.deepEqual(parseProtocols(null), []);
  assert.deepEqual(parseProtocols("chat, superchat"), ["chat", "superchat"]);
  assert.equal(parseProtocols("chat, chat"), null);
  assert.equal(parseProtocols("chat,,x"), null);
  assert.equal(parseProtocols("a b"), null);
});

Deno.test("handshake: subprotocol selection by name, preference list and function", () => {
  const request = new Request("http://localhost/");
  assert.equal(selectProtocol(["a", "b"], undefined, request), "");
  assert.equal(selectProtocol(["a", "b"], "b", request), "b");
  assert.equal(selectProtocol(["a", "b"], "c", request), "");
  assert.equal(selectProtocol(["a", "b"], ["c", "b", "a"], request), "b", "server's order wins");
  assert.equal(selectProtocol(["a", "b"], (offered) => offered.at(-1), request), "b");
  assert.equal(selectProtocol(["a", "b"], () => null, request), "");
  assert.throws(() => selectProtocol(["a"], () => "z", request), TypeError);
  assert.equal(selectProtocol([], "a", request), "");
});

Deno.test("handshake: the server's 101 fields: accept, protocol, extensions", () => {
  const request = new Request("http://localhost/chat", {
    headers: {
      ...GOOD,
      "sec-websocket-protocol": "v1, v2",
      "sec-websocket-extensions": "permessage-deflate; client_max_window_bits",
    },
  });
  const accepted = serverHandshake(
    request,
    resolveServerOptions({ protocol: ["v2", "v1"], perMessageDeflate: true }),
  );
  assert.ok(!("status" in accepted));
  assert.deepEqual(Object.fromEntries(accepted.headers), {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    "sec-websocket-protocol": "v2",
    "sec-websocket-extensions": "permessage-deflate",
  });
  assert.equal(accepted.url, "http://localhost/chat");
  // Deflate off (the default): no extension even when offered.
  const plain = serverHandshake(request, resolveServerOptions());
  assert.ok(!("status" in plain));
  assert.equal(plain.headers.get("sec-websocket-extensions"), null);
  assert.equal(plain.headers.get("sec-websocket-protocol"), null);
  assert.equal(plain.deflate, null);
});

Deno.test("handshake: the server refuses with 426 and Sec-WebSocket-Version: 13, or 400", () => {
  const old = serverHandshake(
    new Request("http://localhost/", { headers: { ...GOOD, "sec-websocket-version": "8" } }),
    resolveServerOptions(),
  );
  assert.ok("status" in old && old.status === 426);
  assert.equal(old.headers.get("sec-websocket-version"), "13");
  const badProtocols = serverHandshake(
    new Request("http://localhost/", { headers: { ...GOOD, "sec-websocket-protocol": "a, a" } }),
    resolveServerOptions(),
  );
  assert.ok("status" in badProtocols && badProtocols.status === 400);
  const badExtensions = serverHandshake(
    new Request("http://localhost/", { headers: { ...GOOD, "sec-websocket-extensions": "x;" } }),
    resolveServerOptions({ perMessageDeflate: true }),
  );
  assert.ok("status" in badExtensions && badExtensions.status === 400);
});

Deno.test("handshake: server options are checked (TypeError, RangeError)", () => {
  assert.throws(() => resolveServerOptions({ maxPayload: 0 }), RangeError);
  assert.throws(() => resolveServerOptions({ idleTimeout: -1 }), RangeError);
  assert.throws(() => resolveServerOptions({ closeTimeout: Number.NaN }), RangeError);
  assert.throws(
    () => resolveServerOptions({ perMessageDeflate: { serverMaxWindowBits: 16 } }),
    RangeError,
  );
  assert.throws(() => resolveServerOptions({ perMessageDeflate: { level: 10 } }), RangeError);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => resolveServerOptions({ perMessageDeflate: "yes" as any }), TypeError);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => resolveServerOptions({ protocol: 5 as any }), TypeError);
  const config = resolveServerOptions();
  assert.equal(config.maxPayload, 64 * 1024 * 1024);
  assert.equal(config.idleTimeout, 30);
  assert.equal(config.closeTimeout, 5000);
  assert.equal(config.deflate, null);
  assert.equal(resolveServerOptions({ perMessageDeflate: true }).deflate?.threshold, 1024);
});

Deno.test("handshake: client: URLs as the WHATWG constructor takes them", () => {
  assert.equal(webSocketUrl("ws://127.0.0.1:8080/a?b").href, "ws://127.0.0.1:8080/a?b");
  assert.equal(webSocketUrl("https://example.com/").protocol, "wss:");
  assert.equal(webSocketUrl("http://example.com/").protocol, "ws:");
  assert.throws(() => webSocketUrl("ftp://x/"), { name: "SyntaxError" });
  assert.throws(() => webSocketUrl("ws://x/#frag"), { name: "SyntaxError" });
  assert.throws(() => webSocketUrl("ws://x/#"), { name: "SyntaxError" });
  assert.throws(() => webSocketUrl("not a url"), { name: "SyntaxError" });
});

Deno.test("handshake: client: the request head, and the handshake's own fields are not user headers", () => {
  const config = resolveClientOptions({
    headers: { origin: "http://app.test" },
    perMessageDeflate: true,
  }, ["v1", "v2"]);
  const head = new TextDecoder().decode(
    requestHead(new URL("ws://127.0.0.1:9/p?q=1"), KEY, config, "permessage-deflate"),
  );
  assert.equal(
    head,
    "GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n` +
      "Sec-WebSocket-Protocol: v1, v2\r\nSec-WebSocket-Extensions: permessage-deflate\r\n" +
      "origin: http://app.test\r\n\r\n",
  );
  assert.throws(
    () => resolveClientOptions({ headers: { "sec-websocket-key": "x" } }, []),
    TypeError,
  );
  assert.throws(() => resolveClientOptions({ headers: { upgrade: "x" } }, []), TypeError);
});

function response(head: string): Parser {
  const parser = new Parser({ mode: "response" });
  const event = parser.execute(new TextEncoder().encode(head));
  if (head.startsWith("HTTP/1.1 101")) assert.equal(event, PARSE_UPGRADE);
  return parser;
}

Deno.test("handshake: client: the 101 is checked (status, Upgrade, Connection, accept, protocol, extensions)", () => {
  const config = resolveClientOptions({}, ["v1"]);
  const ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
  assert.deepEqual(
    checkResponse(response(ok + "Sec-WebSocket-Protocol: v1\r\n\r\n"), KEY, config),
    {
      protocol: "v1",
      extensions: "",
      deflate: null,
    },
  );
  const failures: [string, string][] = [
    ["not 101", "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"],
    ["wrong accept", ok.replace("s3pP", "AAAA") + "\r\n"],
    ["no upgrade", ok.replace("Upgrade: websocket\r\n", "") + "\r\n"],
    ["protocol not offered", ok + "Sec-WebSocket-Protocol: v9\r\n\r\n"],
    ["extension not offered", ok + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"],
  ];
  for (const [rule, head] of failures) {
    assert.equal(typeof checkResponse(response(head), KEY, config), "string", rule);
  }
});
