/**
 * Waiting on a promise that cannot be cancelled (a DNS lookup, a socket read during a
 * proxy handshake) only until a signal aborts.
 *
 * @module
 */

/**
 * Settles like `promise`, or rejects with `signal.reason` once it aborts (the promise's
 * own rejection is then handled and dropped).
 *
 * @param promise What to wait for.
 * @param signal When to stop waiting.
 * @returns The promise's value.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
