import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { basicAuth } from "../../../router/basic_auth.ts";
import { bearerAuth, type BearerAuthOptions } from "../../../router/bearer_auth.ts";
import { compose } from "../../../router/compose.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return "Basic " + btoa(String.fromCharCode(...bytes));
}

const guarded = compose(
  basicAuth({
    users: [{ username: "ada", password: "s3cret" }, {
      username: "b\u00e9a",
      password: "p\u00e4ss",
    }],
  }),
  (ctx) => new Response(`hello ${ctx.state.username}`),
);

async function call(handler: typeof guarded, authorization?: string): Promise<Response> {
  return await handler(req("/", { headers: authorization ? { authorization } : {} }), INFO);
}

Deno.test("basicAuth: 401 with the challenge when missing or wrong, through when right", async () => {
  const missing = await call(guarded);
  assert.equal(missing.status, 401);
  assert.equal(await missing.text(), "Unauthorized");
  assert.equal(
    missing.headers.get("www-authenticate"),
    'Basic realm="Secure Area", charset="UTF-8"',
  );
  for (
    const bad of [
      basic("ada", "wrong"),
      basic("ada", "s3cret "),
      basic("adb", "s3cret"),
      basic("", ""),
      "Basic !!!",
      "Basic " + btoa("no colon"),
      "Bearer " + btoa("ada:s3cret"),
      "Basic " + btoa("\xff:\xff"),
      "Basic",
    ]
  ) {
    assert.equal((await call(guarded, bad)).status, 401, bad);
  }
  assert.equal(await (await call(guarded, basic("ada", "s3cret"))).text(), "hello ada");
  assert.equal(await (await call(guarded, "basic " + btoa("ada:s3cret"))).text(), "hello ada");
  assert.equal(
    await (await call(guarded, basic("b\u00e9a", "p\u00e4ss"))).text(),
    "hello b\u00e9a",
    "UTF-8",
  );
  const colon = compose(
    basicAuth({ users: [{ username: "u", password: "a:b" }] }),
    () => new Response("ok"),
  );
  assert.equal((await call(colon, basic("u", "a:b"))).status, 200, "a password may hold ':'");
});

Deno.test("basicAuth: verify function, realm escaping, bad options", async () => {
  const seen: string[] = [];
  const handler = compose(
    basicAuth({
      realm: 'My "Area"',
      verify: async (user, password, ctx) => {
        seen.push(`${user} ${ctx.path}`);
        await Promise.resolve();
        return password === `${user}!`;
      },
    }),
    () => new Response("in"),
  );
  assert.equal((await call(handler, basic("x", "x!"))).status, 200);
  const denied = await call(handler, basic("x", "y"));
  assert.equal(
    denied.headers.get("www-authenticate"),
    'Basic realm="My \\"Area\\"", charset="UTF-8"',
  );
  assert.deepEqual(seen, ["x /", "x /"]);
  assert.throws(() => basicAuth({}), TypeError);
  assert.throws(() => basicAuth({ users: [] }), TypeError);
  assert.throws(
    () => basicAuth({ users: [{ username: "a:b", password: "c" }] }),
    /cannot contain ':'/,
  );
  assert.throws(
    () => basicAuth({ users: [{ username: "a" } as { username: string; password: string }] }),
    TypeError,
  );
});

function bearer(options: BearerAuthOptions) {
  return compose(bearerAuth(options), () => new Response("ok"));
}

Deno.test("bearerAuth: RFC 6750 answers for a missing, malformed, wrong and right token", async () => {
  const handler = bearer({ token: ["t0k3n", "second.token-_~+/=="], realm: "api" });
  const missing = await call(handler);
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="api"');
  for (
    const malformed of ["Bearer", "Bearer ", "Bearer a b", "Basic t0k3n", "Bearer t0k=en", "t0k3n"]
  ) {
    const response = await call(handler, malformed);
    assert.equal(response.status, 400, malformed);
    assert.equal(
      response.headers.get("www-authenticate"),
      'Bearer realm="api", error="invalid_request"',
    );
  }
  const wrong = await call(handler, "Bearer nope");
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get("www-authenticate"), 'Bearer realm="api", error="invalid_token"');
  assert.equal((await call(handler, "Bearer t0k3n")).status, 200);
  assert.equal((await call(handler, "bearer second.token-_~+/==")).status, 200);
});

Deno.test("bearerAuth: verify, a custom scheme and header, no realm, bad options", async () => {
  const handler = bearer({ verify: (token, ctx) => token === `key-${ctx.path.slice(1)}` });
  assert.equal(
    (await handler(req("/7", { headers: { authorization: "Bearer key-7" } }), INFO)).status,
    200,
  );
  const wrong = await handler(req("/7", { headers: { authorization: "Bearer key-8" } }), INFO);
  assert.equal(wrong.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
  assert.equal((await call(handler)).headers.get("www-authenticate"), "Bearer");
  const apiKey = bearer({ token: "abc", prefix: "", header: "x-api-key" });
  assert.equal((await apiKey(req("/", { headers: { "x-api-key": "abc" } }), INFO)).status, 200);
  assert.equal((await apiKey(req("/", { headers: { "x-api-key": "abd" } }), INFO)).status, 401);
  const token = bearer({ token: "abc", prefix: "Token" });
  assert.equal((await call(token, "Token abc")).status, 200);
  assert.equal((await call(token, "Bearer abc")).status, 400);
  assert.throws(() => bearerAuth({}), TypeError);
  assert.throws(() => bearerAuth({ token: "" }), TypeError);
  assert.throws(() => bearerAuth({ token: [] }), TypeError);
});

Deno.test("basicAuth and bearerAuth over TCP and through inject()", async () => {
  const { response } = await inject(
    guarded,
    http(["GET / HTTP/1.1", "Host: x", `Authorization: ${basic("ada", "s3cret")}`]),
  );
  assert.equal(await response.text(), "hello ada");
  await overTcp(bearer({ token: "t" }), async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const denied = await client.fetch(base, { signal });
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const ok = await client.fetch(base, { headers: { authorization: "Bearer t" }, signal });
    assert.equal(await ok.text(), "ok");
  });
});
