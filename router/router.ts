import type { Context } from "./context.ts";
import type { Middleware, Next } from "./middleware.ts";
import type { RouteParams } from "./route_params.ts";
import { dispatch } from "./_dispatch.ts";
import { RouteTree } from "./_route_tree.ts";
import { buildPath, type PathParamValue, type PathPattern } from "./_path_pattern.ts";
import { allowedMethodsMiddleware, type AllowedMethodsOptions } from "./_allowed_methods.ts";
import { joinPath, labelOf, normalizePrefix } from "./_router_helpers.ts";

export type { AllowedMethodsOptions };
export type { PathParamValue };

/** Options for {@linkcode Router}. */
export interface RouterOptions {
  /**
   * A path prepended to every route of this router, such as "/api/v1".
   *
   * @default {""}
   */
  prefix?: string;
  /**
   * Match static text case-sensitively, as RFC 3986 says paths are.
   *
   * @default {true}
   */
  caseSensitive?: boolean;
  /**
   * Treat "/users" and "/users/" as different paths. When false a trailing slash
   * is ignored on both routes and requests.
   *
   * @default {false}
   */
  strict?: boolean;
}

/** Default of {@linkcode RouterOptions.prefix}. */
export const DEFAULT_PREFIX = "";

/** Query values accepted by {@linkcode Router.url}. */
export type UrlQuery =
  | URLSearchParams
  | string
  | Readonly<Record<string, string | number | boolean>>;

// deno-lint-ignore no-explicit-any
type AnyMiddleware = Middleware<any, any>;

interface RouteEntry {
  method: string | null;
  path: string;
  name: string | undefined;
  label: string;
  pattern: PathPattern;
  middleware: AnyMiddleware[];
  // deno-lint-ignore no-explicit-any
  layers: Router<any>[];
  chain: AnyMiddleware[];
  generation: number;
}

interface Mount {
  // deno-lint-ignore no-explicit-any
  parent: Router<any>;
  prefix: string;
}

// Bumped by every use(); route chains (use middleware + route middleware) are rebuilt
// lazily when it moves, so requests never rebuild them.
let useGeneration = 0;
// deno-lint-ignore no-explicit-any
const routersByMiddleware = new WeakMap<AnyMiddleware, Router<any>>();

/**
 * Routes requests by method and path with a radix tree (koa-router's API, without
 * its linear scan). Register routes with the verb methods, then put
 * {@linkcode Router.routes} and {@linkcode Router.allowedMethods} in a chain.
 *
 * Paths: static segments, `:param`, `:param?` (optional, at the end), `:id(\\d+)`
 * (regex on the decoded segment), and a last `*` or `*name` for the rest of the path.
 * Static beats parameter beats wildcard, whatever the registration order. Params are
 * percent-decoded; a malformed escape answers 400. HEAD requests are served by GET
 * routes; the server sends the GET response's head (Content-Length included) and no
 * body. A route that duplicates another (same method and an
 * equivalent pattern) or names a parameter differently at the same position throws
 * at registration, naming both routes.
 *
 * Router-level `use()` middleware runs, in `use()` order, before the route's own
 * middleware for every request that matches a route of this router (including routes
 * added later); `use(path, ...)` limits it to paths under `path`. `use(path?,
 * other.routes())` mounts another router: its routes, present and future, are added
 * under `path` and run behind this router's `use()` middleware and then its own.
 *
 * @example A small API
 * ```ts
 * import { compose, Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const router = new Router()
 *   .get("/users/:id", (ctx) => Response.json({ id: ctx.params.id }))
 *   .post("/users", () => new Response(null, { status: 201 }));
 * const handler = compose(router.routes(), router.allowedMethods());
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 *
 * const found = await handler(new Request("http://localhost/users/42"), info);
 * assert.deepEqual(await found.json(), { id: "42" });
 * const wrong = await handler(new Request("http://localhost/users", { method: "DELETE" }), info);
 * assert.equal(wrong.status, 405);
 * assert.equal(wrong.headers.get("allow"), "POST, OPTIONS");
 * ```
 */
export class Router<S extends object = Record<string, unknown>> {
  #tree: RouteTree<RouteEntry>;
  #prefix: string;
  #entries: RouteEntry[] = [];
  #names = new Map<string, RouteEntry>();
  #uses: AnyMiddleware[] = [];
  #mounts: Mount[] = [];
  #routes: Middleware<S> | undefined;

  /**
   * Creates an empty router.
   *
   * @param options Prefix, case sensitivity and trailing-slash strictness.
   */
  constructor(options: RouterOptions = {}) {
    this.#tree = new RouteTree<RouteEntry>(options);
    this.#prefix = normalizePrefix(options.prefix ?? DEFAULT_PREFIX, "router prefix");
    if (this.#prefix !== "") this.#tree.parse(this.#prefix);
  }

  /** The prefix of every route ("" for none). */
  get prefix(): string {
    return this.#prefix;
  }

  /**
   * Adds a GET route (which also answers HEAD).
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  get<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named GET route (which also answers HEAD); the name is for {@linkcode Router.url}.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  get<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  get(first: string, ...rest: unknown[]): this {
    return this.#verb("GET", first, rest);
  }

  /**
   * Adds a POST route.
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  post<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named POST route.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  post<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  post(first: string, ...rest: unknown[]): this {
    return this.#verb("POST", first, rest);
  }

  /**
   * Adds a PUT route.
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  put<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named PUT route.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  put<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  put(first: string, ...rest: unknown[]): this {
    return this.#verb("PUT", first, rest);
  }

  /**
   * Adds a PATCH route.
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  patch<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named PATCH route.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  patch<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  patch(first: string, ...rest: unknown[]): this {
    return this.#verb("PATCH", first, rest);
  }

  /**
   * Adds a DELETE route.
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  delete<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named DELETE route.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  delete<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  delete(first: string, ...rest: unknown[]): this {
    return this.#verb("DELETE", first, rest);
  }

  /**
   * Adds a HEAD route (taking HEAD requests over the GET route of the same path).
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  head<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named HEAD route.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  head<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  head(first: string, ...rest: unknown[]): this {
    return this.#verb("HEAD", first, rest);
  }

  /**
   * Adds an OPTIONS route (replacing the automatic answer of allowedMethods()).
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  options<Path extends string>(
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  /**
   * Adds a named OPTIONS route.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  options<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  options(first: string, ...rest: unknown[]): this {
    return this.#verb("OPTIONS", first, rest);
  }

  /**
   * Adds a QUERY route: a safe, idempotent request that carries its query in the body
   * (RFC 10008), for searches too large or too structured for a URL. The handler reads
   * the query with `ctx.request.json()`, `text()` and the like; its `Content-Type` says
   * what the query language is.
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   *
   * @example Search with a body
   * ```ts
   * import { compose, Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * const router = new Router().query("/contacts/:list", async (ctx) => {
   *   const { name } = await ctx.request.json();
   *   return Response.json({ list: ctx.params.list, name });
   * });
   * const handler = compose(router.routes(), router.allowedMethods());
   * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
   *
   * const response = await handler(
   *   new Request("http://localhost/contacts/work", { method: "QUERY", body: '{"name":"Ada"}' }),
   *   info,
   * );
   * assert.deepEqual(await response.json(), { list: "work", name: "Ada" });
   * ```
   */
  query<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named QUERY route; the name is for {@linkcode Router.url}.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  query<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  query(first: string, ...rest: unknown[]): this {
    return this.#verb("QUERY", first, rest);
  }

  /**
   * Adds a route for every method (a route for the specific method wins).
   *
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  all<Path extends string>(path: Path, ...middleware: Middleware<S, RouteParams<Path>>[]): this;
  /**
   * Adds a named route for every method.
   *
   * @param name The route name, unique in this router.
   * @param path The path pattern; its literal types `ctx.params`.
   * @param middleware The route's middleware, outermost first.
   * @returns This router, for chaining.
   */
  all<Path extends string>(
    name: string,
    path: Path,
    ...middleware: Middleware<S, RouteParams<Path>>[]
  ): this;
  all(first: string, ...rest: unknown[]): this {
    return this.#verb(null, first, rest);
  }

  /**
   * Adds router-level middleware, or mounts another router's `routes()`.
   *
   * @param middleware Middleware run before the route's own, for every matched route.
   * @returns This router, for chaining.
   */
  use(...middleware: Middleware<S>[]): this;
  /**
   * Adds middleware for routes under a path, or mounts another router there.
   *
   * @param path A static path; the middleware runs only for requests under it.
   * @param middleware Middleware, or another router's `routes()` to mount.
   * @returns This router, for chaining.
   */
  use(path: string, ...middleware: Middleware<S>[]): this;
  use(first: string | Middleware<S>, ...rest: Middleware<S>[]): this {
    let scope: string | undefined;
    let list: unknown[] = rest;
    if (typeof first === "string") {
      scope = normalizePrefix(first, "use() path");
      if (scope !== "") this.#tree.parse(scope);
    } else {
      list = [first, ...rest];
    }
    if (list.length === 0) throw new TypeError("Cannot use(): no middleware given");
    list.forEach((mw, i) => {
      if (typeof mw !== "function") {
        throw new TypeError(`Cannot use(): middleware ${i} is ${typeof mw}, not a function`);
      }
    });
    for (const mw of list as AnyMiddleware[]) {
      const child = routersByMiddleware.get(mw);
      if (child !== undefined) {
        this.#mount(child, joinPath(this.#prefix, scope ?? "", true));
      } else {
        this.#uses.push(
          scope === undefined ? mw : this.#scoped(joinPath(this.#prefix, scope, true), mw),
        );
        useGeneration++;
      }
    }
    return this;
  }

  #scoped(scope: string, mw: AnyMiddleware): AnyMiddleware {
    if (/(^|\/)[:*]/.test(scope)) {
      throw new TypeError(
        `Cannot use() path "${scope}": path-scoped middleware needs a static path`,
      );
    }
    const sensitive = this.#tree.caseSensitive;
    const key = sensitive ? scope : scope.toLowerCase();
    // deno-lint-ignore no-explicit-any
    return (ctx: Context<any, any>, next: Next) => {
      const path: string = sensitive ? ctx.path : ctx.path.toLowerCase();
      const under = key === "" ||
        (path.startsWith(key) &&
          (path.length === key.length || path.charCodeAt(key.length) === 47));
      return under ? mw(ctx, next) : next();
    };
  }

  /**
   * The middleware that routes requests: on a match it sets `ctx.params` and runs
   * this router's `use()` middleware and the route's middleware, whose `next` is the
   * `next` of the outer chain; with no match it calls `next()`.
   *
   * @returns The routing middleware (the same function on every call).
   */
  routes(): Middleware<S> {
    if (this.#routes !== undefined) return this.#routes;
    const tree = this.#tree;
    // deno-lint-ignore no-explicit-any
    const routes = (ctx: Context<any, any>, next: Next): Response | Promise<Response> => {
      const match = tree.match(ctx.request.method, ctx.path);
      if (match === null) return next();
      const entry = match.value;
      ctx.params = match.params;
      const chain = entry.generation === useGeneration ? entry.chain : Router.#chainOf(entry);
      // HEAD on a GET route returns the GET response as is: the server sends its head
      // (Content-Length included) and never its body (RFC 9110 §9.3.2).
      return dispatch(chain, ctx, next);
    };
    routersByMiddleware.set(routes, this);
    return this.#routes = routes;
  }

  /**
   * The middleware that answers what routes() left unanswered (a 404) when the path
   * exists: 405 Method Not Allowed with `Allow` when other methods have routes,
   * 204 with `Allow` for OPTIONS, and 501 Not Implemented for methods no Router
   * verb registers. Put it after routes() in the chain.
   *
   * @param options Whether to throw HttpErrors instead of returning responses.
   * @returns The middleware.
   */
  allowedMethods(options: AllowedMethodsOptions = {}): Middleware<S> {
    return allowedMethodsMiddleware(this.#tree, options) as unknown as Middleware<S>;
  }

  /**
   * Builds the URL path of a named route, percent-encoding each parameter.
   *
   * @param name The route name.
   * @param params Values for the route's parameters.
   * @param query A query string, URLSearchParams or a record to append.
   * @returns The path (and query).
   *
   * @example Link to a route
   * ```ts
   * import { Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * const router = new Router({ prefix: "/api" }).get("user", "/users/:id", () => new Response());
   * assert.equal(router.url("user", { id: "a b" }, { tab: "repos" }), "/api/users/a%20b?tab=repos");
   * ```
   */
  url(
    name: string,
    params: Readonly<Record<string, PathParamValue | null | undefined>> = {},
    query?: UrlQuery,
  ): string {
    const entry = this.#names.get(name);
    if (entry === undefined) throw new TypeError(`Cannot build URL: no route named "${name}"`);
    let url = buildPath(entry.pattern, params, entry.label);
    if (query !== undefined) {
      const search = query instanceof URLSearchParams || typeof query === "string"
        ? new URLSearchParams(query)
        : new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
      const text = search.toString();
      if (text !== "") url += "?" + text;
    }
    return url;
  }

  static #chainOf(entry: RouteEntry): AnyMiddleware[] {
    const chain: AnyMiddleware[] = [];
    for (const router of entry.layers) chain.push(...router.#uses);
    chain.push(...entry.middleware);
    entry.chain = chain;
    entry.generation = useGeneration;
    return chain;
  }

  #verb(method: string | null, first: string, rest: unknown[]): this {
    let name: string | undefined;
    let path: unknown = first;
    if (typeof rest[0] === "string") {
      name = first;
      path = rest[0];
      rest = rest.slice(1);
    }
    const verb = method ?? "all";
    if (typeof path !== "string") {
      throw new TypeError(`Cannot add ${verb} route: path must be a string, got ${typeof path}`);
    }
    const full = joinPath(this.#prefix, path, this.#tree.strict);
    const label = labelOf(method, full, name);
    if (rest.length === 0) throw new TypeError(`Cannot add route ${label}: no middleware given`);
    rest.forEach((mw, i) => {
      if (typeof mw !== "function") {
        throw new TypeError(`Cannot add route ${label}: middleware ${i} is ${typeof mw}`);
      }
    });
    const entry: RouteEntry = {
      method,
      path: full,
      name,
      label,
      pattern: this.#tree.parse(full),
      middleware: rest as AnyMiddleware[],
      layers: [this],
      chain: [],
      generation: -1,
    };
    this.#commit([[this, entry]]);
    return this;
  }

  // Adds entries to their routers (and, through mounts, to every ancestor) only after
  // checking all of them, so a conflict anywhere changes nothing.
  // deno-lint-ignore no-explicit-any
  #commit(start: [Router<any>, RouteEntry][]): void {
    // deno-lint-ignore no-explicit-any
    const plan: [Router<any>, RouteEntry][] = [];
    // deno-lint-ignore no-explicit-any
    const visit = (router: Router<any>, entry: RouteEntry): void => {
      plan.push([router, entry]);
      for (const mount of router.#mounts) {
        visit(mount.parent, Router.#derive(entry, mount.parent, mount.prefix));
      }
    };
    for (const [router, entry] of start) visit(router, entry);
    for (const [router, entry] of plan) {
      router.#tree.check(entry.method, entry.pattern, entry.label);
      if (entry.name !== undefined) {
        const other = router.#names.get(entry.name) ??
          plan.find(([r, e]) => r === router && e !== entry && e.name === entry.name)?.[1];
        if (other !== undefined) {
          throw new TypeError(
            `Cannot add route ${entry.label}: the name "${entry.name}" is taken by route ${other.label}`,
          );
        }
      }
    }
    for (const [router, entry] of plan) {
      router.#tree.add(entry.method, entry.pattern, entry, entry.label);
      router.#entries.push(entry);
      if (entry.name !== undefined) router.#names.set(entry.name, entry);
    }
  }

  // deno-lint-ignore no-explicit-any
  #mount(child: Router<any>, prefix: string): void {
    // deno-lint-ignore no-explicit-any
    const ancestors: Router<any>[] = [this];
    for (let i = 0; i < ancestors.length; i++) {
      if (ancestors[i] === child) {
        throw new TypeError("Cannot mount a router inside itself or one of its own mounts");
      }
      for (const m of ancestors[i].#mounts) ancestors.push(m.parent);
    }
    this.#commit(child.#entries.map((entry) => [this, Router.#derive(entry, this, prefix)]));
    child.#mounts.push({ parent: this, prefix });
    useGeneration++;
  }

  // The entry a mounted router's route becomes in the router it is mounted in.
  // deno-lint-ignore no-explicit-any
  static #derive(entry: RouteEntry, parent: Router<any>, prefix: string): RouteEntry {
    const path = joinPath(prefix, entry.path, parent.#tree.strict);
    return {
      ...entry,
      path,
      label: labelOf(entry.method, path, entry.name),
      pattern: parent.#tree.parse(path),
      layers: [parent, ...entry.layers],
      chain: [],
      generation: -1,
    };
  }
}
