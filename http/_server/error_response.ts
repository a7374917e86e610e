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

/**
 * The server's own answer with `status`: its reason phrase as a plain-text body.
 *
 * @param status The status to answer.
 * @returns The response.
 */
export function errorResponse(status: number): Response {
  const reason = statusText(status);
  return new Response(reason === "" ? "Error" : reason, { status });
}
