// The cookie jar (RFC 6265bis): parsing, matching, expiry, Secure, prefixes, SameSite,
// limits, and the Client storing and sending cookies across redirects.

import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { CookieJar } from "../../../http/cookie_jar.ts";
import { parseCookieDate, parseSetCookie } from "../../../http/_client/set_cookie.ts";

const DAY = 24 * 60 * 60 * 1000;

Deno.test("cookie-date: the RFC 6265 algorithm reads the formats servers send", () => {
  const expected = Date.UTC(2030, 5, 9, 10, 18, 14);
  for (
    const text of [
      "Sun, 09 Jun 2030 10:18:14 GMT",
      "Sunday, 09-Jun-30 10:18:14 GMT",
      "Sun Jun  9 10:18:14 2030",
      "09 Jun 2030 10:18:14",
    ]
  ) {
    assert.equal(parseCookieDate(text), expected, text);
  }
  assert.equal(parseCookieDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  for (
    const bad of [
      "",
      "tomorrow",
      "31 Feb 2030 00:00:00",
      "09 Jun 2030 25:00:00",
      "09 Jun 1600 00:00:00",
    ]
  ) {
    assert.ok(Number.isNaN(parseCookieDate(bad)), bad);
  }
});

Deno.test("Set-Cookie: attributes, Max-Age over Expires, the 400-day cap and size limits", () => {
  const now = Date.UTC(2030, 0, 1);
  const cookie = parseSetCookie(
    " id = a3fWa ; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60; Domain=.Example.COM; Path=/docs; Secure; HttpOnly; SameSite=Strict",
    now,
  )!;
  assert.deepEqual(cookie, {
    name: "id",
    value: "a3fWa",
    domain: "example.com",
    path: "/docs",
    expires: now + 60_000,
    secure: true,
    httpOnly: true,
    sameSite: "strict",
  });
  assert.equal(parseSetCookie("a=1; Max-Age=99999999999", now)!.expires, now + 400 * DAY);
  assert.equal(parseSetCookie("a=1; Max-Age=-5", now)!.expires, 0);
  assert.equal(parseSetCookie("a=1; Path=relative", now)!.path, null);
  assert.equal(parseSetCookie("a=1; SameSite=sideways", now)!.sameSite, "default");
  assert.deepEqual(parseSetCookie("lonely", now)?.name, "");
  assert.equal(parseSetCookie("=", now), null);
  assert.equal(parseSetCookie("a=b\u0001c", now), null);
  // name + value at 4096 bytes, and one past.
  assert.ok(parseSetCookie("n=" + "v".repeat(4095), now) !== null);
  assert.equal(parseSetCookie("n=" + "v".repeat(4096), now), null);
  // An attribute value past 1024 bytes is ignored, not the cookie.
  assert.equal(parseSetCookie(`a=1; Path=/${"p".repeat(1024)}`, now)!.path, null);
});

Deno.test("CookieJar: domain and host-only matching, with bad Domain attributes refused", () => {
  const jar = new CookieJar();
  assert.ok(jar.setCookie("host=1", "http://app.example.test/"));
  assert.ok(jar.setCookie("dom=1; Domain=example.test", "http://app.example.test/"));
  assert.ok(!jar.setCookie("other=1; Domain=elsewhere.test", "http://app.example.test/"));
  assert.ok(!jar.setCookie("tld=1; Domain=test", "http://app.example.test/"));
  assert.ok(!jar.setCookie("sub=1; Domain=deeper.app.example.test", "http://app.example.test/"));
  assert.equal(jar.cookieHeader("http://app.example.test/"), "host=1; dom=1");
  assert.equal(jar.cookieHeader("http://example.test/"), "dom=1");
  assert.equal(jar.cookieHeader("http://x.app.example.test/"), "dom=1");
  assert.equal(jar.cookieHeader("http://notexample.test/"), "");
  // An address takes no domain cookies from its "parent".
  assert.ok(jar.setCookie("ip=1", "http://127.0.0.1/"));
  assert.equal(jar.cookieHeader("http://127.0.0.1/"), "ip=1");
});

Deno.test("CookieJar: default paths, path matching and the order of cookies", () => {
  const jar = new CookieJar();
  jar.setCookie("root=1; Path=/", "http://localhost/a/b/page");
  jar.setCookie("dir=1", "http://localhost/a/b/page"); // default path /a/b
  jar.setCookie("deep=1; Path=/a/b/c", "http://localhost/");
  assert.equal(jar.cookieHeader("http://localhost/a/b/c/d"), "deep=1; dir=1; root=1");
  assert.equal(jar.cookieHeader("http://localhost/a/b"), "dir=1; root=1");
  assert.equal(jar.cookieHeader("http://localhost/a/bc"), "root=1");
  assert.equal(jar.getCookies("http://localhost/a/b/x")[0].path, "/a/b");
});

Deno.test("CookieJar: replacing, deleting, and expiring by the clock", () => {
  let now = Date.UTC(2030, 0, 1);
  const jar = new CookieJar({ now: () => now });
  jar.setCookie("a=1; Max-Age=10", "http://localhost/");
  jar.setCookie("a=2; Max-Age=10", "http://localhost/");
  assert.equal(jar.cookieHeader("http://localhost/"), "a=2");
  assert.equal(jar.size, 1);
  now += 10_000;
  assert.equal(jar.cookieHeader("http://localhost/"), "");
  assert.equal(jar.size, 0);
  jar.setCookie("b=1", "http://localhost/");
  jar.setCookie("b=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "http://localhost/");
  assert.equal(jar.size, 0);
});

Deno.test("CookieJar: Secure needs https (or loopback), and prefixes are enforced", () => {
  const jar = new CookieJar();
  assert.ok(!jar.setCookie("s=1; Secure", "http://app.test/"));
  assert.ok(jar.setCookie("s=1; Secure", "https://app.test/"));
  assert.ok(jar.setCookie("l=1; Secure", "http://localhost/"));
  assert.equal(jar.cookieHeader("http://app.test/"), "");
  assert.equal(jar.cookieHeader("https://app.test/"), "s=1");
  // An insecure origin cannot shadow a Secure cookie.
  assert.ok(!jar.setCookie("s=evil", "http://app.test/"));
  assert.ok(!jar.setCookie("__Secure-a=1", "https://app.test/"));
  assert.ok(jar.setCookie("__Secure-a=1; Secure", "https://app.test/"));
  assert.ok(!jar.setCookie("__Host-b=1; Secure; Path=/; Domain=app.test", "https://app.test/"));
  assert.ok(!jar.setCookie("__Host-b=1; Secure", "https://app.test/x/y"));
  assert.ok(jar.setCookie("__Host-b=1; Secure; Path=/", "https://app.test/x/y"));
  assert.ok(!jar.setCookie("n=1; SameSite=None", "https://app.test/"), "None needs Secure");
});

Deno.test("CookieJar: SameSite on a cross-site chain: Strict stays, Lax only for safe methods", () => {
  const jar = new CookieJar();
  jar.setCookie("strict=1; SameSite=Strict", "https://app.test/");
  jar.setCookie("lax=1; SameSite=Lax", "https://app.test/");
  jar.setCookie("plain=1", "https://app.test/");
  jar.setCookie("none=1; SameSite=None; Secure", "https://app.test/");
  const url = "https://app.test/";
  assert.equal(jar.cookieHeader(url), "strict=1; lax=1; plain=1; none=1");
  assert.equal(jar.cookieHeader(url, { crossSite: true }), "lax=1; plain=1; none=1");
  assert.equal(jar.cookieHeader(url, { crossSite: true, method: "POST" }), "none=1");
});

Deno.test("CookieJar: maxCookiesPerDomain and maxCookies evict the least recently used", () => {
  const jar = new CookieJar({ maxCookiesPerDomain: 3, maxCookies: 4 });
  for (const n of [1, 2, 3]) jar.setCookie(`c${n}=1`, "http://a.localhost/");
  jar.cookieHeader("http://a.localhost/"); // all used; c1 oldest in use order still
  jar.setCookie("c4=1", "http://a.localhost/");
  assert.equal(jar.cookieHeader("http://a.localhost/"), "c2=1; c3=1; c4=1");
  jar.setCookie("d1=1", "http://b.localhost/");
  jar.setCookie("d2=1", "http://b.localhost/");
  assert.equal(jar.size, 4);
  assert.throws(() => new CookieJar({ maxCookies: 0 }), RangeError);
});

Deno.test("Client with a cookie jar stores Set-Cookie, sends it back, and shares the jar", async () => {
  const seen: (string | null)[] = [];
  const handler = (request: Request) => {
    seen.push(request.headers.get("cookie"));
    const path = new URL(request.url).pathname;
    if (path === "/login") {
      return new Response(null, {
        status: 302,
        headers: [["location", "/home"], ["set-cookie", "sid=42; Path=/; HttpOnly"]],
      });
    }
    return new Response("ok", { headers: { "set-cookie": "seen=1" } });
  };
  const jar = new CookieJar();
  await using a = new Client({ handler, cookieJar: jar });
  await using b = new Client({ handler, cookieJar: jar });
  await (await a.fetch("http://localhost/login")).text();
  await (await b.fetch("http://localhost/other", { headers: { cookie: "mine=1" } })).text();
  await (await b.fetch("http://localhost/x", { credentials: "omit" })).text();
  assert.deepEqual(seen, [null, "sid=42", "mine=1; sid=42; seen=1", null]);
  assert.equal(jar.size, 2);
  await using none = new Client({ handler });
  await (await none.fetch("http://localhost/x")).text();
  assert.equal(seen.at(-1), null, "no jar, no cookies");
});

Deno.test("Client with a cookie jar withholds Strict cookies after a cross-site redirect", async () => {
  const seen: string[] = [];
  const handler = (request: Request) => {
    const url = new URL(request.url);
    seen.push(`${url.host} ${request.headers.get("cookie")}`);
    if (url.pathname === "/bounce") {
      return new Response(null, {
        status: 302,
        headers: { location: url.searchParams.get("to")! },
      });
    }
    return new Response("ok");
  };
  const jar = new CookieJar();
  jar.setCookie("strict=1; SameSite=Strict", "http://app.localhost/");
  jar.setCookie("lax=1", "http://app.localhost/");
  await using client = new Client({ handler, cookieJar: jar });
  await (await client.fetch("http://app.localhost/bounce?to=http://app.localhost/in")).text();
  await (await client.fetch("http://other.test/bounce?to=http://app.localhost/back")).text();
  assert.deepEqual(seen, [
    "app.localhost strict=1; lax=1",
    "app.localhost strict=1; lax=1",
    "other.test null",
    "app.localhost lax=1",
  ]);
});
