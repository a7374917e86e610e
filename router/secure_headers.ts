/**
 * The `secureHeaders()` middleware: the security response headers Hono's
 * `secureHeaders` and helmet set, with the same defaults.
 *
 * @module
 */

import type { Middleware } from "./middleware.ts";
import { editHeaders, responseOf } from "./_response_headers.ts";

/**
 * The headers {@linkcode secureHeaders} sets by default, and their values (Hono's
 * defaults, which follow helmet's).
 */
export const DEFAULT_SECURE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=15552000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "SAMEORIGIN",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
});

/**
 * Content-Security-Policy directives in camelCase (`defaultSrc` becomes `default-src`),
 * each a list of sources; {@linkcode CSP_NONCE} in a list stands for a fresh nonce per
 * request.
 */
export type ContentSecurityPolicy = Record<string, readonly string[] | boolean>;

/**
 * A source in a {@linkcode ContentSecurityPolicy} list that becomes `'nonce-…'` with a
 * new random nonce per request; the nonce is in `ctx.state.cspNonce` for the page.
 */
export const CSP_NONCE = "'nonce'";

/** A header's setting: true for the default, false to leave it out, or the value. */
export type SecureHeaderSetting = boolean | string;

/** Options for {@linkcode secureHeaders}: each header on (default), off or a value. */
export interface SecureHeadersOptions {
  /**
   * Cross-Origin-Resource-Policy: who may embed the response.
   *
   * @default {"same-origin"}
   */
  crossOriginResourcePolicy?: SecureHeaderSetting;
  /**
   * Cross-Origin-Opener-Policy: isolate the browsing context from cross-origin windows.
   *
   * @default {"same-origin"}
   */
  crossOriginOpenerPolicy?: SecureHeaderSetting;
  /**
   * Cross-Origin-Embedder-Policy; off by default: `true` sends `require-corp`.
   *
   * @default {false}
   */
  crossOriginEmbedderPolicy?: SecureHeaderSetting;
  /**
   * Origin-Agent-Cluster: ask for an origin-keyed agent cluster.
   *
   * @default {"?1"}
   */
  originAgentCluster?: SecureHeaderSetting;
  /**
   * Referrer-Policy: what the Referer of outgoing requests reveals.
   *
   * @default {"no-referrer"}
   */
  referrerPolicy?: SecureHeaderSetting;
  /**
   * Strict-Transport-Security: https only, for 180 days, subdomains too.
   *
   * @default {"max-age=15552000; includeSubDomains"}
   */
  strictTransportSecurity?: SecureHeaderSetting;
  /**
   * X-Content-Type-Options: no MIME sniffing.
   *
   * @default {"nosniff"}
   */
  xContentTypeOptions?: SecureHeaderSetting;
  /**
   * X-DNS-Prefetch-Control: no DNS prefetching of links.
   *
   * @default {"off"}
   */
  xDnsPrefetchControl?: SecureHeaderSetting;
  /**
   * X-Download-Options: old Internet Explorer must not open downloads in the site's context.
   *
   * @default {"noopen"}
   */
  xDownloadOptions?: SecureHeaderSetting;
  /**
   * X-Frame-Options: framing by the same origin only (CSP frame-ancestors supersedes it).
   *
   * @default {"SAMEORIGIN"}
   */
  xFrameOptions?: SecureHeaderSetting;
  /**
   * X-Permitted-Cross-Domain-Policies: no Flash/PDF cross-domain policy files.
   *
   * @default {"none"}
   */
  xPermittedCrossDomainPolicies?: SecureHeaderSetting;
  /**
   * X-XSS-Protection: "0" turns off the old XSS auditors, which did more harm than good.
   *
   * @default {"0"}
   */
  xXssProtection?: SecureHeaderSetting;
  /**
   * A Content-Security-Policy, as directives or a ready string.
   *
   * @default {none}
   */
  contentSecurityPolicy?: ContentSecurityPolicy | string;
  /**
   * The same, sent as `Content-Security-Policy-Report-Only`.
   *
   * @default {none}
   */
  contentSecurityPolicyReportOnly?: ContentSecurityPolicy | string;
  /**
   * A Permissions-Policy, feature to allow-list (`{ camera: [], geolocation: ["self"] }`).
   *
   * @default {none}
   */
  permissionsPolicy?: Record<string, readonly string[]> | string;
  /**
   * Remove `X-Powered-By` from responses.
   *
   * @default {true}
   */
  removePoweredBy?: boolean;
}

const OPTION_HEADERS: [keyof SecureHeadersOptions, string][] = [
  ["crossOriginResourcePolicy", "cross-origin-resource-policy"],
  ["crossOriginOpenerPolicy", "cross-origin-opener-policy"],
  ["originAgentCluster", "origin-agent-cluster"],
  ["referrerPolicy", "referrer-policy"],
  ["strictTransportSecurity", "strict-transport-security"],
  ["xContentTypeOptions", "x-content-type-options"],
  ["xDnsPrefetchControl", "x-dns-prefetch-control"],
  ["xDownloadOptions", "x-download-options"],
  ["xFrameOptions", "x-frame-options"],
  ["xPermittedCrossDomainPolicies", "x-permitted-cross-domain-policies"],
  ["xXssProtection", "x-xss-protection"],
];

/**
 * Adds security headers to every response (an `HttpError` thrown inside included). A
 * header the response already has is kept, so a route can relax one (say, its own
 * `X-Frame-Options`). With {@linkcode CSP_NONCE} in a policy, each request gets a nonce
 * in `ctx.state.cspNonce`.
 *
 * @param options Each header's setting, CSP, Permissions-Policy.
 * @returns The middleware.
 *
 * @example Defaults plus a CSP with a nonce
 * ```ts
 * import { compose, CSP_NONCE, secureHeaders } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(
 *   secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'self'", CSP_NONCE] } }),
 *   (ctx) => new Response(`<script nonce="${ctx.state.cspNonce}"></script>`),
 * );
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const response = await handler(new Request("http://localhost/"), info);
 * assert.equal(response.headers.get("x-frame-options"), "SAMEORIGIN");
 * assert.equal(response.headers.get("x-content-type-options"), "nosniff");
 * assert.match(
 *   response.headers.get("content-security-policy")!,
 *   /^default-src 'self'; script-src 'self' 'nonce-[\w+/=]+'$/,
 * );
 * ```
 */
export function secureHeaders<S extends object = Record<string, unknown>>(
  options: SecureHeadersOptions = {},
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create secureHeaders(): options must be an object");
  }
  const fixed: [string, string][] = [];
  for (const [option, header] of OPTION_HEADERS) {
    const value = setting(options[option] as SecureHeaderSetting | undefined, option);
    if (value === true) fixed.push([header, DEFAULT_SECURE_HEADERS[header]]);
    else if (typeof value === "string") fixed.push([header, value]);
  }
  const coep = setting(options.crossOriginEmbedderPolicy ?? false, "crossOriginEmbedderPolicy");
  if (coep !== false) {
    fixed.push(["cross-origin-embedder-policy", coep === true ? "require-corp" : coep]);
  }
  if (options.permissionsPolicy !== undefined) {
    fixed.push(["permissions-policy", permissions(options.permissionsPolicy)]);
  }
  const csp = policy(options.contentSecurityPolicy);
  const cspReport = policy(options.contentSecurityPolicyReportOnly);
  const nonce = csp?.includes(CSP_NONCE) || cspReport?.includes(CSP_NONCE);
  const removePoweredBy = options.removePoweredBy ?? true;

  return async function secureHeaders(ctx, next) {
    let cspValue = csp;
    let reportValue = cspReport;
    if (nonce) {
      const value = nonceValue();
      (ctx.state as { cspNonce?: string }).cspNonce = value;
      cspValue = cspValue?.replaceAll(CSP_NONCE, `'nonce-${value}'`);
      reportValue = reportValue?.replaceAll(CSP_NONCE, `'nonce-${value}'`);
    }
    const response = await responseOf(next);
    return editHeaders(response, (headers) => {
      for (const [name, value] of fixed) if (!headers.has(name)) headers.set(name, value);
      if (cspValue !== undefined && !headers.has("content-security-policy")) {
        headers.set("content-security-policy", cspValue);
      }
      if (reportValue !== undefined && !headers.has("content-security-policy-report-only")) {
        headers.set("content-security-policy-report-only", reportValue);
      }
      if (removePoweredBy) headers.delete("x-powered-by");
    });
  };
}

function setting(value: SecureHeaderSetting | undefined, option: string): SecureHeaderSetting {
  if (value === undefined) return true;
  if (typeof value === "boolean" || typeof value === "string") return value;
  throw new TypeError(`Cannot create secureHeaders(): ${option} must be a boolean or a string`);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

function policy(value: ContentSecurityPolicy | string | undefined): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  if (value === null || typeof value !== "object") {
    throw new TypeError("Cannot create secureHeaders(): a policy must be an object or a string");
  }
  const parts: string[] = [];
  for (const [directive, sources] of Object.entries(value)) {
    if (sources === true) parts.push(kebab(directive)); // upgradeInsecureRequests: true
    else if (Array.isArray(sources)) parts.push([kebab(directive), ...sources].join(" "));
  }
  return parts.join("; ");
}

function permissions(value: Record<string, readonly string[]> | string): string {
  if (typeof value === "string") return value;
  return Object.entries(value).map(([feature, list]) =>
    `${kebab(feature)}=(${list.map((v) => v === "self" || v === "*" ? v : `"${v}"`).join(" ")})`
  ).join(", ");
}

function nonceValue(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
