/**
 * Proxy settings of the `Client`, and the environment variables the default `fetch`
 * reads them from.
 *
 * @module
 */

/**
 * Where a {@linkcode Client} sends requests through an HTTP proxy. Only `http:` proxies
 * are supported: `http:` URLs go to them in absolute form (RFC 9112 §3.2.2), `https:`
 * ones through a CONNECT tunnel (RFC 9110 §9.3.6) with TLS to the origin inside it.
 * Credentials in a proxy URL are sent as `Proxy-Authorization: Basic`.
 *
 * @example One proxy, except for internal hosts
 * ```ts
 * import { Client, type ProxyOptions } from "@wire/http/http";
 *
 * const proxy: ProxyOptions = {
 *   http: "http://user:secret@127.0.0.1:3128",
 *   https: "http://user:secret@127.0.0.1:3128",
 *   noProxy: "localhost,.internal,10.0.0.0/8",
 * };
 * await using _client = new Client({ proxy });
 * ```
 */
export interface ProxyOptions {
  /**
   * The proxy for `http:` URLs, as a URL (`http://host:port`, the scheme may be left
   * out).
   *
   * @default {undefined}
   */
  http?: string | URL;
  /**
   * The proxy for `https:` URLs (a CONNECT tunnel through an `http:` proxy).
   *
   * @default {undefined}
   */
  https?: string | URL;
  /**
   * Hosts reached directly, as `NO_PROXY` lists them: comma-separated names (a name also
   * covers its subdomains; a leading dot is optional), IP addresses, CIDR blocks, an
   * optional `:port` each, or `*` for every host.
   *
   * @default {""}
   */
  noProxy?: string;
  /**
   * Fields sent to the proxy with every CONNECT and forwarded request (a custom
   * `Proxy-Authorization`, say).
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
}

/** Reads an environment variable, or "" without permission (never prompts). */
function readEnv(name: string): string {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return "";
    }
    return Deno.env.get(name) ?? "";
  } catch {
    return "";
  }
}

function either(name: string): string {
  return readEnv(name) || readEnv(name.toLowerCase());
}

/**
 * The proxy settings of the environment, as Deno's own `fetch` reads them:
 * `HTTP_PROXY` for `http:` URLs (ignored when `REQUEST_METHOD` is set: in a CGI program
 * a request's `Proxy:` header becomes `HTTP_PROXY`, the "httpoxy" attack),
 * `HTTPS_PROXY` for `https:` ones, `ALL_PROXY` for both when the specific one is unset,
 * and `NO_PROXY`; each also in lower case. Variables the program may not read count as
 * unset (no permission prompt).
 *
 * @returns The settings for the `proxy` option, or undefined when no proxy is set.
 *
 * @example The default fetch uses it; a Client can too
 * ```ts
 * import { Client, proxyFromEnv } from "@wire/http/http";
 *
 * await using _client = new Client({ proxy: proxyFromEnv() });
 * ```
 */
export function proxyFromEnv(): ProxyOptions | undefined {
  const all = either("ALL_PROXY");
  const cgi = readEnv("REQUEST_METHOD") !== "";
  const http = (cgi ? "" : either("HTTP_PROXY")) || all;
  const https = either("HTTPS_PROXY") || all;
  if (http === "" && https === "") return undefined;
  const options: ProxyOptions = {};
  if (http !== "") options.http = http;
  if (https !== "") options.https = https;
  const noProxy = either("NO_PROXY");
  if (noProxy !== "") options.noProxy = noProxy;
  return options;
}
