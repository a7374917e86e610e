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

// Middleware: cookies, CORS, bodies, auth, request ids, timing, security headers, logs
export {
  basicAuth,
  type BasicAuthOptions,
  type BasicAuthState,
  type BasicCredentials,
  DEFAULT_BASIC_REALM,
} from "./basic_auth.ts";
export { bearerAuth, type BearerAuthOptions, DEFAULT_BEARER_PREFIX } from "./bearer_auth.ts";
export { bodyLimit, type BodyLimitOptions } from "./body_limit.ts";
export {
  type CookieAttributes,
  type CookieInit,
  DEFAULT_COOKIE_HTTP_ONLY,
  DEFAULT_COOKIE_PATH,
  deleteCookie,
  getCookies,
  serializeCookie,
  setCookie,
} from "./cookie.ts";
export { Cookies, type CookiesOptions } from "./cookies.ts";
export { cookies, type CookiesMiddlewareOptions } from "./cookies_middleware.ts";
export {
  cors,
  type CorsOptions,
  type CorsOrigin,
  DEFAULT_CORS_METHODS,
  DEFAULT_PREFLIGHT_STATUS,
} from "./cors.ts";
export { DEFAULT_ETAG_MAX_BYTES, etag, ETAG_RETAINED_HEADERS, type EtagOptions } from "./etag.ts";
export { type AccessLogMiddleware, logger, type LoggerOptions } from "./logger.ts";
export {
  DEFAULT_MULTIPART_MAX_HEADER_BYTES,
  DEFAULT_MULTIPART_MAX_PART_BYTES,
  DEFAULT_MULTIPART_MAX_PARTS,
  DEFAULT_MULTIPART_MAX_TOTAL_BYTES,
  type MultipartOptions,
  type MultipartPart,
  parseMultipart,
  readMultipart,
} from "./multipart.ts";
export {
  type BodySource,
  DEFAULT_FORM_MAX_BYTES,
  DEFAULT_JSON_MAX_BYTES,
  DEFAULT_JSON_TYPES,
  DEFAULT_TEXT_MAX_BYTES,
  type ReadBodyOptions,
  readBytes,
  readForm,
  readJson,
  readText,
} from "./read_body.ts";
export {
  DEFAULT_REQUEST_ID_HEADER,
  DEFAULT_REQUEST_ID_MAX_LENGTH,
  requestId,
  type RequestIdOptions,
  type RequestIdState,
} from "./request_id.ts";
export {
  type ContentSecurityPolicy,
  CSP_NONCE,
  DEFAULT_SECURE_HEADERS,
  secureHeaders,
  type SecureHeaderSetting,
  type SecureHeadersOptions,
} from "./secure_headers.ts";
export {
  DEFAULT_TIMING_PRECISION,
  DEFAULT_TOTAL_METRIC,
  endTime,
  serverTiming,
  type ServerTimingOptions,
  setMetric,
  startTime,
} from "./server_timing.ts";
export { getSignedCookie, setSignedCookie } from "./signed_cookie.ts";
export { SigningKeys } from "./signing_keys.ts";
export { compress } from "./compress.ts";
export { serveStatic, type ServeStaticOptions } from "./static.ts";
