/**
 * `serveDir`: a directory tree over HTTP, safe by construction.
 *
 * @module
 */

import type { ServeDirOptions } from "./static_options.ts";
import { type DirConfig, dirResponse, resolveDirConfig } from "./_static/dir_response.ts";

const configs = new WeakMap<ServeDirOptions, DirConfig>();

/**
 * Answers `request` with a file under `options.root`, found from the URL path (under
 * `urlRoot`), with everything {@linkcode serveFile} does (validators, 304/412, ranges,
 * precompressed siblings).
 *
 * Safe by construction: each path segment is percent-decoded on its own and a segment
 * that decodes to `.` or `..`, or holds `/`, `\` or NUL (`%2e%2e`, `%2f`, `%5c`, `%00`)
 * is answered 404 before any file is looked at; with `followSymlinks` off (the
 * default) a path whose resolved target leaves the root is 404 too; dotfiles are hidden
 * (404) unless `dotfiles` says otherwise; only regular files are read. A malformed
 * percent-escape is 400.
 *
 * A directory URL without its trailing slash is redirected (301) to it; with the slash,
 * its index file is served (`index`, by default `index.html`), or a listing page when
 * `listing` is on, else 404. Methods other than GET and HEAD get 405.
 *
 * @param request The request.
 * @param options The root, URL prefix and policies (checked on first use, where a bad
 *   one throws synchronously, and remembered: pass the same object on every call).
 * @returns The response.
 *
 * @example Serve a folder, refuse a traversal
 * ```ts
 * import { serveDir } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/app.js`, "console.log(1)");
 * const options = { root, urlRoot: "/static" };
 * const file = await serveDir(new Request("http://localhost/static/app.js"), options);
 * assert.equal(file.headers.get("content-type"), "text/javascript; charset=utf-8");
 * assert.equal(await file.text(), "console.log(1)");
 * const escape = await serveDir(new Request("http://localhost/static/..%2fetc%2fpasswd"), options);
 * assert.equal(escape.status, 404);
 * await escape.body?.cancel();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function serveDir(request: Request, options: ServeDirOptions): Promise<Response> {
  // Bad arguments throw here, synchronously; the answer is a Promise.
  if (!(request instanceof Request)) {
    throw new TypeError("Cannot serve a directory: request must be a Request");
  }
  let config = options !== null && typeof options === "object" ? configs.get(options) : undefined;
  if (config === undefined) {
    config = resolveDirConfig(options);
    configs.set(options, config);
  }
  try {
    return Promise.resolve(dirResponse(request, config));
  } catch (error) {
    return Promise.reject(error);
  }
}
