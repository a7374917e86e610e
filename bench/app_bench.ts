/**
 * The "typical app" without sockets: one request through Wire's compose() chain (access
 * log, CORS, cookies, Router, JSON body) against the same app on Hono (`app.fetch`, the
 * baseline), and the cost of each middleware on its own around a hello handler. Logs go
 * to a no-op sink in both. The load comparison over TCP, Koa included, is bench/app.ts.
 *
 * Run: deno bench -A bench/app_bench.ts
 *
 * @module
 */
import { Hono } from "npm:hono@4";
import { cors as honoCors } from "npm:hono@4/cors";
import { getCookie, setCookie } from "npm:hono@4/cookie";
import { logger as honoLogger } from "npm:hono@4/logger";
import type { ServeInfo } from "../http/handler.ts";
import { compose } from "../router/compose.ts";
import { cookies } from "../router/cookies_middleware.ts";
import { cors } from "../router/cors.ts";
import { etag } from "../router/etag.ts";
import { logger } from "../router/logger.ts";
import type { Middleware } from "../router/middleware.ts";
import { readJson } from "../router/read_body.ts";
import { requestId } from "../router/request_id.ts";
import { Router } from "../router/router.ts";
import { secureHeaders } from "../router/secure_headers.ts";
import { serverTiming } from "../router/server_timing.ts";

const INFO: ServeInfo = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
  completed: Promise.resolve(),
};
const ORIGIN = "http://app.test";
const HEADERS = { origin: ORIGIN, cookie: "sid=6f1c9a3e-2b7d-4c1e-9a52-3f8e7d6c5b4a; theme=dark" };
const USER = JSON.stringify({ name: "Ada Lovelace", email: "ada@example.com", tags: ["math"] });
const noop = () => {};

// --- Wire ---
const session: Middleware = (ctx, next) => {
  if (!ctx.cookies.has("sid")) ctx.cookies.set("sid", crypto.randomUUID(), { sameSite: "Lax" });
  return next();
};
const router = new Router()
  .get("/api/users/:id", (ctx) =>
    Response.json({
      id: ctx.params.id,
      name: `user ${ctx.params.id}`,
      session: ctx.cookies.get("sid") ?? null,
    }))
  .post(
    "/api/users",
    async (ctx) =>
      Response.json({ id: 1, ...(await readJson<Record<string, unknown>>(ctx)) }, { status: 201 }),
  );
const wireLog = logger({ format: "combined", write: noop, flushInterval: 60_000 });
const wire = compose(
  wireLog,
  cors({ origin: ORIGIN, credentials: true }),
  cookies(),
  session,
  router.routes(),
  router.allowedMethods(),
);

// --- Hono ---
const hono = new Hono();
hono.use(honoLogger(noop));
hono.use(honoCors({ origin: ORIGIN, credentials: true }));
hono.use(async (c, next) => {
  if (getCookie(c, "sid") === undefined) {
    setCookie(c, "sid", crypto.randomUUID(), { path: "/", httpOnly: true, sameSite: "Lax" });
  }
  await next();
});
hono.get("/api/users/:id", (c) => {
  const id = c.req.param("id");
  return c.json({ id, name: `user ${id}`, session: getCookie(c, "sid") ?? null });
});
hono.post("/api/users", async (c) => c.json({ id: 1, ...(await c.req.json()) }, 201));

const get = () => new Request("http://localhost/api/users/42", { headers: HEADERS });
const post = () =>
  new Request("http://localhost/api/users", {
    method: "POST",
    headers: { ...HEADERS, "content-type": "application/json" },
    body: USER,
  });

async function drain(response: Response): Promise<void> {
  await response.arrayBuffer();
}

Deno.bench("Hono app.fetch", { group: "typical app GET", baseline: true }, async () => {
  await drain(await hono.fetch(get()));
});
Deno.bench("Wire compose", { group: "typical app GET" }, async () => {
  await drain(await wire(get(), INFO));
});
Deno.bench("Hono app.fetch", { group: "typical app POST JSON", baseline: true }, async () => {
  await drain(await hono.fetch(post()));
});
Deno.bench("Wire compose", { group: "typical app POST JSON" }, async () => {
  await drain(await wire(post(), INFO));
});

// --- each middleware alone, around a hello handler ---
const hello = () => new Response("Hello, World!");
const alone: [string, Middleware][] = [
  ["logger()", logger({ write: noop, flushInterval: 60_000 })],
  ["cors()", cors({ origin: ORIGIN, credentials: true })],
  ["cookies()", cookies()],
  ["requestId()", requestId()],
  ["secureHeaders()", secureHeaders()],
  ["serverTiming()", serverTiming()],
  ["etag()", etag()],
];
const plain = compose(hello);
Deno.bench("compose(hello)", { group: "one middleware", baseline: true }, async () => {
  await drain(await plain(get(), INFO));
});
for (const [name, middleware] of alone) {
  const handler = compose(middleware, hello);
  Deno.bench(name, { group: "one middleware" }, async () => {
    await drain(await handler(get(), INFO));
  });
}

globalThis.addEventListener("unload", () => void wireLog.close());
