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
export type { Middleware, Next } from "./middleware.ts";
export type { RouteParams, SegmentParams } from "./route_params.ts";
export type { ServeInfo } from "../http/handler.ts";
export {
  type AllowedMethodsOptions,
  DEFAULT_PREFIX,
  type PathParamValue,
  Router,
  type RouterOptions,
  type UrlQuery,
} from "./router.ts";
