/**
 * Responses the server makes itself: the default `onError` hook, and the plain-text
 * answers to requests it refuses (400, 408, 413, ...).
 *
 * @module
 */

import { HttpError } from "../http_error.ts";
import { statusText } from "../status.ts";

/**
 * The error hook used when `serve` is given none: an HttpError becomes its own status
 * (its message shown when `expose`), anything else is logged and answered with 500.
 *
 * @param error What the handler threw (or the reason its Response was unusable).
 * @returns The response to send.
 */
export function defaultOnError(error: unknown): Response {
  if (error instanceof HttpError) {
    const body = error.expose ? error.message : statusText(error.status);
    const response = new Response(body, { status: error.status, headers: error.headers });
    return response;
  }
  console.error("Wire: the handler failed:", error);
  return new Response("Internal Server Error", { status: 500 });
}

/** The field of every server-made answer, lowercase as the rest of a head Wire writes. */
const PLAIN_TEXT: HeadersInit = [["content-type", "text/plain;charset=UTF-8"]];
const RETRY_LATER: HeadersInit = [["content-type", "text/plain;charset=UTF-8"], [
  "retry-after",
  "1",
]];

/**
 * The server's own answer with `status` (400, 408, 413, 414, 431, 500, 501, 503, 505): its
 * reason phrase as a plain-text body. It is written like any handler's Response, so it
 * gets the same Date, Content-Length and Connection fields (and no body for HEAD).
 *
 * @param status The status to answer.
 * @returns The response.
 */
export function errorResponse(status: number): Response {
  const reason = statusText(status);
  // A 503 (load shed) says when to come back: in a second.
  if (status === 503) {
    return new Response(reason, { status, headers: RETRY_LATER });
  }
  // The type is named, not left to the string body's default: Deno keeps a default type
  // as "Content-Type" in the field list, and Wire's heads are lowercase.
  return new Response(reason === "" ? "Error" : reason, { status, headers: PLAIN_TEXT });
}
