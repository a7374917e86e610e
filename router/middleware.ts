import type { Context } from "./context.ts";

/**
 * Calls the rest of the middleware chain and resolves to its Response.
 *
 * Calling it a second time from the same middleware rejects with
 * `Error("next() called multiple times")`.
 *
 * @example Time the rest of the chain
 * ```ts
 * import type { Middleware, Next } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const timed: Middleware = async (_ctx, next: Next) => {
 *   const start = performance.now();
 *   const response = await next();
 *   response.headers.set("X-Response-Time", `${performance.now() - start}ms`);
 *   return response;
 * };
 * assert.equal(typeof timed, "function");
 * ```
 */
export type Next = () => Promise<Response>;

/**
 * One layer of the onion: gets the {@linkcode Context} and `next`, returns (or resolves
 * to) the Response. Code before `await next()` runs on the way in, code after it on
 * the way out.
 *
 * `S` types `ctx.state`; `P` types `ctx.params` (the Router infers it from the path).
 *
 * @example A middleware that answers without calling next
 * ```ts
 * import { compose, type Middleware } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const hello: Middleware = () => new Response("hello");
 * const handler = compose(hello);
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const response = await handler(new Request("http://localhost/"), info);
 * assert.equal(await response.text(), "hello");
 * ```
 */
export type Middleware<
  S extends object = Record<string, unknown>,
  P extends Partial<Record<string, string>> = Record<string, string>,
> = (ctx: Context<S, P>, next: Next) => Response | Promise<Response>;

/**
 * A handler for one route parameter, registered with `Router.param(name, handler)`:
 * it gets the decoded value, the Context and `next`, and runs once per request before
 * the middleware of every route that declares the parameter (koa-router's
 * `router.param`), typically to load what the value names or to reject a bad value.
 *
 * @example Load the user a route names
 * ```ts
 * import type { ParamMiddleware } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const users = new Map([["7", "Ada"]]);
 * const loadUser: ParamMiddleware<{ user?: string }> = (id, ctx, next) => {
 *   const user = users.get(id);
 *   if (user === undefined) return new Response("no such user", { status: 404 });
 *   ctx.state.user = user;
 *   return next();
 * };
 * assert.equal(typeof loadUser, "function");
 * ```
 */
export type ParamMiddleware<S extends object = Record<string, unknown>> = (
  value: string,
  ctx: Context<S>,
  next: Next,
) => Response | Promise<Response>;
