/**
 * Adding routes to the route tree (internal): the walk that finds or creates the node
 * for each part of a pattern variant, checks for conflicts and stores the slot. A dry
 * run only checks, so a route whose every variant passes can then be added whole.
 *
 * @module
 */

import { Leaf, Node, ParamBranch, Slot, Wildcard } from "./_route_node.ts";
import { type Part, PART_PARAM, PART_STATIC } from "./_path_pattern.ts";

/** What insertion needs from the tree. */
export interface InsertTarget<T> {
  readonly root: Node<T>;
  /** Leaves of fully static routes, by folded path. */
  readonly statics: Map<string, Leaf<T>>;
  readonly caseSensitive: boolean;
  readonly duplicates: boolean;
  /** RegExp flags for constraints ("i" when case-insensitive). */
  readonly flags: string;
  /** Makes room for `n` captured values per lookup. */
  reserve(n: number): void;
}

const SLASH = 47;
const EMPTY_NAMES: string[] = [];

function fold<T>(t: InsertTarget<T>, text: string): string {
  return t.caseSensitive ? text : text.toLowerCase();
}

/**
 * Finds or creates the nodes for one variant and stores `value` for `method` (null:
 * any method) at its leaf; throws a TypeError naming both routes on a conflict. With
 * `dry`, only checks. Returns whether a slot was added.
 */
export function insertRoute<T>(
  t: InsertTarget<T>,
  method: string | null,
  parts: Part[],
  regex: RegExp | null,
  value: T | null,
  owner: string,
  dry: boolean,
  seq: number,
): boolean {
  let node: Node<T> | null = t.root;
  const names: string[] = [];
  let leaf: Leaf<T> | null = null;
  let isStatic = regex === null;
  let staticKey = "";
  for (let i = 0; i < parts.length && node !== null; i++) {
    const part = parts[i];
    if (part.kind === PART_STATIC) {
      const text = fold(t, part.text);
      staticKey += text;
      node = insertStatic(node, text, dry);
    } else if (part.kind === PART_PARAM) {
      isStatic = false;
      names.push(part.name);
      const branch: ParamBranch<T> | null = insertParam(
        t,
        node,
        part.name,
        part.source,
        owner,
        dry,
        names.length,
      );
      node = branch === null ? null : branch.node;
      const next = parts[i + 1];
      if (branch !== null && next?.kind === PART_STATIC && next.text.charCodeAt(0) !== SLASH) {
        // Static text follows in the same segment: the value may end before it.
        const stop = fold(t, next.text).charAt(0);
        if (!dry && !branch.stops.includes(stop)) branch.stops += stop;
      }
    } else {
      isStatic = false;
      names.push(part.name);
      leaf = insertWildcard(t, node, part.name, fold(t, part.suffix), owner, dry, names);
      node = null;
    }
  }
  if (regex !== null && node !== null) {
    const list = node.regexes ?? [];
    const key = String(regex);
    let found = list.find((r) => String(r.regex) === key);
    if (found === undefined) {
      if (dry) return false;
      found = { regex, leaf: new Leaf<T>() };
      list.push(found);
      node.regexes = list;
      t.reserve(names.length);
    }
    leaf = found.leaf;
    node = null;
  }
  if (leaf === null) {
    if (node === null) return false; // a new path: nothing to conflict with
    leaf = node.leaf;
    if (leaf === null) {
      if (dry) return false;
      leaf = node.leaf = new Leaf<T>();
      if (isStatic) t.statics.set(staticKey, leaf);
    }
  }
  const existing = leaf.slot(method);
  if (existing !== undefined && !t.duplicates) {
    throw new TypeError(`Cannot add route ${owner}: it duplicates route ${existing.owner}`);
  }
  if (dry) return false;
  const slot = new Slot<T>(value!, names.length === 0 ? EMPTY_NAMES : names, owner, seq);
  if (existing === undefined) {
    leaf.set(method, slot);
  } else {
    let last = existing;
    while (last.next !== null) last = last.next;
    last.next = slot;
  }
  return true;
}

function insertParam<T>(
  t: InsertTarget<T>,
  node: Node<T>,
  name: string,
  source: string | null,
  owner: string,
  dry: boolean,
  depth: number,
): ParamBranch<T> | null {
  const branches: ParamBranch<T>[] = node.params ?? [];
  let branch: ParamBranch<T> | undefined;
  for (const b of branches) {
    if (b.source !== source) continue;
    if (b.name !== name && !t.duplicates) {
      throw new TypeError(
        `Cannot add route ${owner}: parameter :${name} conflicts with :${b.name} ` +
          `of route ${b.owner} at the same position`,
      );
    }
    branch = b;
  }
  if (branch === undefined) {
    if (dry) return null;
    branch = new ParamBranch<T>(name, source, t.flags, owner);
    // Constrained branches are tried before the plain one.
    const at = source === null ? branches.length : branches.findIndex((b) => b.source === null);
    branches.splice(at === -1 ? branches.length : at, 0, branch);
    node.params = branches;
    t.reserve(depth);
  }
  return branch;
}

function insertWildcard<T>(
  t: InsertTarget<T>,
  node: Node<T>,
  name: string,
  suffix: string,
  owner: string,
  dry: boolean,
  names: string[],
): Leaf<T> | null {
  const w: Wildcard<T> | null = node.wildcard;
  if (w !== null && w.name !== name && !t.duplicates) {
    throw new TypeError(
      `Cannot add route ${owner}: wildcard *${name} conflicts with *${w.name} ` +
        `of route ${w.owner} at the same position`,
    );
  }
  if (w === null) {
    if (dry) return null;
    node.wildcard = new Wildcard<T>(name, owner);
    t.reserve(names.length);
  }
  const wildcard = node.wildcard!;
  if (suffix === "") return wildcard.leaf;
  const list = wildcard.suffixes ?? [];
  let found = list.find((s) => s.suffix === suffix);
  if (found === undefined) {
    if (dry) return null;
    found = { suffix, leaf: new Leaf<T>() };
    list.push(found);
    list.sort((a, b) => b.suffix.length - a.suffix.length);
    wildcard.suffixes = list;
  }
  return found.leaf;
}

// Returns the node where `text` ends below `node`, creating (and splitting) nodes;
// in a dry run returns null as soon as the text leaves the existing tree.
function insertStatic<T>(node: Node<T>, text: string, dry: boolean): Node<T> | null {
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
