/**
 * Nodes of the route tree (internal): static children by first char code, parameter
 * branches, a wildcard and per-method value slots.
 *
 * @module
 */

// Per-method values. The common methods get their own fields so the hot lookup is a
// string switch and a fixed-shape field load; others go to a dictionary.
export class Leaf<T> {
  get: T | undefined = undefined;
  head: T | undefined = undefined;
  post: T | undefined = undefined;
  put: T | undefined = undefined;
  patch: T | undefined = undefined;
  delete: T | undefined = undefined;
  options: T | undefined = undefined;
  other: Record<string, T> | null = null;
  owners: Record<string, string> = Object.create(null);
  order: string[] = [];
  any: T | undefined = undefined;
  anyOwner = "";
  paramNames: string[];
  constructor(paramNames: string[]) {
    this.paramNames = paramNames;
  }

  set(method: string, value: T): void {
    switch (method) {
      case "GET":
        this.get = value;
        break;
      case "HEAD":
        this.head = value;
        break;
      case "POST":
        this.post = value;
        break;
      case "PUT":
        this.put = value;
        break;
      case "PATCH":
        this.patch = value;
        break;
      case "DELETE":
        this.delete = value;
        break;
      case "OPTIONS":
        this.options = value;
        break;
      default:
        (this.other ??= Object.create(null) as Record<string, T>)[method] = value;
    }
  }
}

export class ParamBranch<T> {
  name: string;
  source: string | null;
  regex: RegExp | null;
  node: Node<T>;
  owner: string;
  constructor(name: string, source: string | null, flags: string, owner: string) {
    this.name = name;
    this.source = source;
    this.regex = source === null ? null : new RegExp(`^(?:${source})$`, flags);
    this.node = new Node<T>("");
    this.owner = owner;
  }
}

export class Wildcard<T> {
  name: string;
  owner: string;
  leaf: Leaf<T>;
  constructor(name: string, owner: string, paramNames: string[]) {
    this.name = name;
    this.owner = owner;
    this.leaf = new Leaf<T>(paramNames);
  }
}

const CHILD_TABLE_THRESHOLD = 6;

export class Node<T> {
  label: string;
  keys: number[] = [];
  children: Node<T>[] = [];
  table: (Node<T> | undefined)[] | null = null;
  params: ParamBranch<T>[] | null = null;
  wildcard: Wildcard<T> | null = null;
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

export function pick<T>(leaf: Leaf<T>, method: string): T | undefined {
  let v: T | undefined;
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
