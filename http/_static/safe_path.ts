/**
 * From a request's URL path to a file path under a root, safe by construction: each
 * segment is percent-decoded on its own and refused when it could name anything but one
 * entry of one directory.
 *
 * What is refused (the request is answered 404, and no file outside the root is ever
 * looked at): a segment that decodes to `.` or `..` (`%2e%2e` included), or that holds
 * `/` (`%2f`), `\` (`%5c`) or NUL (`%00`). The WHATWG URL parser removes literal dot
 * segments before a Request exists, but a raw request line may still carry them, and
 * encoded slashes survive it: Router params decode `%2f`, so `/static/..%2fx` arrives as
 * `../x` in a param. Percent-escapes that do not decode (`%zz`, broken UTF-8) are a 400.
 *
 * @module
 */

/** The path is under the root; `relative` is its decoded, "/"-joined form. */
export const PATH_OK = 0;
/** The path is not under the URL prefix being served. */
export const PATH_OUTSIDE = 1;
/** A segment could escape the root (or is not a plain name): 404. */
export const PATH_REFUSED = 2;
/** A percent-escape does not decode: 400. */
export const PATH_MALFORMED = 3;

/** What {@linkcode resolveUrlPath} found. */
export interface ResolvedPath {
  /** One of the PATH_ constants. */
  status: number;
  /** The decoded segments joined with "/" ("" for the root itself). */
  relative: string;
  /** Whether the URL path ends with "/" (a directory was asked for). */
  trailingSlash: boolean;
  /** Whether a segment starts with "." (a dotfile or a dot directory). */
  dotfile: boolean;
}

/** The path of a serialized absolute URL (still percent-encoded), without query or fragment. */
export function urlPath(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme === -1 ? 0 : url.indexOf("/", scheme + 3);
  if (start === -1) return "/";
  let end = start;
  const len = url.length;
  while (end < len) {
    const c = url.charCodeAt(end);
    if (c === 0x3f || c === 0x23) break;
    end++;
  }
  return url.slice(start, end);
}

function refused(segment: string): boolean {
  if (segment === "." || segment === "..") return true;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c === 0x2f || c === 0x5c || c === 0) return true;
  }
  return false;
}

/**
 * Maps a URL path under `prefix` to a path relative to the root.
 *
 * @param path The URL's path, percent-encoded (`urlPath(request.url)`).
 * @param prefix The URL path the root is served at ("" for "/"); no trailing slash.
 * @returns The status and, when PATH_OK, the relative path.
 */
export function resolveUrlPath(path: string, prefix: string): ResolvedPath {
  const result: ResolvedPath = {
    status: PATH_OK,
    relative: "",
    trailingSlash: path.endsWith("/"),
    dotfile: false,
  };
  if (prefix !== "") {
    if (!path.startsWith(prefix) || (path.length > prefix.length && path[prefix.length] !== "/")) {
      result.status = PATH_OUTSIDE;
      return result;
    }
  }
  const len = path.length;
  let i = prefix.length;
  let relative = "";
  while (i < len) {
    if (path.charCodeAt(i) === 0x2f) {
      i++;
      continue; // "//" merges, as nginx's merge_slashes does
    }
    let end = path.indexOf("/", i);
    if (end === -1) end = len;
    let segment = path.slice(i, end);
    i = end;
    if (segment.includes("%")) {
      try {
        segment = decodeURIComponent(segment);
      } catch {
        result.status = PATH_MALFORMED;
        return result;
      }
    }
    if (refused(segment)) {
      result.status = PATH_REFUSED;
      return result;
    }
    if (segment.charCodeAt(0) === 0x2e) result.dotfile = true;
    relative = relative === "" ? segment : relative + "/" + segment;
  }
  result.relative = relative;
  return result;
}

/**
 * Whether `real` (a canonical path, symlinks resolved) is `root` or inside it.
 *
 * @param real The canonical path of the target.
 * @param root The canonical path of the root.
 * @returns True when inside.
 */
export function isInside(real: string, root: string): boolean {
  if (real === root) return true;
  const base = root.endsWith("/") ? root : root + "/";
  return real.startsWith(base);
}
