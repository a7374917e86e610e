/**
 * What went wrong in a {@linkcode ClientError}:
 *
 * - `"ECONNREFUSED"`: nothing listens at the address.
 * - `"ENOTFOUND"`: the host name does not resolve.
 * - `"CONNECT_FAILED"`: the connection or the TLS handshake failed otherwise.
 * - `"ETIMEDOUT"`: a timeout ran out; `timeout` says which one.
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
 * - `"RESPONSE_TOO_LARGE"`: the decoded response body passed `maxResponseBodyBytes`.
 * - `"UNSUPPORTED_ENCODING"`: the response's `Content-Encoding` names a coding Wire
 *   cannot decode, or more codings than `maxContentCodings`.
 * - `"DECODING_FAILED"`: a coded response body is corrupt; `cause` is the decoder's error.
 * - `"PROXY_AUTHENTICATION_REQUIRED"`: the proxy answered 407.
 * - `"PROXY_TUNNEL_FAILED"`: the proxy refused the CONNECT tunnel (any status but 2xx
 *   and 407) or broke it.
 * - `"INTEGRITY_MISMATCH"`: the body does not match the request's `integrity` metadata.
 *
 * An aborted request rejects with its signal's reason (an `AbortError` or `TimeoutError`
 * `DOMException` unless the caller gave another), as fetch does, not with a ClientError.
 */
export type ClientErrorCode =
  | "ECONNREFUSED"
  | "ENOTFOUND"
  | "CONNECT_FAILED"
  | "ETIMEDOUT"
  | "MALFORMED_RESPONSE"
  | "CLOSED_EARLY"
  | "REQUEST_BODY_FAILED"
  | "TOO_MANY_REDIRECTS"
  | "REDIRECT_REJECTED"
  | "BODY_NOT_REPLAYABLE"
  | "CLIENT_CLOSED"
  | "RESPONSE_TOO_LARGE"
  | "UNSUPPORTED_ENCODING"
  | "DECODING_FAILED"
  | "PROXY_AUTHENTICATION_REQUIRED"
  | "PROXY_TUNNEL_FAILED"
  | "INTEGRITY_MISMATCH";

/** Which timeout ran out in a `"ETIMEDOUT"` {@linkcode ClientError}. */
export type ClientTimeout = "connect" | "headers" | "body";

/** Options for {@linkcode ClientError}. */
export interface ClientErrorOptions extends ErrorOptions {
  /** The request method. */
  method?: string;
  /** For `"ETIMEDOUT"`: which timeout ran out. */
  timeout?: ClientTimeout;
  /** For `"PROXY_*"`: the status the proxy answered with. */
  status?: number;
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
  /** For `"PROXY_AUTHENTICATION_REQUIRED"` and `"PROXY_TUNNEL_FAILED"`: the proxy's status. */
  readonly status?: number;

  /**
   * Makes the error; its message is "Cannot fetch URL: DETAIL" (with the method when
   * it is not GET).
   *
   * @param code What went wrong.
   * @param url The URL of the request.
   * @param detail What happened, in words; the message is "Cannot fetch URL: detail".
   * @param options `method`, `timeout`, `status` and `cause`.
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
    if (options?.status !== undefined) this.status = options.status;
  }
}
