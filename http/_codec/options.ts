/**
 * The one family of option validators: every numeric option of the parser, `serve`,
 * `inject`, `shutdown` and the `Client` is checked here, with one message style:
 * "Cannot serve: maxHeaderBytes must be an integer >= 1, got 0". A value of the wrong
 * type is a TypeError; a number out of range, NaN, or a fraction where a whole number is
 * needed, a RangeError.
 *
 * @module
 */

import { kindOf } from "./error_text.ts";

/** What a numeric option may hold. */
export interface NumberRule {
  /** Smallest value allowed. */
  min: number;
  /** Largest value allowed. @default {Infinity} */
  max?: number;
  /** Whether it must be a whole number (Infinity still passes when `max` allows it). */
  integer: boolean;
}

/** A count or a size: a whole number from 1 up (Infinity allowed). */
export const POSITIVE_INTEGER: NumberRule = { min: 1, integer: true };
/** A count or a size where 0 means "none" or "off": a whole number from 0 up. */
export const NON_NEGATIVE_INTEGER: NumberRule = { min: 0, integer: true };
/** A duration in milliseconds, 0 (off) or more, fractions allowed. */
export const DURATION: NumberRule = { min: 0, integer: false };

/**
 * Checks a numeric option and returns it, or `fallback` when it is undefined.
 *
 * @param action What the caller was doing, for the message ("serve", "create Client").
 * @param name The option's name.
 * @param value The value given.
 * @param fallback The default.
 * @param rule The range and whether it must be whole.
 * @returns The value to use.
 */
export function numberOption(
  action: string,
  name: string,
  value: unknown,
  fallback: number,
  rule: NumberRule,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, got ${kindOf(value)}`);
  }
  const max = rule.max ?? Infinity;
  if (
    !(value >= rule.min && value <= max) ||
    (rule.integer && value !== Infinity && !Number.isInteger(value))
  ) {
    const what = rule.integer ? "an integer" : "a number";
    const range = max === Infinity ? `>= ${rule.min}` : `from ${rule.min} to ${max}`;
    throw new RangeError(`Cannot ${action}: ${name} must be ${what} ${range}, got ${value}`);
  }
  return value;
}

/**
 * Checks that an option is a function (or undefined, giving `fallback`).
 *
 * @param action What the caller was doing, for the message.
 * @param name The option's name.
 * @param value The value given.
 * @param fallback The default.
 * @returns The function to use.
 */
export function functionOption<T>(action: string, name: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "function") {
    throw new TypeError(`Cannot ${action}: ${name} must be a function, got ${kindOf(value)}`);
  }
  return value as T;
}
