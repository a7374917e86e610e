/**
 * Signed cookie values (internal): `value.signature`, where the signature is the
 * base64url HMAC-SHA256 of `name=value` (the name is signed too, as keygrip does for
 * Koa, so a value signed for one cookie is not valid in another).
 *
 * @module
 */

import { SigningKeys } from "./signing_keys.ts";

/** Keys as the public functions take them. */
export type KeysInput = SigningKeys | readonly (string | Uint8Array)[] | string;

/** `keys` as a key ring (a new one for a list or a string). */
export function toSigningKeys(keys: KeysInput, where: string): SigningKeys {
  if (keys instanceof SigningKeys) return keys;
  if (typeof keys === "string") return new SigningKeys([keys]);
  if (Array.isArray(keys)) return new SigningKeys(keys);
  throw new TypeError(`Cannot ${where}: keys must be SigningKeys, a list of keys or a string`);
}

/** The signed form of `value` for the cookie `name`. */
export async function signValue(keys: SigningKeys, name: string, value: string): Promise<string> {
  return value + "." + await keys.sign(name + "=" + value);
}

/** What a signed value verified to: the value and the index of the key that signed it. */
export interface Verified {
  value: string;
  keyIndex: number;
}

/** The value inside `signed` when its signature verifies, or undefined. */
export async function verifyValue(
  keys: SigningKeys,
  name: string,
  signed: string,
): Promise<Verified | undefined> {
  const dot = signed.lastIndexOf(".");
  if (dot === -1) return undefined;
  const value = signed.slice(0, dot);
  const keyIndex = await keys.verify(name + "=" + value, signed.slice(dot + 1));
  return keyIndex === -1 ? undefined : { value, keyIndex };
}
