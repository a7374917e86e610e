import type { PathParamValue, UrlOptions, UrlParams } from "./router_options.ts";

/**
 * A named route, as `Router.route(name)` returns it (koa-router's Layer, read-only):
 * what logs, link builders and tests need to know about it.
 *
 * @example Look a route up by name
 * ```ts
 * import { Router } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const api = new Router({ prefix: "/api" }).get("user", "/users/:id", () => new Response());
 * const route = api.route("user")!;
 * assert.equal(route.path, "/api/users/:id");
 * assert.deepEqual(route.methods, ["HEAD", "GET"]);
 * assert.deepEqual(route.paramNames, ["id"]);
 * assert.equal(route.url({ id: 7 }), "/api/users/7");
 * ```
 */
export interface Route {
  /** The route's name. */
  readonly name: string | undefined;
  /**
   * The full pattern, prefixes and mount paths included (a RegExp route's: its prefix
   * and `String(regex)`), as `ctx.routePath` has it.
   */
  readonly path: string;
  /** The methods it answers (HEAD before GET for a GET route; every method for all()). */
  readonly methods: readonly string[];
  /** Its parameter names, in the order they appear in the path. */
  readonly paramNames: readonly string[];
  /**
   * Builds a URL for it, as `Router.url()` does.
   *
   * @param params Values by name, or null/undefined for none.
   * @param options The query and the encoder.
   * @returns The path (and query).
   */
  url(params?: UrlParams, options?: UrlOptions): string;
  /**
   * Builds a URL for it from values in the order of its parameters, optionally followed
   * by the options.
   *
   * @param values The values, then optionally the options.
   * @returns The path (and query).
   */
  url(...values: (PathParamValue | UrlOptions)[]): string;
}
