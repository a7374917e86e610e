/**
 * The no-op rejection handler for promises whose failure is already handled elsewhere
 * (a cancelled stream, a write whose error the connection reports another way).
 *
 * @module
 */

/** Does nothing: `promise.catch(ignore)`. */
export function ignore(): void {}
