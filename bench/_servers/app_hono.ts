// The "typical app" on Hono with Deno.serve: Hono's logger, cors, cookie helpers, its
// router and c.req.json(). Usage: deno run -A app_hono.ts PORT
import { Hono } from "npm:hono@4";
import { cors } from "npm:hono@4/cors";
import { getCookie, setCookie } from "npm:hono@4/cookie";
import { logger } from "npm:hono@4/logger";

const port = Number(Deno.args[0] ?? 8021);
const app = new Hono();
app.use(logger());
app.use(cors({ origin: "http://app.test", credentials: true }));
app.use(async (c, next) => {
  if (getCookie(c, "sid") === undefined) {
    setCookie(c, "sid", crypto.randomUUID(), { path: "/", httpOnly: true, sameSite: "Lax" });
  }
  await next();
});
app.get("/api/users/:id", (c) => {
  const id = c.req.param("id");
  return c.json({ id, name: `user ${id}`, session: getCookie(c, "sid") ?? null });
});
app.post("/api/users", async (c) => c.json({ id: 1, ...(await c.req.json()) }, 201));

Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.error("ready") }, app.fetch);
