/**
 * The route-matching tree (internal; `Router` uses it, the benchmark calls it directly).
 *
 * A radix tree over the percent-encoded path: each node holds compressed static text,
 * its static children indexed by first char code, parameter branches (one per regex
 * constraint), at most one wildcard, RegExp routes and per-method slots. Lookup walks
 * the path once and backtracks only where a branch failed, so its cost depends on the
 * path, not on how many routes there are. Priority at every node: static, then
 * constrained parameters (registration order), then the plain parameter, then the
 * wildcard, then RegExp routes (registration order). Fully static routes are also kept
 * in a Map, which answers most requests with one hash lookup (find-my-way does the same).
 * `matchAll` and `allowed` (in `_route_walk.ts`) visit every matching leaf instead.
 *
 * @module
 */

import { HttpError } from "../http/http_error.ts";
import { type Leaf, Node, ParamsObject, pick, type Slot } from "./_route_node.ts";
import { insertRoute, type InsertTarget } from "./_route_insert.ts";
import {
  expandPathPattern,
  parsePathPattern,
  type Part,
  type PathPattern,
} from "./_path_pattern.ts";
import {
  type AllowedMethods,
  collectAllowed,
  collectMatches,
  type WalkMatch,
} from "./_route_walk.ts";

export type { AllowedMethods, WalkMatch };

/** Options for {@linkcode RouteTree}. */
export interface RouteTreeOptions {
  /** Compare static text case-sensitively. @default {true} */
  caseSensitive?: boolean;
  /** Treat "/a" and "/a/" as different paths. @default {false} */
  strict?: boolean;
  /**
   * Keep every route registered for a method and path, and allow different parameter
   * names at one position (koa-router's model, for `matchAll`). @default {false}
   */
  duplicates?: boolean;
}

/** The default of {@linkcode RouteTreeOptions.caseSensitive}. */
export const DEFAULT_CASE_SENSITIVE = true;
/** The default of {@linkcode RouteTreeOptions.strict}. */
export const DEFAULT_STRICT = false;

/** What {@linkcode RouteTree.match} found. */
export interface RouteMatch<T> {
  /** The value registered for the method (or `any`). */
  value: T;
  /** Decoded parameter values by name. */
  params: Record<string, string>;
  /** A RegExp route's decoded captures (undefined for a group that did not take part). */
  captures: (string | undefined)[] | null;
}

const SLASH = 47;

/** Percent-decodes a captured value; a malformed escape is a 400 (the client's fault). */
export function decodeParam(raw: string, name: string): string {
  if (raw.indexOf("%") === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(
      400,
      `Cannot decode path parameter "${name}": malformed percent-encoding in "${raw}"`,
    );
  }
}

/** Decodes a RegExp route's captures and adds its named groups to `params`. */
export function regexResults(
  exec: RegExpExecArray,
  params: Record<string, string>,
): (string | undefined)[] {
  const captures: (string | undefined)[] = [];
  for (let i = 1; i < exec.length; i++) {
    captures.push(exec[i] === undefined ? undefined : decodeParam(exec[i], String(i - 1)));
  }
  const groups = exec.groups;
  if (groups !== undefined) {
    for (const name in groups) {
      if (groups[name] !== undefined) params[name] = decodeParam(groups[name], name);
    }
  }
  return captures;
}

/**
 * A radix tree mapping (method, path) to values, with parameters, regex constraints,
 * optional parts, wildcards and RegExp routes. See the module doc for priority rules.
 */
export class RouteTree<T> {
  readonly caseSensitive: boolean;
  readonly strict: boolean;
  readonly duplicates: boolean;
  /** The root node (read by the walker). */
  readonly root: Node<T> = new Node<T>("");
  #static = new Map<string, Leaf<T>>();
  #target: InsertTarget<T>;
  // The lookup in progress (lookups are synchronous): offsets of captured values, the
  // unstripped path and a RegExp route's match.
  #starts = new Int32Array(16);
  #ends = new Int32Array(16);
  #raw = "";
  #exec: RegExpExecArray | null = null;
  #size = 0;
  #seq = 0;

  constructor(options: RouteTreeOptions = {}) {
    this.caseSensitive = options.caseSensitive ?? DEFAULT_CASE_SENSITIVE;
    this.strict = options.strict ?? DEFAULT_STRICT;
    this.duplicates = options.duplicates ?? false;
    this.#target = {
      root: this.root,
      statics: this.#static,
      caseSensitive: this.caseSensitive,
      duplicates: this.duplicates,
      flags: this.caseSensitive ? "" : "i",
      reserve: (n) => this.#reserve(n),
    };
  }

  /** How many (method, variant) slots are registered. */
  get size(): number {
    return this.#size;
  }

  /** Parses a pattern. */
  parse(path: string): PathPattern {
    return parsePathPattern(path);
  }

  /**
   * Throws (a TypeError naming both routes) if adding this route would conflict with
   * one already in the tree. Changes nothing. With `regex`, `pattern` is the prefix
   * the RegExp route sits under (null for none).
   */
  check(method: string | null, pattern: PathPattern | null, owner: string, regex?: RegExp): void {
    for (const parts of this.#variants(pattern)) {
      insertRoute(this.#target, method, parts, regex ?? null, null, owner, true, 0);
    }
  }

  /**
   * Adds a route: `method` null means any method. Checks every variant before changing
   * anything, so a conflict leaves the tree as it was. `seq` orders routes for
   * `matchAll` (registration order by default).
   */
  add(
    method: string | null,
    pattern: PathPattern | null,
    value: T,
    owner: string,
    regex?: RegExp,
    seq: number = this.#seq,
  ): void {
    const variants = this.#variants(pattern);
    const target = this.#target;
    const rx = regex ?? null;
    for (const parts of variants) insertRoute(target, method, parts, rx, null, owner, true, 0);
    for (const parts of variants) {
      if (insertRoute(target, method, parts, rx, value, owner, false, seq)) this.#size++;
    }
    this.#seq = Math.max(this.#seq, seq + 1);
  }

  #variants(pattern: PathPattern | null): Part[][] {
    return pattern === null ? [[]] : expandPathPattern(pattern, this.strict);
  }

  #reserve(n: number): void {
    if (n <= this.#starts.length) return;
    this.#starts = new Int32Array(n * 2);
    this.#ends = new Int32Array(n * 2);
  }

  /**
   * Finds the value for a method and a percent-encoded path (no query). HEAD falls
   * back to GET, then to `any`. Throws an HttpError 400 when a parameter has a
   * malformed percent-escape.
   *
   * @param method The request method, as sent (methods are case-sensitive).
   * @param path The percent-encoded path, starting with "/".
   * @returns The value, decoded params and RegExp captures, or null.
   */
  match(method: string, path: string): RouteMatch<T> | null {
    const raw = path;
    let len = path.length;
    if (!this.strict && len > 1 && path.charCodeAt(len - 1) === SLASH) {
      path = path.slice(0, --len);
    }
    const key = this.caseSensitive ? path : path.toLowerCase();
    const leaf = this.#static.get(key);
    if (leaf !== undefined) {
      const slot = pick(leaf, method);
      if (slot !== undefined) {
        return { value: slot.value, params: new ParamsObject(), captures: null };
      }
    }
    this.#raw = raw;
    const slot = this.#lookup(this.root, key, path, 0, 0, method);
    if (slot === undefined) return null;
    const names = slot.names;
    const params: Record<string, string> = new ParamsObject();
    const starts = this.#starts;
    const ends = this.#ends;
    for (let i = 0; i < names.length; i++) {
      const raw = path.slice(starts[i], ends[i]);
      params[names[i]] = raw.indexOf("%") === -1 ? raw : decodeParam(raw, names[i]);
    }
    const exec = this.#exec;
    if (exec === null) return { value: slot.value, params, captures: null };
    this.#exec = null;
    return { value: slot.value, params, captures: regexResults(exec, params) };
  }

  #lookup(
    node: Node<T>,
    key: string,
    path: string,
    pos: number,
    depth: number,
    method: string,
  ): Slot<T> | undefined {
    const len = key.length;
    // Follow static children without recursion while there is nothing to fall back to.
    for (;;) {
      if (pos === len) {
        const leaf = node.leaf;
        if (leaf !== null) {
          const v = pick(leaf, method);
          if (v !== undefined) return v;
        }
        const w = node.wildcard;
        if (w !== null && !this.strict) {
          const v = pick(w.leaf, method);
          if (v !== undefined) {
            this.#starts[depth] = pos;
            this.#ends[depth] = pos;
            return v;
          }
        }
        return node.regexes === null ? undefined : this.#lookupRegex(node, pos, method);
      }
      const child = node.child(key.charCodeAt(pos));
      if (child === undefined) break;
      // The first char matched by indexing; compare the rest of the label by hand
      // (faster than startsWith for the short labels a radix tree has).
      const label = child.label;
      const n = label.length;
      if (pos + n > len) break;
      let j = 1;
      while (j < n && key.charCodeAt(pos + j) === label.charCodeAt(j)) j++;
      if (j !== n) break;
      if (node.params !== null || node.wildcard !== null || node.regexes !== null) {
        const v = this.#lookup(child, key, path, pos + n, depth, method);
        if (v !== undefined) return v;
        break;
      }
      node = child;
      pos += n;
    }
    const branches = node.params;
    if (branches !== null) {
      let end = key.indexOf("/", pos);
      if (end === -1) end = len;
      if (end > pos) {
        for (let b = 0; b < branches.length; b++) {
          const branch = branches[b];
          const regex = branch.regex;
          if (branch.stops !== "") {
            // Text follows the parameter in its segment: try ending the value before
            // each occurrence of that text's first char, nearest first.
            for (let e = pos + 1; e < end; e++) {
              if (branch.stops.indexOf(key[e]) === -1) continue;
              if (regex !== null && !regex.test(decodeParam(path.slice(pos, e), branch.name))) {
                continue;
              }
              const v = this.#lookup(branch.node, key, path, e, depth + 1, method);
              if (v !== undefined) {
                this.#starts[depth] = pos;
                this.#ends[depth] = e;
                return v;
              }
            }
          }
          if (regex !== null) {
            const raw = path.slice(pos, end);
            if (!regex.test(raw.indexOf("%") === -1 ? raw : decodeParam(raw, branch.name))) {
              continue;
            }
          }
          const v = this.#lookup(branch.node, key, path, end, depth + 1, method);
          if (v !== undefined) {
            this.#starts[depth] = pos;
            this.#ends[depth] = end;
            return v;
          }
        }
      }
    }
    const w = node.wildcard;
    if (w !== null && key.charCodeAt(pos) === SLASH) {
      const suffixes = w.suffixes;
      if (suffixes !== null) {
        for (let s = 0; s < suffixes.length; s++) {
          const { suffix, leaf } = suffixes[s];
          const end = len - suffix.length;
          if (end <= pos + 1 || !key.endsWith(suffix)) continue;
          const v = pick(leaf, method);
          if (v !== undefined) {
            this.#starts[depth] = pos + 1;
            this.#ends[depth] = end;
            return v;
          }
        }
      }
      const v = pick(w.leaf, method);
      if (v !== undefined) {
        this.#starts[depth] = pos + 1;
        this.#ends[depth] = len;
        return v;
      }
    }
    return node.regexes === null ? undefined : this.#lookupRegex(node, pos, method);
  }

  #lookupRegex(node: Node<T>, pos: number, method: string): Slot<T> | undefined {
    const rest = this.#raw.slice(pos);
    for (const route of node.regexes!) {
      route.regex.lastIndex = 0;
      const exec = route.regex.exec(rest);
      if (exec === null) continue;
      const v = pick(route.leaf, method);
      if (v !== undefined) {
        this.#exec = exec;
        return v;
      }
    }
    return undefined;
  }

  /**
   * Every slot whose route matches the method and path, in registration order: HEAD
   * takes GET routes too, and any-method routes match every method.
   *
   * @param method The request method.
   * @param path The percent-encoded path.
   * @returns The matches with their values, decoded params and captures.
   */
  matchAll(method: string, path: string): RouteMatch<T>[] {
    const seen = new Set<T>();
    // One route's variants can match the same path ("/a/:b{/*c}" on "/a/x"): keep its first.
    const found = collectMatches(this, method, path).filter((m) =>
      !seen.has(m.slot.value) && seen.add(m.slot.value) !== undefined
    );
    return found.map((m) => {
      const params: Record<string, string> = new ParamsObject();
      for (let i = 0; i < m.slot.names.length; i++) {
        params[m.slot.names[i]] = decodeParam(m.values[i], m.slot.names[i]);
      }
      const captures = m.exec === null ? null : regexResults(m.exec, params);
      return { value: m.slot.value, params, captures };
    });
  }

  /**
   * Collects the methods of every route whose pattern matches the path, whatever its
   * method, in registration order: the basis of `Allow` headers.
   *
   * @param path The percent-encoded path.
   * @returns The methods, and whether an any-method route matches.
   */
  allowed(path: string): AllowedMethods {
    return collectAllowed(this, path);
  }
}
