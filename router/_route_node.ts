/**
 * Nodes of the route tree (internal): static children by first char code, parameter
 * branches, a wildcard, RegExp routes and per-method value slots.
 *
 * @module
 */

/**
 * One registered value at a leaf for one method: the value, the names of the values
 * the path captured on the way (in order), who registered it (for error messages) and
 * when (for koa's run-every-match order). Several slots chain through `next` when the
 * tree allows duplicates.
 */
export class Slot<T> {
  value: T;
  names: string[];
  owner: string;
  seq: number;
  next: Slot<T> | null = null;
  constructor(value: T, names: string[], owner: string, seq: number) {
    this.value = value;
    this.names = names;
    this.owner = owner;
    this.seq = seq;
  }
}

// Per-method slots. The common methods get their own fields so the hot lookup is a
// string switch and a fixed-shape field load; others go to a dictionary.
export class Leaf<T> {
  get: Slot<T> | undefined = undefined;
  head: Slot<T> | undefined = undefined;
  post: Slot<T> | undefined = undefined;
  put: Slot<T> | undefined = undefined;
  patch: Slot<T> | undefined = undefined;
  delete: Slot<T> | undefined = undefined;
  options: Slot<T> | undefined = undefined;
  other: Record<string, Slot<T>> | null = null;
  any: Slot<T> | undefined = undefined;
  /** Methods with a slot, in registration order (for `Allow`). */
  order: string[] = [];

  /** The slot registered for exactly `method` (null: any method). */
  slot(method: string | null): Slot<T> | undefined {
    switch (method) {
      case null:
        return this.any;
      case "GET":
        return this.get;
      case "HEAD":
        return this.head;
      case "POST":
        return this.post;
      case "PUT":
        return this.put;
      case "PATCH":
        return this.patch;
      case "DELETE":
        return this.delete;
      case "OPTIONS":
        return this.options;
      default:
        return this.other === null ? undefined : this.other[method];
    }
  }

  set(method: string | null, slot: Slot<T>): void {
    switch (method) {
      case null:
        this.any = slot;
        return;
      case "GET":
        this.get = slot;
        break;
      case "HEAD":
        this.head = slot;
        break;
      case "POST":
        this.post = slot;
        break;
      case "PUT":
        this.put = slot;
        break;
      case "PATCH":
        this.patch = slot;
        break;
      case "DELETE":
        this.delete = slot;
        break;
      case "OPTIONS":
        this.options = slot;
        break;
      default:
        (this.other ??= Object.create(null) as Record<string, Slot<T>>)[method] = slot;
    }
    this.order.push(method);
  }
}

export class ParamBranch<T> {
  name: string;
  source: string | null;
  regex: RegExp | null;
  node: Node<T>;
  owner: string;
  /** First chars of static text that follows the parameter in its segment ("" for none). */
  stops = "";
  constructor(name: string, source: string | null, flags: string, owner: string) {
    this.name = name;
    this.source = source;
    this.regex = source === null ? null : new RegExp(`^(?:${source})$`, flags);
    this.node = new Node<T>("");
    this.owner = owner;
  }
}

/** Where a wildcard with a suffix ends: the suffix (folded as the tree folds) and its leaf. */
export interface SuffixLeaf<T> {
  suffix: string;
  leaf: Leaf<T>;
}

export class Wildcard<T> {
  name: string;
  owner: string;
  /** The leaf of the wildcard that takes the rest of the path. */
  leaf: Leaf<T> = new Leaf<T>();
  /** Leaves of wildcards followed by a suffix, longest suffix first. */
  suffixes: SuffixLeaf<T>[] | null = null;
  constructor(name: string, owner: string) {
    this.name = name;
    this.owner = owner;
  }
}

/** RegExp routes at a node: tested, in registration order, on the rest of the path. */
export interface RegexRoute<T> {
  regex: RegExp;
  leaf: Leaf<T>;
}

const CHILD_TABLE_THRESHOLD = 6;

export class Node<T> {
  label: string;
  keys: number[] = [];
  children: Node<T>[] = [];
  table: (Node<T> | undefined)[] | null = null;
  params: ParamBranch<T>[] | null = null;
  wildcard: Wildcard<T> | null = null;
  regexes: RegexRoute<T>[] | null = null;
  leaf: Leaf<T> | null = null;
  constructor(label: string) {
    this.label = label;
  }

  child(code: number): Node<T> | undefined {
    const table = this.table;
    if (table !== null) return table[code];
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === code) return this.children[i];
    return undefined;
  }

  setChild(node: Node<T>): void {
    const code = node.label.charCodeAt(0);
    const i = this.keys.indexOf(code);
    if (i === -1) {
      this.keys.push(code);
      this.children.push(node);
    } else {
      this.children[i] = node;
    }
    if (this.table !== null || this.keys.length > CHILD_TABLE_THRESHOLD) {
      // Static text is percent-encoded ASCII, so 128 slots cover every first char.
      const table = new Array<Node<T> | undefined>(128).fill(undefined);
      for (let k = 0; k < this.keys.length; k++) table[this.keys[k]] = this.children[k];
      this.table = table;
    }
  }
}

/** The slot a request method picks at a leaf: its own, HEAD falls back to GET, then any. */
export function pick<T>(leaf: Leaf<T>, method: string): Slot<T> | undefined {
  let v: Slot<T> | undefined;
  switch (method) {
    case "GET":
      v = leaf.get;
      break;
    case "HEAD":
      v = leaf.head ?? leaf.get;
      break;
    case "POST":
      v = leaf.post;
      break;
    case "PUT":
      v = leaf.put;
      break;
    case "PATCH":
      v = leaf.patch;
      break;
    case "DELETE":
      v = leaf.delete;
      break;
    case "OPTIONS":
      v = leaf.options;
      break;
    default:
      v = leaf.other === null ? undefined : leaf.other[method];
  }
  return v === undefined ? leaf.any : v;
}

// Params objects do not inherit Object.prototype, so "constructor" or "__proto__" are
// plain keys; a constructor whose prototype is Object.create(null) keeps them
// fast-mode objects (find-my-way's NullObject), unlike Object.create(null) itself.
// deno-lint-ignore no-explicit-any
export const ParamsObject = function ParamsObject() {} as unknown as new () => Record<string, any>;
ParamsObject.prototype = Object.create(null);
