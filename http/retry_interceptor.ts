import type { ClientInterceptor } from "./client_interceptor.ts";
import { ClientError, type ClientErrorCode } from "./client_error.ts";
import { DURATION, NON_NEGATIVE_INTEGER, numberOption } from "./_codec/options.ts";
import { backoffDelay, retryAfterDelay, sleep } from "./_client/backoff.ts";

/** Attempts after the first one, by default (undici's RetryHandler makes 5). */
export const DEFAULT_RETRIES = 3;
/** The first backoff delay, in milliseconds (undici's `minTimeout`). */
export const DEFAULT_RETRY_MIN_DELAY = 500;
/** The longest wait, in milliseconds (undici's `maxTimeout`). */
export const DEFAULT_RETRY_MAX_DELAY = 30_000;
/** Methods retried: those RFC 9110 §9.2.2 calls idempotent. */
export const DEFAULT_RETRY_METHODS: readonly string[] = [
  "GET",
  "HEAD",
  "OPTIONS",
  "PUT",
  "DELETE",
  "TRACE",
  "QUERY",
];
/** Statuses retried: rate limits and passing server trouble (undici's list). */
export const DEFAULT_RETRY_STATUSES: readonly number[] = [429, 500, 502, 503, 504];
/** Failures retried: the network ones that did not come from the response itself. */
export const DEFAULT_RETRY_ERRORS: readonly ClientErrorCode[] = [
  "ECONNREFUSED",
  "ENOTFOUND",
  "CONNECT_FAILED",
  "ETIMEDOUT",
  "CLOSED_EARLY",
];

/** Options for {@linkcode retryInterceptor}. */
export interface RetryOptions {
  /**
   * Attempts after the first.
   *
   * @default {3}
   */
  retries?: number;
  /**
   * The first delay, in milliseconds; each next one is `factor` times longer.
   *
   * @default {500}
   */
  minDelay?: number;
  /**
   * The longest delay, in milliseconds. A `Retry-After` asking for longer ends the
   * retries: the response is returned as it is.
   *
   * @default {30000}
   */
  maxDelay?: number;
  /**
   * How much longer each delay is than the one before.
   *
   * @default {2}
   */
  factor?: number;
  /**
   * Methods that are retried; others go once.
   *
   * @default {["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "QUERY"]}
   */
  methods?: readonly string[];
  /**
   * Response statuses that are retried.
   *
   * @default {[429, 500, 502, 503, 504]}
   */
  statuses?: readonly number[];
  /**
   * {@linkcode ClientError} codes that are retried.
   *
   * @default {["ECONNREFUSED", "ENOTFOUND", "CONNECT_FAILED", "ETIMEDOUT", "CLOSED_EARLY"]}
   */
  errors?: readonly ClientErrorCode[];
  /**
   * Waits as long as a `Retry-After` response field asks (seconds or an HTTP date)
   * instead of the backoff delay.
   *
   * @default {true}
   */
  retryAfter?: boolean;
  /**
   * Random numbers in [0, 1) for the jitter (tests pass a constant).
   *
   * @default {Math.random}
   */
  random?: () => number;
}

/**
 * Retries as an interceptor: idempotent requests that failed on the network or got a
 * retryable status go again, after an exponential backoff with jitter (each delay
 * between half and all of `minDelay * factor ** attempt`, capped at `maxDelay`), or
 * after what `Retry-After` asks. The request's signal ends the waiting at once. A
 * request body is sent again from a copy (`request.clone()`), so keep bodies of retried
 * requests small. undici's `RetryHandler` is the model.
 *
 * @param options Attempts, delays, and what is retried.
 * @returns The interceptor.
 * @throws {RangeError} When a count or a delay is out of range.
 *
 * @example Retry a flaky service
 * ```ts
 * import { Client, retryInterceptor } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * let calls = 0;
 * await using client = new Client({
 *   handler: () => ++calls < 3 ? new Response("busy", { status: 503 }) : new Response("ok"),
 *   interceptors: [retryInterceptor({ minDelay: 1 })],
 * });
 * assert.equal(await (await client.fetch("http://svc.test/")).text(), "ok");
 * assert.equal(calls, 3);
 * ```
 */
export function retryInterceptor(options: RetryOptions = {}): ClientInterceptor {
  const action = "create retryInterceptor";
  const retries = numberOption(
    action,
    "retries",
    options.retries,
    DEFAULT_RETRIES,
    NON_NEGATIVE_INTEGER,
  );
  const minDelay = numberOption(
    action,
    "minDelay",
    options.minDelay,
    DEFAULT_RETRY_MIN_DELAY,
    DURATION,
  );
  const maxDelay = numberOption(
    action,
    "maxDelay",
    options.maxDelay,
    DEFAULT_RETRY_MAX_DELAY,
    DURATION,
  );
  const factor = numberOption(action, "factor", options.factor, 2, { min: 1, integer: false });
  const methods = new Set(options.methods ?? DEFAULT_RETRY_METHODS);
  const statuses = new Set(options.statuses ?? DEFAULT_RETRY_STATUSES);
  const errors = new Set<string>(options.errors ?? DEFAULT_RETRY_ERRORS);
  const retryAfter = options.retryAfter ?? true;
  const random = options.random ?? Math.random;
  return async (request, next) => {
    if (!methods.has(request.method)) return next(request);
    for (let attempt = 0;; attempt++) {
      const last = attempt >= retries;
      // Every attempt but the last sends a copy, so the body is still there for the next.
      const sent = last || request.body === null ? request : request.clone();
      let wait: number;
      try {
        const response = await next(sent);
        if (last || !statuses.has(response.status)) return response;
        const asked = retryAfter ? retryAfterDelay(response.headers.get("retry-after")) : -1;
        if (asked > maxDelay) return response;
        wait = asked >= 0 ? asked : backoffDelay(attempt, minDelay, maxDelay, factor, random);
        await response.body?.cancel().catch(() => {});
      } catch (error) {
        if (last || request.signal.aborted) throw error;
        if (!(error instanceof ClientError) || !errors.has(error.code)) throw error;
        wait = backoffDelay(attempt, minDelay, maxDelay, factor, random);
      }
      await sleep(wait, request.signal);
    }
  };
}
