/**
 * Test helpers for the frame codec: a naive frame encoder written from RFC 6455 §5.2
 * (independent of the writer under test), and a collector that feeds a FrameParser whole,
 * split at a byte, or one byte at a time, and reduces what it reports to messages,
 * control frames and errors, so the three feeds can be compared.
 *
 * @module
 */

import {
  FRAME_CONTROL,
  FRAME_DATA,
  FRAME_ERROR,
  FRAME_NEED_MORE,
  FrameParser,
  type FrameParserOptions,
} from "../../../http/_websocket/frame_parser.ts";
import { isUtf8 } from "../../../http/_websocket/utf8.ts";

const encoder = new TextEncoder();

/** One frame to encode. */
export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  /** FIN; default true. */
  fin?: boolean;
  /** RSV bits as 0-7 (4: RSV1, 2: RSV2, 1: RSV3). */
  rsv?: number;
  /** The masking key, or null for an unmasked frame; default a fixed key. */
  mask?: number | null;
  /** Force a length form: 7, 16 or 64 bits (non-minimal forms for tests). */
  lengthBits?: 7 | 16 | 64;
  /** Announce this length instead of the payload's. */
  announce?: number;
}

/** A fixed masking key for reproducible bytes. */
export const KEY = 0x37fa213d;

/** Encodes one frame. */
export function frame(spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === "string"
    ? encoder.encode(spec.payload)
    : spec.payload ?? new Uint8Array(0);
  const length = spec.announce ?? payload.length;
  const bits = spec.lengthBits ?? (length < 126 ? 7 : length < 65536 ? 16 : 64);
  const mask = spec.mask === undefined ? KEY : spec.mask;
  const head: number[] = [((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode];
  const maskBit = mask === null ? 0 : 0x80;
  if (bits === 7) head.push(maskBit | length);
  else if (bits === 16) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const high = Math.floor(length / 2 ** 32);
    for (let i = 3; i >= 0; i--) head.push((high >>> (8 * i)) & 0xff);
    for (let i = 3; i >= 0; i--) head.push((length >>> (8 * i)) & 0xff);
  }
  const keyBytes = mask === null
    ? []
    : [mask >>> 24, (mask >>> 16) & 0xff, (mask >>> 8) & 0xff, mask & 0xff];
  const out = new Uint8Array(head.length + keyBytes.length + payload.length);
  out.set(head, 0);
  out.set(keyBytes, head.length);
  const at = head.length + keyBytes.length;
  for (let i = 0; i < payload.length; i++) {
    out[at + i] = mask === null ? payload[i] : payload[i] ^ keyBytes[i & 3];
  }
  return out;
}

/** Joins byte arrays. */
export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A close frame's payload. */
export function closeBody(code: number, reason = ""): Uint8Array {
  return join(new Uint8Array([code >> 8, code & 0xff]), encoder.encode(reason));
}

/** What a parser reported, reduced to what does not depend on how the bytes were cut. */
export type Outcome =
  | { type: "message"; opcode: number; compressed: boolean; data: number[] }
  | { type: "control"; opcode: number; data: number[]; closeCode?: number }
  | { type: "error"; code: number };

/**
 * Feeds `chunks` (copied: the parser unmasks in place) to a parser and collects the
 * outcomes. A whole text message in one chunk is checked here as the session does it
 * (the parser leaves it to a fatal TextDecoder): invalid → error 1007.
 */
export function collect(options: FrameParserOptions, chunks: Uint8Array[]): Outcome[] {
  const parser = new FrameParser(options);
  const out: Outcome[] = [];
  let message: Uint8Array[] = [];
  for (const original of chunks) {
    const data = original.slice();
    let pos = 0;
    for (let guard = 0; guard < 100_000; guard++) {
      const event = parser.execute(data, pos, data.length);
      pos = parser.offset;
      if (event === FRAME_NEED_MORE) break;
      if (event === FRAME_ERROR) {
        out.push({ type: "error", code: parser.errorCode });
        return out;
      }
      if (event === FRAME_CONTROL) {
        const control: Outcome = {
          type: "control",
          opcode: parser.controlOpcode,
          data: [...parser.control],
        };
        if (parser.controlOpcode === 8) control.closeCode = parser.closeCode;
        out.push(control);
        continue;
      }
      if (event === FRAME_DATA) {
        const chunk = data.subarray(parser.payloadStart, parser.payloadEnd);
        if (parser.opcode === 1 && !parser.compressed && !parser.textChecked && !isUtf8(chunk)) {
          out.push({ type: "error", code: 1007 });
          return out;
        }
        message.push(chunk.slice());
        if (parser.last) {
          out.push({
            type: "message",
            opcode: parser.opcode,
            compressed: parser.compressed,
            data: Array.from(join(...message)),
          });
          message = [];
        }
      }
    }
  }
  return out;
}

/**
 * The three ways of feeding `bytes`: whole, split at every byte, one byte at a time. Past
 * 512 bytes the split points are every byte of the first 64 and last 64 (heads and
 * ends), and every 509th in between.
 */
export function splits(bytes: Uint8Array): { name: string; chunks: Uint8Array[] }[] {
  const ways = [{ name: "whole", chunks: [bytes] }];
  const n = bytes.length;
  for (let at = 1; at < n; at++) {
    if (n > 512 && at > 64 && at < n - 64 && at % 509 !== 0) continue;
    ways.push({ name: `split at ${at}`, chunks: [bytes.subarray(0, at), bytes.subarray(at)] });
  }
  const bytewise: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) bytewise.push(bytes.subarray(i, i + 1));
  ways.push({ name: "byte by byte", chunks: bytewise });
  return ways;
}
