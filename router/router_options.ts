/** Options for {@linkcode Router}. */
export interface RouterOptions {
  /**
   * A path prepended to every route of this router, such as "/api/v1" or
   * "/users/:userId"; `router.prefix(path)` replaces it later.
   *
   * @default {""}
   */
  prefix?: string;
  /**
   * Match static text case-sensitively, as RFC 3986 says paths are. (koa-router's
   * default is the opposite: `sensitive: false`.)
   *
   * @default {true}
   */
  caseSensitive?: boolean;
  /**
   * koa-router's name for {@linkcode RouterOptions.caseSensitive}; give one or the
   * other.
   *
   * @default {true}
   */
  sensitive?: boolean;
  /**
   * Treat "/users" and "/users/" as different paths. When false a trailing slash is
   * ignored on both routes and requests.
   *
   * @default {false}
   */
  strict?: boolean;
  /**
   * Run only the most specific route that matches a request, and throw at registration
   * on a route that duplicates another or names a parameter differently at the same
   * position. With `false`, koa-router's model: every route that matches runs, in
   * registration order, each passing on with `next()`, and duplicates are allowed. The
   * mode is the router's own: a router routes the routes mounted in it by its mode.
   *
   * @default {true}
   */
  exclusive?: boolean;
  /**
   * Serve only requests for this host (the Host header as the URL has it: lower case,
   * with its port when not the default), one of these hosts, or hosts the RegExp
   * matches; other requests pass to `next()`.
   *
   * @default {undefined} (any host)
   */
  host?: string | readonly string[] | RegExp;
  /**
   * The methods `allowedMethods()` treats as implemented: any other method, where no
   * route answered, gets 501 Not Implemented. By default {@linkcode DEFAULT_METHODS}
   * and every method this router has a route for.
   *
   * @default {DEFAULT_METHODS plus the methods of the router's routes}
   */
  methods?: readonly string[];
}

/** The methods `allowedMethods()` implements by default: koa-router's seven and QUERY. */
export const DEFAULT_METHODS: readonly string[] = Object.freeze([
  "HEAD",
  "OPTIONS",
  "GET",
  "PUT",
  "PATCH",
  "POST",
  "DELETE",
  // QUERY (RFC 10008): safe and idempotent like GET, with the query in the body.
  "QUERY",
]);

/** Default of {@linkcode RouterOptions.prefix}. */
export const DEFAULT_PREFIX = "";
/** Default of {@linkcode RouterOptions.exclusive}. */
export const DEFAULT_EXCLUSIVE = true;
/** Default status of `Router.redirect()`: 301 Moved Permanently, as koa-router. */
export const DEFAULT_REDIRECT_STATUS = 301;

/** Options for `Router.allowedMethods()`. */
export interface AllowedMethodsOptions {
  /**
   * Throw instead of returning the 405 or 501 response, so outer error-handling
   * middleware can render it: an HttpError (with `Allow`) unless
   * {@linkcode AllowedMethodsOptions.methodNotAllowed} or
   * {@linkcode AllowedMethodsOptions.notImplemented} makes the error.
   *
   * @default {false}
   */
  throw?: boolean;
  /**
   * With `throw`, makes the error thrown for 405 Method Not Allowed.
   *
   * @default {an HttpError 405 with Allow}
   */
  methodNotAllowed?: () => unknown;
  /**
   * With `throw`, makes the error thrown for 501 Not Implemented.
   *
   * @default {an HttpError 501}
   */
  notImplemented?: () => unknown;
}

/** Values accepted for a parameter by `Router.url()`. */
export type PathParamValue = string | number | bigint | boolean;

/**
 * Parameter values by name for `Router.url()` (null or undefined leave one out). A
 * `query` key holds the query (koa-router's form) unless the route has a parameter
 * named "query".
 */
export type UrlParams = Readonly<Record<string, PathParamValue | UrlQuery | null | undefined>>;

/** Query values accepted by `Router.url()`: arrays repeat the key. */
export type UrlQuery =
  | URLSearchParams
  | string
  | Readonly<
    Record<
      string,
      string | number | boolean | null | undefined | readonly (string | number | boolean)[]
    >
  >;

/** Options for `Router.url()` (koa-router's third argument). */
export interface UrlOptions {
  /** A query string, URLSearchParams or record to append ("?" optional in a string). */
  query?: UrlQuery;
  /**
   * Encodes each parameter value (a wildcard's value segment by segment).
   *
   * @default {encodeURIComponent}
   */
  encode?: (value: string) => string;
}
