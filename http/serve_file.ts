/**
 * `serveFile`: one file as a Response, with validators, conditional requests, ranges and
 * precompressed siblings.
 *
 * @module
 */

import type { ServeFileOptions } from "./static_options.ts";
import { type FileConfig, fileResponse, resolveFileConfig } from "./_static/file_response.ts";

const ACTION = "serve a file";
const configs = new WeakMap<ServeFileOptions, FileConfig>();
const NO_OPTIONS: ServeFileOptions = {};

/**
 * Answers `request` with the file at `path`, as nginx serves a static file:
 *
 * - GET and HEAD (405 with `Allow: GET, HEAD` for other methods); Content-Type from the
 *   extension (`contentType()`), Content-Length, `Accept-Ranges: bytes`, an ETag and
 *   Last-Modified.
 * - Conditional requests (RFC 9110 §13.2.2, in its order): If-Match and
 *   If-Unmodified-Since → 412, If-None-Match and If-Modified-Since → 304.
 * - Ranges (RFC 9110 §14): one range → 206 with Content-Range (open-ended and suffix
 *   ranges too); several → 206 `multipart/byteranges` (overlapping ones merged, more than
 *   `maxRanges` → the whole file); none satisfiable → 416 with `Content-Range: bytes
 *   *\/size`; If-Range with a strong ETag or the exact Last-Modified.
 * - `precompressed`: a `.br`/`.zst`/`.gz` sibling when the client accepts its coding,
 *   with `Vary: Accept-Encoding`.
 * - Small files (up to `smallFileBytes`) are read whole and go out with the head; larger
 *   ones stream in `chunkSize` reads with backpressure, the file opened on the first
 *   read and closed at the end or when the client goes away.
 *
 * A missing path, a directory or anything that is not a regular file answers 404; a
 * file the process may not read, 403. `path` is used as given: to serve paths taken
 * from URLs, use {@linkcode serveDir}, which keeps them inside a root.
 *
 * @param request The request.
 * @param path The file to send.
 * @param options Validators, caching, precompressed siblings and read sizes.
 * @returns The response.
 *
 * @example Serve one file, then answer its revalidation with 304
 * ```ts
 * import { serveFile } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".txt" });
 * await Deno.writeTextFile(path, "hello");
 * const first = await serveFile(new Request("http://localhost/hello.txt"), path);
 * assert.equal(first.headers.get("content-type"), "text/plain; charset=utf-8");
 * assert.equal(await first.text(), "hello");
 * const etag = first.headers.get("etag")!;
 * const again = await serveFile(
 *   new Request("http://localhost/hello.txt", { headers: { "if-none-match": etag } }),
 *   path,
 * );
 * assert.equal(again.status, 304);
 * await Deno.remove(path);
 * ```
 */
export function serveFile(
  request: Request,
  path: string,
  options: ServeFileOptions = NO_OPTIONS,
): Promise<Response> {
  // Bad arguments throw here, synchronously; the answer is a Promise.
  if (!(request instanceof Request)) {
    throw new TypeError("Cannot serve a file: request must be a Request");
  }
  if (typeof path !== "string" || path === "") {
    throw new TypeError("Cannot serve a file: path must be a non-empty string");
  }
  let config = configs.get(options);
  if (config === undefined) {
    config = resolveFileConfig(options, ACTION);
    configs.set(options, config);
  }
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") {
    return Promise.resolve(
      new Response("Method Not Allowed", {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
      }),
    );
  }
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) return text(403, "Forbidden");
    return text(404, "Not Found");
  }
  if (!info.isFile) return text(404, "Not Found");
  try {
    return Promise.resolve(fileResponse(request, path, info, config, null));
  } catch (error) {
    return Promise.reject(error);
  }
}

function text(status: number, body: string): Promise<Response> {
  return Promise.resolve(
    new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } }),
  );
}
