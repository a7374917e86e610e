/**
 * The state and rules behind `Router` (internal): its routes as declared, the views of
 * them (and of mounted routers' routes) its tree holds, use() middleware, param()
 * handlers and the mount graph. `Router` is the public face; this holds the work.
 *
 * @module
 */

import {
  type AnyMiddleware,
  type AnyParamMiddleware,
  GENERATION,
  type Layer,
  type RouteEntry,
  type RouteView,
} from "./_chain.ts";
import { type HostTest, hostTest } from "./_host.ts";
import type { PathPattern } from "./_path_pattern.ts";
import { RouteTree } from "./_route_tree.ts";
import { joinPath, labelOf, normalizePrefix } from "./_router_helpers.ts";
import type { UseEntry, UseScope } from "./_use_scope.ts";
import { buildPath, urlArguments, withQuery } from "./_url.ts";
import { DEFAULT_EXCLUSIVE, DEFAULT_PREFIX, type RouterOptions } from "./router_options.ts";

/** Where a router is mounted: in `parent`, under `scope` (relative to its prefix). */
export interface Mount {
  parent: RouterCore;
  child: RouterCore;
  scope: string;
}

let declarations = 0;

function checkOptions(options: RouterOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot create router: options must be an object, got ${options}`);
  }
  const { caseSensitive, sensitive } = options;
  if (caseSensitive !== undefined && sensitive !== undefined && caseSensitive !== sensitive) {
    throw new TypeError(
      "Cannot create router: caseSensitive and sensitive (its koa-router name) disagree",
    );
  }
  if (options.methods !== undefined) {
    if (!Array.isArray(options.methods)) {
      throw new TypeError("Cannot create router: methods must be an array of method names");
    }
    for (const m of options.methods) {
      if (typeof m !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(m)) {
        throw new TypeError(`Cannot create router: ${JSON.stringify(m)} is not a method name`);
      }
    }
  }
}

/** One router's state. */
export class RouterCore implements Layer {
  readonly caseSensitive: boolean;
  readonly strict: boolean;
  readonly exclusive: boolean;
  readonly host: HostTest | null;
  readonly methodsOption: readonly string[] | null;
  tree: RouteTree<RouteView>;
  prefix: string;
  /** Routes declared on this router. */
  own: RouteEntry[] = [];
  /** Every route this router's tree holds (its own and its mounted routers'). */
  views: RouteView[] = [];
  names = new Map<string, RouteView>();
  uses: UseEntry[] = [];
  params = new Map<string, AnyParamMiddleware[]>();
  /** Where this router is mounted. */
  mounts: Mount[] = [];
  /** Routers mounted in this one. */
  children: Mount[] = [];
  /** Methods of this router's routes; `any` when an all() route exists. */
  methods = new Set<string>();
  anyMethod = false;

  constructor(options: RouterOptions) {
    checkOptions(options);
    this.caseSensitive = options.caseSensitive ?? options.sensitive ?? true;
    this.strict = options.strict ?? false;
    this.exclusive = options.exclusive ?? DEFAULT_EXCLUSIVE;
    this.host = options.host === undefined ? null : hostTest(options.host);
    this.methodsOption = options.methods === undefined ? null : Object.freeze([...options.methods]);
    this.tree = this.#newTree();
    this.prefix = normalizePrefix(options.prefix ?? DEFAULT_PREFIX, "router prefix");
    if (this.prefix !== "") this.tree.parse(this.prefix);
  }

  #newTree(): RouteTree<RouteView> {
    return new RouteTree<RouteView>({
      caseSensitive: this.caseSensitive,
      strict: this.strict,
      duplicates: !this.exclusive,
    });
  }

  /** Declares a route and adds it to this router and every router it is mounted in. */
  addRoute(
    method: string | null,
    path: string | RegExp,
    name: string | undefined,
    middleware: AnyMiddleware[],
  ): void {
    const entry: RouteEntry = { method, path, name, middleware, seq: declarations++ };
    const view = this.#view(entry);
    this.#commit([[this, view]]);
    this.own.push(entry);
  }

  #view(entry: RouteEntry): RouteView {
    const regex = entry.path instanceof RegExp ? entry.path : null;
    const path = regex === null
      ? joinPath(this.prefix, entry.path as string, this.strict)
      : this.prefix;
    return this.#makeView(entry, path, regex, [this], [this.prefix], null);
  }

  #makeView(
    entry: RouteEntry,
    path: string,
    regex: RegExp | null,
    layers: Layer[],
    bases: string[],
    hosts: HostTest[] | null,
  ): RouteView {
    const routePath = regex === null ? path : path + String(regex);
    let pattern: PathPattern | null = null;
    if (regex === null || path !== "") pattern = this.tree.parse(path);
    return {
      entry,
      path,
      pattern,
      regex,
      routePath,
      label: labelOf(entry.method, routePath, entry.name),
      layers,
      bases,
      hosts,
      chain: [],
      generation: -1,
    };
  }

  // The view a mounted router's route becomes in `parent`, mounted under `base`.
  #derive(view: RouteView, child: RouterCore, base: string): RouteView {
    const path = view.regex === null ? joinPath(base, view.path, this.strict) : base + view.path;
    const hosts = child.host === null ? view.hosts : [...(view.hosts ?? []), child.host];
    const bases = [this.prefix, ...view.bases.map((b) => base + b)];
    return this.#makeView(view.entry, path, view.regex, [this, ...view.layers], bases, hosts);
  }

  // Adds views to their routers (and, through mounts, to every ancestor) only after
  // checking all of them, so a conflict anywhere changes nothing.
  #commit(start: [RouterCore, RouteView][]): void {
    const plan: [RouterCore, RouteView][] = [];
    const visit = (router: RouterCore, view: RouteView): void => {
      plan.push([router, view]);
      for (const m of router.mounts) {
        const base = joinPath(m.parent.prefix, m.scope, true);
        visit(m.parent, m.parent.#derive(view, router, base));
      }
    };
    for (const [router, view] of start) visit(router, view);
    for (const [router, view] of plan) {
      const { method } = view.entry;
      router.tree.check(method, view.pattern, view.label, view.regex ?? undefined);
      const name = view.entry.name;
      if (name !== undefined && router.exclusive) {
        const other = router.names.get(name) ??
          plan.find(([r, v]) => r === router && v !== view && v.entry.name === name)?.[1];
        if (other !== undefined && other.entry !== view.entry) {
          throw new TypeError(
            `Cannot add route ${view.label}: the name "${name}" is taken by route ${other.label}`,
          );
        }
      }
    }
    try {
      for (const [router, view] of plan) router.#add(view);
    } catch (error) {
      // Two views of one plan can clash with each other (a router mounted twice at one
      // path): rebuild the routers touched from their declarations, then report it.
      for (const router of new Set(plan.map(([r]) => r))) router.#rebuild();
      throw error;
    }
  }

  #add(view: RouteView): void {
    const { method, name } = view.entry;
    this.tree.add(method, view.pattern, view, view.label, view.regex ?? undefined);
    this.views.push(view);
    if (name !== undefined && !this.names.has(name)) this.names.set(name, view);
    if (method === null) this.anyMethod = true;
    else this.methods.add(method);
  }

  /** Adds use() middleware. */
  addUse(scope: UseScope, middleware: AnyMiddleware): void {
    this.uses.push({ scope, middleware });
    GENERATION.value++;
  }

  /** Adds a param() handler. */
  addParam(name: string, handler: AnyParamMiddleware): void {
    const list = this.params.get(name) ?? [];
    list.push(handler);
    this.params.set(name, list);
    GENERATION.value++;
  }

  /** Mounts `child` under `scope` (relative to this router's prefix). */
  mount(child: RouterCore, scope: string): void {
    const ancestors: RouterCore[] = [this];
    for (let i = 0; i < ancestors.length; i++) {
      if (ancestors[i] === child) {
        throw new TypeError("Cannot mount a router inside itself or one of its own mounts");
      }
      for (const m of ancestors[i].mounts) ancestors.push(m.parent);
    }
    const base = joinPath(this.prefix, scope, true);
    this.#commit(child.views.map((view) => [this, this.#derive(view, child, base)]));
    const mount = { parent: this, child, scope };
    child.mounts.push(mount);
    this.children.push(mount);
    GENERATION.value++;
  }

  /** Replaces the prefix and rebuilds this router's tree and its ancestors'. */
  setPrefix(prefix: string): void {
    const next = normalizePrefix(prefix, "router prefix");
    if (next !== "") this.tree.parse(next);
    const before = this.prefix;
    this.prefix = next;
    try {
      this.#rebuild();
    } catch (error) {
      this.prefix = before;
      this.#rebuild();
      throw error;
    }
  }

  #rebuild(): void {
    const views: RouteView[] = this.own.map((entry) => this.#view(entry));
    for (const m of this.children) {
      const base = joinPath(this.prefix, m.scope, true);
      for (const view of m.child.views) views.push(this.#derive(view, m.child, base));
    }
    views.sort((a, b) => a.entry.seq - b.entry.seq);
    const tree = this.#newTree();
    for (const view of views) {
      tree.check(view.entry.method, view.pattern, view.label, view.regex ?? undefined);
    }
    this.tree = tree;
    this.views = [];
    this.names.clear();
    this.methods.clear();
    this.anyMethod = false;
    for (const view of views) this.#add(view);
    GENERATION.value++;
    for (const m of this.mounts) m.parent.#rebuild();
  }

  /** The full path of a view as the outermost router sees it, through first mounts. */
  #outermost(view: RouteView): { path: string; regex: RegExp | null } {
    let path = view.path;
    let mounts = this.mounts;
    while (mounts.length > 0) {
      const m = mounts[0];
      const base = joinPath(m.parent.prefix, m.scope, true);
      path = view.regex === null ? joinPath(base, path, m.parent.strict) : base + path;
      mounts = m.parent.mounts;
    }
    return { path, regex: view.regex };
  }

  /** The view named `name`, or undefined. */
  named(name: string): RouteView | undefined {
    return this.names.get(name);
  }

  /** The full path (mount paths included) and pattern of a view. */
  located(view: RouteView): { path: string; pattern: PathPattern | null; regex: RegExp | null } {
    const { path, regex } = this.#outermost(view);
    return { path, regex, pattern: regex === null ? this.tree.parse(path) : null };
  }

  /** Builds a URL for a view from koa-router's url() arguments. */
  urlOf(view: RouteView, args: readonly unknown[]): string {
    const { path, pattern, regex } = this.located(view);
    if (regex !== null || pattern === null) {
      throw new TypeError(
        `Cannot build URL for route ${view.label}: it has a RegExp path; use a string path with named parameters`,
      );
    }
    const { params, options } = urlArguments(args, pattern.paramNames);
    const label = labelOf(view.entry.method, path, view.entry.name);
    return withQuery(buildPath(pattern, params, label, options.encode), options.query);
  }
}
