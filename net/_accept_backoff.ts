/**
 * Which accept errors are transient, and how long to wait before the next accept.
 *
 * The schedule is Go's net/http `Server.Serve`: the first failure waits 5 ms, each
 * further failure doubles the wait up to 1 s, and a successful accept starts over.
 * Running out of file descriptors (EMFILE) is the common case: connections close,
 * descriptors come back, and the server carries on instead of dying.
 *
 * @module
 */

/** First wait after a transient accept error, in milliseconds. */
export const ACCEPT_BACKOFF_MIN = 5;
/** Longest wait between accept attempts, in milliseconds. */
export const ACCEPT_BACKOFF_MAX = 1000;

/**
 * errno names an accept(2) may return for a problem with one connection or a resource
 * that frees itself (Go's `Temporary()` errors, plus what Linux documents for accept):
 * the listening socket itself is fine.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "EMFILE", // per-process descriptor limit
  "ENFILE", // system-wide descriptor limit
  "ENOBUFS",
  "ENOMEM",
  "ECONNABORTED", // the peer gave up before we accepted
  "ECONNRESET",
  "EPROTO",
  "EPERM", // a firewall rule refused this one connection (Linux)
  "EINTR",
  "EAGAIN",
  "EWOULDBLOCK",
  "ETIMEDOUT",
  "ENETDOWN",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EHOSTUNREACH",
  "ENONET",
  "ENOPROTOOPT",
  "EOPNOTSUPP",
]);

/**
 * Whether an error from `accept()` leaves the listener usable, so the loop should back
 * off and try again instead of ending. Deno gives most OS errors a `code` ("EMFILE");
 * a few are mapped to `Deno.errors` classes.
 */
export function isTransientAcceptError(error: unknown): boolean {
  if (
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.WouldBlock ||
    error instanceof Deno.errors.TimedOut
  ) return true;
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && TRANSIENT_CODES.has(code);
}

/** The doubling delay between accept attempts after transient errors. */
export class AcceptBackoff {
  #delay = 0;

  /** The current delay, 0 when the last accept succeeded. */
  get delay(): number {
    return this.#delay;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  next(): number {
    const doubled = this.#delay * 2;
    this.#delay = this.#delay === 0
      ? ACCEPT_BACKOFF_MIN
      : doubled > ACCEPT_BACKOFF_MAX
      ? ACCEPT_BACKOFF_MAX
      : doubled;
    return this.#delay;
  }

  /** Records a success: the next failure waits the minimum again. */
  reset(): void {
    this.#delay = 0;
  }
}
