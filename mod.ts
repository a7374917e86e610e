/**
 * Wire: an HTTP/1.1 stack for Deno written in TypeScript from the TCP socket up —
 * an accept loop, an incremental parser, `serve(handler)` on Web Request/Response,
 * Koa-style middleware, a router, and a client.
 *
 * @example Hello world
 * ```ts ignore
 * import { serve } from "@wire/http";
 *
 * serve(() => new Response("hello"), { port: 8000 });
 * ```
 *
 * @module
 */

export type { Handler, HandlerObject, ServeInfo } from "./http/mod.ts";
export {
  type ConnectionOptions,
  inject,
  injectBytes,
  injectConnection,
  type InjectedConnection,
  type InjectOptions,
  type InjectResult,
  serve,
  type ServeLenientFlags,
  type ServeOptions,
  Server,
  type ShutdownOptions,
  type Upgrade,
  upgrade,
  type UpgradedConnection,
  type UpgradeOptions,
} from "./http/mod.ts";
export { HttpError, httpError, type HttpErrorOptions } from "./http/mod.ts";
export { isStatus, STATUS_TEXT, statusText } from "./http/mod.ts";
export {
  ChunkedEncoderStream,
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
  ParseError,
  ParseErrorCode,
  type ParseEvent,
  Parser,
  type ParserLenientFlags,
  type ParserOptions,
} from "./http/mod.ts";
export {
  type PerMessageDeflateOptions,
  type ProtocolSelector,
  upgradeWebSocket,
  upgradeWebSocketStream,
  type WebSocketServerOptions,
  type WebSocketStreamCloseInfo,
  type WebSocketStreamCloseOptions,
  type WebSocketStreamConnection,
  WebSocketStreamError,
  type WebSocketStreamUpgrade,
  type WebSocketTransport,
  type WebSocketUpgrade,
  WireWebSocket,
  type WireWebSocketOptions,
  WireWebSocketStream,
  type WireWebSocketStreamOptions,
} from "./http/mod.ts";
export {
  Client,
  ClientError,
  type ClientErrorCode,
  type ClientErrorOptions,
  type ClientInterceptor,
  type ClientLookup,
  type ClientNext,
  type ClientOptions,
  type ClientTimeout,
  closeDefaultClient,
  composeInterceptors,
  type Cookie,
  CookieJar,
  type CookieJarOptions,
  type CookieRequestOptions,
  decompressInterceptor,
  type DecompressOptions,
  fetch,
  type LookupAddress,
  proxyFromEnv,
  type ProxyOptions,
  redirectInterceptor,
  type RedirectOptions,
  retryInterceptor,
  type RetryOptions,
} from "./http/mod.ts";

export {
  connect,
  ConnectError,
  type ConnectErrorCode,
  type ConnectOptions,
  listen,
  Listener,
  type ListenerOptions,
  type ListenOptions,
} from "./net/mod.ts";

export {
  type AllowedMethodsOptions,
  type CommonVerb,
  compose,
  type ComposedMiddleware,
  type ComposeOptions,
  composeWith,
  Context,
  type Digit,
  type ExtensionVerbs,
  type Method,
  METHODS,
  type Middleware,
  type Next,
  type ParamMiddleware,
  type PathParamsOf,
  type PathParamValue,
  type RegExpParams,
  type Route,
  type RouteParams,
  Router,
  type RouterOptions,
  type RouteVerb,
  type SegmentParams,
  type UrlOptions,
  type UrlParams,
  type UrlQuery,
} from "./router/mod.ts";
