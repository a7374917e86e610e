/**
 * A deliberately simple matcher with the same contract as RouteTree: a linear scan
 * over every route variant, segment by segment, picking the best-ranked match. The
 * shared case table runs against both, so the tree's speed tricks are checked against
 * an implementation that is easy to read. It knows whole-segment parameters and
 * trailing wildcards only (the syntax the shared table uses).
 */
import { HttpError } from "../../http/http_error.ts";
import {
  expandPathPattern,
  parsePathPattern,
  PART_PARAM,
  PART_STATIC,
} from "../../router/_path_pattern.ts";
import type { RouteMatch, RouteTreeOptions } from "../../router/_route_tree.ts";

type Seg =
  | { kind: "static"; text: string }
  | { kind: "param"; name: string; regex: RegExp | null }
  | { kind: "wildcard"; name: string };

interface NaiveRoute<T> {
  method: string | null;
  segs: Seg[];
  value: T;
}

export class NaiveMatcher<T> {
  #routes: NaiveRoute<T>[] = [];
  #sensitive: boolean;
  #strict: boolean;
  constructor(options: RouteTreeOptions = {}) {
    this.#sensitive = options.caseSensitive ?? true;
    this.#strict = options.strict ?? false;
  }

  add(method: string | null, path: string, value: T): void {
    for (const parts of expandPathPattern(parsePathPattern(path), this.#strict)) {
      const segs: Seg[] = [];
      for (const p of parts) {
        if (p.kind === PART_STATIC) {
          const pieces = p.text.split("/").slice(1);
          if (p.text === "/") continue;
          for (const piece of pieces) {
            if (piece !== "") segs.push({ kind: "static", text: this.#fold(piece) });
          }
          if (p.text.endsWith("/") && this.#strict) segs.push({ kind: "static", text: "" });
        } else if (p.kind === PART_PARAM) {
          const flags = this.#sensitive ? "" : "i";
          const regex = p.source === null ? null : new RegExp(`^(?:${p.source})$`, flags);
          segs.push({ kind: "param", name: p.name, regex });
        } else {
          segs.push({ kind: "wildcard", name: p.name });
        }
      }
      this.#routes.push({ method, segs, value });
    }
  }

  #fold(s: string): string {
    return this.#sensitive ? s : s.toLowerCase();
  }

  match(method: string, path: string): RouteMatch<T> | null {
    if (!this.#strict && path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
    const segs = path === "/" ? [] : path.slice(1).split("/");
    let best:
      | { rank: number[]; pref: number; route: NaiveRoute<T>; raw: Map<string, string> }
      | null = null;
    for (const route of this.#routes) {
      const pref = route.method === method
        ? 0
        : method === "HEAD" && route.method === "GET"
        ? 1
        : route.method === null
        ? 2
        : -1;
      if (pref === -1) continue;
      const found = this.#try(route, segs);
      if (found === null) continue;
      const cmp = best === null ? -1 : compareRanks(found.rank, best.rank);
      if (cmp < 0 || (cmp === 0 && pref < best!.pref)) {
        best = { rank: found.rank, pref, route, raw: found.raw };
      }
    }
    if (best === null) return null;
    const params: Record<string, string> = {};
    for (const [name, raw] of best.raw) params[name] = decode(raw, name);
    return { value: best.route.value, params, captures: null };
  }

  #try(route: NaiveRoute<T>, segs: string[]): { rank: number[]; raw: Map<string, string> } | null {
    const rank: number[] = [];
    const raw = new Map<string, string>();
    const parts = route.segs;
    let i = 0;
    for (; i < parts.length; i++) {
      const part = parts[i];
      if (part.kind === "static") {
        if (i >= segs.length || this.#fold(segs[i]) !== part.text) return null;
        rank.push(0);
      } else if (part.kind === "param") {
        if (i >= segs.length || segs[i] === "") return null;
        if (part.regex !== null && !part.regex.test(decode(segs[i], part.name))) return null;
        rank.push(part.regex === null ? 2 : 1);
        raw.set(part.name, segs[i]);
      } else {
        if (i === segs.length) {
          if (this.#strict) return null;
          raw.set(part.name, "");
        } else {
          raw.set(part.name, segs.slice(i).join("/"));
        }
        rank.push(3);
        return { rank, raw };
      }
    }
    if (i !== segs.length) return null;
    rank.push(-1); // ending here beats going on
    return { rank, raw };
  }
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function decode(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(
      400,
      `Cannot decode path parameter "${name}": malformed percent-encoding in "${raw}"`,
    );
  }
}
