/**
 * Words for values in error messages: what an error says, and what kind of value a
 * caller handed over instead of the one expected.
 *
 * @module
 */

/** An error's message, or any other thrown value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What kind of value `value` is, for "expected X, got Y" messages: "null", "a string", "an object (Map)". */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `a ${typeof value}`;
}
