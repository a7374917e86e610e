import { parseSetCookie } from "./_client/set_cookie.ts";
import { numberOption, POSITIVE_INTEGER } from "./_codec/options.ts";

/** Most cookies one {@linkcode CookieJar} holds (RFC 6265bis §6.1 asks for at least 3000). */
export const DEFAULT_MAX_COOKIES = 3000;
/** Most cookies per domain (RFC 6265bis §6.1 asks for at least 50). */
export const DEFAULT_MAX_COOKIES_PER_DOMAIN = 50;

/** A cookie as a {@linkcode CookieJar} keeps it. */
export interface Cookie {
  /** The name ("" for a nameless cookie). */
  name: string;
  /** The value. */
  value: string;
  /** The host (host-only) or domain it is sent to. */
  domain: string;
  /** Sent only to the exact host (no Domain attribute), not its subdomains. */
  hostOnly: boolean;
  /** The path prefix it is sent for. */
  path: string;
  /** When it expires (epoch milliseconds), or null for a session cookie. */
  expires: number | null;
  /** Sent only over https (or to a loopback host). */
  secure: boolean;
  /** HttpOnly (kept; a client has no script to hide it from). */
  httpOnly: boolean;
  /** The SameSite mode; "default" behaves as "lax". */
  sameSite: "strict" | "lax" | "none" | "default";
  /** When it was first stored (epoch milliseconds). */
  created: number;
}

/** Options for {@linkcode CookieJar}. */
export interface CookieJarOptions {
  /**
   * Most cookies in the jar; past it the least recently used go first.
   *
   * @default {3000}
   */
  maxCookies?: number;
  /**
   * Most cookies per domain; past it that domain's least recently used go first.
   *
   * @default {50}
   */
  maxCookiesPerDomain?: number;
  /**
   * The clock, in epoch milliseconds (tests pass their own).
   *
   * @default {Date.now}
   */
  now?: () => number;
}

/**
 * How a request relates to the site that started it, for SameSite (RFC 6265bis §5.2).
 * A client has no document: a request it starts is same-site, as a typed URL is, and a
 * redirect chain that crosses sites makes the rest of it cross-site.
 */
export interface CookieRequestOptions {
  /**
   * The request belongs to a cross-site chain: Strict cookies stay home, and Lax ones
   * go only with safe methods (GET, HEAD, OPTIONS, TRACE).
   *
   * @default {false}
   */
  crossSite?: boolean;
  /**
   * The request method.
   *
   * @default {"GET"}
   */
  method?: string;
}

/** Whether `url` is a secure context: https, or a loopback host (RFC 6265bis §5.8.3). */
function secure(url: URL): boolean {
  if (url.protocol === "https:") return true;
  const host = url.hostname;
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isAddress(host: string): boolean {
  return host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** RFC 6265bis §5.1.3. */
function domainMatch(host: string, domain: string): boolean {
  return host === domain || (host.endsWith("." + domain) && !isAddress(host));
}

/** RFC 6265bis §5.1.4: the directory of the request path. */
function defaultPath(path: string): string {
  if (!path.startsWith("/")) return "/";
  const last = path.lastIndexOf("/");
  return last === 0 ? "/" : path.slice(0, last);
}

/** RFC 6265bis §5.1.4. */
function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath.charCodeAt(cookiePath.length) === 47;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/**
 * A cookie store for the {@linkcode Client} (RFC 6265bis): it keeps `Set-Cookie` from
 * responses and gives the `Cookie` value for a request, with domain and path matching,
 * expiry (Max-Age over Expires, 400 days at most), Secure (https or loopback), the
 * `__Secure-` and `__Host-` prefixes, and SameSite across redirects. Opt-in: pass one to
 * `new Client({ cookieJar })`; several Clients may share it.
 *
 * Without a public-suffix list, a Domain attribute must hold a dot (or equal the host),
 * so `Domain=com` is refused but a suffix like `co.uk` is not recognized, and the "site"
 * of SameSite is a host's last two labels.
 *
 * @example Store and send cookies
 * ```ts
 * import { CookieJar } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const jar = new CookieJar();
 * jar.setCookie("sid=abc; Path=/; HttpOnly", "https://app.test/login");
 * jar.setCookie("theme=dark; Domain=app.test", "https://www.app.test/");
 * assert.equal(jar.cookieHeader("https://app.test/account"), "sid=abc; theme=dark");
 * assert.equal(jar.cookieHeader("https://other.test/"), "");
 * ```
 */
export class CookieJar {
  #cookies = new Map<string, Cookie>();
  /** Key order is use order: least recently used first. */
  #maxCookies: number;
  #maxPerDomain: number;
  #now: () => number;

  /**
   * Makes an empty jar.
   *
   * @param options Size limits and clock.
   *
   * @example A small jar
   * ```ts
   * import { CookieJar } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const jar = new CookieJar({ maxCookiesPerDomain: 2 });
   * for (const n of [1, 2, 3]) jar.setCookie(`c${n}=${n}`, "http://localhost/");
   * assert.equal(jar.cookieHeader("http://localhost/"), "c2=2; c3=3");
   * ```
   */
  constructor(options: CookieJarOptions = {}) {
    this.#maxCookies = numberOption(
      "create CookieJar",
      "maxCookies",
      options.maxCookies,
      DEFAULT_MAX_COOKIES,
      POSITIVE_INTEGER,
    );
    this.#maxPerDomain = numberOption(
      "create CookieJar",
      "maxCookiesPerDomain",
      options.maxCookiesPerDomain,
      DEFAULT_MAX_COOKIES_PER_DOMAIN,
      POSITIVE_INTEGER,
    );
    this.#now = options.now ?? Date.now;
  }

  /** How many cookies the jar holds (expired ones included until they are next seen). */
  get size(): number {
    return this.#cookies.size;
  }

  /**
   * Stores one `Set-Cookie` value received from `url`, or ignores it as RFC 6265bis §5.7
   * says (a Domain that does not cover the host, Secure from an insecure origin, a bad
   * prefix, SameSite=None without Secure...). An expiry in the past deletes the cookie.
   *
   * @param setCookie The Set-Cookie field value.
   * @param url Where it came from.
   * @returns Whether the cookie was stored (false for ignored and deleting ones).
   *
   * @example Max-Age=0 deletes
   * ```ts
   * import { CookieJar } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const jar = new CookieJar();
   * assert.equal(jar.setCookie("a=1", "http://localhost/"), true);
   * assert.equal(jar.setCookie("a=1; Max-Age=0", "http://localhost/"), false);
   * assert.equal(jar.size, 0);
   * ```
   */
  setCookie(setCookie: string, url: string | URL): boolean {
    const from = new URL(url);
    const now = this.#now();
    const parsed = parseSetCookie(String(setCookie), now);
    if (parsed === null) return false;
    const host = from.hostname.toLowerCase();
    let domain = host;
    let hostOnly = true;
    if (parsed.domain !== null) {
      // Without a public-suffix list, a Domain other than the host itself needs a dot.
      if (
        parsed.domain !== host &&
        (!domainMatch(host, parsed.domain) || !parsed.domain.includes("."))
      ) {
        return false;
      }
      domain = parsed.domain;
      hostOnly = false;
    }
    const isSecure = secure(from);
    if (parsed.secure && !isSecure) return false;
    if (parsed.sameSite === "none" && !parsed.secure) return false;
    const lower = parsed.name.toLowerCase();
    if (lower.startsWith("__secure-") && !parsed.secure) return false;
    if (
      lower.startsWith("__host-") &&
      (!parsed.secure || parsed.domain !== null || parsed.path !== "/")
    ) {
      return false;
    }
    const path = parsed.path ?? defaultPath(from.pathname);
    const key = `${domain};${path};${parsed.name}`;
    const old = this.#cookies.get(key);
    if (!isSecure) {
      // An insecure origin may not shadow a Secure cookie (§5.7 step 16).
      for (const cookie of this.#cookies.values()) {
        if (
          cookie.secure && cookie.name === parsed.name &&
          (domainMatch(domain, cookie.domain) || domainMatch(cookie.domain, domain)) &&
          pathMatch(path, cookie.path)
        ) {
          return false;
        }
      }
    }
    this.#cookies.delete(key);
    if (parsed.expires !== null && parsed.expires <= now) return false;
    this.#cookies.set(key, {
      name: parsed.name,
      value: parsed.value,
      domain,
      hostOnly,
      path,
      expires: parsed.expires,
      secure: parsed.secure,
      httpOnly: parsed.httpOnly,
      sameSite: parsed.sameSite,
      created: old?.created ?? now,
    });
    this.#evict(domain);
    return true;
  }

  /**
   * Stores every `Set-Cookie` of a response (`response.headers.getSetCookie()`).
   *
   * @param setCookies The Set-Cookie field values.
   * @param url The URL they came from.
   * @returns How many were stored.
   *
   * @example From a Response
   * ```ts
   * import { CookieJar } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const response = new Response(null, { headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"]] });
   * const jar = new CookieJar();
   * assert.equal(jar.setCookies(response.headers.getSetCookie(), "http://localhost/"), 2);
   * ```
   */
  setCookies(setCookies: Iterable<string>, url: string | URL): number {
    let stored = 0;
    for (const line of setCookies) if (this.setCookie(line, url)) stored++;
    return stored;
  }

  /**
   * The cookies a request to `url` sends (RFC 6265bis §5.8.3), longest path first, then
   * oldest first.
   *
   * @param url The request URL.
   * @param options SameSite context and method.
   * @returns The matching cookies.
   *
   * @example Host-only cookies stay on their host
   * ```ts
   * import { CookieJar } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const jar = new CookieJar();
   * jar.setCookie("a=1", "http://app.localhost/");
   * assert.equal(jar.getCookies("http://app.localhost/x").length, 1);
   * assert.equal(jar.getCookies("http://sub.app.localhost/x").length, 0);
   * ```
   */
  getCookies(url: string | URL, options: CookieRequestOptions = {}): Cookie[] {
    const to = new URL(url);
    const host = to.hostname.toLowerCase();
    const isSecure = secure(to);
    const crossSite = options.crossSite === true;
    const safe = SAFE_METHODS.has((options.method ?? "GET").toUpperCase());
    const now = this.#now();
    const found: Cookie[] = [];
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expires !== null && cookie.expires <= now) {
        this.#cookies.delete(key);
        continue;
      }
      if (cookie.hostOnly ? host !== cookie.domain : !domainMatch(host, cookie.domain)) continue;
      if (!pathMatch(to.pathname, cookie.path)) continue;
      if (cookie.secure && !isSecure) continue;
      if (crossSite && cookie.sameSite !== "none" && (cookie.sameSite === "strict" || !safe)) {
        continue;
      }
      found.push(cookie);
    }
    found.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
    for (const cookie of found) {
      // Mark as recently used: it moves to the end of the eviction order.
      const key = `${cookie.domain};${cookie.path};${cookie.name}`;
      this.#cookies.delete(key);
      this.#cookies.set(key, cookie);
    }
    return found;
  }

  /**
   * The `Cookie` field value for a request to `url`, or "" when no cookie matches.
   *
   * @param url The request URL.
   * @param options SameSite context and method.
   * @returns `name=value` pairs joined with "; ".
   *
   * @example Secure cookies need https (or loopback)
   * ```ts
   * import { CookieJar } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const jar = new CookieJar();
   * jar.setCookie("s=1; Secure", "https://app.test/");
   * assert.equal(jar.cookieHeader("https://app.test/"), "s=1");
   * assert.equal(jar.cookieHeader("http://app.test/"), "");
   * ```
   */
  cookieHeader(url: string | URL, options: CookieRequestOptions = {}): string {
    let header = "";
    for (const cookie of this.getCookies(url, options)) {
      if (header !== "") header += "; ";
      header += cookie.name === "" ? cookie.value : cookie.name + "=" + cookie.value;
    }
    return header;
  }

  /**
   * Removes every cookie.
   *
   * @example Start over
   * ```ts
   * import { CookieJar } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const jar = new CookieJar();
   * jar.setCookie("a=1", "http://localhost/");
   * jar.clear();
   * assert.equal(jar.size, 0);
   * ```
   */
  clear(): void {
    this.#cookies.clear();
  }

  /** Past a limit, the least recently used cookies of `domain` (then of all) go. */
  #evict(domain: string): void {
    let count = 0;
    for (const cookie of this.#cookies.values()) if (cookie.domain === domain) count++;
    for (const [key, cookie] of this.#cookies) {
      if (count <= this.#maxPerDomain) break;
      if (cookie.domain !== domain) continue;
      this.#cookies.delete(key);
      count--;
    }
    for (const key of this.#cookies.keys()) {
      if (this.#cookies.size <= this.#maxCookies) break;
      this.#cookies.delete(key);
    }
  }
}
