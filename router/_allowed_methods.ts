/**
 * The middleware behind `Router.allowedMethods()` (internal).
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import type { RouteTree } from "./_route_tree.ts";
import { HttpError, textResponse } from "./_dispatch.ts";

/** Methods a Router has verbs for; any other method gets 501 where nothing answered. */
export const ROUTER_METHODS: readonly string[] = Object.freeze([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  // QUERY (RFC 10008): safe and idempotent like GET, with the query in the body.
  "QUERY",
  "OPTIONS",
]);

/** Options for `Router.allowedMethods()`. */
export interface AllowedMethodsOptions {
  /**
   * Throw an HttpError (405 or 501, with `Allow`) instead of returning the response,
   * so outer error-handling middleware can render it.
   *
   * @default {false}
   */
  throw?: boolean;
}

/** Builds the `Allow` value: registered methods, HEAD with GET, and OPTIONS. */
export function allowHeader(methods: readonly string[], any: boolean): string {
  const list = any ? ROUTER_METHODS.slice() : methods.slice();
  if (list.includes("GET") && !list.includes("HEAD")) {
    list.splice(list.indexOf("GET") + 1, 0, "HEAD");
  }
  if (!list.includes("OPTIONS")) list.push("OPTIONS");
  return list.join(", ");
}

/** Creates the allowed-methods middleware for a tree. */
export function allowedMethodsMiddleware(
  // deno-lint-ignore no-explicit-any
  tree: RouteTree<any>,
  options: AllowedMethodsOptions,
): Middleware {
  const throws = options.throw ?? false;
  return (ctx: Context, next: Next): Promise<Response> =>
    next().then((response) => {
      if (response.status !== 404) return response;
      const method = ctx.request.method;
      const allowed = tree.allowed(ctx.path);
      const found = allowed.any || allowed.methods.length > 0;
      const allow = found ? allowHeader(allowed.methods, allowed.any) : undefined;
      if (!ROUTER_METHODS.includes(method)) {
        const headers = allow === undefined ? undefined : { allow };
        if (throws) throw new HttpError(501, undefined, { headers });
        return textResponse(501, "Not Implemented", headers);
      }
      if (!found || allowed.any) return response;
      if (
        allowed.methods.includes(method) ||
        (method === "HEAD" && allowed.methods.includes("GET"))
      ) {
        return response; // the route exists and answered 404 itself
      }
      if (method === "OPTIONS") return textResponse(204, null, { allow: allow! });
      if (throws) throw new HttpError(405, undefined, { headers: { allow: allow! } });
      return textResponse(405, "Method Not Allowed", { allow: allow! });
    });
}
