/**
 * The mark of a body stream whose content coding was already decoded (the client's
 * gzip/deflate/br decoding): its Response still carries the server's `Content-Encoding`
 * and `Content-Length` (as the Fetch standard keeps them), which no longer describe the
 * bytes. A server that sends such a body on (a proxy handler returning `fetch(upstream)`,
 * or `new Response(upstream.body, upstream)`) must drop both, as Deno.serve does for
 * Deno's fetch.
 *
 * @module
 */

const DECODED = Symbol("wire.decodedBody");

/**
 * Marks `stream` as decoded bytes.
 *
 * @param stream A body stream produced by decoding.
 * @returns The same stream.
 */
export function markDecoded<T extends ReadableStream<Uint8Array>>(stream: T): T {
  (stream as unknown as Record<symbol, boolean>)[DECODED] = true;
  return stream;
}

/**
 * Whether `stream` was marked by {@linkcode markDecoded}.
 *
 * @param stream A body stream, or null.
 * @returns True for a decoded body.
 */
export function isDecoded(stream: ReadableStream<Uint8Array> | null): boolean {
  return stream !== null && (stream as unknown as Record<symbol, unknown>)[DECODED] === true;
}
