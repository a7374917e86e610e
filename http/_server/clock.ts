/**
 * The shared coarse clock of a server's connections.
 *
 * @module
 */

/** What the clock checks: anything with deadlines to enforce. */
export interface Timed {
  /** Enforces the deadlines that passed by `now` (epoch ms). */
  checkTimeouts(now: number): void;
}

/**
 * The shared coarse clock: one interval checks every connection's deadlines, instead of
 * arming and clearing a timer per request. It runs only while connections exist.
 */
export class Clock {
  #connections: Set<Timed> = new Set();
  #timer: ReturnType<typeof setInterval> | undefined = undefined;
  #interval: number;
  #refed = true;

  /** @param interval Milliseconds between checks. */
  constructor(interval: number) {
    this.#interval = interval;
  }

  /** The tick interval for a set of timeouts: a quarter of the shortest, 10 ms to 1 s. */
  static intervalFor(...timeouts: number[]): number {
    const shortest = Math.min(...timeouts);
    return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
  }

  add(connection: Timed): void {
    this.#connections.add(connection);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.#interval);
      if (!this.#refed) Deno.unrefTimer(this.#timer);
    }
  }

  delete(connection: Timed): void {
    this.#connections.delete(connection);
    if (this.#connections.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** The interval keeps the process alive (the default). */
  ref(): void {
    this.#refed = true;
    if (this.#timer !== undefined) Deno.refTimer(this.#timer);
  }

  /** The interval no longer keeps the process alive (a server's `unref()`). */
  unref(): void {
    this.#refed = false;
    if (this.#timer !== undefined) Deno.unrefTimer(this.#timer);
  }

  #tick(): void {
    const now = Date.now();
    for (const connection of this.#connections) connection.checkTimeouts(now);
  }
}
