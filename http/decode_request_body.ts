/**
 * Decoding request bodies sent with a Content-Encoding (gzip, deflate, br, zstd), under
 * a limit on the decoded size.
 *
 * @module
 */

import { CODINGS, createDecompressor } from "./_compression/codecs.ts";
import type { ContentCoding } from "./compression.ts";
import { zlibStream } from "./_compression/zlib_stream.ts";
import { NON_NEGATIVE_INTEGER, numberOption, POSITIVE_INTEGER } from "./_codec/options.ts";
import { HttpError } from "./http_error.ts";

/**
 * Most decoded bytes `decodeRequestBody` lets through when no `maxBytes` is given
 * (16 MiB): a few KiB of gzip can expand a thousandfold, so decoding is never unbounded
 * by default. A server passes its own `maxBodyBytes`.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_MAX_DECODED_BODY_BYTES } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_DECODED_BODY_BYTES, 16 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_DECODED_BODY_BYTES = 16 * 1024 * 1024;
/**
 * Most content codings one request body may stack (`Content-Encoding: gzip, br`): more
 * are answered 415.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_MAX_REQUEST_CODINGS } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_REQUEST_CODINGS, 2);
 * ```
 */
export const DEFAULT_MAX_REQUEST_CODINGS = 2;

/** Decoder output chunk size: one 16 KiB piece at a time reaches the handler. */
const DECODE_CHUNK_SIZE = 16 * 1024;

/**
 * Options of {@linkcode decodeRequestBody}.
 *
 * @example Allow 1 MiB decoded
 * ```ts
 * import type { DecodeRequestBodyOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: DecodeRequestBodyOptions = { maxBytes: 1024 * 1024 };
 * assert.equal(options.maxBytes, 1048576);
 * ```
 */
export interface DecodeRequestBodyOptions {
  /**
   * Most decoded bytes; past it the body stream errors with an `HttpError` 413 (which a
   * `compose` chain answers as such) and the encoded stream is cancelled.
   *
   * @default {16777216}
   */
  maxBytes?: number;
  /**
   * Codings accepted; any other is answered 415 with an Accept-Encoding field listing
   * these (RFC 9110 §12.5.3).
   *
   * @default {["br", "zstd", "gzip", "deflate"]}
   */
  encodings?: readonly ContentCoding[];
  /**
   * Most codings stacked on one body.
   *
   * @default {2}
   */
  maxCodings?: number;
}

const ACTION = "decode a request body";

/**
 * The codings of a Content-Encoding value in the order they were applied, without
 * `identity`; throws a 415 HttpError for one not in `accepted`.
 */
function codingsOf(
  value: string,
  accepted: readonly ContentCoding[],
  most: number,
): ContentCoding[] {
  const out: ContentCoding[] = [];
  for (const part of value.split(",")) {
    let coding = part.trim().toLowerCase();
    if (coding === "identity" || coding === "") continue;
    if (coding === "x-gzip") coding = "gzip";
    if (!accepted.includes(coding as ContentCoding)) {
      throw new HttpError(415, `Unsupported Content-Encoding: ${part.trim()}`, {
        headers: { "accept-encoding": accepted.join(", ") },
      });
    }
    out.push(coding as ContentCoding);
  }
  if (out.length > most) {
    throw new HttpError(415, `Too many content codings: ${out.length} (at most ${most})`, {
      headers: { "accept-encoding": accepted.join(", ") },
    });
  }
  return out;
}

/**
 * Returns `request` with its body decoded when it has a Content-Encoding (`gzip`,
 * `x-gzip`, `deflate` in the zlib format or raw, `br`, `zstd`, or several of them:
 * `gzip, br` is decoded br first). The new Request has the same URL, method, headers
 * (without Content-Encoding and Content-Length, which described the encoded bytes) and
 * signal. Without a Content-Encoding (or with `identity`) `request` comes back as it is.
 *
 * Decoding streams as the handler reads, with backpressure: a small body that expands
 * hugely is decoded only as far as it is read, and past `maxBytes` decoded bytes the
 * stream errors with `HttpError` 413 and the encoded body is cancelled. A coding it does
 * not know is an `HttpError` 415 thrown at once; corrupt data errors the stream (a
 * TypeError or the decoder's error).
 *
 * @param request The request.
 * @param options The decoded-size limit and the codings accepted.
 * @returns The request with a decoded body.
 *
 * @example Read a gzipped JSON upload
 * ```ts
 * import { decodeRequestBody } from "@wire/http/http";
 * import { gzipSync } from "node:zlib";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/upload", {
 *   method: "POST",
 *   headers: { "content-encoding": "gzip", "content-type": "application/json" },
 *   body: new Uint8Array(gzipSync(JSON.stringify({ name: "wire" }))),
 * });
 * const decoded = decodeRequestBody(request, { maxBytes: 1024 });
 * assert.equal(decoded.headers.get("content-encoding"), null);
 * assert.deepEqual(await decoded.json(), { name: "wire" });
 * ```
 */
export function decodeRequestBody(
  request: Request,
  options: DecodeRequestBodyOptions = {},
): Request {
  const maxBytes = numberOption(
    ACTION,
    "maxBytes",
    options.maxBytes,
    DEFAULT_MAX_DECODED_BODY_BYTES,
    NON_NEGATIVE_INTEGER,
  );
  const most = numberOption(
    ACTION,
    "maxCodings",
    options.maxCodings,
    DEFAULT_MAX_REQUEST_CODINGS,
    POSITIVE_INTEGER,
  );
  const accepted = options.encodings ?? CODINGS;
  const value = request.headers.get("content-encoding");
  if (value === null || request.body === null) return request;
  const codings = codingsOf(value, accepted, most);
  if (codings.length === 0) return request;
  let body: ReadableStream<Uint8Array> = request.body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i];
    const reader = body.getReader();
    // Only the decoded size counts: the innermost (last applied first) layer's output.
    const last = i === 0;
    body = zlibStream(
      { read: () => reader.read(), cancel: (reason) => reader.cancel(reason) },
      (first) => createDecompressor(coding, DECODE_CHUNK_SIZE, first),
      {
        flush: -1,
        maxBytes: last ? maxBytes : Infinity,
        tooLarge: () =>
          new HttpError(413, `Request body is larger than ${maxBytes} bytes once decoded`),
      },
    );
  }
  const headers = new Headers(request.headers);
  headers.delete("content-encoding");
  headers.delete("content-length");
  return new Request(request.url, {
    method: request.method,
    headers,
    body,
    signal: request.signal,
    redirect: request.redirect,
    // @ts-ignore: Deno's RequestInit types know no `duplex`; a stream body needs it on the Web.
    duplex: "half",
  });
}
