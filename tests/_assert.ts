import assert from "node:assert/strict";

const decoder = new TextDecoder();

/** Asserts two byte arrays are equal, showing both as text on failure. */
export function assertBytes(actual: Uint8Array, expected: Uint8Array, message?: string): void {
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return;
  assert.equal(decoder.decode(actual), decoder.decode(expected), message ?? "bytes differ");
  assert.deepEqual(actual, expected, message ?? "bytes differ");
}

/** Bytes of a latin1 string, one byte per char (how the conformance corpus stores bytes). */
export function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A latin1 string from bytes, one char per byte. */
export function textOf(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

export { assert };
