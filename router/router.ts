import type { Middleware, ParamMiddleware } from "./middleware.ts";
import type { ExtensionVerbs, RouteVerb } from "./route_verb.ts";
import type { Route } from "./route.ts";
import { METHODS } from "./methods.ts";
import {
  type AllowedMethodsOptions,
  DEFAULT_REDIRECT_STATUS,
  type PathParamValue,
  type RouterOptions,
  type UrlOptions,
  type UrlParams,
} from "./router_options.ts";
import type { AnyMiddleware } from "./_chain.ts";
import { RouterCore } from "./_router_core.ts";
import { routesMiddleware } from "./_routes.ts";
import { allowedMethodsMiddleware, allowedMethodsMiddlewares } from "./_allowed_methods.ts";
import { parsePathPattern } from "./_path_pattern.ts";
import { buildPath, urlArguments, withQuery } from "./_url.ts";
import { typeOf } from "./_router_helpers.ts";
import { type UseScope, useScope } from "./_use_scope.ts";
import { installVerbs } from "./_verbs.ts";

// The core of each router, by its routes() middleware (to mount it) and by the router.
const cores = new WeakMap<object, RouterCore>();

/** The Router's verbs for the less common methods (see {@linkcode ExtensionVerbs}). */
export interface Router<S extends object = Record<string, unknown>>
  extends ExtensionVerbs<S, Router<S>> {}

/**
 * Routes requests by method and path with a radix tree: koa-router's API, without its
 * linear scan. Register routes with the verbs (`get`, `post`, ..., `all`, and one for
 * every method the server accepts), then put {@linkcode Router.routes} and
 * {@linkcode Router.allowedMethods} in a chain.
 *
 * Paths: static text, `:param`, `:param?`, `:id(\\d+)` (regex on the decoded value),
 * `{...}` optional parts, `*` or `*name` for the rest of the path (or up to a suffix:
 * "/files/*path/raw"), a RegExp, or an array of paths. Static beats constrained
 * parameter beats parameter beats wildcard beats RegExp, whatever the registration
 * order. Params are percent-decoded and typed from the path literal; a malformed
 * escape answers 400. HEAD requests are served by GET routes. A route that duplicates
 * another, or names a parameter differently at the same position, throws at
 * registration naming both (unless `exclusive: false`, where every matching route runs,
 * as in koa-router). The matched route's pattern and name are on `ctx.routePath` and
 * `ctx.routeName`.
 *
 * `use()` middleware runs, in `use()` order, before the route's own middleware for
 * every request that matches a route of this router (including routes added later);
 * `use(path, ...)` limits it to paths under `path` (`use("/", ...)` to the router's
 * root). `use(path?, other.routes())` mounts another router: its routes, present and
 * future, are added under `path` and run behind this router's `use()` middleware and
 * then its own.
 *
 * @example A small API
 * ```ts
 * import { compose, Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const router = new Router()
 *   .get("/users/:id", (ctx) => Response.json({ id: ctx.params.id, route: ctx.routePath }))
 *   .post("/users", () => new Response(null, { status: 201 }));
 * const handler = compose(router.routes(), router.allowedMethods());
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 *
 * const found = await handler(new Request("http://localhost/users/42"), info);
 * assert.deepEqual(await found.json(), { id: "42", route: "/users/:id" });
 * const wrong = await handler(new Request("http://localhost/users", { method: "DELETE" }), info);
 * assert.equal(wrong.status, 405);
 * assert.equal(wrong.headers.get("allow"), "POST");
 * ```
 */
export class Router<S extends object = Record<string, unknown>> {
  #core: RouterCore;
  #routes: Middleware<S> | undefined;

  /**
   * Creates an empty router.
   *
   * @param options Prefix, case sensitivity, trailing-slash strictness, the
   * run-every-match model, a host, and the methods allowedMethods() implements.
   */
  constructor(options: RouterOptions = {}) {
    this.#core = new RouterCore(options);
    cores.set(this, this.#core);
  }

  /** Adds a GET route, which also answers HEAD. */
  declare readonly get: RouteVerb<S, this>;
  /** Adds a POST route. */
  declare readonly post: RouteVerb<S, this>;
  /** Adds a PUT route. */
  declare readonly put: RouteVerb<S, this>;
  /** Adds a PATCH route. */
  declare readonly patch: RouteVerb<S, this>;
  /** Adds a DELETE route. */
  declare readonly delete: RouteVerb<S, this>;
  /** koa-router's alias of {@linkcode Router.delete}. */
  declare readonly del: RouteVerb<S, this>;
  /** Adds a HEAD route, which takes HEAD requests over the GET route of its path. */
  declare readonly head: RouteVerb<S, this>;
  /** Adds an OPTIONS route, which replaces the answer of allowedMethods() for its path. */
  declare readonly options: RouteVerb<S, this>;
  /**
   * Adds a QUERY route: a safe, idempotent request that carries its query in the body
   * (RFC 10008); the handler reads it with `ctx.request.json()` and the like.
   */
  declare readonly query: RouteVerb<S, this>;
  /** Adds a route for every method (a route for the request's own method wins). */
  declare readonly all: RouteVerb<S, this>;

  /**
   * Builds a URL from a path pattern without a router (koa-router's `Router.url`).
   *
   * @param path The pattern, such as "/users/:id".
   * @param args Values by name and options (`{ query }`), or values in order.
   * @returns The path (and query).
   *
   * @example Build a URL from a pattern
   * ```ts
   * import { Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * assert.equal(Router.url("/books/:category/:id", "programming", 4, { query: { page: 3 } }), "/books/programming/4?page=3");
   * assert.equal(Router.url("/:file{.:ext}", { file: "a b" }), "/a%20b");
   * ```
   */
  static url(path: string, ...args: (UrlParams | PathParamValue | UrlOptions)[]): string {
    if (typeof path !== "string") {
      throw new TypeError(`Cannot build URL: the pattern must be a string, got ${typeOf(path)}`);
    }
    const pattern = parsePathPattern(path);
    const { params, options } = urlArguments(args, pattern.paramNames);
    return withQuery(buildPath(pattern, params, path, options.encode), options.query);
  }

  /**
   * The prefix of every route ("" for none).
   *
   * @returns The prefix.
   */
  prefix(): string;
  /**
   * Replaces the prefix of every route, present and future (koa-router's
   * `router.prefix(path)`; calling it twice replaces, not stacks).
   *
   * @param path The new prefix, such as "/api/v2" or "/things/:thingId".
   * @returns This router, for chaining.
   *
   * @example Move every route under /api
   * ```ts
   * import { Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * const router = new Router().get("user", "/users/:id", () => new Response());
   * router.prefix("/api");
   * assert.equal(router.prefix(), "/api");
   * assert.equal(router.url("user", { id: 1 }), "/api/users/1");
   * ```
   */
  prefix(path: string): this;
  prefix(path?: string): string | this {
    if (path === undefined) return this.#core.prefix;
    this.#core.setPrefix(path);
    return this;
  }

  /**
   * Adds router-level middleware, or mounts another router's `routes()`.
   *
   * @param middleware Middleware run before the route's own, for every matched route.
   * @returns This router, for chaining.
   */
  use(...middleware: Middleware<S>[]): this;
  /**
   * Adds middleware for routes under a path (or a RegExp, or each of several paths), or
   * mounts another router there. "/" means the router's root only; "" every route.
   *
   * @param path Where the middleware runs, or where to mount the router.
   * @param middleware Middleware, or another router's `routes()` to mount.
   * @returns This router, for chaining.
   *
   * @example Middleware for a part of the API, and a mounted router
   * ```ts
   * import { compose, Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * // The mount path's params reach the child's routes (untyped there).
   * const users = new Router().get("/:id", (ctx) => {
   *   const params: Record<string, string> = ctx.params;
   *   return new Response(`user ${params.userId}/${params.id}`);
   * });
   * const api = new Router()
   *   .use("/admin", () => new Response("forbidden", { status: 403 }))
   *   .get("/admin/stats", () => new Response("stats"))
   *   .use("/orgs/:userId/users", users.routes());
   * const handler = compose(api.routes());
   * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
   * assert.equal((await handler(new Request("http://localhost/admin/stats"), info)).status, 403);
   * assert.equal(await (await handler(new Request("http://localhost/orgs/7/users/8"), info)).text(), "user 7/8");
   * ```
   */
  use(path: string | RegExp | readonly string[], ...middleware: Middleware<S>[]): this;
  use(first: string | RegExp | readonly string[] | Middleware<S>, ...rest: Middleware<S>[]): this {
    let scopes: UseScope[] = [null];
    let list: unknown[] = rest;
    if (typeof first === "string" || first instanceof RegExp || Array.isArray(first)) {
      const paths = Array.isArray(first) ? first : [first];
      if (paths.length === 0) throw new TypeError("Cannot use(): the array of paths is empty");
      scopes = paths.map((p) => useScope(p));
    } else {
      list = [first, ...rest];
    }
    if (list.length === 0) throw new TypeError("Cannot use(): no middleware given");
    list.forEach((mw, i) => {
      if (typeof mw !== "function") {
        throw new TypeError(`Cannot use(): middleware ${i} is ${typeOf(mw)}, not a function`);
      }
      if (allowedMethodsMiddlewares.has(mw)) {
        throw new TypeError(
          "Cannot use() allowedMethods(): it answers what routes() left unanswered, so put it " +
            "in the outer chain after routes(): compose(router.routes(), router.allowedMethods())",
        );
      }
    });
    for (const scope of scopes) {
      for (const mw of list as AnyMiddleware[]) {
        const child = cores.get(mw);
        if (child === undefined) {
          this.#core.addUse(scope, mw);
        } else if (scope instanceof RegExp) {
          throw new TypeError("Cannot mount a router under a RegExp: mount it under a path");
        } else {
          this.#core.mount(child, scope === null || scope === "/" ? "" : scope);
        }
      }
    }
    return this;
  }

  /**
   * Runs `handler` once per request before the middleware of every route that declares
   * the parameter `name` (this router's routes and those of routers mounted in it), to
   * load what the value names or reject a bad one. Handlers run in the order their
   * parameters appear in the path, several for one parameter in registration order,
   * after the routers' `use()` middleware; a request without a value for an optional
   * parameter skips its handlers.
   *
   * @param name The parameter name, without ":".
   * @param handler Gets the decoded value, the Context and `next`.
   * @returns This router, for chaining.
   *
   * @example Load the user of every /users/:user route
   * ```ts
   * import { compose, Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * const users = new Map([["1", "Ada"]]);
   * const router = new Router<{ user?: string }>()
   *   .param("user", (id, ctx, next) => {
   *     ctx.state.user = users.get(id);
   *     return ctx.state.user === undefined ? new Response("no such user", { status: 404 }) : next();
   *   })
   *   .get("/users/:user", (ctx) => new Response(`hello ${ctx.state.user}`));
   * const handler = compose(router.routes());
   * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
   * assert.equal(await (await handler(new Request("http://localhost/users/1"), info)).text(), "hello Ada");
   * assert.equal((await handler(new Request("http://localhost/users/2"), info)).status, 404);
   * ```
   */
  param(name: string, handler: ParamMiddleware<S>): this {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`Cannot add param(): the name must be a non-empty string`);
    }
    if (typeof handler !== "function") {
      throw new TypeError(`Cannot add param(${name}): the handler is ${typeOf(handler)}`);
    }
    this.#core.addParam(name, handler as ParamMiddleware);
    return this;
  }

  /**
   * Redirects every method of `source` to `destination` (koa-router's `redirect`).
   * Either may be a route name; the destination may also be an absolute URL.
   *
   * @param source A path, or the name of a route of this router.
   * @param destination A path, an absolute URL, or a route name (with no parameters).
   * @param status A 3xx status.
   * @returns This router, for chaining.
   *
   * @example Move a page
   * ```ts
   * import { compose, Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * const router = new Router().get("new", "/new", () => new Response("new")).redirect("/old", "new");
   * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
   * const response = await compose(router.routes())(new Request("http://localhost/old"), info);
   * assert.equal(response.status, 301);
   * assert.equal(response.headers.get("location"), "/new");
   * ```
   */
  redirect(source: string, destination: string, status: number = DEFAULT_REDIRECT_STATUS): this {
    if (!Number.isInteger(status) || status < 300 || status > 399) {
      throw new RangeError(`Cannot add redirect: status ${status} is not a 3xx status`);
    }
    if (typeof source !== "string" || typeof destination !== "string") {
      throw new TypeError("Cannot add redirect: source and destination must be strings");
    }
    let from: string | RegExp = source;
    if (!source.startsWith("/")) {
      const view = this.#named(source, "redirect");
      from = view.regex ?? (view.path.slice(this.#core.prefix.length) || "/");
    }
    let location = destination;
    if (destination.includes("://")) location = new URL(destination).href;
    else if (!destination.startsWith("/")) location = this.url(destination);
    const headers = { location, "content-type": "text/plain; charset=utf-8" };
    const redirect = () => new Response(`Redirecting to ${location}`, { status, headers });
    this.#core.addRoute(null, from, undefined, [redirect]);
    return this;
  }

  /**
   * The middleware that routes requests: on a match it sets `ctx.params`,
   * `ctx.routePath` and `ctx.routeName`, then runs the routers' `use()` middleware, the
   * `param()` handlers and the route's middleware, whose `next` is the `next` of the
   * outer chain; with no match it calls `next()`.
   *
   * @returns The routing middleware (the same function on every call).
   */
  routes(): Middleware<S> {
    if (this.#routes !== undefined) return this.#routes;
    const routes = routesMiddleware(this.#core) as unknown as Middleware<S>;
    cores.set(routes, this.#core);
    return this.#routes = routes;
  }

  /**
   * koa-router's name for {@linkcode Router.routes}.
   *
   * @returns The routing middleware.
   */
  middleware(): Middleware<S> {
    return this.routes();
  }

  /**
   * The middleware that answers what routes() left unanswered (a 404) when the path
   * exists: 405 Method Not Allowed with `Allow` when other methods have routes, 200
   * with `Allow` and no content for OPTIONS, and 501 Not Implemented for methods the
   * router does not implement (its `methods` option). Put it after routes() in the
   * outer chain; `use()` refuses it.
   *
   * @param options Whether to throw instead, and the errors to throw.
   * @returns The middleware.
   */
  allowedMethods(options: AllowedMethodsOptions = {}): Middleware<S> {
    return allowedMethodsMiddleware(this.#core, options) as unknown as Middleware<S>;
  }

  /**
   * Builds the URL path of a named route, percent-encoding each parameter; a router
   * mounted in another builds the path the outer router serves (its first mount).
   *
   * @param name The route name.
   * @param params Values by name (a `query` key is the query unless the route has a
   * parameter named "query").
   * @param options `{ query }` to append and `{ encode }` for the values.
   * @returns The path (and query).
   *
   * @example Link to a route
   * ```ts
   * import { Router } from "@wire/http/router";
   * import assert from "node:assert/strict";
   *
   * const router = new Router({ prefix: "/api" }).get("user", "/users/:id/:tab?", () => new Response());
   * assert.equal(router.url("user", { id: "a b" }, { query: { page: 2 } }), "/api/users/a%20b?page=2");
   * assert.equal(router.url("user", 7, "repos"), "/api/users/7/repos");
   * assert.equal(router.url("user", { id: 7, query: "q=1" }), "/api/users/7?q=1");
   * ```
   */
  url(name: string, params?: UrlParams, options?: UrlOptions): string;
  /**
   * Builds the URL path of a named route from values in the order of its parameters,
   * optionally followed by the options.
   *
   * @param name The route name.
   * @param values The values, then optionally `{ query, encode }`.
   * @returns The path (and query).
   */
  url(name: string, ...values: (PathParamValue | UrlOptions)[]): string;
  url(name: string, ...args: unknown[]): string {
    return this.#core.urlOf(this.#named(name, "build URL"), args);
  }

  /**
   * Looks up a named route (koa-router's `router.route(name)`).
   *
   * @param name The route name.
   * @returns The route, or undefined when no route has that name.
   */
  route(name: string): Route | undefined {
    const view = this.#core.named(name);
    if (view === undefined) return undefined;
    const core = this.#core;
    const { method } = view.entry;
    return {
      name,
      path: core.located(view).path + (view.regex === null ? "" : String(view.regex)),
      methods: method === null ? [...METHODS] : method === "GET" ? ["HEAD", "GET"] : [method],
      paramNames: view.pattern === null ? [] : [...view.pattern.paramNames],
      url: (...args: unknown[]) => core.urlOf(view, args),
    };
  }

  /**
   * Tells whether this router serves a host (koa-router's `matchHost`): true without a
   * `host` option, false for an empty host.
   *
   * @param host A host as `ctx.host` has it.
   * @returns Whether requests for it are routed.
   */
  matchHost(host: string | undefined): boolean {
    const test = this.#core.host;
    if (test === null) return true;
    return typeof host === "string" && host !== "" && test(host);
  }

  #named(name: string, action: string) {
    const view = this.#core.named(name);
    if (view === undefined) throw new TypeError(`Cannot ${action}: no route named "${name}"`);
    return view;
  }
}

installVerbs(Router.prototype, cores);
