/**
 * Masking (RFC 6455 §5.3): payload byte i is XORed with byte (i mod 4) of the frame's
 * masking key. Done in place, four bytes at a time over the aligned middle of long
 * payloads; short payloads take the byte loop (a typed-array view costs more than it
 * saves under about 32 bytes). Client mask keys come from `crypto.getRandomValues` in
 * batches of 256 keys.
 *
 * @module
 */

/** Whether this machine stores the low byte of a word first (x86, ARM in practice). */
const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Below this many bytes the byte loop is faster than making an Int32Array view. */
const WORD_LOOP_MIN = 32;

/**
 * XORs `buf[start..end)` with the key `k0 k1 k2 k3`, the first byte taking key byte
 * `phase` (the payload position of `buf[start]`, mod 4).
 *
 * @param buf The bytes, changed in place.
 * @param start First byte.
 * @param end End (exclusive).
 * @param key The four key bytes, packed big-endian (k0 is the top byte).
 * @param phase Which key byte `buf[start]` uses (0 to 3).
 */
export function applyMask(
  buf: Uint8Array,
  start: number,
  end: number,
  key: number,
  phase: number,
): void {
  let i = start;
  let p = phase & 3;
  if (end - start >= WORD_LOOP_MIN) {
    // Bytes up to a 4-byte boundary of the underlying buffer.
    while (((buf.byteOffset + i) & 3) !== 0) {
      buf[i] ^= key >>> (24 - 8 * p);
      p = (p + 1) & 3;
      i++;
    }
    const words = (end - i) >>> 2;
    // The word whose first byte takes key byte p, in memory order.
    const rotated = p === 0 ? key : ((key << (8 * p)) | (key >>> (32 - 8 * p)));
    const word = LITTLE_ENDIAN ? swap32(rotated) : rotated;
    const view = new Int32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] ^= word;
    i += words << 2;
  }
  for (; i < end; i++) {
    buf[i] ^= key >>> (24 - 8 * p);
    p = (p + 1) & 3;
  }
}

function swap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

const KEYS_PER_BATCH = 256;
const keys = new Uint32Array(KEYS_PER_BATCH);
let nextKey = KEYS_PER_BATCH;

/**
 * A fresh random masking key (RFC 6455 §5.3: unpredictable, from a strong source),
 * taken from a batch filled by `crypto.getRandomValues`.
 *
 * @returns 32 random bits as an unsigned integer.
 */
export function maskKey(): number {
  if (nextKey === KEYS_PER_BATCH) {
    crypto.getRandomValues(keys);
    nextKey = 0;
  }
  return keys[nextKey++];
}
