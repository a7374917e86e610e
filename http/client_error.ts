/**
 * What went wrong in a {@linkcode ClientError}:
 *
 * - `"ECONNREFUSED"`: nothing listens at the address.
 * - `"ENOTFOUND"`: the host name does not resolve.
 * - `"CONNECT_FAILED"`: the connection or the TLS handshake failed otherwise.
 * - `"ETIMEDOUT"`: a timeout ran out; `timeout` says which one.
 * - `"ABORTED"`: the request's `AbortSignal` fired; `cause` is its reason.
 * - `"MALFORMED_RESPONSE"`: the server sent bytes that are not an HTTP/1.1 response;
 *   `cause` is the parser's `ParseError` when there is one.
 * - `"CLOSED_EARLY"`: the connection closed (or reset) before the response was complete.
 * - `"REQUEST_BODY_FAILED"`: the request body stream errored, or gave more or fewer
 *   bytes than its `Content-Length`.
 * - `"TOO_MANY_REDIRECTS"`: more than 20 redirects.
 * - `"REDIRECT_REJECTED"`: a redirect came back for `redirect: "error"`, or pointed to a
 *   URL that cannot be fetched.
 * - `"BODY_NOT_REPLAYABLE"`: a 307/308 redirect needs the request body again, but it
 *   was a stream that is already sent.
 * - `"CLIENT_CLOSED"`: the `Client` was closed.
 */
export type ClientErrorCode =
  | "ECONNREFUSED"
  | "ENOTFOUND"
  | "CONNECT_FAILED"
  | "ETIMEDOUT"
  | "ABORTED"
  | "MALFORMED_RESPONSE"
  | "CLOSED_EARLY"
  | "REQUEST_BODY_FAILED"
  | "TOO_MANY_REDIRECTS"
  | "REDIRECT_REJECTED"
  | "BODY_NOT_REPLAYABLE"
  | "CLIENT_CLOSED";

/** Which timeout ran out in a `"ETIMEDOUT"` {@linkcode ClientError}. */
export type ClientTimeout = "connect" | "headers" | "body";

/** Options for {@linkcode ClientError}. */
export interface ClientErrorOptions extends ErrorOptions {
  /** The request method. */
  method?: string;
  /** For `"ETIMEDOUT"`: which timeout ran out. */
  timeout?: ClientTimeout;
}

/**
 * A failed request from {@linkcode Client} or `fetch`: `code` says what happened, `url`
 * which request it was, and the message says both in words.
 *
 * It extends `TypeError` because that is what WHATWG `fetch` rejects with on a network
 * error, so code written for `fetch` (`catch (e) { if (e instanceof TypeError) ... }`)
 * keeps working.
 *
 * @example Tell a refused connection apart
 * ```ts
 * import { ClientError } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const error = new ClientError("ECONNREFUSED", "http://127.0.0.1:1/", "connection refused");
 * assert.equal(error.code, "ECONNREFUSED");
 * assert.equal(error.message, "Cannot fetch http://127.0.0.1:1/: connection refused");
 * assert.ok(error instanceof TypeError);
 * ```
 */
export class ClientError extends TypeError {
  /** What went wrong. */
  readonly code: ClientErrorCode;
  /** The URL of the request that failed. */
  readonly url: string;
  /** The request method, when known. */
  readonly method?: string;
  /** For `"ETIMEDOUT"`: whether the connect, headers or body timeout ran out. */
  readonly timeout?: ClientTimeout;

  /**
   * Makes the error; its message is "Cannot fetch URL: DETAIL" (with the method when
   * it is not GET).
   *
   * @param code What went wrong.
   * @param url The URL of the request.
   * @param detail What happened, in words; the message is "Cannot fetch URL: detail".
   * @param options `method`, `timeout` and `cause`.
   *
   * @example A headers timeout
   * ```ts
   * import { ClientError } from "@wire/http/http";
   * import assert from "node:assert/strict";
   *
   * const error = new ClientError("ETIMEDOUT", "http://127.0.0.1:8000/", "no head", {
   *   method: "POST",
   *   timeout: "headers",
   * });
   * assert.equal(error.message, "Cannot fetch POST http://127.0.0.1:8000/: no head");
   * assert.equal(error.timeout, "headers");
   * ```
   */
  constructor(code: ClientErrorCode, url: string, detail: string, options?: ClientErrorOptions) {
    const method = options?.method;
    const what = method === undefined || method === "GET" ? url : `${method} ${url}`;
    super(`Cannot fetch ${what}: ${detail}`, options);
    this.name = "ClientError";
    this.code = code;
    this.url = url;
    if (method !== undefined) this.method = method;
    if (options?.timeout !== undefined) this.timeout = options.timeout;
  }
}
