/**
 * The Router's verbs (internal): one function per method, installed on
 * `Router.prototype` (the methods of METHODS, `del` and `all`).
 *
 * @module
 */

import type { AnyMiddleware } from "./_chain.ts";
import type { RouterCore } from "./_router_core.ts";
import { labelOf, typeOf } from "./_router_helpers.ts";
import { METHODS } from "./methods.ts";

function verb(cores: WeakMap<object, RouterCore>, method: string | null) {
  return function (this: object, ...args: unknown[]): object {
    let name: string | undefined;
    let path = args[0];
    let middleware = args.slice(1);
    if (
      typeof args[0] === "string" && (typeof args[1] === "string" || args[1] instanceof RegExp)
    ) {
      name = args[0];
      path = args[1];
      middleware = args.slice(2);
    }
    const paths = Array.isArray(path) ? path : [path];
    if (paths.length === 0 || !paths.every((p) => typeof p === "string" || p instanceof RegExp)) {
      throw new TypeError(
        `Cannot add ${method ?? "ALL"} route: the path must be a string, a RegExp or an array ` +
          `of them, got ${typeOf(path)}`,
      );
    }
    const label = labelOf(method, String(paths[0]), name);
    if (name !== undefined && paths.length > 1) {
      throw new TypeError(`Cannot add route ${label}: a named route takes one path`);
    }
    if (middleware.length === 0) {
      throw new TypeError(`Cannot add route ${label}: no middleware given`);
    }
    middleware.forEach((mw, i) => {
      if (typeof mw !== "function") {
        throw new TypeError(`Cannot add route ${label}: middleware ${i} is ${typeOf(mw)}`);
      }
    });
    const core = cores.get(this)!;
    for (const p of paths) core.addRoute(method, p, name, middleware as AnyMiddleware[]);
    return this;
  };
}

/** Installs the verbs on a prototype; `cores` finds each router's core. */
export function installVerbs(prototype: object, cores: WeakMap<object, RouterCore>): void {
  for (const method of METHODS) {
    Object.defineProperty(prototype, method.toLowerCase(), {
      value: verb(cores, method),
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(prototype, "del", { value: verb(cores, "DELETE"), writable: true });
  Object.defineProperty(prototype, "all", { value: verb(cores, null), writable: true });
}
