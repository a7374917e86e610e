/**
 * Media types (internal): the essence of a Content-Type (`type/subtype`, lower case,
 * RFC 9110 §8.3.1), its charset, and matching against patterns such as `text/*`.
 *
 * @module
 */

/** The `type/subtype` of a Content-Type value, lower-cased; "" when absent. */
export function essenceOf(contentType: string | null): string {
  if (contentType === null) return "";
  const semi = contentType.indexOf(";");
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** A parameter of a Content-Type value (`charset`, `boundary`), unquoted; undefined if absent. */
export function parameterOf(contentType: string | null, name: string): string | undefined {
  if (contentType === null) return undefined;
  const parts = contentType.split(";");
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    const eq = part.indexOf("=");
    if (eq === -1 || part.slice(0, eq).trim().toLowerCase() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    return value;
  }
  return undefined;
}

/**
 * Whether `essence` matches one of `patterns`: an exact type, `type/*`, `*\/*`, or
 * `+suffix` (any type with that structured syntax suffix, RFC 6838 §4.2.8).
 */
export function matchesType(essence: string, patterns: readonly string[]): boolean {
  if (essence === "") return false;
  for (const pattern of patterns) {
    if (pattern === essence || pattern === "*/*") return true;
    if (pattern.endsWith("/*") && essence.startsWith(pattern.slice(0, -1))) return true;
    if (pattern.startsWith("+") && essence.endsWith(pattern)) return true;
  }
  return false;
}

/** Patterns as lower-cased strings, checked once when a middleware is made. */
export function typePatterns(types: string | readonly string[], where: string): string[] {
  const list = typeof types === "string" ? [types] : types;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`Cannot create ${where}: types must be a media type or a non-empty list`);
  }
  return list.map((type) => {
    if (typeof type !== "string" || (!type.includes("/") && !type.startsWith("+"))) {
      throw new TypeError(
        `Cannot create ${where}: ${JSON.stringify(type)} is not a media type pattern`,
      );
    }
    return type.trim().toLowerCase();
  });
}
