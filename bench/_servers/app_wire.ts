// The "typical app" on Wire's serve(): access log (combined, batched), CORS with
// credentials, cookies, a Router and a JSON body. Usage: deno run -A app_wire.ts PORT
// The same app: app_hono.ts (Hono on Deno.serve) and app_koa.mjs (Koa on node).
import { serve } from "../../http/serve.ts";
import { compose } from "../../router/compose.ts";
import { cookies } from "../../router/cookies_middleware.ts";
import { cors } from "../../router/cors.ts";
import { logger } from "../../router/logger.ts";
import type { Middleware } from "../../router/middleware.ts";
import { readJson } from "../../router/read_body.ts";
import { Router } from "../../router/router.ts";

const port = Number(Deno.args[0] ?? 8020);

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
  .post("/api/users", async (ctx) => {
    const user = await readJson<Record<string, unknown>>(ctx);
    return Response.json({ id: 1, ...user }, { status: 201 });
  });

const handler = compose(
  logger({ format: "combined" }),
  cors({ origin: "http://app.test", credentials: true }),
  cookies(),
  session,
  router.routes(),
  router.allowedMethods(),
);

serve(handler, { port, hostname: "127.0.0.1", onListen: () => console.error("ready") });
