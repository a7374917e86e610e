/**
 * Content-Type from a file name: the built-in table `serveFile` and `serveDir` use.
 *
 * @module
 */

import { MEDIA_TYPES } from "./_static/media_types.ts";

/**
 * The Content-Type for a file name, path or bare extension (`"a/b.json"`, `".json"`,
 * `"json"`), from Wire's built-in table of web formats; text types carry
 * `charset=utf-8`. Case is ignored; only the last extension counts (`x.tar.gz` is
 * gzip). Undefined for an unknown extension or a name without one.
 *
 * @param path A path, a file name or an extension.
 * @returns The Content-Type, or undefined.
 *
 * @example Look up types
 * ```ts
 * import { contentType } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(contentType("site/index.html"), "text/html; charset=utf-8");
 * assert.equal(contentType(".MP4"), "video/mp4");
 * assert.equal(contentType("json"), "application/json; charset=utf-8");
 * assert.equal(contentType("README"), undefined);
 * ```
 */
export function contentType(path: string): string | undefined {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const dot = path.lastIndexOf(".");
  let extension: string;
  if (dot > slash) extension = path.slice(dot + 1);
  else if (slash === -1) extension = path; // a bare extension
  else return undefined;
  return MEDIA_TYPES.get(extension.toLowerCase());
}
