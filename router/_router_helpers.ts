/**
 * Path joining, prefix checks and route labels for the Router (internal).
 *
 * @module
 */

/** Joins a prefix and a route path; "/" under a prefix is the prefix itself unless strict. */
export function joinPath(prefix: string, path: string, strict: boolean): string {
  if (prefix === "") return path;
  if (path === "/" && !strict) return prefix;
  return prefix + path;
}

/** Checks a prefix and drops its trailing "/" ("" and "/" are no prefix). */
export function normalizePrefix(prefix: string, what: string): string {
  if (typeof prefix !== "string") {
    throw new TypeError(`Cannot set ${what}: expected a string, got ${typeof prefix}`);
  }
  if (prefix === "" || prefix === "/") return "";
  if (prefix.charCodeAt(0) !== 47) {
    throw new TypeError(`Cannot set ${what} "${prefix}": it must start with "/"`);
  }
  return prefix.charCodeAt(prefix.length - 1) === 47 ? prefix.slice(0, -1) : prefix;
}

/** How errors name a route: "GET /users/:id ("user")". */
export function labelOf(method: string | null, path: string, name: string | undefined): string {
  return `${method ?? "ALL"} ${path}${name === undefined ? "" : ` ("${name}")`}`;
}

/** The text of a middleware type for error messages. */
export function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
