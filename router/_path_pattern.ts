/**
 * Route path patterns: parsing "/users/:id(\\d+)/files/*rest" into parts, expanding
 * optional parameters into the concrete variants the tree stores, and building
 * paths back from parameters for `Router.url()`.
 *
 * Syntax (whole segments only):
 * - static text, compared with the request's percent-encoded path; characters the
 *   URL parser would encode (space, non-ASCII, `"`, `<`, `>`, `` ` ``, `{`, `}`) are
 *   encoded here the same way, so "/café" matches a request for "/caf%C3%A9";
 * - `:name` one non-empty segment, `:name(regex)` constrained (the regex must match the
 *   whole decoded segment), `:name?` optional (optional parameters must end the path);
 * - `*` or `*name` as the last segment: the rest of the path, possibly empty.
 *
 * @module
 */

/** Kind of a {@linkcode Part}: static text. */
export const PART_STATIC = 0;
/** Kind of a {@linkcode Part}: one path segment captured as a parameter. */
export const PART_PARAM = 1;
/** Kind of a {@linkcode Part}: the rest of the path. */
export const PART_WILDCARD = 2;

/** Static text, percent-encoded like a request path. */
export interface StaticPart {
  kind: typeof PART_STATIC;
  text: string;
}

/** A `:name` segment, maybe constrained by a regex, maybe optional. */
export interface ParamPart {
  kind: typeof PART_PARAM;
  name: string;
  /** The constraint as written between the parentheses, or null. */
  source: string | null;
  optional: boolean;
}

/** A trailing `*` or `*name`: a "/" then the rest of the path (or nothing). */
export interface WildcardPart {
  kind: typeof PART_WILDCARD;
  name: string;
}

/** One piece of a parsed pattern. */
export type Part = StaticPart | ParamPart | WildcardPart;

/** A parsed route pattern. */
export interface PathPattern {
  /** The pattern as written. */
  path: string;
  /** Segments in order; each static segment's text starts with its "/". */
  segments: Part[];
  /** Parameter names in order, the wildcard's last. */
  paramNames: string[];
  /** True when the pattern has neither parameters nor a wildcard. */
  isStatic: boolean;
}

/** Name of the parameter a bare `*` captures. */
export const WILDCARD_NAME = "*";

const HEX = "0123456789ABCDEF";
const encoder = new TextEncoder();

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

// The WHATWG URL path percent-encode set: what `new Request(url).url` has encoded.
function mustEncode(c: number): boolean {
  return c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e ||
    c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d;
}

function encodeStatic(text: string): string {
  let needs = false;
  for (let i = 0; i < text.length; i++) {
    if (mustEncode(text.charCodeAt(i))) {
      needs = true;
      break;
    }
  }
  if (!needs) return text;
  let out = "";
  for (const byte of encoder.encode(text)) {
    out += mustEncode(byte) ? "%" + HEX[byte >> 4] + HEX[byte & 15] : String.fromCharCode(byte);
  }
  return out;
}

function fail(path: string, why: string): never {
  throw new TypeError(`Cannot parse route path "${path}": ${why}`);
}

/**
 * Parses a route pattern; throws a TypeError naming the pattern and the problem.
 *
 * @param path The pattern, starting with "/".
 * @param strict When false, a trailing "/" is dropped ("/users/" is "/users").
 * @returns The parsed pattern.
 */
export function parsePathPattern(path: string, strict: boolean): PathPattern {
  if (typeof path !== "string") {
    throw new TypeError(`Cannot parse route path: expected a string, got ${typeof path}`);
  }
  if (path.charCodeAt(0) !== 47) fail(path, 'it must start with "/"');
  let body = path;
  if (!strict && body.length > 1 && body.charCodeAt(body.length - 1) === 47) {
    body = body.slice(0, -1);
  }
  const raw = body.slice(1).split("/");
  const segments: Part[] = [];
  const paramNames: string[] = [];
  let sawOptional = false;
  for (let s = 0; s < raw.length; s++) {
    const seg = raw[s];
    const c0 = seg.charCodeAt(0);
    if (c0 === 58 /* : */) {
      let i = 1;
      while (i < seg.length && isNameChar(seg.charCodeAt(i))) i++;
      const name = seg.slice(1, i);
      if (name === "") fail(path, `segment "${seg}" has a ":" with no parameter name`);
      let source: string | null = null;
      if (seg.charCodeAt(i) === 40 /* ( */) {
        let depth = 1;
        let j = i + 1;
        for (; j < seg.length && depth > 0; j++) {
          const c = seg.charCodeAt(j);
          if (c === 92 /* \ */) j++;
          else if (c === 40) depth++;
          else if (c === 41 /* ) */) depth--;
        }
        if (depth !== 0) fail(path, `the constraint of :${name} has no closing ")"`);
        source = seg.slice(i + 1, j - 1);
        if (source === "") fail(path, `the constraint of :${name} is empty`);
        try {
          new RegExp(source);
        } catch (error) {
          fail(
            path,
            `the constraint of :${name} is not a valid regex (${(error as Error).message})`,
          );
        }
        i = j;
      }
      let optional = false;
      if (seg.charCodeAt(i) === 63 /* ? */) {
        optional = true;
        i++;
      }
      if (i !== seg.length) {
        fail(
          path,
          `parameter :${name} must fill its segment; found "${seg.slice(i)}" after it`,
        );
      }
      if (sawOptional && !optional) {
        fail(
          path,
          `only optional parameters may follow the optional :${sawOptionalName(segments)}`,
        );
      }
      if (paramNames.includes(name)) fail(path, `parameter :${name} appears twice`);
      sawOptional ||= optional;
      paramNames.push(name);
      segments.push({ kind: PART_PARAM, name, source, optional });
    } else if (c0 === 42 /* * */) {
      const name = seg.length === 1 ? WILDCARD_NAME : seg.slice(1);
      for (let i = 1; i < seg.length; i++) {
        if (!isNameChar(seg.charCodeAt(i))) {
          fail(path, `wildcard name "${seg}" is not a plain name`);
        }
      }
      if (s !== raw.length - 1) fail(path, "a wildcard must be the last segment");
      if (sawOptional) fail(path, "a wildcard cannot follow an optional parameter");
      if (paramNames.includes(name)) fail(path, `parameter ${name} appears twice`);
      paramNames.push(name);
      segments.push({ kind: PART_WILDCARD, name });
    } else {
      if (sawOptional) {
        fail(
          path,
          `only optional parameters may follow the optional :${sawOptionalName(segments)}`,
        );
      }
      for (let i = 0; i < seg.length; i++) {
        const c = seg.charCodeAt(i);
        if (c === 42) fail(path, `"*" in "${seg}": a wildcard must be a whole segment`);
        if (c === 63 || c === 35) {
          fail(path, `"${seg[i]}" in "${seg}": only a parameter may be followed by "?"`);
        }
        if (c < 0x20 || c === 0x7f) fail(path, `control character 0x${c.toString(16)} in "${seg}"`);
      }
      segments.push({ kind: PART_STATIC, text: "/" + encodeStatic(seg) });
    }
  }
  return { path, segments, paramNames, isStatic: segments.every((p) => p.kind === PART_STATIC) };
}

function sawOptionalName(segments: Part[]): string {
  for (const p of segments) if (p.kind === PART_PARAM && p.optional) return p.name;
  return "";
}

/**
 * Expands a pattern into the concrete variants the tree stores: one per number of
 * optional parameters present. Adjacent static text is merged, and a wildcard's "/"
 * belongs to the wildcard (it matches "/rest" or, when not strict, nothing).
 *
 * @param pattern A parsed pattern.
 * @returns Variants, shortest first; each is a list of parts with merged static text.
 */
export function expandPathPattern(pattern: PathPattern): Part[][] {
  const variants: Part[][] = [];
  const segs = pattern.segments;
  let firstOptional = segs.findIndex((p) => p.kind === PART_PARAM && p.optional);
  if (firstOptional === -1) firstOptional = segs.length;
  for (let n = firstOptional; n <= segs.length; n++) {
    const parts: Part[] = [];
    let text = "";
    for (let i = 0; i < n; i++) {
      const p = segs[i];
      if (p.kind === PART_STATIC) {
        text += p.text;
      } else if (p.kind === PART_PARAM) {
        parts.push({ kind: PART_STATIC, text: text + "/" });
        text = "";
        parts.push(p);
      } else {
        if (text !== "") parts.push({ kind: PART_STATIC, text });
        text = "";
        parts.push(p);
      }
    }
    if (text !== "") parts.push({ kind: PART_STATIC, text });
    if (parts.length === 0) parts.push({ kind: PART_STATIC, text: "/" });
    variants.push(parts);
  }
  return variants;
}

/** Values accepted for a parameter by {@linkcode buildPath}. */
export type PathParamValue = string | number | bigint | boolean;

/**
 * Builds a path from a pattern, percent-encoding each value (a wildcard value keeps
 * its "/" separators). Throws a TypeError for a missing required parameter or a
 * value its constraint rejects.
 *
 * @param pattern A parsed pattern.
 * @param params Values by parameter name.
 * @param label How to name the route in errors.
 * @returns The path.
 */
export function buildPath(
  pattern: PathPattern,
  params: Readonly<Record<string, PathParamValue | null | undefined>>,
  label: string,
): string {
  let out = "";
  for (const p of pattern.segments) {
    if (p.kind === PART_STATIC) {
      out += p.text;
      continue;
    }
    const value = Object.hasOwn(params, p.name) ? params[p.name] : undefined;
    if (value === undefined || value === null) {
      if (p.kind === PART_PARAM && p.optional) break;
      if (p.kind === PART_WILDCARD) {
        out += "/";
        continue;
      }
      throw new TypeError(`Cannot build URL for route ${label}: missing parameter :${p.name}`);
    }
    const text = String(value);
    if (p.kind === PART_WILDCARD) {
      out += "/" + text.split("/").map(encodeURIComponent).join("/");
      continue;
    }
    if (text === "") {
      throw new TypeError(`Cannot build URL for route ${label}: parameter :${p.name} is empty`);
    }
    if (p.source !== null && !new RegExp(`^(?:${p.source})$`).test(text)) {
      throw new TypeError(
        `Cannot build URL for route ${label}: "${text}" does not match :${p.name}(${p.source})`,
      );
    }
    out += "/" + encodeURIComponent(text);
  }
  return out === "" ? "/" : out;
}
