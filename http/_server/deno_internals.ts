/**
 * Reaching Deno's internal fields, which its Web classes keep under unexported symbols.
 * Only the load-time probes of `request.ts` and `response_parts.ts` use this: they look
 * each symbol up by its description, check every shape and behaviour they rely on, and
 * fall back to the public constructors and getters when anything differs (README,
 * "Deno internals, guarded").
 *
 * @module
 */

/**
 * The own symbol-keyed property of `object` whose symbol has the description `name`
 * (Deno's internal fields are such symbols, e.g. `[[webidl.brand]]`).
 *
 * @param object Where to look (an instance or a prototype).
 * @param name The symbol's description.
 * @returns The symbol, or undefined when `object` has none by that name.
 */
export function symbolNamed(object: object, name: string): symbol | undefined {
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (symbol.description === name) return symbol;
  }
  return undefined;
}
