/**
 * Why a request's `signal` aborts: each reason is a fresh DOMException whose name says
 * whether the exchange was cut short (AbortError) or ran out of time (TimeoutError).
 *
 * @module
 */

/** The client closed the connection (or it failed) before the exchange finished. */
export function clientClosedReason(): DOMException {
  return new DOMException("Request aborted: the client closed the connection", "AbortError");
}

/** A timeout (`headersTimeout` or `requestTimeout`) cut the request short. */
export function timeoutReason(name: string, ms: number): DOMException {
  return new DOMException(`Request aborted: ${name} of ${ms} ms elapsed`, "TimeoutError");
}

/** The server shut down (its deadline passed) before the exchange finished. */
export function shutdownReason(): DOMException {
  return new DOMException("Request aborted: the server is shutting down", "AbortError");
}

/** The request body went past `maxBodyBytes`. */
export function bodyLimitReason(limit: number): DOMException {
  return new DOMException(
    `Request aborted: the body exceeds maxBodyBytes (${limit} bytes)`,
    "AbortError",
  );
}
