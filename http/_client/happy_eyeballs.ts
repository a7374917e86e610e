/**
 * Happy Eyeballs (RFC 8305): connecting to a host name with both IPv6 and IPv4
 * addresses without waiting out a broken family. Addresses are interleaved by family,
 * IPv6 first (§4); attempts start one "Connection Attempt Delay" apart, or at once when
 * the one before fails (§5); the first connection wins and the others are abandoned.
 *
 * @module
 */

/**
 * Orders addresses for connection attempts: the families interleaved, starting with the
 * family of the first IPv6 address when there is one (RFC 8305 §4).
 *
 * @param addresses Address literals in the resolver's order.
 * @returns The same addresses, interleaved.
 */
export function interleave(addresses: string[]): string[] {
  const v6 = addresses.filter((a) => a.includes(":"));
  const v4 = addresses.filter((a) => !a.includes(":"));
  const out: string[] = [];
  for (let i = 0; i < Math.max(v6.length, v4.length); i++) {
    if (i < v6.length) out.push(v6[i]);
    if (i < v4.length) out.push(v4[i]);
  }
  return out;
}

/**
 * Races connection attempts to `addresses` (already ordered): the next one starts
 * `delay` ms after the last, or as soon as every running one has failed. Resolves with
 * the first connection; the other attempts are aborted and connections that still come
 * in are closed.
 *
 * @param addresses Where to connect, in order of preference.
 * @param attempt Connects to one address; must give up when its signal aborts.
 * @param delay The Connection Attempt Delay, in milliseconds.
 * @param signal Gives up on everything.
 * @param discard Closes a connection that lost the race.
 * @returns The winning connection.
 * @throws The first attempt's error when every attempt failed, or `signal.reason`.
 */
export function race<T>(
  addresses: string[],
  attempt: (address: string, signal: AbortSignal) => Promise<T>,
  delay: number,
  signal: AbortSignal,
  discard: (connection: T) => void,
): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (addresses.length === 0) return Promise.reject(new TypeError("No address to connect to"));
  return new Promise<T>((resolve, reject) => {
    const controllers: AbortController[] = [];
    let next = 0;
    let running = 0;
    let settled = false;
    let firstError: unknown = undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (winner?: AbortController): void => {
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      for (const controller of controllers) if (controller !== winner) controller.abort();
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      reject(signal.reason);
    };
    const start = (): void => {
      clearTimeout(timer);
      timer = undefined;
      if (settled || next >= addresses.length) return;
      const controller = new AbortController();
      controllers.push(controller);
      running++;
      const address = addresses[next++];
      attempt(address, controller.signal).then(
        (connection) => {
          if (settled) {
            discard(connection);
            return;
          }
          finish(controller);
          resolve(connection);
        },
        (error) => {
          running--;
          if (settled) return;
          if (firstError === undefined) firstError = error;
          if (next < addresses.length) start();
          else if (running === 0) {
            finish();
            reject(firstError);
          }
        },
      );
      if (next < addresses.length) timer = setTimeout(start, delay);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    start();
  });
}
