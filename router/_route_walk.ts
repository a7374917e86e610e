/**
 * Walks of the route tree that visit every matching leaf rather than the best one
 * (internal): the methods a path allows (`Allow` headers) and every route matching a
 * request (koa-router's run-every-match model). Slow paths: they run for 405s,
 * OPTIONS and routers built with `exclusive: false`.
 *
 * @module
 */

import type { Leaf, Node, Slot } from "./_route_node.ts";

/** The tree fields a walk reads. */
export interface Walkable<T> {
  readonly root: Node<T>;
  readonly strict: boolean;
  readonly caseSensitive: boolean;
}

/** The methods a path answers to, for `Allow` headers. */
export interface AllowedMethods {
  /** Methods registered explicitly, in registration order. */
  methods: string[];
  /** True when a route for any method matches. */
  any: boolean;
}

/** One slot a walk found: raw captured values in order, and a RegExp route's match. */
export interface WalkMatch<T> {
  slot: Slot<T>;
  values: string[];
  exec: RegExpExecArray | null;
}

const SLASH = 47;

type Visit<T> = (leaf: Leaf<T>, values: string[], exec: RegExpExecArray | null) => void;

function safeDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function walk<T>(tree: Walkable<T>, path: string, visit: Visit<T>): void {
  const raw = path;
  let len = path.length;
  if (!tree.strict && len > 1 && path.charCodeAt(len - 1) === SLASH) path = path.slice(0, --len);
  const key = tree.caseSensitive ? path : path.toLowerCase();
  const values: string[] = [];
  const step = (node: Node<T>, pos: number): void => {
    if (pos === len) {
      if (node.leaf !== null) visit(node.leaf, values, null);
      if (node.wildcard !== null && !tree.strict) {
        values.push("");
        visit(node.wildcard.leaf, values, null);
        values.pop();
      }
    } else {
      const child = node.child(key.charCodeAt(pos));
      if (child !== undefined && key.startsWith(child.label, pos)) {
        step(child, pos + child.label.length);
      }
      if (node.params !== null) {
        let end = key.indexOf("/", pos);
        if (end === -1) end = len;
        for (const branch of node.params) {
          for (let e = pos + 1; e <= end; e++) {
            if (e < end && branch.stops.indexOf(key[e]) === -1) continue;
            const value = path.slice(pos, e);
            if (branch.regex !== null) {
              const decoded = safeDecode(value);
              if (decoded === null || !branch.regex.test(decoded)) continue;
            }
            values.push(value);
            step(branch.node, e);
            values.pop();
          }
        }
      }
      const w = node.wildcard;
      if (w !== null && key.charCodeAt(pos) === SLASH) {
        for (const { suffix, leaf } of w.suffixes ?? []) {
          const end = len - suffix.length;
          if (end <= pos + 1 || !key.endsWith(suffix)) continue;
          values.push(path.slice(pos + 1, end));
          visit(leaf, values, null);
          values.pop();
        }
        values.push(path.slice(pos + 1));
        visit(w.leaf, values, null);
        values.pop();
      }
    }
    if (node.regexes !== null) {
      const rest = raw.slice(pos);
      for (const route of node.regexes) {
        route.regex.lastIndex = 0;
        const exec = route.regex.exec(rest);
        if (exec !== null) visit(route.leaf, values, exec);
      }
    }
  };
  step(tree.root, 0);
}

/**
 * Every slot matching a method and path, in registration order (each once): HEAD takes
 * GET slots too, any-method slots match every method.
 */
export function collectMatches<T>(tree: Walkable<T>, method: string, path: string): WalkMatch<T>[] {
  const found: WalkMatch<T>[] = [];
  const seen = new Set<Slot<T>>();
  const add = (first: Slot<T> | undefined, values: string[], exec: RegExpExecArray | null) => {
    for (let slot = first; slot !== undefined && slot !== null; slot = slot.next ?? undefined) {
      if (seen.has(slot)) continue;
      seen.add(slot);
      found.push({ slot, values: values.slice(0, slot.names.length), exec });
    }
  };
  walk(tree, path, (leaf, values, exec) => {
    add(leaf.slot(method), values, exec);
    if (method === "HEAD") add(leaf.get, values, exec);
    add(leaf.any, values, exec);
  });
  return found.sort((a, b) => a.slot.seq - b.slot.seq);
}

/** The methods of every route matching a path, ordered by their first registration. */
export function collectAllowed<T>(tree: Walkable<T>, path: string): AllowedMethods {
  const first = new Map<string, number>();
  let any = false;
  walk(tree, path, (leaf) => {
    for (const m of leaf.order) {
      if (m === null) continue;
      const seq = leaf.slot(m)!.seq;
      if (!first.has(m) || first.get(m)! > seq) first.set(m, seq);
    }
    if (leaf.any !== undefined) any = true;
  });
  const methods = [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)!);
  return { methods, any };
}
