/**
 * Response content-coding (RFC 9110 §8.4.1) decoding with DecompressionStream, as
 * fetch does: gzip (and x-gzip), deflate (zlib, or raw deflate as some servers send)
 * and br. Like Deno's fetch, the Content-Encoding and Content-Length headers are kept.
 *
 * @module
 */

import { markDecoded } from "../_codec/decoded_body.ts";

/**
 * The DecompressionStream format for a Content-Encoding value.
 *
 * @param encoding The Content-Encoding field value.
 * @returns The format, or null to pass the body through as it is.
 */
export function decoderFormat(encoding: string): CompressionFormat | "brotli" | null {
  switch (encoding.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return "gzip";
    case "deflate":
      return "deflate";
    case "br":
      return "brotli";
  }
  return null;
}

/**
 * Decodes `body` coded with `format`.
 *
 * @param body The coded body.
 * @param format From {@linkcode decoderFormat}.
 * @returns The decoded body; it errors (TypeError) on corrupt data.
 */
export function decodeBody(
  body: ReadableStream<Uint8Array>,
  format: CompressionFormat | "brotli",
): ReadableStream<Uint8Array> {
  // Marked: a server that sends this body on drops the Content-Encoding it no longer has.
  if (format === "deflate") return markDecoded(inflate(body));
  return markDecoded(body.pipeThrough(decompressor(format)));
}

/**
 * "deflate" is meant to be zlib-wrapped (RFC 1950), but servers also send raw deflate
 * (RFC 1951), as browsers accept: pick by the first two bytes (a zlib header has
 * compression method 8 and is a multiple of 31).
 */
function inflate(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const source = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (reader === undefined) {
        const head: Uint8Array[] = [];
        let length = 0;
        let ended = false;
        while (length < 2) {
          const { done, value } = await source.read();
          if (done) {
            ended = true;
            break;
          }
          head.push(value);
          length += value.length;
        }
        const byte0 = head[0]?.[0] ?? 0;
        const byte1 = head[0]?.length > 1 ? head[0][1] : head[1]?.[0] ?? 0;
        const zlib = length >= 2 && (byte0 & 0x0f) === 8 && ((byte0 << 8) | byte1) % 31 === 0;
        const rest = new ReadableStream<Uint8Array>({
          start(restController) {
            for (const part of head) restController.enqueue(part);
            if (ended) restController.close();
          },
          async pull(restController) {
            const { done, value } = await source.read();
            if (done) restController.close();
            else restController.enqueue(value);
          },
          cancel(reason) {
            return source.cancel(reason);
          },
        }, { highWaterMark: 0 });
        reader = rest.pipeThrough(decompressor(zlib ? "deflate" : "deflate-raw")).getReader();
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader !== undefined ? reader.cancel(reason) : source.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** A DecompressionStream typed as the byte transform it is. */
function decompressor(format: string): TransformStream<Uint8Array, Uint8Array> {
  return new DecompressionStream(format as CompressionFormat) as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
}
