// The "typical app" on Koa + @koa/router, run by node: koa-logger, @koa/cors,
// ctx.cookies, @koa/bodyparser. Usage: KOA_MODULES=DIR node app_koa.mjs PORT
// (DIR holds node_modules with koa, @koa/router, @koa/cors, @koa/bodyparser, koa-logger;
// bench/app.ts installs them there with npm.)
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(`${process.env.KOA_MODULES ?? process.cwd()}/package.json`);
const Koa = require("koa");
const Router = require("@koa/router");
const cors = require("@koa/cors");
const { bodyParser } = require("@koa/bodyparser");
const logger = require("koa-logger");

const port = Number(process.argv[2] ?? 8022);
const app = new Koa();
const router = new Router();
router.get("/api/users/:id", (ctx) => {
  const id = ctx.params.id;
  ctx.body = { id, name: `user ${id}`, session: ctx.cookies.get("sid") ?? null };
});
router.post("/api/users", (ctx) => {
  ctx.status = 201;
  ctx.body = { id: 1, ...ctx.request.body };
});
app.use(logger());
app.use(cors({ origin: "http://app.test", credentials: true }));
app.use(async (ctx, next) => {
  if (ctx.cookies.get("sid") === undefined) {
    ctx.cookies.set("sid", randomUUID(), { httpOnly: true, sameSite: "lax" });
  }
  await next();
});
app.use(bodyParser());
app.use(router.routes());
app.use(router.allowedMethods());
app.listen(port, "127.0.0.1", () => console.error("ready"));
