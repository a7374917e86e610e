/**
 * A DEFLATE decoder (RFC 1951) for the permessage-deflate side of the client (RFC 7692
 * §7.2.2). It is written out rather than taken from zlib so it can check what zlib
 * never would: that the server keeps to the window it negotiated
 * (`server_max_window_bits`) and, under `server_no_context_takeover`, never reaches back
 * into an earlier message.
 *
 * The decoding follows the structure of zlib's `contrib/puff` (canonical Huffman codes
 * decoded one bit at a time from count and symbol tables).
 *
 * @module
 */

const MAX_BITS = 15;

const LENGTH_BASE = [
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  15,
  17,
  19,
  23,
  27,
  31,
  35,
  43,
  51,
  59,
  67,
  83,
  99,
  115,
  131,
  163,
  195,
  227,
  258,
];
const LENGTH_EXTRA = [
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
];
const DIST_BASE = [
  1,
  2,
  3,
  4,
  5,
  7,
  9,
  13,
  17,
  25,
  33,
  49,
  65,
  97,
  129,
  193,
  257,
  385,
  513,
  769,
  1025,
  1537,
  2049,
  3073,
  4097,
  6145,
  8193,
  12289,
  16385,
  24577,
];
const DIST_EXTRA = [
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
];
/** Order of the code length code lengths in a dynamic block header. */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

export { DIST_BASE, DIST_EXTRA, LENGTH_BASE, LENGTH_EXTRA };

/** Bad compressed data, or data that breaks the negotiated parameters. */
export class InflateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InflateError";
  }
}

interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

function buildHuffman(lengths: ArrayLike<number>, n: number): Huffman {
  const count = new Uint16Array(MAX_BITS + 1);
  const symbol = new Uint16Array(n);
  for (let s = 0; s < n; s++) count[lengths[s]]++;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = (left << 1) - count[len];
    if (left < 0) throw new InflateError("Over-subscribed Huffman code");
  }
  const offs = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offs[len + 1] = offs[len] + count[len];
  for (let s = 0; s < n; s++) if (lengths[s] !== 0) symbol[offs[lengths[s]]++] = s;
  return { count, symbol };
}

const FIXED_LIT = (() => {
  const l = new Uint8Array(288);
  l.fill(8, 0, 144);
  l.fill(9, 144, 256);
  l.fill(7, 256, 280);
  l.fill(8, 280, 288);
  return buildHuffman(l, 288);
})();
const FIXED_DIST = buildHuffman(new Uint8Array(30).fill(5), 30);

/** What one message's decoding may reach back to. */
export interface InflaterOptions {
  /** Largest distance allowed: 2^server_max_window_bits. @default 32768 */
  windowBits?: number;
  /** Whether history from earlier messages may be referenced. @default true */
  contextTakeover?: boolean;
}

/**
 * Decodes one message at a time: `inflate(payload)` takes the message's compressed bytes
 * (without the 00 00 FF FF tail; it is appended here, RFC 7692 §7.2.2) and returns the
 * message, throwing `InflateError` on malformed data or a reference outside the window.
 */
export class Inflater {
  readonly #window: number;
  readonly #context: boolean;
  #history = new Uint8Array(0);
  // Bit reader state.
  #in = new Uint8Array(0);
  #pos = 0;
  #bitBuf = 0;
  #bitCnt = 0;
  // Output: history (kept for context takeover) followed by this message.
  #out = new Uint8Array(0);
  #outLen = 0;
  #start = 0;

  constructor(options: InflaterOptions = {}) {
    this.#window = 1 << (options.windowBits ?? 15);
    this.#context = options.contextTakeover ?? true;
  }

  inflate(payload: Uint8Array): Uint8Array {
    const input = new Uint8Array(payload.length + 4);
    input.set(payload);
    input.set([0, 0, 0xff, 0xff], payload.length);
    this.#in = input;
    this.#pos = 0;
    this.#bitBuf = 0;
    this.#bitCnt = 0;
    const history = this.#context ? this.#history : new Uint8Array(0);
    this.#out = new Uint8Array(Math.max(1024, history.length + payload.length * 4));
    this.#out.set(history);
    this.#start = history.length;
    this.#outLen = history.length;
    let last = false;
    while (!last) {
      // The message ends at a block boundary with every input byte used (the tail is an
      // empty stored block, so the stream is byte-aligned there).
      if (this.#pos >= input.length && this.#bitCnt < 8) break;
      last = this.#bits(1) === 1;
      const type = this.#bits(2);
      if (type === 0) this.#stored();
      else if (type === 1) this.#codes(FIXED_LIT, FIXED_DIST);
      else if (type === 2) this.#dynamic();
      else throw new InflateError("Invalid block type 3");
    }
    const message = this.#out.slice(this.#start, this.#outLen);
    if (this.#context) {
      const keep = Math.min(this.#window, this.#outLen);
      this.#history = this.#out.slice(this.#outLen - keep, this.#outLen);
    }
    return message;
  }

  #bits(need: number): number {
    let val = this.#bitBuf;
    while (this.#bitCnt < need) {
      if (this.#pos >= this.#in.length) throw new InflateError("Compressed data ends mid-block");
      val |= this.#in[this.#pos++] << this.#bitCnt;
      this.#bitCnt += 8;
    }
    this.#bitBuf = val >>> need;
    this.#bitCnt -= need;
    return val & ((1 << need) - 1);
  }

  #emit(byte: number): void {
    if (this.#outLen === this.#out.length) {
      const grown = new Uint8Array(this.#out.length * 2);
      grown.set(this.#out);
      this.#out = grown;
    }
    this.#out[this.#outLen++] = byte;
  }

  #stored(): void {
    this.#bitBuf = 0;
    this.#bitCnt = 0;
    if (this.#pos + 4 > this.#in.length) throw new InflateError("Stored block header cut short");
    const b = this.#in;
    const len = b[this.#pos] | (b[this.#pos + 1] << 8);
    const nlen = b[this.#pos + 2] | (b[this.#pos + 3] << 8);
    if (len !== (~nlen & 0xffff)) throw new InflateError("Stored block length check failed");
    this.#pos += 4;
    if (this.#pos + len > b.length) throw new InflateError("Stored block cut short");
    for (let i = 0; i < len; i++) this.#emit(b[this.#pos + i]);
    this.#pos += len;
  }

  #decode(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= this.#bits(1);
      const count = h.count[len];
      if (code - count < first) return h.symbol[index + (code - first)];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    throw new InflateError("Invalid Huffman code");
  }

  #codes(lit: Huffman, dist: Huffman): void {
    for (;;) {
      const sym = this.#decode(lit);
      if (sym < 256) {
        this.#emit(sym);
        continue;
      }
      if (sym === 256) return;
      const li = sym - 257;
      if (li >= 29) throw new InflateError(`Invalid length symbol ${sym}`);
      const len = LENGTH_BASE[li] + this.#bits(LENGTH_EXTRA[li]);
      const di = this.#decode(dist);
      if (di >= 30) throw new InflateError(`Invalid distance symbol ${di}`);
      const d = DIST_BASE[di] + this.#bits(DIST_EXTRA[di]);
      if (d > this.#window) {
        throw new InflateError(`Distance ${d} exceeds the negotiated window of ${this.#window}`);
      }
      if (!this.#context && d > this.#outLen - this.#start) {
        throw new InflateError(
          `Distance ${d} reaches before the message under no_context_takeover`,
        );
      }
      if (d > this.#outLen) throw new InflateError(`Distance ${d} reaches before the stream start`);
      for (let i = 0; i < len; i++) this.#emit(this.#out[this.#outLen - d]);
    }
  }

  #dynamic(): void {
    const nlen = this.#bits(5) + 257;
    const ndist = this.#bits(5) + 1;
    const ncode = this.#bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError("Bad dynamic block counts");
    const lengths = new Uint8Array(320);
    for (let i = 0; i < ncode; i++) lengths[CLEN_ORDER[i]] = this.#bits(3);
    const lencode = buildHuffman(lengths, 19);
    lengths.fill(0);
    let index = 0;
    while (index < nlen + ndist) {
      let sym = this.#decode(lencode);
      if (sym < 16) {
        lengths[index++] = sym;
        continue;
      }
      let len = 0;
      if (sym === 16) {
        if (index === 0) throw new InflateError("Repeat with no first length");
        len = lengths[index - 1];
        sym = 3 + this.#bits(2);
      } else if (sym === 17) sym = 3 + this.#bits(3);
      else sym = 11 + this.#bits(7);
      if (index + sym > nlen + ndist) throw new InflateError("Too many code lengths");
      while (sym--) lengths[index++] = len;
    }
    if (lengths[256] === 0) throw new InflateError("No end-of-block code");
    const lit = buildHuffman(lengths.subarray(0, nlen), nlen);
    const dist = buildHuffman(lengths.subarray(nlen, nlen + ndist), ndist);
    this.#codes(lit, dist);
  }
}
