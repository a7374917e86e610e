/**
 * `multipart/byteranges` (RFC 9110 §14.6): the body of a 206 answering several ranges,
 * as pieces for the file stream with its exact length known up front.
 *
 * @module
 */

import type { ByteRange } from "./range.ts";
import type { Piece } from "./file_stream.ts";

const encoder = new TextEncoder();

/** A multipart body: its Content-Type, its length, and the pieces that make it. */
export interface Multipart {
  contentType: string;
  length: number;
  pieces: Piece[];
}

/** A boundary of 32 random hex digits: no file byte sequence can be chosen to match it. */
function boundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/**
 * Lays out the parts for `ranges` of a representation of `size` bytes and `type`.
 *
 * @param ranges The ranges, in the order to send.
 * @param size The representation's size.
 * @param type Its Content-Type.
 * @returns The multipart body.
 */
export function multipartByteranges(
  ranges: readonly ByteRange[],
  size: number,
  type: string,
): Multipart {
  const mark = boundary();
  const pieces: Piece[] = [];
  let length = 0;
  for (let i = 0; i < ranges.length; i++) {
    const { start, end } = ranges[i];
    const head = encoder.encode(
      `${i === 0 ? "" : "\r\n"}--${mark}\r\ncontent-type: ${type}\r\n` +
        `content-range: bytes ${start}-${end}/${size}\r\n\r\n`,
    );
    pieces.push(head, { start, end: end + 1 });
    length += head.length + end + 1 - start;
  }
  const tail = encoder.encode(`\r\n--${mark}--\r\n`);
  pieces.push(tail);
  length += tail.length;
  return { contentType: `multipart/byteranges; boundary=${mark}`, length, pieces };
}
