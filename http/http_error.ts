import { isStatus, statusText } from "./status.ts";

/** Options for {@linkcode HttpError}. */
export interface HttpErrorOptions extends ErrorOptions {
  /**
   * Whether the message may be shown to the client.
   *
   * @default {true for 4xx, false for 5xx}
   */
  expose?: boolean;
  /** Headers to send with the error response (for example `Allow` or `WWW-Authenticate`). */
  headers?: HeadersInit;
}

/**
 * An error that carries the HTTP status to answer with, as in Koa and oak.
 *
 * `expose` says whether the message is safe to show to the client: true for 4xx
 * by default, false for 5xx (the client then sees only the reason phrase).
 *
 * @example Throw a 404 from a handler
 * ```ts
 * import { HttpError } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const error = new HttpError(404, "No such user");
 * assert.equal(error.status, 404);
 * assert.equal(error.expose, true);
 * assert.equal(new HttpError(503).message, "Service Unavailable");
 * ```
 */
export class HttpError extends Error {
  /** The status code of the response this error becomes. */
  readonly status: number;
  /** Whether `message` may be sent to the client. */
  readonly expose: boolean;
  /** Headers to send with the response, if any. */
  readonly headers?: HeadersInit;

  /**
   * Creates an error that answers with `status`.
   *
   * @param status An error status, 400 to 599.
   * @param message The message; defaults to the reason phrase.
   * @param options `expose`, `headers` and `cause`.
   */
  constructor(status: number, message?: string, options?: HttpErrorOptions) {
    if (!isStatus(status) || status < 400 || status > 599) {
      throw new RangeError(`Cannot create HttpError: status ${status} is not 400 to 599`);
    }
    super(message ?? (statusText(status) || `HTTP ${status}`), options);
    this.name = "HttpError";
    this.status = status;
    this.expose = options?.expose ?? status < 500;
    if (options?.headers !== undefined) this.headers = options.headers;
  }
}

/**
 * Throws an {@linkcode HttpError}; a helper for one-line guards in middleware.
 *
 * @param status An error status, 400 to 599.
 * @param message The message; defaults to the reason phrase.
 * @param options `expose`, `headers` and `cause`.
 * @returns Never: it always throws.
 *
 * @example Guard a route
 * ```ts
 * import { HttpError, httpError } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => httpError(401, "Log in first"), HttpError);
 * ```
 */
export function httpError(status: number, message?: string, options?: HttpErrorOptions): never {
  throw new HttpError(status, message, options);
}
