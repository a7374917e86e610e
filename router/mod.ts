/**
 * Koa-style middleware (`compose`) and a `Router` with a matching tree.
 *
 * @example Route requests
 * ```ts ignore
 * import { compose, Router } from "@wire/http/router";
 *
 * const router = new Router().get("/hello/:name", (ctx) => new Response(ctx.params.name));
 * const handler = compose(router.routes(), router.allowedMethods());
 * ```
 *
 * @module
 */

export { compose, type ComposedMiddleware, type ComposeOptions, composeWith } from "./compose.ts";
export { Context } from "./context.ts";
export type { Middleware, Next, ParamMiddleware } from "./middleware.ts";
export type { Digit, PathParamsOf, RouteParams, SegmentParams } from "./route_params.ts";
export type { ServeInfo } from "../http/handler.ts";
export { type Method, METHODS } from "./methods.ts";
export type { CommonVerb, ExtensionVerbs, RegExpParams, RouteVerb } from "./route_verb.ts";
export type { Route } from "./route.ts";
export {
  type AllowedMethodsOptions,
  DEFAULT_EXCLUSIVE,
  DEFAULT_METHODS,
  DEFAULT_PREFIX,
  DEFAULT_REDIRECT_STATUS,
  type PathParamValue,
  type RouterOptions,
  type UrlOptions,
  type UrlParams,
  type UrlQuery,
} from "./router_options.ts";
export { Router } from "./router.ts";
