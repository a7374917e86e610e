/**
 * Comparing secrets without leaking where they differ (internal): both sides are hashed
 * with SHA-256 first, so the comparison always runs over 32 bytes whatever the lengths,
 * and every byte is looked at (Hono's `timingSafeEqual` does the same).
 *
 * @module
 */

const encoder = new TextEncoder();

/** Whether `a` and `b` are equal, in time that does not depend on where they differ. */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  const left = new Uint8Array(x);
  const right = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= left[i] ^ right[i];
  return diff === 0 && a.length === b.length;
}
