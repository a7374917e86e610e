/**
 * Route path patterns (internal): parsing "/users/:id(\\d+){.:format}" into tokens and
 * expanding its optional parts into the linear variants the tree stores.
 *
 * Syntax:
 * - static text, compared with the request's percent-encoded path; characters the URL
 *   parser would encode (space, non-ASCII, `"`, `<`, `>`, `` ` ``, `{`, `}`) are encoded
 *   here the same way, so "/café" matches a request for "/caf%C3%A9";
 * - `:name` one or more characters of one segment, `:name(regex)` constrained (the regex
 *   must match the whole decoded value); text after it in the same segment ends it at
 *   the first occurrence of that text ("/:file.:ext");
 * - `:name?` an optional whole segment (short for `{/:name}`);
 * - `{...}` an optional part ("/:file{.:ext}", "/users{/:id}"); groups do not nest;
 * - `*` or `*name` at the start of a segment: the rest of the path, possibly empty,
 *   or, when static text follows it ("/files/*path/raw"), everything up to that text,
 *   which must end the path;
 * - `\` escapes the next character (`\\:` is a literal colon).
 *
 * @module
 */

/** Kind of a {@linkcode Part}: static text. */
export const PART_STATIC = 0;
/** Kind of a {@linkcode Part}: a parameter within one segment. */
export const PART_PARAM = 1;
/** Kind of a {@linkcode Part}: the rest of the path (or up to a suffix). */
export const PART_WILDCARD = 2;

/** Static text, percent-encoded like a request path. */
export interface StaticPart {
  kind: typeof PART_STATIC;
  text: string;
}

/** A `:name` parameter, maybe constrained by a regex. */
export interface ParamPart {
  kind: typeof PART_PARAM;
  name: string;
  /** The constraint as written between the parentheses, or null. */
  source: string | null;
}

/**
 * A wildcard: a "/" then the rest of the path (or nothing), or, with a suffix, a "/"
 * then one or more characters then the suffix, which ends the path.
 */
export interface WildcardPart {
  kind: typeof PART_WILDCARD;
  name: string;
  /** Static text that must end the path after the captured value ("" for none). */
  suffix: string;
}

/** One piece of a pattern variant. */
export type Part = StaticPart | ParamPart | WildcardPart;

/** A token of the pattern as written: a part, or the start or end of an optional group. */
export type Token = Part | { kind: typeof TOKEN_OPEN } | { kind: typeof TOKEN_CLOSE };

/** Kind of a {@linkcode Token}: the start of an optional group. */
export const TOKEN_OPEN = 3;
/** Kind of a {@linkcode Token}: the end of an optional group. */
export const TOKEN_CLOSE = 4;

/** A parsed route pattern. */
export interface PathPattern {
  /** The pattern as written. */
  path: string;
  /** The tokens in order (static text unencoded), for building URLs. */
  tokens: Token[];
  /** Parameter names in order of appearance. */
  paramNames: string[];
  /** True when the pattern has neither parameters, wildcards nor optional parts. */
  isStatic: boolean;
}

/** Name of the parameter a bare `*` captures. */
export const WILDCARD_NAME = "*";

/** Most optional parts (`{...}` and `:name?`) one pattern may have: 2^6 variants. */
export const MAX_OPTIONAL_PARTS = 6;

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

/** Percent-encodes static text the way the URL parser encodes a request path. */
export function encodeStatic(text: string): string {
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

// Reads `(regex)` starting at path[i] === "(" and returns [source, index after ")"].
function readConstraint(path: string, i: number, name: string): [string, number] {
  let depth = 1;
  let j = i + 1;
  for (; j < path.length && depth > 0; j++) {
    const c = path.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 40) depth++;
    else if (c === 41 /* ) */) depth--;
  }
  if (depth !== 0) fail(path, `the constraint of :${name} has no closing ")"`);
  const source = path.slice(i + 1, j - 1);
  if (source === "") fail(path, `the constraint of :${name} is empty`);
  try {
    new RegExp(source);
  } catch (error) {
    fail(path, `the constraint of :${name} is not a valid regex (${(error as Error).message})`);
  }
  return [source, j];
}

/**
 * Parses a route pattern; throws a TypeError naming the pattern and the problem.
 *
 * @param path The pattern, starting with "/" (or with a group that does).
 * @returns The parsed pattern.
 */
export function parsePathPattern(path: string): PathPattern {
  if (typeof path !== "string") {
    throw new TypeError(`Cannot parse route path: expected a string, got ${typeof path}`);
  }
  const c0 = path.charCodeAt(0);
  if (c0 !== 47 && !(c0 === 123 /* { */ && path.charCodeAt(1) === 47)) {
    fail(path, 'it must start with "/"');
  }
  const tokens: Token[] = [];
  const paramNames: string[] = [];
  let text = "";
  let inGroup = false;
  let groups = 0;
  const flush = () => {
    if (text !== "") tokens.push({ kind: PART_STATIC, text });
    text = "";
  };
  const addName = (name: string, what: string) => {
    if (paramNames.includes(name)) fail(path, `parameter ${what} appears twice`);
    paramNames.push(name);
  };
  for (let i = 0; i < path.length;) {
    const c = path.charCodeAt(i);
    if (c === 92 /* \ */) {
      if (i + 1 >= path.length) fail(path, 'it ends with a lone "\\"');
      text += path[i + 1];
      i += 2;
    } else if (c === 58 /* : */) {
      let j = i + 1;
      while (j < path.length && isNameChar(path.charCodeAt(j))) j++;
      const name = path.slice(i + 1, j);
      if (name === "") fail(path, `a ":" at offset ${i} has no parameter name`);
      let source: string | null = null;
      if (path.charCodeAt(j) === 40 /* ( */) [source, j] = readConstraint(path, j, name);
      addName(name, `:${name}`);
      if (path.charCodeAt(j) === 63 /* ? */) {
        // `/:name?` is `{/:name}`: the "/" before it moves into the group.
        if (inGroup) fail(path, `optional :${name}? cannot be inside a {...} group`);
        if (!text.endsWith("/")) {
          fail(
            path,
            `optional :${name}? must be a whole segment; write {...} for an optional part`,
          );
        }
        const after = path.charCodeAt(j + 1);
        if (j + 1 < path.length && after !== 47 && after !== 123) {
          fail(
            path,
            `optional :${name}? must be a whole segment; write {...} for an optional part`,
          );
        }
        text = text.slice(0, -1);
        flush();
        tokens.push({ kind: TOKEN_OPEN }, { kind: PART_STATIC, text: "/" });
        tokens.push({ kind: PART_PARAM, name, source }, { kind: TOKEN_CLOSE });
        groups++;
        j++;
      } else {
        flush();
        tokens.push({ kind: PART_PARAM, name, source });
      }
      i = j;
    } else if (c === 42 /* * */) {
      let j = i + 1;
      while (j < path.length && isNameChar(path.charCodeAt(j))) j++;
      const name = j === i + 1 ? WILDCARD_NAME : path.slice(i + 1, j);
      addName(name, name === WILDCARD_NAME ? "*" : `*${name}`);
      flush();
      tokens.push({ kind: PART_WILDCARD, name, suffix: "" });
      i = j;
    } else if (c === 123 /* { */) {
      if (inGroup) fail(path, "{...} groups do not nest");
      flush();
      tokens.push({ kind: TOKEN_OPEN });
      inGroup = true;
      groups++;
      i++;
    } else if (c === 125 /* } */) {
      if (!inGroup) fail(path, `a "}" at offset ${i} closes no group`);
      flush();
      if (tokens[tokens.length - 1].kind === TOKEN_OPEN) fail(path, "a {} group is empty");
      tokens.push({ kind: TOKEN_CLOSE });
      inGroup = false;
      i++;
    } else {
      if (c === 63 || c === 35 || c === 40 || c === 41) {
        fail(path, `"${path[i]}" at offset ${i} must be escaped with "\\"`);
      }
      if (c < 0x20 || c === 0x7f) {
        fail(path, `control character 0x${c.toString(16)} at offset ${i}`);
      }
      text += path[i];
      i++;
    }
  }
  if (inGroup) fail(path, 'a "{" has no closing "}"');
  flush();
  if (groups > MAX_OPTIONAL_PARTS) {
    fail(path, `it has ${groups} optional parts; at most ${MAX_OPTIONAL_PARTS} are allowed`);
  }
  const pattern: PathPattern = {
    path,
    tokens,
    paramNames,
    isStatic: tokens.every((t) => t.kind === PART_STATIC),
  };
  expandPathPattern(pattern, true); // checks every variant
  return pattern;
}

/**
 * Expands a pattern into the concrete variants the tree stores, one per choice of
 * optional parts, with adjacent static text merged and encoded. A wildcard takes the
 * "/" before it (it matches "/rest" or, when not strict, nothing) and the static text
 * after it as its suffix. A trailing "/" is dropped unless `strict`.
 *
 * @param pattern A parsed pattern.
 * @param strict Keep a trailing "/" as part of the route.
 * @returns Variants, each a list of parts.
 */
export function expandPathPattern(pattern: PathPattern, strict: boolean): Part[][] {
  const { tokens, path } = pattern;
  const groupCount = tokens.filter((t) => t.kind === TOKEN_OPEN).length;
  const variants: Part[][] = [];
  const seen = new Set<string>();
  for (let mask = 0; mask < 1 << groupCount; mask++) {
    const linear: Part[] = [];
    let group = -1;
    let include = true;
    for (const t of tokens) {
      if (t.kind === TOKEN_OPEN) include = (mask & (1 << ++group)) !== 0;
      else if (t.kind === TOKEN_CLOSE) include = true;
      else if (include) linear.push(t);
    }
    const parts = linearize(linear, path, strict);
    const key = parts.map((p) =>
      p.kind === PART_STATIC ? p.text : p.kind === PART_PARAM ? `\0:${p.source}` : `\0*${p.suffix}`
    ).join("\0|");
    if (seen.has(key)) continue;
    seen.add(key);
    variants.push(parts);
  }
  return variants;
}

function linearize(linear: Part[], path: string, strict: boolean): Part[] {
  const parts: Part[] = [];
  let text = "";
  for (let i = 0; i < linear.length; i++) {
    const p = linear[i];
    if (p.kind === PART_STATIC) {
      text += p.text;
      continue;
    }
    const prev = parts[parts.length - 1];
    if (p.kind === PART_PARAM) {
      if (text === "" && (prev === undefined || prev.kind !== PART_STATIC)) {
        if (prev === undefined) fail(path, `parameter :${p.name} must follow a "/"`);
        fail(path, `parameter :${p.name} needs text between it and the part before it`);
      }
      if (text !== "") parts.push({ kind: PART_STATIC, text: encodeStatic(text) });
      text = "";
      parts.push(p);
      continue;
    }
    if (!text.endsWith("/")) fail(path, 'a wildcard must start a segment (follow a "/")');
    text = text.slice(0, -1);
    if (text !== "") parts.push({ kind: PART_STATIC, text: encodeStatic(text) });
    text = "";
    let suffix = "";
    for (let j = i + 1; j < linear.length; j++) {
      const q = linear[j];
      if (q.kind !== PART_STATIC) fail(path, "only static text may follow a wildcard");
      suffix += q.text;
    }
    if (!strict && suffix.length > 1 && suffix.endsWith("/")) suffix = suffix.slice(0, -1);
    if (suffix === "/") fail(path, `a wildcard's suffix cannot be just "/"`);
    parts.push({ kind: PART_WILDCARD, name: p.name, suffix: encodeStatic(suffix) });
    return parts;
  }
  if (!strict && text.endsWith("/") && (text.length > 1 || parts.length > 0)) {
    text = text.slice(0, -1);
  }
  if (text !== "") parts.push({ kind: PART_STATIC, text: encodeStatic(text) });
  if (parts.length === 0) parts.push({ kind: PART_STATIC, text: "/" });
  else if (parts[0].kind === PART_STATIC && parts[0].text.charCodeAt(0) !== 47) {
    fail(path, 'it must start with "/"');
  }
  return parts;
}
