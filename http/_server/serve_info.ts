/**
 * The `ServeInfo` a handler receives.
 *
 * @module
 */

import type { ServeInfo } from "../handler.ts";

/**
 * `ServeInfo` with `completed` made on first use: most handlers never look at it, so no
 * promise is created per request unless one does.
 */
export class LazyServeInfo implements ServeInfo {
  readonly remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  #done = false;
  #promise: Promise<void> | null = null;
  #resolve: (() => void) | null = null;

  constructor(remoteAddr: Deno.NetAddr | Deno.UnixAddr) {
    this.remoteAddr = remoteAddr;
  }

  /** Resolves when the response has been written, or the exchange was cut short. */
  get completed(): Promise<void> {
    if (this.#promise === null) {
      this.#promise = this.#done
        ? Promise.resolve()
        : new Promise<void>((resolve) => (this.#resolve = resolve));
    }
    return this.#promise;
  }

  /** Marks the exchange complete. */
  complete(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#resolve !== null) this.#resolve();
  }
}
