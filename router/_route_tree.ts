/**
 * The route-matching tree (internal; `Router` uses it, the benchmark calls it directly).
 *
 * A radix tree over the percent-encoded path: each node holds compressed static text,
 * its static children indexed by first char code, at most one parameter name (with
 * one branch per regex constraint), at most one wildcard, and per-method values.
 * Lookup walks the path once and backtracks only where a static branch failed, so its
 * cost depends on the path, not on how many routes there are. Priority at every
 * node: static, then constrained parameters (registration order), then the plain
 * parameter, then the wildcard. Fully static routes are also kept in a Map, which
 * answers most requests with one hash lookup (find-my-way does the same).
 *
 * @module
 */

import { HttpError } from "../http/http_error.ts";
import { Leaf, Node, ParamBranch, ParamsObject, pick, Wildcard } from "./_route_node.ts";
import {
  expandPathPattern,
  parsePathPattern,
  type Part,
  PART_PARAM,
  PART_STATIC,
  type PathPattern,
} from "./_path_pattern.ts";

/** Options for {@linkcode RouteTree}. */
export interface RouteTreeOptions {
  /** Compare static text case-sensitively. @default {true} */
  caseSensitive?: boolean;
  /** Treat "/a" and "/a/" as different paths. @default {false} */
  strict?: boolean;
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
}

/** The methods a path answers to, for `Allow` headers. */
export interface AllowedMethods {
  /** Methods registered explicitly, in registration order. */
  methods: string[];
  /** True when a route for any method matches. */
  any: boolean;
}

const SLASH = 47;

function decodeParam(raw: string, name: string): string {
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

const EMPTY_NAMES: string[] = [];

/**
 * A radix tree mapping (method, path) to values, with parameters, regex constraints,
 * optional parameters and wildcards. See the module doc for priority rules.
 */
export class RouteTree<T> {
  readonly caseSensitive: boolean;
  readonly strict: boolean;
  #root = new Node<T>("");
  #static = new Map<string, Leaf<T>>();
  #flags: string;
  // Offsets of captured values for the lookup in progress (lookups are synchronous).
  #starts = new Int32Array(16);
  #ends = new Int32Array(16);
  #hit: Leaf<T> | null = null;
  #size = 0;

  constructor(options: RouteTreeOptions = {}) {
    this.caseSensitive = options.caseSensitive ?? DEFAULT_CASE_SENSITIVE;
    this.strict = options.strict ?? DEFAULT_STRICT;
    this.#flags = this.caseSensitive ? "" : "i";
  }

  /** How many (method, variant) entries are registered. */
  get size(): number {
    return this.#size;
  }

  /** Parses a pattern with this tree's trailing-slash rule. */
  parse(path: string): PathPattern {
    return parsePathPattern(path, this.strict);
  }

  /**
   * Throws (a TypeError naming both routes) if adding this route would conflict
   * with one already in the tree. Changes nothing.
   */
  check(method: string | null, pattern: PathPattern, owner: string): void {
    for (const parts of expandPathPattern(pattern)) this.#insert(method, parts, null, owner, true);
  }

  /**
   * Adds a route: `method` null means any method. Checks every variant before
   * changing anything, so a conflict leaves the tree as it was.
   */
  add(method: string | null, pattern: PathPattern, value: T, owner: string): void {
    const variants = expandPathPattern(pattern);
    for (const parts of variants) this.#insert(method, parts, null, owner, true);
    for (const parts of variants) this.#insert(method, parts, value, owner, false);
  }

  #fold(text: string): string {
    return this.caseSensitive ? text : text.toLowerCase();
  }

  #insert(
    method: string | null,
    parts: Part[],
    value: T | null,
    owner: string,
    dry: boolean,
  ): void {
    let node: Node<T> | null = this.#root;
    const names: string[] = [];
    let leaf: Leaf<T> | null = null;
    let isStatic = true;
    let staticKey = "";
    for (let i = 0; i < parts.length && node !== null; i++) {
      const part = parts[i];
      if (part.kind === PART_STATIC) {
        const text = this.#fold(part.text);
        staticKey += text;
        node = this.#insertStatic(node, text, dry);
      } else if (part.kind === PART_PARAM) {
        isStatic = false;
        names.push(part.name);
        const branches: ParamBranch<T>[] = node.params ?? [];
        let branch: ParamBranch<T> | undefined;
        for (const b of branches) {
          if (b.name !== part.name) {
            throw new TypeError(
              `Cannot add route ${owner}: parameter :${part.name} conflicts with :${b.name} ` +
                `of route ${b.owner} at the same position`,
            );
          }
          if (b.source === part.source) branch = b;
        }
        if (branch === undefined) {
          if (dry) {
            node = null;
            break;
          }
          branch = new ParamBranch<T>(part.name, part.source, this.#flags, owner);
          // Constrained branches are tried before the plain one.
          const at = part.source === null
            ? branches.length
            : branches.findIndex((b) => b.source === null);
          branches.splice(at === -1 ? branches.length : at, 0, branch);
          node.params = branches;
          this.#reserve(names.length);
        }
        node = branch.node;
      } else {
        isStatic = false;
        names.push(part.name);
        const w: Wildcard<T> | null = node.wildcard;
        if (w !== null && w.name !== part.name) {
          throw new TypeError(
            `Cannot add route ${owner}: wildcard *${part.name} conflicts with *${w.name} ` +
              `of route ${w.owner} at the same position`,
          );
        }
        if (w === null) {
          if (dry) {
            node = null;
            break;
          }
          node.wildcard = new Wildcard<T>(part.name, owner, names.slice());
          this.#reserve(names.length);
        }
        leaf = node.wildcard!.leaf;
        node = null;
      }
    }
    if (leaf === null) {
      if (node === null) return; // a new path: nothing to conflict with
      leaf = node.leaf;
      if (leaf === null) {
        if (dry) return;
        leaf = node.leaf = new Leaf<T>(names.length === 0 ? EMPTY_NAMES : names);
        if (isStatic) this.#static.set(staticKey, leaf);
      }
    }
    const existing = method === null ? leaf.anyOwner : leaf.owners[method];
    if (existing !== undefined && existing !== "") {
      throw new TypeError(`Cannot add route ${owner}: it duplicates route ${existing}`);
    }
    if (dry) return;
    if (method === null) {
      leaf.any = value!;
      leaf.anyOwner = owner;
    } else {
      leaf.set(method, value!);
      leaf.owners[method] = owner;
      leaf.order.push(method);
    }
    this.#size++;
  }

  #reserve(n: number): void {
    if (n <= this.#starts.length) return;
    this.#starts = new Int32Array(n * 2);
    this.#ends = new Int32Array(n * 2);
  }

  // Returns the node where `text` ends below `node`, creating (and splitting) nodes;
  // in a dry run returns null as soon as the text leaves the existing tree.
  #insertStatic(node: Node<T>, text: string, dry: boolean): Node<T> | null {
    let i = 0;
    while (i < text.length) {
      const child = node.child(text.charCodeAt(i));
      if (child === undefined) {
        if (dry) return null;
        const fresh = new Node<T>(text.slice(i));
        node.setChild(fresh);
        return fresh;
      }
      const label = child.label;
      let j = 1;
      while (
        j < label.length && i + j < text.length && label.charCodeAt(j) === text.charCodeAt(i + j)
      ) {
        j++;
      }
      if (j < label.length) {
        if (dry) return null;
        const mid = new Node<T>(label.slice(0, j));
        child.label = label.slice(j);
        mid.setChild(child);
        node.setChild(mid);
        node = mid;
      } else {
        node = child;
      }
      i += j;
    }
    return node;
  }

  /**
   * Finds the value for a method and a percent-encoded path (no query). HEAD falls
   * back to GET, then to `any`. Throws an HttpError 400 when a parameter has a
   * malformed percent-escape.
   *
   * @param method The request method, as sent (methods are case-sensitive).
   * @param path The percent-encoded path, starting with "/".
   * @returns The value and decoded params, or null.
   */
  match(method: string, path: string): RouteMatch<T> | null {
    let len = path.length;
    if (!this.strict && len > 1 && path.charCodeAt(len - 1) === SLASH) {
      path = path.slice(0, --len);
    }
    const key = this.caseSensitive ? path : path.toLowerCase();
    const leaf = this.#static.get(key);
    if (leaf !== undefined) {
      const value = pick(leaf, method);
      if (value !== undefined) return { value, params: new ParamsObject() };
    }
    const value = this.#lookup(this.#root, key, path, 0, 0, method);
    if (value === undefined) return null;
    const hit = this.#hit!;
    this.#hit = null;
    const names = hit.paramNames;
    const params: Record<string, string> = new ParamsObject();
    const starts = this.#starts;
    const ends = this.#ends;
    for (let i = 0; i < names.length; i++) {
      const raw = path.slice(starts[i], ends[i]);
      params[names[i]] = raw.indexOf("%") === -1 ? raw : decodeParam(raw, names[i]);
    }
    return { value, params };
  }

  #lookup(
    node: Node<T>,
    key: string,
    path: string,
    pos: number,
    depth: number,
    method: string,
  ): T | undefined {
    const len = key.length;
    // Follow static children without recursion while there is nothing to fall back to.
    for (;;) {
      if (pos === len) {
        const leaf = node.leaf;
        if (leaf !== null) {
          const v = pick(leaf, method);
          if (v !== undefined) {
            this.#hit = leaf;
            return v;
          }
        }
        const w = node.wildcard;
        if (w !== null && !this.strict) {
          const v = pick(w.leaf, method);
          if (v !== undefined) {
            this.#starts[depth] = pos;
            this.#ends[depth] = pos;
            this.#hit = w.leaf;
            return v;
          }
        }
        return undefined;
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
      if (node.params !== null || node.wildcard !== null) {
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
      const v = pick(w.leaf, method);
      if (v !== undefined) {
        this.#starts[depth] = pos + 1;
        this.#ends[depth] = len;
        this.#hit = w.leaf;
        return v;
      }
    }
    return undefined;
  }

  /**
   * Collects the methods of every route whose pattern matches the path, whatever
   * its method: the basis of 405 `Allow` headers and automatic OPTIONS answers.
   *
   * @param path The percent-encoded path.
   * @returns The methods, and whether an any-method route matches.
   */
  allowed(path: string): AllowedMethods {
    let len = path.length;
    if (!this.strict && len > 1 && path.charCodeAt(len - 1) === SLASH) {
      path = path.slice(0, --len);
    }
    const key = this.caseSensitive ? path : path.toLowerCase();
    const out: AllowedMethods = { methods: [], any: false };
    this.#collect(this.#root, key, path, 0, out);
    return out;
  }

  #collect(node: Node<T>, key: string, path: string, pos: number, out: AllowedMethods): void {
    const len = key.length;
    if (pos === len) {
      if (node.leaf !== null) addLeaf(node.leaf, out);
      if (node.wildcard !== null && !this.strict) addLeaf(node.wildcard.leaf, out);
      return;
    }
    const child = node.child(key.charCodeAt(pos));
    if (child !== undefined && key.startsWith(child.label, pos)) {
      this.#collect(child, key, path, pos + child.label.length, out);
    }
    if (node.params !== null) {
      let end = key.indexOf("/", pos);
      if (end === -1) end = len;
      if (end > pos) {
        for (const branch of node.params) {
          if (branch.regex !== null) {
            let value = path.slice(pos, end);
            try {
              value = decodeURIComponent(value);
            } catch {
              continue;
            }
            if (!branch.regex.test(value)) continue;
          }
          this.#collect(branch.node, key, path, end, out);
        }
      }
    }
    if (node.wildcard !== null && key.charCodeAt(pos) === SLASH) addLeaf(node.wildcard.leaf, out);
  }
}

function addLeaf<T>(leaf: Leaf<T>, out: AllowedMethods): void {
  for (const m of leaf.order) if (!out.methods.includes(m)) out.methods.push(m);
  if (leaf.any !== undefined) out.any = true;
}
