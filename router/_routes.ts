/**
 * The middleware behind `Router.routes()` (internal): one route per request (the
 * default), or every matching route in registration order (`exclusive: false`).
 *
 * @module
 */

import {
  type AnyContext,
  chainOf,
  chainOfMatches,
  GENERATION,
  type RouteView,
  type ViewMatch,
} from "./_chain.ts";
import type { HostTest } from "./_host.ts";
import type { Middleware, Next } from "./middleware.ts";
import type { RouterCore } from "./_router_core.ts";
import { dispatch } from "./_dispatch.ts";

function hostsMatch(hosts: HostTest[], ctx: AnyContext): boolean {
  const host = ctx.host;
  for (const test of hosts) if (!test(host)) return false;
  return true;
}

/** The routing middleware of a router. */
export function routesMiddleware(core: RouterCore): Middleware {
  if (!core.exclusive) return allMatches(core);
  const host = core.host;
  return (ctx: AnyContext, next: Next): Response | Promise<Response> => {
    if (host !== null && !host(ctx.host)) return next();
    let match;
    try {
      match = core.tree.match(ctx.request.method, ctx.path);
    } catch (error) {
      return Promise.reject(error); // a malformed escape: HttpError 400
    }
    if (match === null) return next();
    const view = match.value;
    if (view.hosts !== null && !hostsMatch(view.hosts, ctx)) return next();
    ctx.params = match.params;
    ctx.routePath = view.routePath;
    ctx.routeName = view.entry.name;
    if (match.captures !== null) ctx.captures = match.captures;
    const chain = view.generation === GENERATION.value ? view.chain : chainOf(view);
    // HEAD on a GET route returns the GET response as is: the server sends its head
    // (Content-Length included) and never its body (RFC 9110 §9.3.2).
    return dispatch(chain, ctx, next, view.label);
  };
}

function allMatches(core: RouterCore): Middleware {
  const host = core.host;
  return (ctx: AnyContext, next: Next): Response | Promise<Response> => {
    if (host !== null && !host(ctx.host)) return next();
    let found;
    try {
      found = core.tree.matchAll(ctx.request.method, ctx.path);
    } catch (error) {
      return Promise.reject(error);
    }
    const matches: ViewMatch[] = [];
    for (const m of found) {
      const view: RouteView = m.value;
      if (view.hosts === null || hostsMatch(view.hosts, ctx)) {
        matches.push({ view, params: m.params, captures: m.captures });
      }
    }
    if (matches.length === 0) return next();
    const first = matches[0];
    ctx.params = first.params;
    ctx.routePath = first.view.routePath;
    ctx.routeName = first.view.entry.name;
    return dispatch(chainOfMatches(matches), ctx, next, first.view.label);
  };
}
