import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { httpError } from "../../../http/http_error.ts";
import { compose } from "../../../router/compose.ts";
import { cors, type CorsOptions, DEFAULT_CORS_METHODS } from "../../../router/cors.ts";
import type { Middleware } from "../../../router/middleware.ts";
import { Router } from "../../../router/router.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

const APP = "https://app.test";

/** CORS in front of a router with GET /items and PUT /items/:id, plus a call counter. */
function app(options: CorsOptions) {
  const calls: string[] = [];
  const router = new Router()
    .get("/items", () => Response.json([1], { headers: { "x-total": "1" } }))
    .put("/items/:id", (ctx) => new Response(`put ${ctx.params.id}`))
    .get("/fail", () => httpError(403, "Forbidden here"))
    .get("/redirect", () => Response.redirect("https://elsewhere.test/", 302))
    .get("/vary", () => new Response("v", { headers: { vary: "Accept-Encoding" } }));
  const count: Middleware = (ctx, next) => {
    calls.push(`${ctx.request.method} ${ctx.path}`);
    return next();
  };
  return {
    calls,
    handler: compose(cors(options), count, router.routes(), router.allowedMethods()),
  };
}

function preflight(path: string, origin: string, method = "PUT", extra: HeadersInit = {}): Request {
  return req(path, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, ...extra },
  });
}

Deno.test("cors: a request without Origin passes untouched except Vary: Origin", async () => {
  const { handler, calls } = app({ origin: APP });
  const response = await handler(req("/items"), INFO);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("access-control-allow-origin"), null);
  assert.equal(response.headers.get("vary"), "Origin");
  assert.deepEqual(calls, ["GET /items"]);
  const any = await app({}).handler(req("/items"), INFO);
  assert.equal(any.headers.get("vary"), null, "origin * does not vary");
});

Deno.test("cors: origin * answers * without credentials", async () => {
  const response = await app({}).handler(req("/items", { headers: { origin: APP } }), INFO);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(response.headers.get("access-control-allow-credentials"), null);
  assert.throws(() => cors({ credentials: true }), /credentials cannot be allowed for origin "\*"/);
  assert.throws(() => cors({ origin: "*", credentials: true }), TypeError);
});

Deno.test("cors: a listed origin is echoed; another gets no CORS headers and still reaches the app", async () => {
  const { handler, calls } = app({ origin: [APP, "https://admin.test"], credentials: true });
  const ok = await handler(req("/items", { headers: { origin: "https://admin.test" } }), INFO);
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://admin.test");
  assert.equal(ok.headers.get("access-control-allow-credentials"), "true");
  assert.equal(ok.headers.get("vary"), "Origin");
  const other = await handler(req("/items", { headers: { origin: "https://evil.test" } }), INFO);
  assert.equal(other.status, 200);
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  assert.equal(other.headers.get("access-control-allow-credentials"), null);
  assert.equal(other.headers.get("vary"), "Origin");
  // Origins compare exactly: scheme, host and port.
  for (const origin of ["http://app.test", "https://app.test:8443", "https://APP.test", "null"]) {
    const response = await handler(req("/items", { headers: { origin } }), INFO);
    assert.equal(response.headers.get("access-control-allow-origin"), null, origin);
  }
  assert.equal(calls.length, 6);
  assert.throws(() => cors({ origin: ["*"] }), TypeError);
  assert.throws(() => cors({ origin: 3 as unknown as string }), TypeError);
});

Deno.test("cors: an origin function may allow the request's origin, name another, or refuse", async () => {
  const seen: string[] = [];
  const { handler } = app({
    origin: async (origin, ctx) => {
      seen.push(`${origin} ${ctx.path}`);
      await Promise.resolve();
      if (origin.endsWith(".app.test")) return true;
      if (origin === "https://alias.test") return APP;
      return origin === "https://sync.test" ? "https://sync.test" : false;
    },
  });
  const sub = await handler(req("/items", { headers: { origin: "https://a.app.test" } }), INFO);
  assert.equal(sub.headers.get("access-control-allow-origin"), "https://a.app.test");
  const alias = await handler(req("/items", { headers: { origin: "https://alias.test" } }), INFO);
  assert.equal(alias.headers.get("access-control-allow-origin"), APP);
  const refused = await handler(req("/items", { headers: { origin: "https://no.test" } }), INFO);
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
  assert.deepEqual(seen, [
    "https://a.app.test /items",
    "https://alias.test /items",
    "https://no.test /items",
  ]);
  const sync = app({ origin: (o) => o === "https://sync.test" ? null : true }).handler;
  const denied = await sync(req("/items", { headers: { origin: "https://sync.test" } }), INFO);
  assert.equal(denied.headers.get("access-control-allow-origin"), null);
});

Deno.test("cors: a preflight is answered 204 before the router, with the default methods and the requested headers", async () => {
  const { handler, calls } = app({ origin: APP });
  const response = await handler(
    preflight("/items/7", APP, "PUT", {
      "access-control-request-headers": "content-type, x-token",
    }),
    INFO,
  );
  assert.equal(response.status, 204);
  assert.equal(await response.text(), "");
  assert.equal(response.headers.get("access-control-allow-origin"), APP);
  assert.equal(
    response.headers.get("access-control-allow-methods"),
    DEFAULT_CORS_METHODS.join(", "),
  );
  assert.equal(response.headers.get("access-control-allow-headers"), "content-type, x-token");
  assert.equal(response.headers.get("vary"), "Access-Control-Request-Headers, Origin");
  assert.equal(response.headers.get("access-control-max-age"), null);
  assert.equal(response.headers.get("access-control-allow-credentials"), null);
  assert.deepEqual(calls, [], "the rest of the chain never ran");
});

Deno.test("cors: preflight options: methods, headers, max age, credentials, private network", async () => {
  const { handler } = app({
    origin: APP,
    credentials: true,
    allowMethods: ["GET", "PUT"],
    allowHeaders: "content-type",
    maxAge: 600,
    privateNetworkAccess: true,
  });
  const response = await handler(
    preflight("/items", APP, "PUT", {
      "access-control-request-headers": "x-other",
      "access-control-request-private-network": "true",
    }),
    INFO,
  );
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-methods"), "GET, PUT");
  assert.equal(response.headers.get("access-control-allow-headers"), "content-type");
  assert.equal(response.headers.get("access-control-max-age"), "600");
  assert.equal(response.headers.get("access-control-allow-credentials"), "true");
  assert.equal(response.headers.get("access-control-allow-private-network"), "true");
  assert.equal(response.headers.get("vary"), "Origin");
  assert.throws(() => cors({ maxAge: -1 }), RangeError);
  assert.throws(() => cors({ maxAge: 1.5 }), RangeError);
  assert.throws(() => cors({ allowMethods: 5 as unknown as string }), TypeError);
});

Deno.test("cors with allowedMethods(): preflights for any path, then 405/OPTIONS answers carry CORS headers", async () => {
  const { handler, calls } = app({ origin: APP });
  // PUT has a route on /items/:id only; the preflight for /items is still answered here
  // (the browser then sends the PUT, and allowedMethods answers it 405 with Allow).
  const pre = await handler(preflight("/items", APP, "PUT"), INFO);
  assert.equal(pre.status, 204);
  const put = await handler(req("/items", { method: "PUT", headers: { origin: APP } }), INFO);
  assert.equal(put.status, 405);
  assert.equal(put.headers.get("allow"), "HEAD, GET");
  assert.equal(put.headers.get("access-control-allow-origin"), APP);
  // A plain OPTIONS (no Access-Control-Request-Method) is not a preflight.
  const options = await handler(
    req("/items", { method: "OPTIONS", headers: { origin: APP } }),
    INFO,
  );
  assert.equal(options.status, 200);
  assert.equal(options.headers.get("allow"), "HEAD, GET");
  assert.equal(options.headers.get("access-control-allow-origin"), APP);
  // A preflight from an origin that is not allowed goes on to allowedMethods.
  const foreign = await handler(preflight("/items", "https://evil.test"), INFO);
  assert.equal(foreign.status, 200);
  assert.equal(foreign.headers.get("access-control-allow-origin"), null);
  assert.deepEqual(calls, ["PUT /items", "OPTIONS /items", "OPTIONS /items"]);
});

Deno.test("cors: exposed headers, an HttpError's response, an existing Vary and immutable headers", async () => {
  const { handler } = app({ origin: APP, exposeHeaders: ["x-total", "etag"] });
  const get = await handler(req("/items", { headers: { origin: APP } }), INFO);
  assert.equal(get.headers.get("access-control-expose-headers"), "x-total, etag");
  const fail = await handler(req("/fail", { headers: { origin: APP } }), INFO);
  assert.equal(fail.status, 403);
  assert.equal(await fail.text(), "Forbidden here");
  assert.equal(fail.headers.get("access-control-allow-origin"), APP, "error responses keep CORS");
  const vary = await handler(req("/vary", { headers: { origin: APP } }), INFO);
  assert.equal(vary.headers.get("vary"), "Accept-Encoding, Origin");
  const redirect = await handler(req("/redirect", { headers: { origin: APP } }), INFO);
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("access-control-allow-origin"), APP);
  assert.equal(redirect.headers.get("location"), "https://elsewhere.test/");
});

Deno.test("cors over TCP and through inject(): a 204 preflight without a body, then the request", async () => {
  const { handler } = app({ origin: APP, credentials: true, maxAge: 60 });
  const { bytes, response } = await inject(
    handler,
    http([
      "OPTIONS /items/1 HTTP/1.1",
      "Host: api.test",
      `Origin: ${APP}`,
      "Access-Control-Request-Method: PUT",
    ]),
  );
  const head = new TextDecoder().decode(bytes);
  assert.match(head, /^HTTP\/1\.1 204 No Content\r\n/);
  assert.doesNotMatch(head, /content-length|transfer-encoding/i);
  assert.equal(response.headers.get("access-control-max-age"), "60");
  await overTcp(handler, async (base, client) => {
    const signal = AbortSignal.timeout(TIMEOUT);
    const pre = await client.fetch(`${base}/items/1`, {
      method: "OPTIONS",
      headers: { origin: APP, "access-control-request-method": "PUT" },
      signal,
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
    await pre.body?.cancel();
    const put = await client.fetch(`${base}/items/1`, {
      method: "PUT",
      headers: { origin: APP },
      signal,
    });
    assert.equal(await put.text(), "put 1");
    assert.equal(put.headers.get("access-control-allow-origin"), APP);
  });
});
