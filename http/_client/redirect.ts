/**
 * Fetch's redirect rules (WHATWG Fetch §4.4 "HTTP-redirect fetch") for HTTP/1.1.
 *
 * @module
 */
import { ClientError } from "../client_error.ts";
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

/** Whether `status` is a redirect status fetch follows. */
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
 * The request for the next hop of a redirect from `p` (answered with `status` and
 * `location`). `hops` is how many redirects were followed before this one. Throws a
 * ClientError when the redirect cannot be followed.
 */
export function redirectRequest(
  p: PreparedRequest,
  status: number,
  location: string,
  hops: number,
): PreparedRequest {
  const from = p.url.href;
  if (hops >= MAX_REDIRECTS) {
    throw new ClientError("TOO_MANY_REDIRECTS", from, `more than ${MAX_REDIRECTS} redirects`, {
      method: p.method,
    });
  }
  let url: URL;
  try {
    url = new URL(location, p.url);
  } catch (error) {
    throw new ClientError(
      "REDIRECT_REJECTED",
      from,
      `redirect Location "${location}" is not a valid URL`,
      { method: p.method, cause: error },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ClientError(
      "REDIRECT_REJECTED",
      from,
      `redirect to ${url.href} uses scheme "${url.protocol}", which cannot be fetched`,
      { method: p.method },
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new ClientError(
      "REDIRECT_REJECTED",
      from,
      "redirect Location includes credentials",
      { method: p.method },
    );
  }
  if (url.hash !== "") url.hash = "";

  let method = p.method;
  let body = p.body;
  let bodyLength = p.bodyLength;
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
    throw new ClientError(
      "BODY_NOT_REPLAYABLE",
      from,
      `${status} redirect to ${url.href} needs the request body again, but it was a stream`,
      { method: p.method },
    );
  }
  const crossOrigin = url.origin !== p.url.origin;
  let fields = p.fields;
  let flags = p.flags;
  if (dropBody || crossOrigin) {
    fields = [];
    for (let i = 0; i < p.fields.length; i += 2) {
      const name = p.fields[i];
      if (dropBody && BODY_FIELDS.has(name)) continue;
      if (crossOrigin && CREDENTIAL_FIELDS.has(name)) continue;
      fields.push(name, p.fields[i + 1]);
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
    lines: fields === p.fields ? p.lines : serializeFields(fields),
    // A Host the caller set names the first origin; a new origin gets its own.
    host: crossOrigin ? null : p.host,
    flags,
    close: p.close,
    body,
    bodyLength,
    signal: p.signal,
    redirect: p.redirect,
  };
}
