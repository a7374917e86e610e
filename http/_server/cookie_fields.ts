/**
 * Joins repeated `Cookie` fields. HTTP/2 and some HTTP/1.1 clients split cookies over
 * several field lines (RFC 9113 §8.2.3 allows it); `Headers.get` would join them with
 * ", ", which cookie parsers split wrongly. Deno.serve and node:http join them with
 * "; ", the cookie list separator (RFC 6265 §4.2.1), into the first one's place.
 *
 * @module
 */

import { trimOwsEnd } from "../_codec/ows.ts";

function isCookie(name: string): boolean {
  return name.length === 6 && (name === "cookie" || name === "Cookie" ||
    name.toLowerCase() === "cookie");
}

/**
 * `fields` with every `Cookie` value after the first appended to the first with "; ",
 * or `fields` itself when it holds at most one (the common case: nothing is copied).
 *
 * @param fields Header fields, flat `[name, value, ...]`.
 * @returns The fields with one Cookie line at most.
 */
export function joinCookies(fields: string[]): string[] {
  let cookies = 0;
  for (let i = 0; i < fields.length && cookies < 2; i += 2) {
    if (fields[i].length === 6 && isCookie(fields[i])) cookies++;
  }
  if (cookies < 2) return fields;
  const out: string[] = [];
  let cookieAt = -1;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (isCookie(name)) {
      if (cookieAt >= 0) {
        out[cookieAt] += "; " + trimOwsEnd(value);
        continue;
      }
      cookieAt = out.length + 1;
      out.push(name, trimOwsEnd(value));
      continue;
    }
    out.push(name, value);
  }
  return out;
}
