/**
 * The "/" and "/test" routes of the Node.js http article, done with Wire's Router,
 * plus a route with a parameter; allowedMethods() adds 405, 501 and OPTIONS answers.
 *
 * Run: deno task example:router, then
 *   curl -i http://127.0.0.1:8000/test
 *   curl -i -X POST http://127.0.0.1:8000/test      (405, Allow: HEAD, GET)
 *
 * @module
 */
import { compose, type ComposedMiddleware, Router, serve } from "@wire/http";

/** The routes. */
export const router: Router = new Router()
  .get("home", "/", () => new Response("Hello World!\n"))
  .get("test", "/test", () => Response.json({ message: "This is a test" }))
  .get("hello", "/hello/:name", (ctx) => new Response(`Hello, ${ctx.params.name}!\n`));

/** The handler: routes, then 405/501/OPTIONS, and 404 for anything else. */
export const handler: ComposedMiddleware = compose(router.routes(), router.allowedMethods());

if (import.meta.main) {
  serve(handler, { port: Number(Deno.args[0] ?? 8000) });
}
