/**
 * The `ServeInfo` a handler receives.
 *
 * @module
 */

import type { ServeInfo } from "../handler.ts";
import { errorText } from "../_codec/error_text.ts";

const DONE = 1;
const FAILED = 2;

/**
 * `ServeInfo` with `completed` made on first use: most handlers never look at it, so no
 * promise is created per request unless one does. As Deno documents for its own,
 * `completed` resolves once the response is delivered and rejects with
 * `Deno.errors.Interrupted` when it could not be (the client went away, a shutdown
 * deadline, a body that failed mid-way).
 */
export class LazyServeInfo implements ServeInfo {
  readonly remoteAddr: Deno.Addr;
  readonly peerAddr: Deno.Addr;
  #state = 0;
  #reason: unknown = undefined;
  #promise: Promise<void> | null = null;
  #resolve: (() => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;

  /**
   * @param remoteAddr The client (behind a proxy: as the PROXY header or a trusted
   * proxy's forwarding headers name it).
   * @param peerAddr The socket's peer (the same object when no proxy spoke).
   */
  constructor(remoteAddr: Deno.Addr, peerAddr: Deno.Addr = remoteAddr) {
    this.remoteAddr = remoteAddr;
    this.peerAddr = peerAddr;
  }

  /** Settles when the response has been written (resolves) or could not be (rejects). */
  get completed(): Promise<void> {
    if (this.#promise === null) {
      if (this.#state === DONE) this.#promise = Promise.resolve();
      else if (this.#state === FAILED) this.#promise = Promise.reject(interrupted(this.#reason));
      else {
        this.#promise = new Promise<void>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
    }
    return this.#promise;
  }

  /** The response was delivered. */
  complete(): void {
    if (this.#state !== 0) return;
    this.#state = DONE;
    this.#resolve?.();
  }

  /**
   * The response could not be delivered.
   *
   * @param reason Why (the same reason the request's signal aborted with).
   */
  fail(reason: unknown): void {
    if (this.#state !== 0) return;
    this.#state = FAILED;
    this.#reason = reason;
    this.#reject?.(interrupted(reason));
  }
}

function interrupted(reason: unknown): Error {
  return new Deno.errors.Interrupted(
    `The response could not be delivered: ${errorText(reason)}`,
    { cause: reason },
  );
}
