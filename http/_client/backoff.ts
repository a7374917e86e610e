/**
 * Waiting between retries: exponential backoff with jitter, `Retry-After` (RFC 9110
 * §10.2.3), and a sleep that a signal ends.
 *
 * @module
 */

/**
 * The delay before retry number `attempt + 1`: `minDelay * factor ** attempt`, capped at
 * `maxDelay`, then "equal jitter" (between half and all of it) so that clients that
 * failed together do not come back together.
 *
 * @param attempt Attempts made so far, less one (0 after the first).
 * @param minDelay The first delay, in milliseconds.
 * @param maxDelay The cap, in milliseconds.
 * @param factor The growth per attempt.
 * @param random A number in [0, 1).
 * @returns Milliseconds.
 */
export function backoffDelay(
  attempt: number,
  minDelay: number,
  maxDelay: number,
  factor: number,
  random: () => number,
): number {
  const delay = Math.min(maxDelay, minDelay * factor ** attempt);
  return delay / 2 + random() * delay / 2;
}

/**
 * What a `Retry-After` value asks for, in milliseconds from now: delay-seconds or an
 * HTTP date.
 *
 * @param value The field value, or null.
 * @param now The current time (epoch milliseconds).
 * @returns Milliseconds (0 for a date already past), or -1 when absent or invalid.
 */
export function retryAfterDelay(value: string | null, now: number = Date.now()): number {
  if (value === null) return -1;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return -1;
  return Math.max(0, date - now);
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts.
 *
 * @param ms How long.
 * @param signal Ends the wait.
 * @returns When the time is up.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
