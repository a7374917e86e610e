import { encodeChunk, encodeLastChunk } from "./_codec/chunked.ts";

/**
 * A TransformStream that frames bytes with HTTP/1.1 chunked transfer coding (RFC 9112
 * §7.1): each non-empty input becomes one chunk, and closing the stream writes the
 * last chunk (with optional trailers).
 *
 * @example Frame two chunks
 * ```ts
 * import { ChunkedEncoderStream } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const body = ReadableStream.from([new TextEncoder().encode("hello"), new TextEncoder().encode(" world")]);
 * const framed = await new Response(body.pipeThrough(new ChunkedEncoderStream())).text();
 * assert.equal(framed, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
 * ```
 */
export class ChunkedEncoderStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Creates the encoder.
   *
   * @param trailers Trailer fields written after the last chunk.
   */
  constructor(trailers?: Headers) {
    super({
      transform(chunk, controller) {
        if (chunk.length > 0) controller.enqueue(encodeChunk(chunk));
      },
      flush(controller) {
        controller.enqueue(encodeLastChunk(trailers));
      },
    });
  }
}
