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

/** Request-body header names, dropped when a redirect turns the request into a GET. */
const BODY_FIELDS = new Set([
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
  "content-length",
]);

/** Credentials, dropped when a redirect leaves the origin. */
const CREDENTIAL_FIELDS = new Set(["authorization", "proxy-authorization", "cookie"]);

/**
 * The request for the next hop of a redirect.
 *
 * @param request The request that was redirected.
 * @param status The redirect status (301, 302, 303, 307 or 308).
 * @param location The response's Location value.
 * @param hops How many redirects were followed before this one.
 * @returns The request to send next.
 * @throws {ClientError} When the redirect cannot be followed.
 */
export function redirectRequest(
  request: PreparedRequest,
  status: number,
  location: string,
  hops: number,
): PreparedRequest {
  if (hops >= MAX_REDIRECTS) throw tooManyRedirects(request, MAX_REDIRECTS);
  let url: URL;
  try {
    url = new URL(location, request.url);
  } catch (error) {
    throw redirectRejected(request, `redirect Location "${location}" is not a valid URL`, error);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw redirectRejected(
      request,
      `redirect to ${url.href} uses scheme "${url.protocol}", which cannot be fetched`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw redirectRejected(request, "redirect Location includes credentials");
  }
  if (url.hash !== "") url.hash = "";

  let method = request.method;
  let body = request.body;
  let bodyLength = request.bodyLength;
  let dropBody = false;
  if (
    ((status === 301 || status === 302) && method === "POST") ||
    (status === 303 && method !== "GET" && method !== "HEAD")
  ) {
    method = "GET";
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
    // A Host the caller set names the first origin; a new origin gets its own.
    host: crossOrigin ? null : request.host,
    flags,
    close: request.close,
    body,
    bodyLength,
    signal: request.signal,
    redirect: request.redirect,
  };
}
