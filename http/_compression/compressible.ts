/**
 * Which media types are worth compressing: text and structured text (JSON, XML, JS,
 * SVG, ...), never formats that are compressed already (images, video, audio, fonts
 * in WOFF, archives).
 *
 * @module
 */

/** Types outside `text/*` and the `+json`/`+xml` suffixes that compress well. */
const COMPRESSIBLE = new Set([
  "application/javascript",
  "application/ecmascript",
  "application/x-javascript",
  "application/json",
  "application/xml",
  "application/xhtml+xml",
  "application/rss+xml",
  "application/atom+xml",
  "application/x-www-form-urlencoded",
  "application/graphql",
  "application/wasm",
  "application/rtf",
  "application/x-sh",
  "application/x-tar",
  "application/vnd.ms-fontobject",
  "application/x-font-ttf",
  "application/x-font-otf",
  "application/x-httpd-php",
  "application/yaml",
  "application/toml",
  "application/x-ndjson",
  "font/ttf",
  "font/otf",
  "font/collection",
  "image/svg+xml",
  "image/bmp",
  "image/x-icon",
  "image/vnd.microsoft.icon",
]);

/**
 * Whether a Content-Type names a compressible type. Parameters (`; charset=utf-8`) and
 * case are ignored.
 *
 * @param contentType A Content-Type value.
 * @returns True for text and text-like types.
 */
export function compressibleType(contentType: string): boolean {
  let end = contentType.indexOf(";");
  if (end === -1) end = contentType.length;
  const type = contentType.slice(0, end).trim().toLowerCase();
  if (type.startsWith("text/")) return true;
  if (COMPRESSIBLE.has(type)) return true;
  return type.startsWith("application/") && (type.endsWith("+json") || type.endsWith("+xml"));
}
