/**
 * The conformance client's frame codec (RFC 6455 §5.2), with full control over what goes
 * out: any opcode, FIN, RSV bits, masked or not, a declared length that lies, and a
 * decoder for what the server sends that reports every violation instead of repairing it.
 *
 * @module
 */

/** Opcodes (RFC 6455 §5.2, §11.8). */
export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** One frame to put on the wire. */
export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array;
  /** @default true */
  fin?: boolean;
  /** The three RSV bits as one number, RSV1 the highest (Autobahn's `rsv`): 4 = RSV1. @default 0 */
  rsv?: number;
  /** Clients must mask (RFC 6455 §5.3); `false` sends the payload bare. @default true */
  mask?: boolean;
  /** Writes this length in the header instead of the payload's own (a lying frame). */
  declaredLength?: number;
  /** Forces the 64-bit length form with this value (high bit tests). */
  length64?: bigint;
}

/** A frame received from the server. */
export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
}

/** Applies (or removes) a masking key in place, four bytes at a time where aligned. */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0): void {
  let i = 0;
  const n = data.length;
  if ((data.byteOffset & 3) === 0 && n >= 16 && offset === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, n >>> 2);
    const k = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    for (let w = 0; w < words.length; w++) words[w] ^= k;
    i = words.length << 2;
  }
  for (; i < n; i++) data[i] ^= key[(i + offset) & 3];
}

/** Encodes one frame; `maskKey` is used when the frame is masked. */
export function encodeFrame(spec: FrameSpec, maskKey: Uint8Array): Uint8Array {
  const payload = spec.payload ?? new Uint8Array(0);
  const masked = spec.mask ?? true;
  const length = spec.declaredLength ?? payload.length;
  let header = 2;
  if (spec.length64 !== undefined || length > 0xffff) header += 8;
  else if (length > 125) header += 2;
  if (masked) header += 4;
  const out = new Uint8Array(header + payload.length);
  out[0] = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0xf);
  let at = 2;
  const view = new DataView(out.buffer);
  if (spec.length64 !== undefined || length > 0xffff) {
    out[1] = 127;
    view.setBigUint64(2, spec.length64 ?? BigInt(length));
    at = 10;
  } else if (length > 125) {
    out[1] = 126;
    view.setUint16(2, length);
    at = 4;
  } else {
    out[1] = length;
  }
  if (masked) {
    out[1] |= 0x80;
    out.set(maskKey.subarray(0, 4), at);
    at += 4;
  }
  out.set(payload, at);
  if (masked) applyMask(out.subarray(at), maskKey);
  return out;
}

/** A close frame's payload: a code (unless undefined) and raw reason bytes. */
export function closePayload(code?: number, reason?: Uint8Array): Uint8Array {
  if (code === undefined) return reason ?? new Uint8Array(0);
  const out = new Uint8Array(2 + (reason?.length ?? 0));
  out[0] = code >> 8;
  out[1] = code & 0xff;
  if (reason) out.set(reason, 2);
  return out;
}

/** Largest frame the decoder accepts from a server before calling it a violation. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/**
 * Incremental decoder for server frames. `push()` bytes in any pieces; `next()` returns a
 * whole frame, `null` when more bytes are needed, or throws a `FrameError` naming the
 * first violation of RFC 6455 §5.2 it sees (the decoder then stays broken).
 */
export class FrameDecoder {
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#buffered += bytes.length;
  }

  /** Copies `n` bytes from the front without consuming them (n <= buffered). */
  #peek(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let at = 0;
    for (const chunk of this.#chunks) {
      const take = Math.min(chunk.length, n - at);
      out.set(chunk.subarray(0, take), at);
      at += take;
      if (at === n) break;
    }
    return out;
  }

  #consume(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.#chunks[0];
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const chunk = this.#chunks[0];
        const take = Math.min(chunk.length, n - at);
        out.set(chunk.subarray(0, take), at);
        at += take;
        if (take === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(take);
      }
    }
    this.#buffered -= n;
    return out;
  }

  next(): Frame | null {
    if (this.#buffered < 2) return null;
    const head = this.#peek(Math.min(this.#buffered, 14));
    const b0 = head[0];
    const b1 = head[1];
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let at = 2;
    if (length === 126) {
      if (head.length < 4) return null;
      length = (head[2] << 8) | head[3];
      at = 4;
    } else if (length === 127) {
      if (head.length < 10) return null;
      const big = new DataView(head.buffer, head.byteOffset, 10).getBigUint64(2);
      if (big > BigInt(MAX_FRAME_BYTES)) {
        throw new FrameError(`Frame of ${big} bytes from the server exceeds the client's limit`);
      }
      length = Number(big);
      at = 10;
    }
    const keyAt = at;
    if (masked) at += 4;
    if (this.#buffered < at + length) return null;
    const header = this.#consume(at);
    const payload = this.#consume(length).slice();
    if (masked) applyMask(payload, header.subarray(keyAt, keyAt + 4));
    return { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0xf, masked, payload };
  }
}

/** A violation of the protocol by the server, found while decoding what it sent. */
export class FrameError extends Error {
  constructor(message: string, readonly code = 1002) {
    super(message);
    this.name = "FrameError";
  }
}
