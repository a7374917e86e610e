// What the router sees is what a proxy saw: request-targets that the WHATWG URL parser
// would rewrite (a backslash read as "/", dot segments resolved, a "#" fragment cut off)
// are answered 400 by default, because a proxy in front matched its rules against the
// target as sent. `lenient.normalizePath` serves them rewritten, as before. Both request
// routes (Deno's internal fields and the public constructor), through inject() and TCP.

import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, withServer } from "../../_server.ts";
import { inject } from "../../../http/inject.ts";
import { rewrittenTarget } from "../../../http/_server/request.ts";
import { setFastRequest } from "../../../http/_server/request.ts";

const echo = (request: Request) => new Response(request.url);

/** Targets the URL parser would rewrite, and the path and query it would make of them. */
const REWRITTEN: [string, string][] = [
  ["/public\\..\\admin", "/admin"],
  ["/public/../admin", "/admin"],
  ["/%2e%2e/admin", "/admin"],
  ["/%2E%2E/admin", "/admin"],
  ["/public/.%2e/admin", "/admin"],
  ["/public/%2e./admin", "/admin"],
  ["/./admin", "/admin"],
  ["/%2e/admin", "/admin"],
  ["/admin/..", "/"],
  ["/admin/.", "/admin/"],
  ["/a/..?q=1", "/?q=1"],
  ["/a\\b", "/a/b"],
  ["/admin#x", "/admin"],
  ["/a?b#c", "/a?b"],
  ["\\", ""], // not a target form at all: 400 from the parser
];

/** Targets served as sent (the URL parser leaves their path alone). */
const KEPT: [string, string][] = [
  ["/.well-known/x", "/.well-known/x"],
  ["/a/...", "/a/..."],
  ["/a/.b/..c/c..", "/a/.b/..c/c.."],
  ["/%2e%2e%2fadmin", "/%2e%2e%2fadmin"], // an encoded "/" is no separator
  ["/a%2e", "/a%2e"],
  ["/a/%2e%2", "/a/%2e%2"],
  ["/a/%2f..", "/a/%2f.."],
  ["/q?x=/../y", "/q?x=/../y"], // the query is not a path
  ["/q?x=a\\b", "/q?x=a\\b"],
  ["/a//b", "/a//b"],
];

for (const fast of [true, false]) {
  const route = fast ? "fast route" : "public route";
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test(`${name} (${route})`, async () => {
      assert.equal(setFastRequest(fast), fast, "the fast route probe passes on this Deno");
      try {
        await fn();
      } finally {
        setFastRequest(true);
      }
    });

  t(
    "a target the URL parser would rewrite is answered 400 and nothing reaches the handler",
    async () => {
      for (const [target] of REWRITTEN) {
        let called = false;
        const { response } = await inject(
          () => {
            called = true;
            return new Response("served");
          },
          `GET ${target} HTTP/1.1\r\nHost: h.test\r\n\r\n`,
        );
        assert.equal(response.status, 400, target);
        assert.equal(response.headers.get("connection"), "close", target);
        assert.equal(called, false, target);
      }
    },
  );

  t("a target without a rewrite is served exactly as sent", async () => {
    for (const [target, path] of KEPT) {
      const { response } = await inject(echo, `GET ${target} HTTP/1.1\r\nHost: h.test\r\n\r\n`);
      assert.equal(response.status, 200, target);
      assert.equal(await response.text(), `http://h.test${path}`, target);
    }
  });

  t("lenient.normalizePath serves rewritten targets as the URL parser reads them", async () => {
    for (const [target, path] of REWRITTEN) {
      if (path === "") continue;
      const { response } = await inject(
        echo,
        `GET ${target} HTTP/1.1\r\nHost: h.test\r\n\r\n`,
        { lenient: { normalizePath: true } },
      );
      assert.equal(response.status, 200, target);
      const url = new URL(await response.text());
      assert.equal(url.pathname + url.search, path, target);
    }
  });

  t("absolute-form targets follow the same rule", async () => {
    const cases: [string, number, string][] = [
      ["http://h.test/public/../admin", 400, ""],
      ["http://h.test/%2e%2e/admin", 400, ""],
      ["http://h.test\\@evil.test/", 400, ""],
      ["http://h.test/a\\b", 400, ""],
      ["http://h.test/a#b", 400, ""],
      ["http://h.test/a/.well-known", 200, "http://h.test/a/.well-known"],
      ["http://h.test?q=/../", 200, "http://h.test/?q=/../"],
    ];
    for (const [target, status, url] of cases) {
      const { response } = await inject(echo, `GET ${target} HTTP/1.1\r\nHost: h.test\r\n\r\n`);
      assert.equal(response.status, status, target);
      if (status === 200) assert.equal(await response.text(), url, target);
    }
  });

  t("over TCP: /public/../admin is 400 and closes; the next connection is served", async () => {
    await withServer(echo, {}, async (_server, addr) => {
      const refused = await rawExchange(
        addr,
        "GET /public/../admin HTTP/1.1\r\nHost: h.test\r\n\r\nGET /admin HTTP/1.1\r\nHost: h\r\n\r\n",
      );
      const responses = parseResponses(refused.bytes);
      assert.equal(responses.length, 1, "nothing after the refused head is parsed");
      assert.equal(responses[0].status, 400);
      assert.ok(refused.closed);
      const served = await rawExchange(
        addr,
        "GET /public/..admin HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n",
      );
      assert.equal(parseResponses(served.bytes)[0].body, "http://h.test/public/..admin");
    });
  });
}

Deno.test("rewrittenTarget finds dot segments only as whole segments of the path", () => {
  assert.equal(rewrittenTarget("/", 0), false);
  assert.equal(rewrittenTarget("/.", 0), true);
  assert.equal(rewrittenTarget("/..", 0), true);
  assert.equal(rewrittenTarget("/...", 0), false);
  assert.equal(rewrittenTarget("/%2e", 0), true);
  assert.equal(rewrittenTarget("/%2", 0), false);
  assert.equal(rewrittenTarget("/%2e%2e%2e", 0), false);
  assert.equal(rewrittenTarget("/a/./b", 0), true);
  assert.equal(rewrittenTarget("/a/.b", 0), false);
  assert.equal(rewrittenTarget("/a?/../", 0), false);
  assert.equal(rewrittenTarget("/a?#", 0), true);
  assert.equal(rewrittenTarget("/a?\\", 0), false);
  assert.equal(rewrittenTarget("http://h/../", 8), true);
});
