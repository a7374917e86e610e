import { fromBase64Url, toBase64Url } from "./_base64url.ts";

/**
 * Keys for signing cookie values with HMAC-SHA256 through WebCrypto, newest first, as
 * Koa's `app.keys` (keygrip): {@linkcode SigningKeys.sign} uses the first key and
 * {@linkcode SigningKeys.verify} accepts a signature made by any of them, so a new key
 * can be put in front while values signed with the old ones still verify (key
 * rotation). Keys are imported once, on first use.
 *
 * Use long random keys (32 bytes from `crypto.getRandomValues` is plenty); anyone who
 * knows a key can forge values.
 *
 * @example Sign, verify and rotate
 * ```ts
 * import { SigningKeys } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const old = new SigningKeys(["old secret"]);
 * const signature = await old.sign("sid=42");
 * assert.equal(await old.verify("sid=42", signature), 0);
 * assert.equal(await old.verify("sid=43", signature), -1);
 *
 * const rotated = new SigningKeys(["new secret", "old secret"]);
 * assert.equal(await rotated.verify("sid=42", signature), 1); // still valid, signed by an older key
 * assert.equal(await rotated.verify("sid=42", await rotated.sign("sid=42")), 0);
 * ```
 */
export class SigningKeys {
  #material: Uint8Array<ArrayBuffer>[];
  #keys: (Promise<CryptoKey> | undefined)[];

  /**
   * Creates a key ring.
   *
   * @param keys The keys, newest first: strings (UTF-8) or bytes; at least one.
   */
  constructor(keys: readonly (string | Uint8Array)[]) {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new TypeError("Cannot create SigningKeys: give at least one key");
    }
    const encoder = new TextEncoder();
    this.#material = keys.map((key, i) => {
      if (typeof key === "string" && key !== "") return encoder.encode(key);
      if (key instanceof Uint8Array && key.length > 0) return new Uint8Array(key);
      throw new TypeError(`Cannot create SigningKeys: key ${i} is not a non-empty string or bytes`);
    });
    this.#keys = new Array(keys.length).fill(undefined);
  }

  /** How many keys the ring holds. */
  get size(): number {
    return this.#material.length;
  }

  /**
   * Signs `data` with the newest key.
   *
   * @param data The text to sign.
   * @returns The HMAC-SHA256 signature, base64url without padding (43 characters).
   */
  async sign(data: string): Promise<string> {
    const mac = await crypto.subtle.sign(
      "HMAC",
      await this.#key(0),
      new TextEncoder().encode(data),
    );
    return toBase64Url(new Uint8Array(mac));
  }

  /**
   * Finds the key that signed `data`, newest first; the comparison is WebCrypto's own
   * (`crypto.subtle.verify`), which does not leak where two MACs differ.
   *
   * @param data The text that was signed.
   * @param signature The signature, base64url.
   * @returns The index of the key that made `signature`, or -1 when none did (or it is
   * not base64url).
   */
  async verify(data: string, signature: string): Promise<number> {
    const mac = fromBase64Url(signature);
    if (mac === null || mac.length !== 32) return -1;
    const bytes = new TextEncoder().encode(data);
    for (let i = 0; i < this.#material.length; i++) {
      if (
        await crypto.subtle.verify(
          "HMAC",
          await this.#key(i),
          mac as Uint8Array<ArrayBuffer>,
          bytes,
        )
      ) {
        return i;
      }
    }
    return -1;
  }

  #key(i: number): Promise<CryptoKey> {
    return this.#keys[i] ??= crypto.subtle.importKey(
      "raw",
      this.#material[i],
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }
}
