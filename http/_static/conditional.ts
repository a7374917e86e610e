/**
 * Preconditions (RFC 9110 §13.2.2), evaluated in the RFC's order: If-Match, else
 * If-Unmodified-Since (412 when false); then If-None-Match, else If-Modified-Since for
 * GET and HEAD (304 when the representation is unchanged). If-Range is the range code's.
 *
 * @module
 */

import { etagMatches, parseHttpDate } from "./validators.ts";

/** The request may proceed. */
export const PROCEED = 0;
/** 304 Not Modified. */
export const NOT_MODIFIED = 304;
/** 412 Precondition Failed. */
export const PRECONDITION_FAILED = 412;

/**
 * Evaluates the preconditions of a request on the current representation.
 *
 * @param headers The request's fields.
 * @param method The request method.
 * @param etag The representation's entity-tag, or null.
 * @param lastModified Its Last-Modified in epoch ms, whole seconds, or NaN.
 * @returns PROCEED, NOT_MODIFIED or PRECONDITION_FAILED.
 */
export function evaluatePreconditions(
  headers: Headers,
  method: string,
  etag: string | null,
  lastModified: number,
): number {
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) {
    if (!etagMatches(ifMatch, etag, true)) return PRECONDITION_FAILED;
  } else {
    const ifUnmodifiedSince = headers.get("if-unmodified-since");
    if (ifUnmodifiedSince !== null && !Number.isNaN(lastModified)) {
      const date = parseHttpDate(ifUnmodifiedSince);
      if (!Number.isNaN(date) && lastModified > date) return PRECONDITION_FAILED;
    }
  }
  const safe = method === "GET" || method === "HEAD";
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (etagMatches(ifNoneMatch, etag, false)) return safe ? NOT_MODIFIED : PRECONDITION_FAILED;
    return PROCEED;
  }
  if (!safe || Number.isNaN(lastModified)) return PROCEED;
  const ifModifiedSince = headers.get("if-modified-since");
  if (ifModifiedSince !== null) {
    const date = parseHttpDate(ifModifiedSince);
    if (!Number.isNaN(date) && lastModified <= date) return NOT_MODIFIED;
  }
  return PROCEED;
}

/**
 * Whether a Range request's If-Range (RFC 9110 §13.1.5) lets the range apply: an
 * entity-tag must match strongly; a date must equal Last-Modified exactly.
 *
 * @param value The If-Range value.
 * @param etag The representation's entity-tag, or null.
 * @param lastModified Its Last-Modified (epoch ms, whole seconds), or NaN.
 * @returns True when the Range is to be honoured.
 */
export function ifRangeMatches(value: string, etag: string | null, lastModified: number): boolean {
  const text = value.trim();
  if (text.startsWith('"') || text.startsWith("W/")) {
    // A weak tag never matches (strong comparison), nor does "*" (not an entity-tag).
    return etag !== null && !etag.startsWith("W/") && text === etag;
  }
  const date = parseHttpDate(text);
  return !Number.isNaN(date) && date === lastModified;
}
