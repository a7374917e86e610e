/**
 * Path scopes of `Router.use()` middleware (internal). A scope is tested on the
 * request path each time the middleware's route matches:
 * - none (or ""): every route of the router;
 * - "/": the router's root only (its prefix, or "/"), as koa-router;
 * - "/admin", "/users/:id": that path and everything under it;
 * - a RegExp: paths it matches (its captures go to `ctx.captures`).
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import { parsePathPattern } from "./_path_pattern.ts";
import { normalizePrefix, typeOf } from "./_router_helpers.ts";
import { RouteTree } from "./_route_tree.ts";
import { decodeParam } from "./_route_tree.ts";

// deno-lint-ignore no-explicit-any
type AnyMiddleware = Middleware<any, any>;
// deno-lint-ignore no-explicit-any
type AnyContext = Context<any, any>;

/** Where a `use()` middleware runs: null for every route, else a path or a RegExp. */
export type UseScope = null | string | RegExp;

/** One `use()` middleware of a router. */
export interface UseEntry {
  scope: UseScope;
  middleware: AnyMiddleware;
}

/** Matching rules the scope takes from its router. */
export interface ScopeRules {
  caseSensitive: boolean;
  strict: boolean;
}

const DYNAMIC = /[:*{\\]/;

function pathTest(pattern: string, rules: ScopeRules, under: boolean): (path: string) => boolean {
  if (DYNAMIC.test(pattern)) {
    const tree = new RouteTree<true>({ caseSensitive: rules.caseSensitive, strict: false });
    tree.add(null, parsePathPattern(under ? `${pattern}/*` : pattern), true, "use");
    return (path) => {
      try {
        return tree.match("GET", path) !== null;
      } catch {
        return false;
      }
    };
  }
  const key = rules.caseSensitive ? pattern : pattern.toLowerCase();
  return (path) => {
    let p = rules.caseSensitive ? path : path.toLowerCase();
    if (!under) {
      if (!rules.strict && p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
      return p === (key === "" ? "/" : key);
    }
    return key === "" ||
      (p.startsWith(key) && (p.length === key.length || p.charCodeAt(key.length) === 47));
  };
}

/**
 * The middleware a `use()` entry becomes in a route's chain, where `base` is its
 * router's prefix as that route sees it (mount paths included).
 */
export function scopedMiddleware(use: UseEntry, base: string, rules: ScopeRules): AnyMiddleware {
  const { scope, middleware } = use;
  if (scope === null || scope === "") return middleware;
  let test: (ctx: AnyContext) => boolean;
  if (scope instanceof RegExp) {
    // The middleware sees the RegExp's captures; what runs after it, the route's again.
    const withCaptures = (ctx: AnyContext, next: Next) => {
      scope.lastIndex = 0;
      const exec = scope.exec(ctx.path);
      if (exec === null) return next();
      const route = ctx.captures;
      ctx.captures = exec.slice(1).map((v, i) => v === undefined ? v : decodeParam(v, String(i)));
      return middleware(ctx, () => {
        ctx.captures = route;
        return next();
      });
    };
    Object.defineProperty(withCaptures, "name", { value: middleware.name });
    return withCaptures;
  } else {
    const matches = scope === "/"
      ? pathTest(base, rules, false)
      : pathTest(base + scope, rules, true);
    test = (ctx) => matches(ctx.path);
  }
  const scoped = (ctx: AnyContext, next: Next) => test(ctx) ? middleware(ctx, next) : next();
  Object.defineProperty(scoped, "name", { value: middleware.name });
  return scoped;
}

/** Reads a `use()` path: "" is every route, "/" the root, others are checked. */
export function useScope(path: unknown): UseScope {
  if (path instanceof RegExp) return path;
  if (typeof path !== "string") {
    throw new TypeError(`Cannot use(): a path must be a string or a RegExp, got ${typeOf(path)}`);
  }
  if (path === "") return null;
  if (path === "/") return "/";
  const scope = normalizePrefix(path, "use() path");
  parsePathPattern(scope);
  return scope;
}
