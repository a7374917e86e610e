import type { ServeInfo } from "../http/handler.ts";
import { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import {
  dispatch,
  HttpError,
  httpErrorResponse,
  internalError,
  isThenable,
  notFound,
} from "./_dispatch.ts";
import { typeOf } from "./_router_helpers.ts";

/** Options for {@linkcode composeWith}. */
export interface ComposeOptions<S extends object = Record<string, unknown>> {
  /**
   * Called with any error that is not an {@linkcode HttpError} when the composed
   * chain runs as the top-level handler. Return a Response to send it instead of the
   * plain 500; return nothing to send the plain 500. If it throws, the plain 500 is
   * sent. Not called when the chain runs as middleware inside another chain: there
   * errors go to the outer chain.
   *
   * @default {logs the error with console.error}
   */
  onError?: (
    error: unknown,
    ctx: Context<S>,
  ) => Response | void | undefined | Promise<Response | void | undefined>;
}

/**
 * A composed chain: a {@linkcode Handler} for `serve()` when called with
 * `(request, info)`, and a {@linkcode Middleware} when called with `(ctx, next)`
 * inside another chain (told apart by `ctx instanceof Context`).
 *
 * As a handler it creates the Context, ends the chain with 404 Not Found and turns
 * errors into responses. As a middleware it runs on the caller's Context, ends with
 * the caller's `next` and lets errors propagate to the caller.
 */
export interface ComposedMiddleware<S extends object = Record<string, unknown>> {
  /** Answers a request (the Handler signature). */
  (request: Request, info: ServeInfo): Response | Promise<Response>;
  /** Runs as one middleware of an outer chain. */
  // deno-lint-ignore no-explicit-any
  (ctx: Context<S, any>, next: Next): Response | Promise<Response>;
}

/**
 * Composes middleware into one handler, in onion order (Koa's model on Web
 * Request/Response). Same as {@linkcode composeWith} with no options.
 *
 * - Code before `await next()` runs on the way in, code after it on the way out.
 * - `next()` called twice from one middleware rejects with
 *   `Error("next() called multiple times")`.
 * - When the chain ends without a response (the last middleware calls `next()`) the
 *   answer is 404 Not Found. A middleware that returns nothing (it forgot
 *   `return next()`, say) is a bug, not a miss: the chain rejects with a TypeError
 *   naming it ("middleware 1 ("auth") of compose() returned undefined instead of a
 *   Response"), which becomes a 500 and goes to `onError`.
 * - A middleware that throws synchronously rejects the chain's Promise, as one that
 *   rejects does: callers of a nested chain see a rejection, never a throw.
 * - A thrown {@linkcode HttpError} becomes its status and headers, with its message as
 *   the body when `expose` (4xx by default) and the reason phrase otherwise; any other
 *   error becomes a plain 500 (see {@linkcode ComposeOptions.onError}). Outer middleware
 *   can catch inner errors with try/catch around `await next()`.
 * - The result is also a middleware, so chains nest.
 *
 * @param middleware The middleware, outermost first.
 * @returns A handler that is also a middleware.
 *
 * @example Logger, response time and a body (Koa's first example)
 * ```ts
 * import { compose } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const handler = compose(
 *   async (ctx, next) => {
 *     const response = await next();
 *     lines.push(`${ctx.request.method} ${ctx.path} - ${response.headers.get("X-Response-Time")}`);
 *     return response;
 *   },
 *   async (_ctx, next) => {
 *     const start = Date.now();
 *     const response = await next();
 *     response.headers.set("X-Response-Time", `${Date.now() - start}ms`);
 *     return response;
 *   },
 *   () => new Response("Hello World"),
 * );
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const response = await handler(new Request("http://localhost/"), info);
 * assert.equal(await response.text(), "Hello World");
 * assert.match(lines[0], /^GET \/ - \d+ms$/);
 * ```
 *
 * @example Nothing answers: 404
 * ```ts
 * import { compose } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose((_ctx, next) => next());
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * assert.equal((await handler(new Request("http://localhost/"), info)).status, 404);
 * ```
 */
export function compose<S extends object = Record<string, unknown>>(
  // deno-lint-ignore no-explicit-any
  ...middleware: Middleware<S, any>[]
): ComposedMiddleware<S> {
  return composeWith<S>({}, ...middleware);
}

/**
 * Composes middleware like {@linkcode compose}, with options (an `onError` hook).
 *
 * @param options The options.
 * @param middleware The middleware, outermost first.
 * @returns A handler that is also a middleware.
 *
 * @example Report unexpected errors and answer with your own 500
 * ```ts
 * import { composeWith } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const seen: unknown[] = [];
 * const handler = composeWith({
 *   onError(error) {
 *     seen.push(error);
 *     return new Response("Sorry", { status: 500 });
 *   },
 * }, () => {
 *   throw new Error("database down");
 * });
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const response = await handler(new Request("http://localhost/"), info);
 * assert.equal(response.status, 500);
 * assert.equal(await response.text(), "Sorry");
 * assert.equal((seen[0] as Error).message, "database down");
 * ```
 */
export function composeWith<S extends object = Record<string, unknown>>(
  options: ComposeOptions<S>,
  // deno-lint-ignore no-explicit-any
  ...middleware: Middleware<S, any>[]
): ComposedMiddleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot compose: options must be an object, got ${typeOf(options)}`);
  }
  for (let i = 0; i < middleware.length; i++) {
    if (typeof middleware[i] !== "function") {
      throw new TypeError(
        `Cannot compose: middleware ${i} is ${typeOf(middleware[i])}, not a function`,
      );
    }
  }
  const chain = middleware.slice();
  const onError = options.onError;
  function composed(
    first: Request | Context<S>,
    second: ServeInfo | Next,
  ): Response | Promise<Response> {
    if (first instanceof Context) return dispatch(chain, first, second as Next, WHERE);
    const ctx = new Context<S>(first, second as ServeInfo);
    const result = dispatch(chain, ctx, notFound, WHERE);
    if (result instanceof Response) return result;
    if (!isThenable(result)) return respondToError(notAResponse(result), ctx, onError);
    return Promise.resolve(result).then(
      (response) =>
        response instanceof Response
          ? response
          : respondToError(notAResponse(response), ctx, onError),
      (error) => respondToError(error, ctx, onError),
    );
  }
  return composed as ComposedMiddleware<S>;
}

const WHERE = "compose()";

function notAResponse(value: unknown): TypeError {
  return new TypeError(
    `Cannot respond: the middleware chain returned ${typeOf(value)} instead of a Response`,
  );
}

function respondToError<S extends object>(
  error: unknown,
  ctx: Context<S>,
  onError: ComposeOptions<S>["onError"],
): Response | Promise<Response> {
  if (error instanceof HttpError) return httpErrorResponse(error);
  if (onError === undefined) {
    console.error("Unhandled error in middleware:", error);
    return internalError();
  }
  let custom: ReturnType<NonNullable<ComposeOptions<S>["onError"]>>;
  try {
    custom = onError(error, ctx);
  } catch {
    return internalError();
  }
  if (custom instanceof Response) return custom;
  if (!isThenable(custom)) return internalError();
  return Promise.resolve(custom).then(
    (response) => response instanceof Response ? response : internalError(),
    () => internalError(),
  );
}
