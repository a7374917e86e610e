import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { HttpError } from "../../../http/http_error.ts";
import { compose } from "../../../router/compose.ts";
import { Context } from "../../../router/context.ts";
import { deleteCookie, getCookies, serializeCookie, setCookie } from "../../../router/cookie.ts";
import { Cookies } from "../../../router/cookies.ts";
import { cookies } from "../../../router/cookies_middleware.ts";
import { getSignedCookie, setSignedCookie } from "../../../router/signed_cookie.ts";
import { SigningKeys } from "../../../router/signing_keys.ts";
import { MAX_COOKIE_AGE_SECONDS } from "../../../router/_cookie_syntax.ts";
import { parseResponses, rawExchange } from "../../_server.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

const cookieOf = (cookie: string) => new Headers({ cookie });

Deno.test("getCookies trims pairs, unquotes values, decodes escapes and keeps the first of a name", () => {
  assert.deepEqual(getCookies(new Headers()), {});
  assert.deepEqual(getCookies(cookieOf("")), {});
  assert.deepEqual(getCookies(cookieOf("a=1")), { a: "1" });
  assert.deepEqual(getCookies(cookieOf(" a = 1 ;\tb=2;;c=")), { a: "1", b: "2", c: "" });
  assert.deepEqual(getCookies(cookieOf('q="quoted value"; r="')), { q: "quoted value", r: '"' });
  assert.deepEqual(getCookies(cookieOf("a=first; a=second")), { a: "first" });
  assert.deepEqual(getCookies(cookieOf("novalue; =nameless; ok=1")), { ok: "1" });
  assert.deepEqual(getCookies(cookieOf("t=dark%20mode; u=%E2%9C%93; bad=%E2%9C")), {
    t: "dark mode",
    u: "\u2713",
    bad: "%E2%9C",
  });
  // Values with "=" (base64) keep everything after the first "=".
  assert.deepEqual(getCookies(cookieOf("b64=YWJj+/==; jwt=a.b.c")), {
    b64: "YWJj+/==",
    jwt: "a.b.c",
  });
});

Deno.test("serializeCookie writes every attribute in a fixed order", () => {
  const line = serializeCookie({
    name: "sid",
    value: "abc",
    maxAge: 60,
    expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
    domain: "example.com",
    path: "/app",
    secure: true,
    httpOnly: true,
    sameSite: "None",
    partitioned: true,
    priority: "High",
  });
  assert.equal(
    line,
    "sid=abc; Max-Age=60; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Domain=example.com; " +
      "Path=/app; Secure; HttpOnly; SameSite=None; Partitioned; Priority=High",
  );
  assert.equal(serializeCookie({ name: "a", value: "1", httpOnly: false }), "a=1; Path=/");
  assert.equal(
    serializeCookie({ name: "a", value: "1", expires: 0, sameSite: "lax" as "Lax" }),
    "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax",
  );
});

Deno.test("serializeCookie encodes what is not a cookie-octet and leaves the rest as it is", () => {
  const value = 'a b;c,d"e\\f%g\u2713h+/=.:';
  const line = serializeCookie({ name: "v", value });
  const pair = line.split("; ")[0];
  assert.equal(pair, "v=a%20b%3Bc%2Cd%22e%5Cf%25g%E2%9C%93h+/=.:");
  assert.deepEqual(getCookies(cookieOf(pair)), { v: value });
  assert.equal(
    serializeCookie({ name: "t", value: "eyJ.aBc-_+/=" }).split(";")[0],
    "t=eyJ.aBc-_+/=",
  );
  assert.throws(() => serializeCookie({ name: "v", value: "\ud800" }), TypeError);
});

Deno.test("serializeCookie rejects bad names, domains, paths and attribute values", () => {
  for (const name of ["", "a b", "a;b", "a=b", "caf\u00e9", "a\tb", "(x)"]) {
    assert.throws(() => serializeCookie({ name, value: "1" }), TypeError, name);
  }
  assert.throws(() => serializeCookie({ name: "a", value: 1 as unknown as string }), TypeError);
  for (const domain of ["", "a b.com", "a;b", "exa_mple.com"]) {
    assert.throws(() => serializeCookie({ name: "a", value: "1", domain }), TypeError, domain);
  }
  for (const path of ["", "app", "/a;b", "/a\nb"]) {
    assert.throws(() => serializeCookie({ name: "a", value: "1", path }), TypeError, path);
  }
  assert.throws(
    () => serializeCookie({ name: "a", value: "1", sameSite: "Sometimes" as "Lax" }),
    TypeError,
  );
  assert.throws(
    () => serializeCookie({ name: "a", value: "1", priority: "Urgent" as "High" }),
    TypeError,
  );
});

Deno.test("serializeCookie: SameSite=None and Partitioned need Secure", () => {
  assert.throws(() => serializeCookie({ name: "a", value: "1", sameSite: "None" }), /needs secure/);
  assert.throws(
    () => serializeCookie({ name: "a", value: "1", partitioned: true }),
    /needs secure/,
  );
  assert.ok(serializeCookie({ name: "a", value: "1", sameSite: "None", secure: true }));
});

Deno.test("serializeCookie enforces the __Secure- and __Host- prefixes, case-insensitively", () => {
  assert.throws(
    () => serializeCookie({ name: "__Secure-id", value: "1" }),
    /__Secure- cookie needs secure/,
  );
  assert.throws(() => serializeCookie({ name: "__SECURE-id", value: "1" }), TypeError);
  assert.ok(serializeCookie({ name: "__Secure-id", value: "1", secure: true, domain: "a.com" }));
  assert.throws(() => serializeCookie({ name: "__Host-id", value: "1" }), TypeError);
  assert.throws(
    () => serializeCookie({ name: "__host-id", value: "1", secure: true, domain: "a.com" }),
    /cannot have a domain/,
  );
  assert.throws(
    () => serializeCookie({ name: "__Host-id", value: "1", secure: true, path: "/app" }),
    /needs path "\/"/,
  );
  assert.equal(
    serializeCookie({ name: "__Host-id", value: "1", secure: true }),
    "__Host-id=1; Path=/; Secure; HttpOnly",
  );
  // Not a prefix: "__Hostile".
  assert.ok(serializeCookie({ name: "__Hostile", value: "1" }));
});

Deno.test("serializeCookie: Max-Age from 0 to 400 days, and a name and value of at most 4096 bytes", () => {
  assert.match(serializeCookie({ name: "a", value: "1", maxAge: 0 }), /Max-Age=0/);
  assert.match(
    serializeCookie({ name: "a", value: "1", maxAge: MAX_COOKIE_AGE_SECONDS }),
    /Max-Age=34560000/,
  );
  for (const maxAge of [MAX_COOKIE_AGE_SECONDS + 1, -1, 1.5, NaN]) {
    assert.throws(() => serializeCookie({ name: "a", value: "1", maxAge }), RangeError);
  }
  assert.throws(
    () => serializeCookie({ name: "a", value: "1", expires: new Date("nope") }),
    RangeError,
  );
  const atLimit = "x".repeat(4096 - 1);
  assert.ok(serializeCookie({ name: "a", value: atLimit }));
  assert.throws(() => serializeCookie({ name: "a", value: atLimit + "x" }), RangeError);
  // The limit counts the encoded value: " " becomes three bytes.
  assert.throws(() => serializeCookie({ name: "a", value: " ".repeat(1366) }), RangeError);
});

Deno.test("setCookie adds one Set-Cookie line per cookie; deleteCookie expires one", () => {
  const headers = new Headers();
  setCookie(headers, { name: "a", value: "1" });
  setCookie(headers, { name: "b", value: "2", path: "/x" });
  deleteCookie(headers, "c", { path: "/x", domain: "example.com" });
  deleteCookie(headers, "__Host-d");
  deleteCookie(headers, "__Secure-e", { path: "/p" });
  assert.deepEqual(headers.getSetCookie(), [
    "a=1; Path=/; HttpOnly",
    "b=2; Path=/x; HttpOnly",
    "c=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; Path=/x; HttpOnly",
    "__Host-d=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly",
    "__Secure-e=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/p; Secure; HttpOnly",
  ]);
  assert.throws(
    () => setCookie(headers, null as unknown as { name: string; value: string }),
    TypeError,
  );
});

Deno.test("SigningKeys signs with the newest key and verifies with any (rotation)", async () => {
  const a = new SigningKeys(["key a"]);
  const ba = new SigningKeys(["key b", "key a"]);
  const fromA = await a.sign("x=1");
  assert.match(fromA, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(await ba.verify("x=1", fromA), 1);
  assert.equal(await ba.verify("x=1", await ba.sign("x=1")), 0);
  assert.equal(await a.verify("x=1", await ba.sign("x=1")), -1);
  assert.equal(await a.verify("x=2", fromA), -1);
  for (
    const bad of [
      "",
      "abc",
      fromA.slice(1),
      fromA + "A",
      fromA.replace(/.$/, "*"),
      "\u00e9".repeat(43),
    ]
  ) {
    assert.equal(await a.verify("x=1", bad), -1, bad);
  }
  const bytes = new SigningKeys([new Uint8Array(32).fill(7)]);
  assert.equal(await bytes.verify("y", await bytes.sign("y")), 0);
  assert.equal(bytes.size, 1);
  assert.throws(() => new SigningKeys([]), TypeError);
  assert.throws(() => new SigningKeys([""]), TypeError);
  assert.throws(() => new SigningKeys("k" as unknown as string[]), TypeError);
});

Deno.test("signed cookies: tampered values, swapped names and other keys do not verify", async () => {
  const keys = new SigningKeys(["secret"]);
  const out = new Headers();
  await setSignedCookie(out, { name: "sid", value: "a.b c" }, keys);
  const pair = out.get("set-cookie")!.split(";")[0];
  assert.match(pair, /^sid=a\.b%20c\.[\w-]{43}$/);
  const read = (cookie: string, name = "sid", k: SigningKeys | string = keys) =>
    getSignedCookie(cookieOf(cookie), name, k);
  assert.equal(await read(pair), "a.b c");
  assert.equal(await read(pair.replace("a.b", "a.c")), undefined);
  assert.equal(await read(pair.replace("sid=", "other="), "other"), undefined);
  assert.equal(await read(pair, "sid", "another secret"), undefined);
  assert.equal(await read("sid=unsigned"), undefined);
  assert.equal(await read(""), undefined);
  assert.equal(await getSignedCookie(new Headers(), "sid", keys), undefined);
  assert.equal(await read(pair, "sid", "secret"), "a.b c", "keys as one string");
  await assert.rejects(
    setSignedCookie(out, { name: "__Host-x", value: "1" }, keys),
    TypeError,
    "attributes are checked",
  );
});

Deno.test("ctx.cookies without cookies() reads but refuses writes, naming the middleware", () => {
  const ctx = new Context(req("/", { headers: { cookie: "a=1" } }), INFO);
  assert.equal(ctx.cookies.get("a"), "1");
  assert.equal(ctx.cookies, ctx.cookies, "made once");
  assert.throws(() => ctx.cookies.set("b", "2"), /put cookies\(\) in the chain/);
  assert.throws(() => ctx.cookies.delete("a"), TypeError);
});

Deno.test("cookies(): several Set-Cookie lines, replacement per name/domain/path, signed values", async () => {
  const handler = compose(cookies({ keys: ["k2", "k1"] }), async (ctx) => {
    ctx.cookies.set("a", "1").set("a", "2").set("a", "3", { path: "/x" });
    ctx.cookies.set("b", "v", { domain: "Example.com" }).delete("b", { domain: "example.com" });
    await ctx.cookies.setSigned("s", "signed");
    assert.deepEqual(ctx.cookies.pending.length, 4);
    return new Response("ok");
  });
  const response = await handler(req("/"), INFO);
  const lines = response.headers.getSetCookie();
  assert.deepEqual(lines.map((l) => l.split(";").slice(0, 2).join(";")), [
    "a=2; Path=/",
    "a=3; Path=/x",
    "b=; Max-Age=0",
    `${lines[3].split(";")[0]}; Path=/`,
  ]);
  assert.match(lines[3], /^s=signed\.[\w-]{43}; Path=\/; HttpOnly$/);
  const cookie = lines[3].split(";")[0];
  const read = compose(
    cookies({ keys: ["k3", "k2"] }),
    async (ctx) => new Response(String(await ctx.cookies.getSigned("s"))),
  );
  assert.equal(await (await read(req("/", { headers: { cookie } }), INFO)).text(), "signed");
  const old = compose(
    cookies({ keys: ["k3"] }),
    async (ctx) => new Response(String(await ctx.cookies.getSigned("s"))),
  );
  assert.equal(await (await old(req("/", { headers: { cookie } }), INFO)).text(), "undefined");
});

Deno.test("cookies(): Secure by default on https, an immutable response is copied, errors drop cookies", async () => {
  const handler = compose(cookies(), (ctx) => {
    ctx.cookies.set("a", "1");
    if (ctx.path === "/redirect") return Response.redirect("https://example.com/", 302);
    if (ctx.path === "/error") throw new HttpError(403, "no");
    return new Response("ok");
  });
  const secure = await handler(new Request("https://example.com/"), INFO);
  assert.equal(secure.headers.get("set-cookie"), "a=1; Path=/; Secure; HttpOnly");
  const plain = await handler(req("/"), INFO);
  assert.equal(plain.headers.get("set-cookie"), "a=1; Path=/; HttpOnly");
  const redirect = await handler(req("/redirect"), INFO);
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("location"), "https://example.com/");
  assert.equal(redirect.headers.get("set-cookie"), "a=1; Path=/; HttpOnly");
  const error = await handler(req("/error"), INFO);
  assert.equal(error.status, 403);
  assert.equal(error.headers.get("set-cookie"), null);
  const forced = compose(cookies({ secure: false }), (ctx) => {
    ctx.cookies.set("a", "1");
    return new Response("ok");
  });
  const insecure = await forced(new Request("https://example.com/"), INFO);
  assert.equal(insecure.headers.get("set-cookie"), "a=1; Path=/; HttpOnly");
});

Deno.test("Cookies: writes after applyTo throw; signing without keys throws", async () => {
  const jar = new Cookies(new Headers());
  const response = jar.applyTo(new Response("x"));
  assert.equal(response.headers.get("set-cookie"), null);
  assert.throws(() => jar.set("a", "1"), /already sent/);
  const unkeyed = new Cookies(new Headers({ cookie: "s=1.x" }));
  await assert.rejects(unkeyed.getSigned("s"), /no keys/);
  await assert.rejects(unkeyed.setSigned("s", "1"), /no keys/);
  assert.deepEqual(unkeyed.getAll(), { s: "1.x" });
  assert.equal(unkeyed.has("s"), true);
  assert.equal(unkeyed.has("t"), false);
});

Deno.test("cookies() over TCP: each Set-Cookie is its own field line; repeated Cookie lines are joined", async () => {
  const handler = compose(cookies({ keys: ["k"] }), (ctx) => {
    ctx.cookies.set("a", "1").set("b", "2", { maxAge: 10 });
    return Response.json(ctx.cookies.getAll());
  });
  await overTcp(handler, async (base, client, addr) => {
    const { text } = await rawExchange(
      addr,
      http(["GET / HTTP/1.1", "Host: x", "Cookie: x=1", "Cookie: y=2; x=3", "Connection: close"]),
    );
    const [response] = parseResponses(text);
    assert.deepEqual(
      response.headers.filter(([name]) => name === "set-cookie").map(([, v]) => v),
      ["a=1; Path=/; HttpOnly", "b=2; Max-Age=10; Path=/; HttpOnly"],
    );
    assert.deepEqual(JSON.parse(response.body), { x: "1", y: "2" });
    const viaClient = await client.fetch(base, { signal: AbortSignal.timeout(TIMEOUT) });
    assert.deepEqual(viaClient.headers.getSetCookie().length, 2);
    await viaClient.body?.cancel();
  });
  const injected = await inject(handler, http(["GET / HTTP/1.1", "Host: x", "Cookie: q=%20"]));
  assert.deepEqual(injected.response.headers.getSetCookie().length, 2);
  assert.deepEqual(await injected.response.json(), { q: " " });
});
