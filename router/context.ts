import type { ServeInfo } from "../http/handler.ts";

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
 * ```
 */
export class Context<
  S extends object = Record<string, unknown>,
  P extends Partial<Record<string, string>> = Record<string, string>,
> {
  /** The request being answered. */
  readonly request: Request;
  /** Connection information from the server (remote address, completion). */
  readonly info: ServeInfo;
  /** Route parameters, percent-decoded; set by the Router when a route matches. */
  params: P;
  /** Per-request data shared between middleware; starts as an empty object. */
  state: S;
  #url: URL | undefined = undefined;
  #path: string | undefined = undefined;

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
