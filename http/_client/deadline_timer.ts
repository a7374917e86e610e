/**
 * The one deadline a client connection has at a time (idle, headers or body), on one
 * timer that is re-armed lazily.
 *
 * @module
 */

/** No deadline. */
export const DEADLINE_NONE = 0;
/** An idle pooled connection is retired (keep-alive timeout). */
export const DEADLINE_IDLE = 1;
/** The response head must be complete (headers timeout). */
export const DEADLINE_HEADERS = 2;
/** More response body bytes must arrive while the body is read (body timeout). */
export const DEADLINE_BODY = 3;

/**
 * One `setTimeout` per connection for its current deadline. Moving a deadline later
 * costs nothing until the timer fires early and sets itself again for the rest; only
 * an earlier deadline replaces the timer. The timer is unref'd: pending reads keep the
 * process alive while a request is in flight, and an idle pooled connection must not
 * hold a program open.
 */
export class DeadlineTimer {
  #kind = DEADLINE_NONE;
  /** When the deadline falls (epoch ms), or 0 for none. */
  #deadline = 0;
  #timer = 0;
  /** When the running timer fires (epoch ms). */
  #timerAt = 0;
  #onExpire: (kind: number) => void;

  /**
   * Makes a timer with no deadline.
   *
   * @param onExpire Called with the DEADLINE_* kind when a deadline passes.
   */
  constructor(onExpire: (kind: number) => void) {
    this.#onExpire = onExpire;
  }

  /**
   * Replaces the deadline.
   *
   * @param kind The DEADLINE_* kind; DEADLINE_NONE clears the deadline.
   * @param ms From now; 0 or Infinity means no deadline.
   */
  arm(kind: number, ms: number): void {
    this.#kind = kind;
    if (kind === DEADLINE_NONE || ms <= 0 || ms === Infinity) {
      this.#deadline = 0;
      return;
    }
    const at = Date.now() + ms;
    this.#deadline = at;
    if (this.#timer !== 0 && this.#timerAt <= at) return;
    if (this.#timer !== 0) clearTimeout(this.#timer);
    this.#start(at, ms);
  }

  /** Clears the deadline and the timer, for a connection that closed. */
  stop(): void {
    this.#kind = DEADLINE_NONE;
    this.#deadline = 0;
    if (this.#timer !== 0) {
      clearTimeout(this.#timer);
      this.#timer = 0;
    }
  }

  #start(at: number, ms: number): void {
    this.#timerAt = at;
    this.#timer = setTimeout(this.#fire, ms) as unknown as number;
    Deno.unrefTimer(this.#timer);
  }

  #fire = (): void => {
    this.#timer = 0;
    if (this.#deadline === 0) return;
    const left = this.#deadline - Date.now();
    if (left > 0) {
      this.#start(this.#deadline, left);
      return;
    }
    const kind = this.#kind;
    this.#deadline = 0;
    this.#onExpire(kind);
  };
}
