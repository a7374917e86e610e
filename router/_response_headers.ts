/**
 * Editing a response's headers on the way out (internal): responses from
 * `Response.redirect()`, `Response.error()` or `fetch()` have immutable headers, so an
 * edit that throws a TypeError is made again on a copy.
 *
 * @module
 */

import { HttpError, httpErrorResponse } from "./_dispatch.ts";
import type { Next } from "./middleware.ts";

/** `response` with `edit` applied to its headers, or a copy of it when they are immutable. */
export function editHeaders(response: Response, edit: (headers: Headers) => void): Response {
  try {
    edit(response.headers);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const copy = new Response(response.body, response);
    edit(copy.headers);
    return copy;
  }
}

/**
 * Adds `field` to `Vary` unless it is there already (compared case-insensitively) or
 * `Vary` is `*` (RFC 9110 §12.5.5).
 */
export function appendVary(headers: Headers, field: string): void {
  const vary = headers.get("vary");
  if (vary === null || vary === "") {
    headers.set("vary", field);
    return;
  }
  const wanted = field.toLowerCase();
  for (const part of vary.split(",")) {
    const name = part.trim().toLowerCase();
    if (name === "*" || name === wanted) return;
  }
  headers.set("vary", vary + ", " + field);
}

/**
 * The rest of the chain's response, with an {@linkcode HttpError} it threw turned into
 * its response here, so middleware that decorate every response (CORS, request IDs,
 * security headers) decorate error responses too; other errors propagate.
 */
export async function responseOf(next: Next): Promise<Response> {
  try {
    return await next();
  } catch (error) {
    if (error instanceof HttpError) return httpErrorResponse(error);
    throw error;
  }
}
