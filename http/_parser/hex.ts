/**
 * How the parser's error messages name a byte: `0x47`, so that a control byte or a
 * non-ASCII byte reads the same as any other ("Cannot parse chunk size: byte 0x47").
 *
 * @module
 */

/** `byte` as two lower-case hex digits after `0x`. */
export function hex(byte: number): string {
  return "0x" + byte.toString(16).padStart(2, "0");
}
