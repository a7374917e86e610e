import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import { httpError } from "../../../http/http_error.ts";
import { compose } from "../../../router/compose.ts";
import {
  CSP_NONCE,
  DEFAULT_SECURE_HEADERS,
  secureHeaders,
} from "../../../router/secure_headers.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

Deno.test("secureHeaders sets Hono's defaults and removes X-Powered-By", async () => {
  const handler = compose(
    secureHeaders(),
    () => new Response("ok", { headers: { "x-powered-by": "PHP/5" } }),
  );
  const response = await handler(req("/"), INFO);
  for (const [name, value] of Object.entries(DEFAULT_SECURE_HEADERS)) {
    assert.equal(response.headers.get(name), value, name);
  }
  assert.equal(response.headers.get("x-powered-by"), null);
  assert.equal(response.headers.get("cross-origin-embedder-policy"), null);
  assert.equal(response.headers.get("content-security-policy"), null);
  assert.equal(
    response.headers.get("strict-transport-security"),
    "max-age=15552000; includeSubDomains",
  );
});

Deno.test("secureHeaders: each header off, custom, or kept from the route", async () => {
  const handler = compose(
    secureHeaders({
      xFrameOptions: false,
      referrerPolicy: "strict-origin-when-cross-origin",
      crossOriginEmbedderPolicy: true,
      removePoweredBy: false,
      permissionsPolicy: {
        camera: [],
        geolocation: ["self", "https://maps.test"],
        fullscreen: ["*"],
      },
    }),
    (ctx) =>
      ctx.path === "/embed"
        ? new Response("ok", {
          headers: { "cross-origin-resource-policy": "cross-origin", "x-powered-by": "x" },
        })
        : httpError(404),
  );
  const response = await handler(req("/embed"), INFO);
  assert.equal(response.headers.get("x-frame-options"), null);
  assert.equal(response.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
  assert.equal(response.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.equal(
    response.headers.get("cross-origin-resource-policy"),
    "cross-origin",
    "the route's value wins",
  );
  assert.equal(response.headers.get("x-powered-by"), "x");
  assert.equal(
    response.headers.get("permissions-policy"),
    'camera=(), geolocation=(self "https://maps.test"), fullscreen=(*)',
  );
  const missing = await handler(req("/nope"), INFO);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("x-content-type-options"), "nosniff", "error responses too");
  assert.throws(() => secureHeaders({ xFrameOptions: 1 as unknown as string }), TypeError);
});

Deno.test("secureHeaders: CSP from directives or a string, report-only, a fresh nonce per request", async () => {
  const handler = compose(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", CSP_NONCE],
        upgradeInsecureRequests: true,
        objectSrc: false,
      },
      contentSecurityPolicyReportOnly: "default-src 'none'",
    }),
    (ctx) => new Response(String(ctx.state.cspNonce)),
  );
  const a = await handler(req("/"), INFO);
  const b = await handler(req("/"), INFO);
  const nonceA = await a.text();
  assert.match(nonceA, /^[A-Za-z0-9+/]{22}==$/);
  assert.notEqual(nonceA, await b.text());
  assert.equal(
    a.headers.get("content-security-policy"),
    `default-src 'self'; script-src 'self' 'nonce-${nonceA}'; upgrade-insecure-requests`,
  );
  assert.equal(a.headers.get("content-security-policy-report-only"), "default-src 'none'");
  const plain = compose(
    secureHeaders({ contentSecurityPolicy: "default-src 'self'" }),
    (ctx) => new Response(String(ctx.state.cspNonce)),
  );
  const response = await plain(req("/"), INFO);
  assert.equal(await response.text(), "undefined", "no nonce unless asked for");
});

Deno.test("secureHeaders through inject(), and on an immutable redirect", async () => {
  const handler = compose(
    secureHeaders(),
    (ctx) => ctx.path === "/r" ? Response.redirect("http://x/", 302) : new Response("ok"),
  );
  const { response } = await inject(handler, http(["GET /r HTTP/1.1", "Host: x"]));
  assert.equal(response.status, 302);
  assert.equal(response.headers.get("x-frame-options"), "SAMEORIGIN");
});

Deno.test("secureHeaders over TCP: every default header on the wire", async () => {
  const handler = compose(secureHeaders(), () => new Response("ok"));
  await overTcp(handler, async (base, client) => {
    const response = await client.fetch(base, { signal: AbortSignal.timeout(TIMEOUT) });
    for (const [name, value] of Object.entries(DEFAULT_SECURE_HEADERS)) {
      assert.equal(response.headers.get(name), value, name);
    }
    await response.body?.cancel();
  });
});
