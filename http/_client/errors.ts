/**
 * Every {@linkcode ClientError} the client raises, one builder per kind, so each
 * message is worded in one place: the Client, the pool, the connection and the
 * redirect rules only decide which one applies.
 *
 * @module
 */
import { ConnectError } from "../../net/connect_error.ts";
import { ClientError, type ClientErrorOptions } from "../client_error.ts";
import { errorText } from "../_codec/error_text.ts";
import type { PreparedRequest } from "./prepare_request.ts";
import type { BodyError } from "./upload_body.ts";

/** What an error needs of a request: its URL and method. */
export type RequestName = Pick<PreparedRequest, "url" | "method">;

/**
 * What an aborted request rejects with: its signal's reason, as the Fetch standard says
 * (an `AbortError` DOMException, the `TimeoutError` of `AbortSignal.timeout()`, or what
 * the caller passed to `abort()`).
 *
 * @param request The request whose signal fired.
 * @returns The reason to reject with, or to error the body with.
 */
export function abortReason(request: PreparedRequest): unknown {
  return request.signal?.reason ?? new DOMException("The request was aborted", "AbortError");
}

/**
 * `CLIENT_CLOSED`: the Client was closed before or while the request ran.
 *
 * @param request The request that cannot go on.
 * @returns The error to reject with.
 */
export function clientClosed(request: RequestName): ClientError {
  return new ClientError("CLIENT_CLOSED", request.url.href, "the client was closed", {
    method: request.method,
  });
}

/**
 * `CLOSED_EARLY`: the connection ended (EOF, reset, a read error) before the
 * response did.
 *
 * @param request The request whose response was cut short.
 * @param part Whether the head or the body was still being read.
 * @param readError The read's error, named in the message; undefined at EOF.
 * @param writeError A failed write of the request, the cause when the read gave none.
 * @returns The error to reject with, or to error the body with.
 */
export function closedEarly(
  request: RequestName,
  part: "response head" | "response body",
  readError: unknown,
  writeError: unknown,
): ClientError {
  return new ClientError(
    "CLOSED_EARLY",
    request.url.href,
    `the connection closed before the ${part} was complete` +
      (readError === undefined ? "" : ` (${errorText(readError)})`),
    { method: request.method, cause: readError ?? writeError },
  );
}

/**
 * `MALFORMED_RESPONSE`: the server's bytes are not an HTTP/1.1 response we accept.
 *
 * @param request The request answered badly.
 * @param detail What is wrong with the response.
 * @param cause The parser's `ParseError` (or another error) behind it, if any.
 * @returns The error to reject with, or to error the body with.
 */
export function malformed(request: RequestName, detail: string, cause?: unknown): ClientError {
  return new ClientError("MALFORMED_RESPONSE", request.url.href, `malformed response: ${detail}`, {
    method: request.method,
    cause,
  });
}

/**
 * `ETIMEDOUT` for the headers or body timeout (the connect timeout comes from
 * {@linkcode connectFailed}).
 *
 * @param request The request that waited too long.
 * @param timeout Which timeout ran out.
 * @param ms The timeout, for the message.
 * @returns The error to reject with, or to error the body with.
 */
export function timedOut(
  request: RequestName,
  timeout: "headers" | "body",
  ms: number,
): ClientError {
  return new ClientError(
    "ETIMEDOUT",
    request.url.href,
    timeout === "headers"
      ? `no response head within the headers timeout of ${ms} ms`
      : `no response body data within the body timeout of ${ms} ms`,
    { method: request.method, timeout },
  );
}

/**
 * `REQUEST_BODY_FAILED`: the request body stream errored or broke its length.
 *
 * @param request The request whose body failed.
 * @param error What `uploadBody` threw.
 * @returns The error to reject with.
 */
export function requestBodyFailed(request: RequestName, error: BodyError): ClientError {
  return new ClientError("REQUEST_BODY_FAILED", request.url.href, error.message, {
    method: request.method,
    cause: error.cause,
  });
}

/**
 * What a failed connect means for `request`: the signal's reason when it fired, the
 * `ConnectError` codes mapped to ours (ETIMEDOUT with `timeout: "connect"`), an
 * argument error (TypeError, RangeError) as it is, anything else `CONNECT_FAILED`.
 *
 * @param request The request the connection was for.
 * @param error What `connect` threw.
 * @returns The error to reject with.
 */
export function connectFailed(request: PreparedRequest, error: unknown): unknown {
  const url = request.url.href;
  const method = request.method;
  if (request.signal?.aborted) return abortReason(request);
  if (error instanceof ConnectError) {
    const detail = error.message.replace(/^Cannot connect/, "cannot connect");
    switch (error.code) {
      case "ECONNREFUSED":
        return new ClientError("ECONNREFUSED", url, detail, { method, cause: error });
      case "ENOTFOUND":
        return new ClientError("ENOTFOUND", url, detail, { method, cause: error });
      case "ETIMEDOUT":
        return new ClientError("ETIMEDOUT", url, detail, {
          method,
          cause: error,
          timeout: "connect",
        });
    }
    return new ClientError("CONNECT_FAILED", url, detail, { method, cause: error });
  }
  if (error instanceof ClientError || error instanceof TypeError || error instanceof RangeError) {
    return error;
  }
  return new ClientError("CONNECT_FAILED", url, `cannot connect: ${errorText(error)}`, {
    method,
    cause: error,
  });
}

/**
 * `TOO_MANY_REDIRECTS`: one more redirect than fetch follows.
 *
 * @param request The request answered with the redirect too many.
 * @param max The most redirects followed.
 * @returns The error to reject with.
 */
export function tooManyRedirects(request: RequestName, max: number): ClientError {
  return new ClientError("TOO_MANY_REDIRECTS", request.url.href, `more than ${max} redirects`, {
    method: request.method,
  });
}

/**
 * `REDIRECT_REJECTED`: a redirect under `redirect: "error"`, or one that cannot be
 * followed.
 *
 * @param request The request that was redirected.
 * @param detail Why the redirect is not followed.
 * @param cause The error behind it (an invalid Location), if any.
 * @returns The error to reject with.
 */
export function redirectRejected(
  request: RequestName,
  detail: string,
  cause?: unknown,
): ClientError {
  const options: ClientErrorOptions = { method: request.method };
  if (cause !== undefined) options.cause = cause;
  return new ClientError("REDIRECT_REJECTED", request.url.href, detail, options);
}

/**
 * `BODY_NOT_REPLAYABLE`: a 307/308 needs the body again, and it was a stream.
 *
 * @param request The request that was redirected.
 * @param status The redirect status.
 * @param to Where the redirect points.
 * @returns The error to reject with.
 */
export function bodyNotReplayable(
  request: RequestName,
  status: number,
  to: URL,
): ClientError {
  return new ClientError(
    "BODY_NOT_REPLAYABLE",
    request.url.href,
    `${status} redirect to ${to.href} needs the request body again, but it was a stream`,
    { method: request.method },
  );
}

/**
 * `RESPONSE_TOO_LARGE`: the decoded body passed `maxResponseBodyBytes`.
 *
 * @param request The request whose response was too large.
 * @param limit The limit, for the message.
 * @param announced A Content-Length that already passes it, or -1.
 * @returns The error to error the body with.
 */
export function responseTooLarge(
  request: RequestName,
  limit: number,
  announced = -1,
): ClientError {
  return new ClientError(
    "RESPONSE_TOO_LARGE",
    request.url.href,
    announced >= 0
      ? `the response body of ${announced} bytes is larger than maxResponseBodyBytes (${limit})`
      : `the response body is larger than maxResponseBodyBytes (${limit})`,
    { method: request.method },
  );
}

/**
 * `UNSUPPORTED_ENCODING`: a Content-Encoding we cannot decode, or too many of them.
 *
 * @param url The URL of the response.
 * @param method The request method.
 * @param detail What is wrong with the coding list.
 * @returns The error to reject with.
 */
export function unsupportedEncoding(url: string, method: string, detail: string): ClientError {
  return new ClientError("UNSUPPORTED_ENCODING", url, detail, { method });
}

/**
 * `DECODING_FAILED`: a coded body is corrupt.
 *
 * @param url The URL of the response.
 * @param method The request method.
 * @param coding The coding whose decoder failed.
 * @param cause The decoder's error.
 * @returns The error to error the body with.
 */
export function decodingFailed(
  url: string,
  method: string,
  coding: string,
  cause: unknown,
): ClientError {
  return new ClientError(
    "DECODING_FAILED",
    url,
    `the ${coding} response body is corrupt (${errorText(cause)})`,
    { method, cause },
  );
}

/**
 * `PROXY_AUTHENTICATION_REQUIRED` for a 407, `PROXY_TUNNEL_FAILED` for any other refusal
 * of a CONNECT tunnel.
 *
 * @param request The request that went through the proxy.
 * @param proxy The proxy's `host:port`.
 * @param status The proxy's status, or 0 when it closed or sent no valid answer.
 * @param detail What the proxy did, in words.
 * @param cause The error behind it, if any.
 * @returns The error to reject with.
 */
export function proxyRefused(
  request: RequestName,
  proxy: string,
  status: number,
  detail: string,
  cause?: unknown,
): ClientError {
  const options: ClientErrorOptions = { method: request.method };
  if (status !== 0) options.status = status;
  if (cause !== undefined) options.cause = cause;
  return new ClientError(
    status === 407 ? "PROXY_AUTHENTICATION_REQUIRED" : "PROXY_TUNNEL_FAILED",
    request.url.href,
    `proxy ${proxy} ${detail}`,
    options,
  );
}

/**
 * `INTEGRITY_MISMATCH`: the body does not match the request's `integrity`.
 *
 * @param url The URL of the response.
 * @param method The request method.
 * @returns The error to reject with.
 */
export function integrityMismatch(url: string, method: string): ClientError {
  return new ClientError(
    "INTEGRITY_MISMATCH",
    url,
    "the response body does not match the request's integrity metadata",
    { method, cause: new Error("integrity mismatch") },
  );
}
