/**
 * Messages from data frames: a whole message in one chunk is delivered from the read
 * buffer (text decoded with a fatal decoder, which also validates it; bytes copied once);
 * a frame that arrives in pieces gets a buffer of its announced length, which reads may
 * fill directly (session.ts); fragments are joined at the end; a compressed message is
 * inflated (asynchronously: `inflating` holds the reader back meanwhile).
 *
 * @module
 */

import { CLOSE_INVALID_DATA } from "./close_code.ts";
import type { PerMessageDeflate } from "./deflate.ts";
import { type FrameParser, OP_BINARY, OP_TEXT } from "./frame_parser.ts";

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Who gets the messages. */
export interface MessageSink {
  /** Whether messages are still delivered (the socket is open). */
  readonly acceptsMessages: boolean;
  /** A message: text, or an exact-length Uint8Array the receiver may keep. */
  messageAssembled(data: string | Uint8Array): void;
  /** The message broke a rule (invalid UTF-8: 1007; inflate errors: 1007, 1009). */
  messageFailed(code: number, message: string): void;
}

/** Assembles the messages of one connection. */
export class MessageAssembler {
  /** The current frame's buffer while it arrives in pieces. */
  frameBuf: Uint8Array | null = null;
  /** Bytes of `frameBuf` filled. */
  frameFill = 0;
  /** The inflation under way; reading waits for it. */
  inflating: Promise<void> | null = null;

  readonly #parser: FrameParser;
  readonly #deflate: PerMessageDeflate | null;
  readonly #sink: MessageSink;
  #parts: Uint8Array[] = [];

  /**
   * @param parser The parser whose FRAME_DATA events come in.
   * @param deflate The decompressor, when permessage-deflate is in force.
   * @param sink Who gets the messages.
   */
  constructor(parser: FrameParser, deflate: PerMessageDeflate | null, sink: MessageSink) {
    this.#parser = parser;
    this.#deflate = deflate;
    this.#sink = sink;
  }

  /**
   * Takes a chunk of a data frame (`buf` may be `frameBuf` itself after a direct read).
   *
   * @param buf The bytes.
   * @param start First payload byte.
   * @param end End (exclusive).
   */
  data(buf: Uint8Array, start: number, end: number): void {
    const parser = this.#parser;
    // Once closing, messages are not delivered (WHATWG), nor kept or inflated.
    const keep = this.#sink.acceptsMessages;
    if (parser.first && parser.last) {
      if (!keep) return;
      if (parser.compressed) this.#inflate(parser.opcode, [buf.slice(start, end)]);
      else if (parser.opcode === OP_TEXT) this.#text(buf.subarray(start, end), false);
      else this.#sink.messageAssembled(buf.slice(start, end));
      return;
    }
    if (parser.frameFirst) {
      if (parser.remaining === 0) {
        if (keep && end > start) this.#parts.push(buf.slice(start, end));
      } else {
        this.frameBuf = keep ? new Uint8Array(parser.frameLength) : null;
        this.frameFill = 0;
      }
    }
    const frameBuf = this.frameBuf;
    if (frameBuf !== null && !(parser.frameFirst && parser.remaining === 0)) {
      if (buf !== frameBuf) frameBuf.set(buf.subarray(start, end), this.frameFill);
      this.frameFill += end - start;
      if (parser.remaining === 0) {
        this.#parts.push(frameBuf);
        this.frameBuf = null;
      }
    }
    if (!parser.last) return;
    const parts = this.#parts;
    this.#parts = [];
    if (!keep) return;
    if (parser.compressed) {
      this.#inflate(parser.opcode, parts);
      return;
    }
    const bytes = parts.length === 1 ? parts[0] : concat(parts);
    // The parser checked the UTF-8 of a message it saw in pieces.
    if (parser.opcode === OP_TEXT) this.#text(bytes, true);
    else this.#sink.messageAssembled(bytes);
  }

  /** Drops a message in progress. */
  reset(): void {
    this.#parts = [];
    this.frameBuf = null;
  }

  #text(bytes: Uint8Array, checked: boolean): void {
    let text: string;
    if (checked) {
      text = decoder.decode(bytes);
    } else {
      try {
        text = strictDecoder.decode(bytes);
      } catch {
        this.#sink.messageFailed(CLOSE_INVALID_DATA, "Invalid UTF-8 in a text message");
        return;
      }
    }
    this.#sink.messageAssembled(text);
  }

  #inflate(opcode: number, parts: Uint8Array[]): void {
    this.inflating = this.#deflate!.decompress(parts).then((bytes) => {
      this.inflating = null;
      if (!this.#sink.acceptsMessages) return;
      if (opcode === OP_TEXT) this.#text(bytes, false);
      else if (opcode === OP_BINARY) this.#sink.messageAssembled(bytes);
    }, (error) => {
      this.inflating = null;
      this.#sink.messageFailed(error.code, error.message);
    });
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
