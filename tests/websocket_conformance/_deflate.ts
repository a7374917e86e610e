/**
 * A small DEFLATE encoder (RFC 1951) for the client's messages under permessage-deflate
 * (RFC 7692 §7.2.1): LZ77 matches found through a hash chain, written with the fixed
 * Huffman code, each message ended by a sync flush whose 00 00 FF FF tail is removed.
 * It keeps to the window the server granted (`client_max_window_bits`) and, with context
 * takeover, reaches back into earlier messages, so a server's decoder is tested on
 * references across messages, not just within one. Compression ratio is not its aim.
 *
 * @module
 */
import { DIST_BASE, DIST_EXTRA, LENGTH_BASE, LENGTH_EXTRA } from "./_inflate.ts";

const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
const MAX_CHAIN = 16;
/** Symbols per fixed-Huffman block before a new block starts (exercises block joins). */
const BLOCK_SYMBOLS = 8192;

/** The encoder's parameters. */
export interface DeflaterOptions {
  /** 2^windowBits is the farthest back a match may reach. @default 15 */
  windowBits?: number;
  /** Keeps earlier messages as the dictionary for the next. @default true */
  contextTakeover?: boolean;
}

class BitWriter {
  buf: Uint8Array;
  len = 0;
  #acc = 0;
  #n = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
  }

  #byte(b: number): void {
    if (this.len === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.len++] = b;
  }

  /** Writes `n` bits of `value`, least significant first (RFC 1951 §3.1.1). */
  bits(value: number, n: number): void {
    this.#acc |= value << this.#n;
    this.#n += n;
    while (this.#n >= 8) {
      this.#byte(this.#acc & 0xff);
      this.#acc >>>= 8;
      this.#n -= 8;
    }
  }

  /** Writes a Huffman code, most significant bit first. */
  code(code: number, n: number): void {
    let rev = 0;
    for (let i = 0; i < n; i++) rev |= ((code >> i) & 1) << (n - 1 - i);
    this.bits(rev, n);
  }

  align(): void {
    if (this.#n > 0) this.bits(0, 8 - this.#n);
  }
}

function writeLiteral(w: BitWriter, sym: number): void {
  if (sym < 144) w.code(0x30 + sym, 8);
  else if (sym < 256) w.code(0x190 + sym - 144, 9);
  else if (sym < 280) w.code(sym - 256, 7);
  else w.code(0xc0 + sym - 280, 8);
}

function writeMatch(w: BitWriter, length: number, distance: number): void {
  let li = 28;
  while (LENGTH_BASE[li] > length) li--;
  writeLiteral(w, 257 + li);
  if (LENGTH_EXTRA[li]) w.bits(length - LENGTH_BASE[li], LENGTH_EXTRA[li]);
  let di = 29;
  while (DIST_BASE[di] > distance) di--;
  w.code(di, 5);
  if (DIST_EXTRA[di]) w.bits(distance - DIST_BASE[di], DIST_EXTRA[di]);
}

/** Compresses messages one at a time; `deflate()` returns the bytes to put in frames. */
export class Deflater {
  readonly #window: number;
  readonly #context: boolean;
  #history = new Uint8Array(0);

  constructor(options: DeflaterOptions = {}) {
    this.#window = 1 << (options.windowBits ?? 15);
    this.#context = options.contextTakeover ?? true;
  }

  deflate(message: Uint8Array): Uint8Array {
    const history = this.#context ? this.#history : new Uint8Array(0);
    const data = new Uint8Array(history.length + message.length);
    data.set(history);
    data.set(message, history.length);
    const head = new Int32Array(1 << HASH_BITS).fill(-1);
    const prev = new Int32Array(data.length);
    const hash = (i: number) =>
      ((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & ((1 << HASH_BITS) - 1);
    const insert = (i: number) => {
      if (i + MIN_MATCH > data.length) return;
      const h = hash(i);
      prev[i] = head[h];
      head[h] = i;
    };
    for (let i = 0; i < history.length; i++) insert(i);

    const w = new BitWriter(message.length + 64);
    let symbols = 0;
    let blockOpen = false;
    const openBlock = () => {
      w.bits(0, 1); // BFINAL = 0: the stream goes on into later messages
      w.bits(1, 2); // BTYPE = 01, fixed Huffman codes
      blockOpen = true;
      symbols = 0;
    };
    const closeBlock = () => {
      writeLiteral(w, 256);
      blockOpen = false;
    };
    let i = history.length;
    while (i < data.length) {
      if (!blockOpen) openBlock();
      let bestLen = 0;
      let bestDist = 0;
      if (i + MIN_MATCH <= data.length) {
        let candidate = head[hash(i)];
        const limit = Math.min(MAX_MATCH, data.length - i);
        for (let chain = 0; candidate >= 0 && chain < MAX_CHAIN; chain++) {
          const dist = i - candidate;
          if (dist > this.#window) break;
          let len = 0;
          while (len < limit && data[candidate + len] === data[i + len]) len++;
          if (len > bestLen) {
            bestLen = len;
            bestDist = dist;
            if (len === limit) break;
          }
          candidate = prev[candidate];
        }
      }
      if (bestLen >= MIN_MATCH) {
        writeMatch(w, bestLen, bestDist);
        for (let k = 0; k < bestLen; k++) insert(i + k);
        i += bestLen;
      } else {
        writeLiteral(w, data[i]);
        insert(i);
        i++;
      }
      if (++symbols >= BLOCK_SYMBOLS) closeBlock();
    }
    if (blockOpen) closeBlock();
    // Sync flush: an empty stored block (RFC 7692 §7.2.1), whose 00 00 FF FF is cut off.
    w.bits(0, 3);
    w.align();
    const out = w.buf.slice(0, w.len);
    if (this.#context) {
      const keep = Math.min(this.#window, data.length);
      this.#history = data.slice(data.length - keep);
    }
    return out;
  }
}
