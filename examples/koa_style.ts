/**
 * Koa's first example on Wire: a logger, an X-Response-Time header and a body,
 * as three middleware in onion order.
 *
 * Run: deno task example:koa_style, then curl -i http://127.0.0.1:8000/
 *
 * @module
 */
import { compose, type ComposedMiddleware, type Middleware, serve } from "@wire/http";

/** Logs "METHOD path - time" once the response is ready (on the way out). */
export function logger(log: (line: string) => void = console.log): Middleware {
  return async (ctx, next) => {
    const response = await next();
    log(`${ctx.request.method} ${ctx.path} - ${response.headers.get("X-Response-Time")}`);
    return response;
  };
}

/** Times the rest of the chain and reports it in an X-Response-Time header. */
export const responseTime: Middleware = async (_ctx, next) => {
  const start = Date.now();
  const response = await next();
  response.headers.set("X-Response-Time", `${Date.now() - start}ms`);
  return response;
};

/** The body. */
export const hello: Middleware = () => new Response("Hello World");

/** Builds the app, logging to `log`. */
export function createApp(log?: (line: string) => void): ComposedMiddleware {
  return compose(logger(log), responseTime, hello);
}

/** The app's handler, logging to the console. */
export const handler: ComposedMiddleware = createApp();

if (import.meta.main) {
  serve(handler, { port: Number(Deno.args[0] ?? 8000) });
}
