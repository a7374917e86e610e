/**
 * The middleware chain a matched route runs (internal): its routers' `use()`
 * middleware (outermost router first, each filtered by its path scope), the
 * `param()` handlers of its parameters (in the order the parameters appear in the
 * path, each at most once per request), then the route's own middleware.
 *
 * Chains are built when first needed and cached on the route's view; every change
 * that can alter one (use(), param(), prefix(), a mount) bumps {@linkcode GENERATION},
 * so requests never rebuild a chain that is still current.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware, Next, ParamMiddleware } from "./middleware.ts";
import { scopedMiddleware, type ScopeRules, type UseEntry } from "./_use_scope.ts";
import type { PathPattern } from "./_path_pattern.ts";
import type { HostTest } from "./_host.ts";

// deno-lint-ignore no-explicit-any
export type AnyMiddleware = Middleware<any, any>;
// deno-lint-ignore no-explicit-any
export type AnyContext = Context<any, any>;
// deno-lint-ignore no-explicit-any
export type AnyParamMiddleware = ParamMiddleware<any>;

/** What a view needs from each router it passes through. */
export interface Layer extends ScopeRules {
  uses: UseEntry[];
  params: Map<string, AnyParamMiddleware[]>;
}

/** A route as declared in one router (relative to that router's prefix). */
export interface RouteEntry {
  method: string | null;
  path: string | RegExp;
  name: string | undefined;
  middleware: AnyMiddleware[];
  /** Declaration order, across every router. */
  seq: number;
}

/** A route as one router sees it: full path, the routers it passes through, its chain. */
export interface RouteView {
  entry: RouteEntry;
  /** The full pattern text (for a RegExp route: its prefix). */
  path: string;
  pattern: PathPattern | null;
  regex: RegExp | null;
  /** For ctx.routePath: the full pattern, or a RegExp route's prefix and regex. */
  routePath: string;
  /** How errors name it: "GET /api/users/:id ("user")". */
  label: string;
  /** The routers from the one that sees it (outermost) to the one that declared it. */
  layers: Layer[];
  /** Each layer's prefix as this route sees it, mount paths included. */
  bases: string[];
  /** Host tests of the layers below the first (the first checks its own). */
  hosts: HostTest[] | null;
  chain: AnyMiddleware[];
  generation: number;
}

const NO_CAPTURES: readonly (string | undefined)[] = Object.freeze([]);

/** Bumped by every change that can alter a chain. */
export const GENERATION = { value: 0 };

// Which param handlers already ran for a request, for which parameter (koa-router's
// _matchedParams, keyed by parameter too so one handler can serve several parameters).
const ran = new WeakMap<object, Map<AnyParamMiddleware, Set<string>>>();

function paramStep(name: string, handler: AnyParamMiddleware): AnyMiddleware {
  const step = (ctx: AnyContext, next: Next) => {
    const value = ctx.params[name];
    if (value === undefined) return next();
    let seen = ran.get(ctx);
    if (seen === undefined) ran.set(ctx, seen = new Map());
    let names = seen.get(handler);
    if (names === undefined) seen.set(handler, names = new Set());
    if (names.has(name)) return next();
    names.add(name);
    return handler(value, ctx, next);
  };
  Object.defineProperty(step, "name", { value: handler.name || `param(${name})` });
  return step;
}

function paramNamesOf(view: RouteView): string[] {
  return view.pattern === null ? [] : view.pattern.paramNames;
}

/** Appends the use() middleware of a view's layers to `chain`, skipping any in `done`. */
function addUses(view: RouteView, chain: AnyMiddleware[], done: Set<UseEntry>): void {
  view.layers.forEach((layer, k) => {
    for (const use of layer.uses) {
      if (done.has(use)) continue;
      done.add(use);
      chain.push(scopedMiddleware(use, view.bases[k], layer));
    }
  });
}

/** Appends a view's param handlers and its own middleware to `chain`. */
function addRoute(view: RouteView, chain: AnyMiddleware[]): void {
  for (const name of paramNamesOf(view)) {
    for (const layer of view.layers) {
      for (const handler of layer.params.get(name) ?? []) chain.push(paramStep(name, handler));
    }
  }
  chain.push(...view.entry.middleware);
}

/** The chain of one view (built once per generation). */
export function chainOf(view: RouteView): AnyMiddleware[] {
  const chain: AnyMiddleware[] = [];
  addUses(view, chain, new Set());
  addRoute(view, chain);
  view.chain = chain;
  view.generation = GENERATION.value;
  return chain;
}

/** One route of a request that several routes match. */
export interface ViewMatch {
  view: RouteView;
  params: Record<string, string>;
  captures: (string | undefined)[] | null;
}

/**
 * The chain for a request that several routes match (koa-router's model): the use()
 * middleware of all of them once each, then for each route in registration order a
 * step that sets its params and route fields, its param handlers and its middleware.
 */
export function chainOfMatches(matches: ViewMatch[]): AnyMiddleware[] {
  const chain: AnyMiddleware[] = [];
  const done = new Set<UseEntry>();
  for (const m of matches) addUses(m.view, chain, done);
  for (const m of matches) {
    const { view, params, captures } = m;
    chain.push((ctx: AnyContext, next: Next) => {
      ctx.params = { ...ctx.params, ...params };
      ctx.routePath = view.routePath;
      ctx.routeName = view.entry.name;
      ctx.captures = captures ?? NO_CAPTURES;
      return next();
    });
    addRoute(view, chain);
  }
  return chain;
}
