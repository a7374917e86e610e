/**
 * The middleware behind `Router.allowedMethods()` (internal).
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import type { RouterCore } from "./_router_core.ts";
import { HttpError, textResponse } from "./_dispatch.ts";
import { METHODS } from "./methods.ts";
import { type AllowedMethodsOptions, DEFAULT_METHODS } from "./router_options.ts";

/**
 * Builds the `Allow` value as koa-router does: the methods of the routes that match the
 * path, in registration order, with HEAD just before GET for a GET route.
 */
export function allowHeader(methods: readonly string[]): string {
  const list: string[] = [];
  for (const m of methods) {
    if (m === "GET" && !list.includes("HEAD")) list.push("HEAD");
    if (!list.includes(m)) list.push(m);
  }
  return list.join(", ");
}

/** The methods a router implements: its `methods` option, or the defaults and its own. */
function implemented(core: RouterCore, method: string): boolean {
  if (core.methodsOption !== null) return core.methodsOption.includes(method);
  if (core.anyMethod) return (METHODS as readonly string[]).includes(method);
  return DEFAULT_METHODS.includes(method) || core.methods.has(method);
}

/** allowedMethods() middleware, remembered so use() can refuse them. */
export const allowedMethodsMiddlewares = new WeakSet<object>();

/** Creates the allowed-methods middleware for a router. */
export function allowedMethodsMiddleware(
  core: RouterCore,
  options: AllowedMethodsOptions,
): Middleware {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot create allowedMethods(): options must be an object`);
  }
  const throws = options.throw ?? false;
  const { methodNotAllowed, notImplemented } = options;
  for (
    const [key, value] of [["methodNotAllowed", methodNotAllowed], [
      "notImplemented",
      notImplemented,
    ]]
  ) {
    if (value !== undefined && typeof value !== "function") {
      throw new TypeError(`Cannot create allowedMethods(): ${key} must be a function`);
    }
  }
  const middleware = (ctx: Context, next: Next): Promise<Response> =>
    next().then((response) => {
      if (response.status !== 404) return response;
      if (core.host !== null && !core.host(ctx.host)) return response;
      const method = ctx.request.method;
      const allowed = core.tree.allowed(ctx.path);
      const found = allowed.any || allowed.methods.length > 0;
      const allow = allowed.any ? allowHeader(METHODS) : allowHeader(allowed.methods);
      if (!implemented(core, method)) {
        const headers = found ? { allow } : undefined;
        if (throws) throw notImplemented?.() ?? new HttpError(501, undefined, { headers });
        return textResponse(501, "Not Implemented", headers);
      }
      if (!found || allowed.any) return response;
      if (
        allowed.methods.includes(method) ||
        (method === "HEAD" && allowed.methods.includes("GET"))
      ) {
        return response; // the route exists and answered 404 itself
      }
      // RFC 9110 §9.3.7: a 200 answer to OPTIONS with no content carries Content-Length: 0.
      if (method === "OPTIONS") return new Response("", { status: 200, headers: { allow } });
      if (throws) {
        throw methodNotAllowed?.() ?? new HttpError(405, undefined, { headers: { allow } });
      }
      return textResponse(405, "Method Not Allowed", { allow });
    });
  allowedMethodsMiddlewares.add(middleware);
  return middleware;
}
