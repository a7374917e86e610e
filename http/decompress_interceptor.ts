import type { ClientInterceptor } from "./client_interceptor.ts";
import { DEFAULT_MAX_CONTENT_CODINGS } from "./client_options.ts";
import { numberOption, POSITIVE_INTEGER } from "./_codec/options.ts";
import { parseCodings, undecodable } from "./_client/content_coding.ts";
import { streamSource } from "./_client/decode_body.ts";
import { decodingFailed, responseTooLarge, unsupportedEncoding } from "./_client/errors.ts";
import { DECODES } from "./_client/interceptor_brand.ts";
import { ACCEPT_ENCODING, ACCEPT_ENCODING_TLS } from "./_client/request_head.ts";
import { responseBody } from "./_client/response_body.ts";

/** Options for {@linkcode decompressInterceptor}. */
export interface DecompressOptions {
  /**
   * Most codings in a `Content-Encoding` list; a longer one fails with
   * `UNSUPPORTED_ENCODING`.
   *
   * @default {5}
   */
  maxContentCodings?: number;
  /**
   * Most decoded bytes; past it the body errors with `RESPONSE_TOO_LARGE`.
   *
   * @default {Infinity}
   */
  maxResponseBodyBytes?: number;
}

/**
 * Content decoding as an interceptor: the Client's own decoding (every coding of the
 * list, gzip, deflate, br and zstd, in bounded 16 KiB pieces with backpressure), placed
 * where the chain needs it. A Client whose chain holds it does not decode in its core,
 * so interceptors inside it (after it in the list) see the coded bytes and the
 * `Content-Encoding` as they came. It asks for the codings the core would, unless the
 * request names its own Accept-Encoding.
 *
 * @param options Limits on the coding list and on the decoded size.
 * @returns The interceptor.
 * @throws {RangeError} When a limit is out of range.
 *
 * @example Log the coded size, then decode
 * ```ts
 * import { Client, decompressInterceptor } from "@wire/http/http";
 * import assert from "node:assert/strict";
 * import { gzipSync } from "node:zlib";
 *
 * const coded: string[] = [];
 * await using client = new Client({
 *   handler: () =>
 *     new Response(new Uint8Array(gzipSync("hello")), { headers: { "content-encoding": "gzip" } }),
 *   interceptors: [
 *     decompressInterceptor(),
 *     async (request, next) => {
 *       const response = await next();
 *       coded.push(response.headers.get("content-encoding") ?? "none");
 *       return response;
 *     },
 *   ],
 * });
 * assert.equal(await (await client.fetch("http://svc.test/")).text(), "hello");
 * assert.deepEqual(coded, ["gzip"]);
 * ```
 */
export function decompressInterceptor(options: DecompressOptions = {}): ClientInterceptor {
  const maxCodings = numberOption(
    "create decompressInterceptor",
    "maxContentCodings",
    options.maxContentCodings,
    DEFAULT_MAX_CONTENT_CODINGS,
    POSITIVE_INTEGER,
  );
  const limit = numberOption(
    "create decompressInterceptor",
    "maxResponseBodyBytes",
    options.maxResponseBodyBytes,
    Infinity,
    POSITIVE_INTEGER,
  );
  const interceptor: ClientInterceptor = async (request, next) => {
    let forward = request;
    if (!request.headers.has("accept-encoding")) {
      const headers = new Headers(request.headers);
      const tls = request.url.startsWith("https:");
      headers.set("accept-encoding", tls ? ACCEPT_ENCODING_TLS : ACCEPT_ENCODING);
      forward = new Request(request, { headers });
    }
    const response = await next(forward);
    const encoding = response.headers.get("content-encoding");
    if (encoding === null || response.body === null) return response;
    const codings = parseCodings(encoding);
    if (codings.length === 0 && limit === Infinity) return response;
    const url = response.url || request.url;
    const name = { url: new URL(url), method: request.method };
    const why = undecodable(codings, maxCodings);
    if (why !== "") {
      await response.body.cancel().catch(() => {});
      throw unsupportedEncoding(url, request.method, why);
    }
    const body = responseBody(streamSource(response.body), {
      codings,
      limit,
      announced: -1,
      signal: null,
      tooLarge: (announced) => responseTooLarge(name, limit, announced),
      corrupt: (coding, error) => decodingFailed(url, request.method, coding, error),
    });
    const decoded = new Response(body, response);
    Object.defineProperty(decoded, "url", { value: response.url });
    if (response.redirected) Object.defineProperty(decoded, "redirected", { value: true });
    return decoded;
  };
  (interceptor as unknown as Record<symbol, boolean>)[DECODES] = true;
  return interceptor;
}
