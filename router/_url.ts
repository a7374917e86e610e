/**
 * Building URLs from route patterns (internal): `Router.url()`, `Router.url` (static),
 * `Route.url()` and `redirect()` to named routes.
 *
 * @module
 */

import {
  encodeStatic,
  PART_PARAM,
  PART_STATIC,
  type PathPattern,
  TOKEN_CLOSE,
  TOKEN_OPEN,
} from "./_path_pattern.ts";
import type { PathParamValue, UrlOptions, UrlParams, UrlQuery } from "./router_options.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    !(value instanceof URLSearchParams);
}

/**
 * Reads koa-router's `url()` arguments: `(params?, options?)`, positional values with
 * an optional options object last, or a params object holding a `query` key (taken as
 * the query unless the route has a parameter named "query").
 */
export function urlArguments(
  args: readonly unknown[],
  paramNames: readonly string[],
): { params: UrlParams; options: UrlOptions } {
  const first = args[0];
  if (first === undefined || isRecord(first)) {
    let params = (first ?? {}) as Record<string, PathParamValue | null | undefined>;
    let options = args[1] as UrlOptions | undefined;
    if (options === undefined && Object.hasOwn(params, "query") && !paramNames.includes("query")) {
      const { query, ...rest } = params as Record<string, unknown>;
      options = { query: query as UrlQuery };
      params = rest as typeof params;
    }
    if (args.length > 2) throw new TypeError("Cannot build URL: too many arguments");
    return { params, options: options ?? {} };
  }
  const values = args.slice();
  let options: UrlOptions = {};
  if (values.length > 0 && isRecord(values[values.length - 1])) {
    options = values.pop() as UrlOptions;
  }
  if (values.length > paramNames.length) {
    throw new TypeError(
      `Cannot build URL: ${values.length} values given for ${paramNames.length} parameters`,
    );
  }
  const params: Record<string, PathParamValue | null | undefined> = {};
  values.forEach((value, i) => params[paramNames[i]] = value as PathParamValue);
  return { params, options };
}

/**
 * Builds a path from a pattern, encoding each value (a wildcard's value keeps its "/"
 * separators). An optional group is kept when every parameter in it has a value.
 * Throws a TypeError for a missing required parameter or a value its constraint
 * rejects.
 */
export function buildPath(
  pattern: PathPattern,
  params: UrlParams,
  label: string,
  encode: (value: string) => string = encodeURIComponent,
): string {
  let out = "";
  let group: string | null = null;
  let groupOk = true;
  let groupHasValue = false;
  for (const t of pattern.tokens) {
    if (t.kind === TOKEN_OPEN) {
      group = "";
      groupOk = true;
      groupHasValue = false;
      continue;
    }
    if (t.kind === TOKEN_CLOSE) {
      if (groupOk && groupHasValue) out += group;
      group = null;
      continue;
    }
    let piece: string;
    if (t.kind === PART_STATIC) {
      piece = encodeStatic(t.text);
    } else {
      const value = Object.hasOwn(params, t.name) ? params[t.name] : undefined;
      if (value === undefined || value === null) {
        if (group !== null) {
          groupOk = false;
          continue;
        }
        if (t.kind !== PART_PARAM) continue; // a wildcard without a value is empty
        throw new TypeError(`Cannot build URL for route ${label}: missing parameter :${t.name}`);
      }
      const text = String(value);
      if (t.kind === PART_PARAM) {
        if (text === "") {
          throw new TypeError(`Cannot build URL for route ${label}: parameter :${t.name} is empty`);
        }
        if (t.source !== null && !new RegExp(`^(?:${t.source})$`).test(text)) {
          throw new TypeError(
            `Cannot build URL for route ${label}: "${text}" does not match :${t.name}(${t.source})`,
          );
        }
        piece = encode(text);
      } else {
        piece = text.split("/").map(encode).join("/");
      }
      groupHasValue = true;
    }
    if (group !== null) group += piece;
    else out += piece;
  }
  return out === "" ? "/" : out;
}

/** Appends a query to a path ("" queries add nothing). */
export function withQuery(path: string, query: UrlQuery | undefined): string {
  if (query === undefined) return path;
  let text: string;
  if (typeof query === "string") {
    text = query.startsWith("?") ? query.slice(1) : query;
  } else if (query instanceof URLSearchParams) {
    text = query.toString();
  } else {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) { for (const v of value) search.append(key, String(v)); }
      else search.append(key, value === null ? "" : String(value));
    }
    text = search.toString();
  }
  return text === "" ? path : `${path}?${text}`;
}
