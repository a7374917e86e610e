import type { ServeInfo } from "../http/handler.ts";
import { Cookies } from "./cookies.ts";

/**
 * Everything a middleware knows about the request in flight: the Web `Request`, the
 * connection info, the parsed URL (parsed once, on first use), the route
 * parameters and a `state` object for middleware to share data down the chain.
 *
 * `compose` creates one Context per request; build one yourself only to test
 * middleware.
 *
 * @example Read the URL and share state
 * ```ts
 * import { Context } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const ctx = new Context<{ user?: string }>(new Request("http://localhost/a%20b?q=1"), info);
 * assert.equal(ctx.path, "/a%20b");
 * assert.equal(ctx.url.searchParams.get("q"), "1");
 * ctx.state.user = "ada";
 * assert.deepEqual(ctx.state, { user: "ada" });
 * assert.equal(ctx.host, "localhost");
 * assert.equal(ctx.routePath, undefined); // set by the Router when a route matches
 * ```
 */
export class Context<
  S extends object = Record<string, unknown>,
  P extends Partial<Record<string, string>> = Record<string, string>,
> {
  /**
   * The request being answered. Middleware may replace it with one that wraps it
   * (`bodyLimit()` does, to count a chunked body); the rest of the chain sees the new one.
   */
  request: Request;
  /** Connection information from the server (remote address, completion). */
  readonly info: ServeInfo;
  /** Route parameters, percent-decoded; set by the Router when a route matches. */
  params: P;
  /** Per-request data shared between middleware; starts as an empty object. */
  state: S;
  /**
   * The pattern of the route the Router matched, prefixes included ("/api/users/:id"),
   * for logs, metrics and traces; a RegExp route's is its prefix and `String(regex)`.
   * Undefined until a route matches.
   */
  routePath: string | undefined = undefined;
  /** The name of the route the Router matched, or undefined (unnamed, or none yet). */
  routeName: string | undefined = undefined;
  /**
   * The percent-decoded captures of the RegExp route (or RegExp `use()` path) that
   * matched, in order; undefined for a group that took no part. Empty otherwise.
   */
  captures: readonly (string | undefined)[] = NO_CAPTURES;
  #url: URL | undefined = undefined;
  #path: string | undefined = undefined;
  #host: string | undefined = undefined;
  #cookies: Cookies | undefined = undefined;

  /**
   * Creates a context for one request.
   *
   * @param request The request.
   * @param info The connection information.
   * @param state The initial state; a fresh empty object by default.
   */
  constructor(request: Request, info: ServeInfo, state?: S) {
    this.request = request;
    this.info = info;
    this.params = {} as P;
    this.state = state ?? ({} as S);
  }

  /** The request URL, parsed on first access and then reused. */
  get url(): URL {
    return this.#url ??= new URL(this.request.url);
  }

  /**
   * The path of the request URL, still percent-encoded (what routes match against),
   * taken from `request.url` without parsing a URL object.
   */
  get path(): string {
    return this.#path ??= pathOf(this.request.url);
  }

  /**
   * The host of the request URL, with its port when not the default (the Host header
   * as the URL parser normalized it: lower case), taken without parsing a URL object.
   */
  get host(): string {
    return this.#host ??= hostOf(this.request.url);
  }

  /**
   * The request's cookies ({@linkcode Cookies}), parsed on first use. The `cookies()`
   * middleware puts a writable jar here (with its signing keys) and sends what it sets;
   * without it this jar reads but refuses writes.
   */
  get cookies(): Cookies {
    return this.#cookies ??= new Cookies(this.request.headers, READ_ONLY);
  }

  set cookies(jar: Cookies) {
    this.#cookies = jar;
  }

  /** koa-router's name for {@linkcode Context.routePath}. */
  get _matchedRoute(): string | undefined {
    return this.routePath;
  }

  /** koa-router's name for {@linkcode Context.routeName}. */
  get _matchedRouteName(): string | undefined {
    return this.routeName;
  }
}

const NO_CAPTURES: readonly (string | undefined)[] = Object.freeze([]);
const READ_ONLY = Object.freeze({ readOnly: true });

function hostOf(url: string): string {
  const scheme = url.indexOf("://");
  if (scheme === -1) return "";
  let end = scheme + 3;
  const len = url.length;
  while (end < len) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  const authority = url.slice(scheme + 3, end);
  const at = authority.lastIndexOf("@");
  return at === -1 ? authority : authority.slice(at + 1);
}

// request.url is a serialized absolute URL: "scheme://authority/path?query#fragment".
function pathOf(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme === -1 ? -1 : url.indexOf("/", scheme + 3);
  if (start === -1) return "/";
  let end = start + 1;
  const len = url.length;
  while (end < len) {
    const c = url.charCodeAt(end);
    if (c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  return url.slice(start, end);
}
