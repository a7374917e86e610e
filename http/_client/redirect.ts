/**
 * Fetch's redirect rules (WHATWG Fetch §4.4 "HTTP-redirect fetch") for HTTP/1.1.
 *
 * @module
 */
import { bodyNotReplayable, redirectRejected, tooManyRedirects } from "./errors.ts";
import {
  HAS_ACCEPT,
  HAS_ACCEPT_ENCODING,
  HAS_AUTHORIZATION,
  HAS_CONTENT_TYPE,
  HAS_USER_AGENT,
  isReplayable,
  type PreparedRequest,
  serializeFields,
} from "./prepare_request.ts";

/** Most redirects followed for one fetch, as in the Fetch standard. */
export const MAX_REDIRECTS = 20;

/**
 * Whether `status` is a redirect status fetch follows.
 *
 * @param status The response status.
 * @returns True for 301, 302, 303, 307 and 308.
 */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 ||
    status === 308;
}

/**
 * A Location value as the URL the server meant: header bytes arrive as Latin-1 text,
 * but a non-ASCII Location is UTF-8 in practice (browsers and curl read it so); bytes
 * that are not valid UTF-8 stay as they are.
 *
 * @param value The field value, one char per byte.
 * @returns The value with UTF-8 sequences decoded.
 */
export function decodeLocation(value: string): string {
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return value;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i) & 0xff;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

/**
 * The method of the next hop (Fetch §4.4 step 12): POST becomes GET on 301 and 302, any
 * method but GET and HEAD on 303, and the body goes with it.
 *
 * @param status The redirect status.
 * @param method The method redirected.
 * @returns The next method, or null when it stays the same (body kept).
 */
export function redirectedMethod(status: number, method: string): string | null {
  if (
    ((status === 301 || status === 302) && method === "POST") ||
    (status === 303 && method !== "GET" && method !== "HEAD")
  ) {
    return "GET";
  }
  return null;
}

/**
 * Resolves a redirect's Location against the URL redirected and checks it can be
 * fetched.
 *
 * @param location The Location value (already decoded).
 * @param base The URL redirected.
 * @returns The next URL, without fragment.
 * @throws {Error} Naming what is wrong; the caller wraps it.
 */
export function redirectUrl(location: string, base: URL): URL | string {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    return `redirect Location "${location}" is not a valid URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `redirect to ${url.href} uses scheme "${url.protocol}", which cannot be fetched`;
  }
  if (url.username !== "" || url.password !== "") {
    return "redirect Location includes credentials";
  }
  if (url.hash !== "") url.hash = "";
  return url;
}

/** Request-body header names, dropped when a redirect turns the request into a GET. */
export const BODY_FIELDS = new Set([
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
  "content-length",
]);

/** Credentials, dropped when a redirect leaves the origin. */
export const CREDENTIAL_FIELDS = new Set(["authorization", "proxy-authorization", "cookie"]);

/**
 * The request for the next hop of a redirect.
 *
 * @param request The request that was redirected.
 * @param status The redirect status (301, 302, 303, 307 or 308).
 * @param location The response's Location value.
 * @param hops How many redirects were followed before this one.
 * @param policy The redirect's `Referrer-Policy`, or "" to keep the request's.
 * @returns The request to send next.
 * @throws {ClientError} When the redirect cannot be followed.
 */
export function redirectRequest(
  request: PreparedRequest,
  status: number,
  location: string,
  hops: number,
  policy: ReferrerPolicy = "",
): PreparedRequest {
  if (hops >= MAX_REDIRECTS) throw tooManyRedirects(request, MAX_REDIRECTS);
  const next = redirectUrl(location, request.url);
  if (typeof next === "string") throw redirectRejected(request, next);
  const url = next;

  let method = request.method;
  let body = request.body;
  let bodyLength = request.bodyLength;
  let dropBody = false;
  const changed = redirectedMethod(status, method);
  if (changed !== null) {
    method = changed;
    body = null;
    bodyLength = 0;
    dropBody = true;
  } else if (body !== null && !isReplayable(body)) {
    throw bodyNotReplayable(request, status, url);
  }
  const crossOrigin = url.origin !== request.url.origin;
  let fields = request.fields;
  let flags = request.flags;
  if (dropBody || crossOrigin) {
    fields = [];
    for (let i = 0; i < request.fields.length; i += 2) {
      const name = request.fields[i];
      if (dropBody && BODY_FIELDS.has(name)) continue;
      if (crossOrigin && CREDENTIAL_FIELDS.has(name)) continue;
      fields.push(name, request.fields[i + 1]);
    }
    // Recompute what the encoder must add by default.
    flags = 0;
    for (let i = 0; i < fields.length; i += 2) {
      switch (fields[i]) {
        case "accept":
          flags |= HAS_ACCEPT;
          break;
        case "accept-encoding":
          flags |= HAS_ACCEPT_ENCODING;
          break;
        case "user-agent":
          flags |= HAS_USER_AGENT;
          break;
        case "content-type":
          flags |= HAS_CONTENT_TYPE;
          break;
        case "authorization":
          flags |= HAS_AUTHORIZATION;
          break;
      }
    }
  }
  return {
    method,
    url,
    fields,
    lines: fields === request.fields ? request.lines : serializeFields(fields),
    extraLines: "",
    flags,
    close: request.close,
    body,
    bodyLength,
    signal: request.signal,
    redirect: request.redirect,
    referrer: request.referrer,
    referrerPolicy: policy === "" ? request.referrerPolicy : policy,
    integrity: request.integrity,
    omitCredentials: request.omitCredentials,
  };
}
