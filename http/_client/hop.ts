/**
 * What one hop of a fetch adds to its request besides the caller's fields: the cookie
 * jar's `Cookie` (merged with one the caller set: a request carries one Cookie field,
 * RFC 6265 §5.4) and the `Referer` its policy allows. The prepared request itself is
 * never changed, so the next redirect hop starts from the caller's fields again.
 *
 * @module
 */
import type { CookieJar } from "../cookie_jar.ts";
import { type PreparedRequest, serializeFields } from "./prepare_request.ts";
import { refererFor } from "./referrer.ts";

/**
 * The site of a URL for SameSite: its host's last two labels (there is no public-suffix
 * list here), or the whole host for an address or a one-label name.
 *
 * @param url A URL.
 * @returns The site.
 */
export function siteOf(url: URL): string {
  const host = url.hostname;
  if (host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  const labels = host.split(".");
  return labels.slice(-2).join(".");
}

/** Where the field `name` is in flat `[name, value, ...]` fields, or -1. */
function fieldIndex(fields: string[], name: string): number {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return i;
  return -1;
}

/**
 * The request to send for this hop: `request` itself, or a copy with the jar's cookies
 * and the Referer.
 *
 * @param request The hop's prepared request.
 * @param jar The cookie jar to read, or null.
 * @param crossSite Whether the redirect chain has crossed sites (for SameSite).
 * @returns What to send.
 */
export function hopRequest(
  request: PreparedRequest,
  jar: CookieJar | null,
  crossSite: boolean,
): PreparedRequest {
  let extra = "";
  let fields = request.fields;
  let changed = false;
  if (jar !== null) {
    const cookies = jar.cookieHeader(request.url, { crossSite, method: request.method });
    if (cookies !== "") {
      const at = fieldIndex(fields, "cookie");
      if (at !== -1) {
        fields = [...fields];
        fields[at + 1] = fields[at + 1] + "; " + cookies;
        changed = true;
      } else {
        extra += "cookie: " + cookies + "\r\n";
      }
    }
  }
  if (request.referrer !== "client" && request.referrer !== "") {
    if (fieldIndex(fields, "referer") === -1) {
      const referer = refererFor(request.referrer, request.referrerPolicy, request.url);
      if (referer !== null) extra += "referer: " + referer + "\r\n";
    }
  }
  if (extra === "" && !changed) return request;
  return {
    ...request,
    fields,
    lines: changed ? serializeFields(fields) : request.lines,
    extraLines: extra,
  };
}
