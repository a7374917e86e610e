/**
 * The onion runner shared by `compose` and the Router (internal).
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import { HttpError } from "../http/http_error.ts";
import { STATUS_TEXT } from "../http/status.ts";

/** The message `next()` rejects with when called twice from one middleware. */
export const NEXT_TWICE_MESSAGE = "next() called multiple times";

const TEXT_PLAIN = "text/plain; charset=utf-8";

// deno-lint-ignore no-explicit-any
type AnyMiddleware = Middleware<any, any>;
// deno-lint-ignore no-explicit-any
type AnyContext = Context<any, any>;

/**
 * Runs `chain` around `last` in onion order. The first middleware is called
 * synchronously (so a synchronous Response stays synchronous); every `next` is a
 * Promise and rejects on a second call. A synchronous throw anywhere becomes a
 * rejected Promise (koa-compose's guarantee), and a middleware that returns or
 * resolves to something other than a Response rejects with a TypeError naming it
 * (`where` says which chain: "compose()" or a route's label).
 */
export function dispatch(
  chain: readonly AnyMiddleware[],
  ctx: AnyContext,
  last: Next,
  where: string,
): Response | Promise<Response> {
  const n = chain.length;
  if (n === 0) return last();
  if (n === 1) {
    // Fast path for one middleware: no index bookkeeping, just a one-shot next.
    let called = false;
    return run(chain, 0, ctx, () => {
      if (called) return Promise.reject(new Error(NEXT_TWICE_MESSAGE));
      called = true;
      return last();
    }, where);
  }
  let index = 0;
  const step = (i: number): Promise<Response> => {
    if (i <= index) return Promise.reject(new Error(NEXT_TWICE_MESSAGE));
    index = i;
    if (i === n) return last();
    return Promise.resolve(run(chain, i, ctx, () => step(i + 1), where));
  };
  return run(chain, 0, ctx, () => step(1), where);
}

function run(
  chain: readonly AnyMiddleware[],
  i: number,
  ctx: AnyContext,
  next: Next,
  where: string,
): Response | Promise<Response> {
  let result: unknown;
  try {
    result = chain[i](ctx, next);
  } catch (error) {
    return Promise.reject(error);
  }
  if (result instanceof Response) return result;
  if (!isThenable(result)) return Promise.reject(forgotToReturn(chain, i, where, result));
  return (result as Promise<unknown>).then((value) =>
    value instanceof Response ? value : Promise.reject(forgotToReturn(chain, i, where, value))
  );
}

function forgotToReturn(
  chain: readonly AnyMiddleware[],
  i: number,
  where: string,
  value: unknown,
): TypeError {
  const name = chain[i].name;
  const what = value === null ? "null" : value === undefined ? "undefined" : typeof value;
  return new TypeError(
    `Cannot respond: middleware ${i}${name === "" ? "" : ` ("${name}")`} of ${where} ` +
      `returned ${what} instead of a Response; return a Response or next()`,
  );
}

/** A plain-text response with the standard reason phrase. */
export function textResponse(status: number, body: string | null, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  if (body !== null && !h.has("content-type")) h.set("content-type", TEXT_PLAIN);
  return new Response(body, { status, statusText: STATUS_TEXT[status] ?? "", headers: h });
}

/** The response an HttpError becomes: its status, its headers, message or reason phrase. */
export function httpErrorResponse(error: HttpError): Response {
  const body = error.expose ? error.message : (STATUS_TEXT[error.status] ?? `HTTP ${error.status}`);
  return textResponse(error.status, body, error.headers);
}

/** 404 Not Found: what a chain answers when no middleware responded (Koa's default). */
export function notFound(): Promise<Response> {
  return Promise.resolve(textResponse(404, "Not Found"));
}

/** 500 Internal Server Error with no detail. */
export function internalError(): Response {
  return textResponse(500, "Internal Server Error");
}

/** True for a thenable (a Promise from any realm). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

export { HttpError };
