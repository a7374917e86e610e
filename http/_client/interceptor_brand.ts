/**
 * The mark of the built-in interceptors that take a step over from the Client's core:
 * a chain holding the decompress interceptor turns the core's decoding off.
 *
 * @module
 */

/** Set to true on the function `decompressInterceptor()` returns. */
export const DECODES = Symbol("wire.client.decodes");

/**
 * Whether `interceptor` decodes bodies itself.
 *
 * @param interceptor An interceptor.
 * @returns True for one made by `decompressInterceptor()`.
 */
export function decodesItself(interceptor: unknown): boolean {
  return typeof interceptor === "function" &&
    (interceptor as unknown as Record<symbol, unknown>)[DECODES] === true;
}
