/**
 * The WebSocket frame parser (RFC 6455 §5): push bytes in, get one event per call, as
 * the HTTP `Parser` does. It is resumable at any byte: the head's fields accumulate in
 * integers, a data frame's payload is handed out as it arrives (unmasked in place, in
 * the caller's buffer), and only a control frame split across reads is copied (into 125
 * bytes of its own). Nothing is allocated per byte or per frame.
 *
 * Every rule of §5 is checked as early as the byte that breaks it: RSV bits (RSV1 only
 * on the first frame of a data message, and only with permessage-deflate), opcodes,
 * continuation order, the mask bit (clients mask, servers do not), control frames (FIN
 * set, at most 125 bytes), the length (minimal encoding, 64-bit MSB clear), maxPayload
 * on the announced length before any payload is buffered (1009), close frame payloads
 * (code, UTF-8 reason), and UTF-8 in text messages, incrementally across fragments,
 * failing at the first byte that cannot start or continue a code point (1007). Errors
 * are sticky and carry the close code to send: 1002, 1007 or 1009.
 *
 * @module
 */

import {
  CLOSE_INVALID_DATA,
  CLOSE_NO_STATUS,
  CLOSE_PROTOCOL_ERROR,
  CLOSE_TOO_BIG,
  isWireCloseCode,
} from "./close_code.ts";
import { applyMask } from "./mask.ts";
import { isUtf8, UTF8_ACCEPT, UTF8_REJECT, utf8Step } from "./utf8.ts";

/** The bytes so far end inside a frame: feed more. */
export const FRAME_NEED_MORE = 0;
/** Payload bytes of a data frame: `data[payloadStart..payloadEnd)`, unmasked. */
export const FRAME_DATA = 1;
/** A whole control frame: `controlOpcode`, `control`, and `closeCode` for a close. */
export const FRAME_CONTROL = 2;
/** The input broke the protocol: `errorCode` and `errorMessage`. Sticky. */
export const FRAME_ERROR = 3;

/** The events of {@linkcode FrameParser.execute}. */
export type FrameEvent =
  | typeof FRAME_NEED_MORE
  | typeof FRAME_DATA
  | typeof FRAME_CONTROL
  | typeof FRAME_ERROR;

const EMPTY = new Uint8Array(0);

/** Opcodes (RFC 6455 §5.2). */
export const OP_CONTINUATION = 0x0;
/** A text message (UTF-8). */
export const OP_TEXT = 0x1;
/** A binary message. */
export const OP_BINARY = 0x2;
/** A close frame. */
export const OP_CLOSE = 0x8;
/** A ping frame. */
export const OP_PING = 0x9;
/** A pong frame. */
export const OP_PONG = 0xa;

// Parser states.
const S_HEAD = 0; // byte 0: FIN, RSV1-3, opcode
const S_LENGTH = 1; // byte 1: MASK, 7-bit length
const S_EXT_LENGTH = 2; // 2 or 8 bytes of extended length
const S_MASK = 3; // 4 bytes of masking key
const S_PAYLOAD = 4; // data frame payload
const S_CONTROL = 5; // control frame payload
const S_ERROR = 6;

/** How a parser is set up for one connection. */
export interface FrameParserOptions {
  /** Whether frames must be masked: true on a server (client frames), false on a client. */
  expectMasked: boolean;
  /** Largest message, in bytes of payload as sent (compressed messages: see below). */
  maxPayload: number;
  /** Whether permessage-deflate was negotiated, so RSV1 may mark a compressed message. */
  deflate: boolean;
}

/**
 * Largest compressed message accepted before inflating: maxPayload plus what deflate's
 * stored blocks add to incompressible data (5 bytes per block of at most 64 KiB, and the
 * sync-flush markers), so a message that inflates to maxPayload always fits.
 */
function compressedLimit(maxPayload: number): number {
  return maxPayload + Math.ceil(maxPayload / 1024) + 1024;
}

/** An incremental, resumable parser of the frames of one connection's direction. */
export class FrameParser {
  /** Index in the caller's `data` where the last `execute` stopped. */
  offset = 0;

  // FRAME_DATA: one chunk of a data frame's payload.
  /** First payload byte of the chunk in the caller's `data`. */
  payloadStart = 0;
  /** End (exclusive) of the chunk. */
  payloadEnd = 0;
  /** The message's opcode: OP_TEXT or OP_BINARY (also on continuation frames). */
  opcode = 0;
  /** Whether the message is compressed (RSV1 on its first frame). */
  compressed = false;
  /** Whether this chunk is the first of its message. */
  first = false;
  /** Whether this chunk completes the message (FIN set and the frame's payload done). */
  last = false;
  /** Whether this chunk is the first of its frame. */
  frameFirst = false;
  /** Payload length of the current data frame. */
  frameLength = 0;
  /** Bytes of the current frame's payload not yet handed out. */
  remaining = 0;
  /**
   * Whether this text chunk was UTF-8 validated here. A whole message in one chunk is
   * not: the caller decodes it with a fatal TextDecoder instead, which validates in
   * native code (and fails with 1007 the same way).
   */
  textChecked = false;

  // FRAME_CONTROL
  /** OP_CLOSE, OP_PING or OP_PONG. */
  controlOpcode = 0;
  /** The control frame's payload (a view, valid until the next `execute`). */
  control: Uint8Array = EMPTY;
  /** A close frame's code, or 1005 when it had none. */
  closeCode = 0;

  // FRAME_ERROR
  /** The close code to send: 1002, 1007 or 1009. */
  errorCode = 0;
  /** What was wrong, short enough to send as a close reason. */
  errorMessage = "";

  readonly #expectMasked: boolean;
  readonly #deflate: boolean;
  readonly #maxPayload: number;
  readonly #maxCompressed: number;

  #state = S_HEAD;
  #b0 = 0;
  #masked = false;
  #need = 0;
  #extended = 0;
  #length = 0;
  #key = 0;
  #phase = 0;
  #fin = false;
  // The data message in progress.
  #inMessage = false;
  #firstPending = false;
  #frameFirstPending = false;
  #messageBytes = 0;
  #utf8 = UTF8_ACCEPT;
  // A control frame split across reads.
  #controlBuf: Uint8Array | null = null;
  #controlFill = 0;

  /**
   * @param options Masking, maxPayload and whether deflate was negotiated.
   */
  constructor(options: FrameParserOptions) {
    this.#expectMasked = options.expectMasked;
    this.#deflate = options.deflate;
    this.#maxPayload = options.maxPayload;
    this.#maxCompressed = compressedLimit(options.maxPayload);
  }

  /** Whether the parser stopped on an error. */
  get failed(): boolean {
    return this.#state === S_ERROR;
  }

  /** Whether the parser is in a data frame's payload (for reading straight into a message). */
  get inDataPayload(): boolean {
    return this.#state === S_PAYLOAD;
  }

  /**
   * Parses `data[start..end)` up to one event and sets `offset` to where it stopped. Data
   * payload is unmasked in place. Call again from `offset` for the next event.
   *
   * @param data The caller's buffer (changed in place: unmasking).
   * @param start First new byte.
   * @param end End (exclusive).
   * @returns One of the `FRAME_*` events.
   */
  execute(data: Uint8Array, start: number, end: number): FrameEvent {
    let p = start;
    for (;;) {
      switch (this.#state) {
        case S_HEAD: {
          if (p >= end) return this.#needMore(p);
          const b = data[p++];
          const op = b & 0x0f;
          if ((b & 0x30) !== 0) return this.#fail(p, CLOSE_PROTOCOL_ERROR, "RSV2 or RSV3 is set");
          const rsv1 = (b & 0x40) !== 0;
          if (op >= 0x8) {
            if (op > OP_PONG) return this.#fail(p, CLOSE_PROTOCOL_ERROR, `Reserved opcode ${op}`);
            if ((b & 0x80) === 0) {
              return this.#fail(p, CLOSE_PROTOCOL_ERROR, "Fragmented control frame");
            }
            if (rsv1) return this.#fail(p, CLOSE_PROTOCOL_ERROR, "RSV1 is set on a control frame");
          } else if (op === OP_CONTINUATION) {
            if (!this.#inMessage) {
              return this.#fail(p, CLOSE_PROTOCOL_ERROR, "Continuation frame with no message");
            }
            if (rsv1) return this.#fail(p, CLOSE_PROTOCOL_ERROR, "RSV1 is set on a continuation");
          } else if (op === OP_TEXT || op === OP_BINARY) {
            if (this.#inMessage) {
              return this.#fail(p, CLOSE_PROTOCOL_ERROR, "New message inside a fragmented one");
            }
            if (rsv1 && !this.#deflate) {
              return this.#fail(p, CLOSE_PROTOCOL_ERROR, "RSV1 is set but no extension uses it");
            }
          } else {
            return this.#fail(p, CLOSE_PROTOCOL_ERROR, `Reserved opcode ${op}`);
          }
          this.#b0 = b;
          this.#state = S_LENGTH;
          break;
        }
        case S_LENGTH: {
          if (p >= end) return this.#needMore(p);
          const b = data[p++];
          const masked = (b & 0x80) !== 0;
          if (masked !== this.#expectMasked) {
            const what = masked ? "Masked frame from a server" : "Unmasked frame from a client";
            return this.#fail(p, CLOSE_PROTOCOL_ERROR, what);
          }
          this.#masked = masked;
          const length = b & 0x7f;
          if ((this.#b0 & 0x08) !== 0 && length > 125) {
            return this.#fail(p, CLOSE_PROTOCOL_ERROR, "Control frame longer than 125 bytes");
          }
          if (length < 126) {
            this.#length = length;
            const event = this.#headDone(p);
            if (event !== FRAME_NEED_MORE) return event;
          } else {
            this.#need = this.#extended = length === 126 ? 2 : 8;
            this.#length = 0;
            this.#state = S_EXT_LENGTH;
          }
          break;
        }
        case S_EXT_LENGTH: {
          let length = this.#length;
          let need = this.#need;
          while (need > 0) {
            if (p >= end) {
              this.#length = length;
              this.#need = need;
              return this.#needMore(p);
            }
            const b = data[p++];
            if (need === 8 && b >= 0x80) {
              return this.#fail(p, CLOSE_PROTOCOL_ERROR, "64-bit length with the top bit set");
            }
            length = length * 256 + b;
            need--;
          }
          this.#need = 0;
          this.#length = length;
          // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
          if (length < (this.#extended === 2 ? 126 : 65536)) {
            return this.#fail(p, CLOSE_PROTOCOL_ERROR, "Length not in its shortest form");
          }
          const event = this.#headDone(p);
          if (event !== FRAME_NEED_MORE) return event;
          break;
        }
        case S_MASK: {
          let key = this.#key;
          let need = this.#need;
          while (need > 0) {
            if (p >= end) {
              this.#key = key;
              this.#need = need;
              return this.#needMore(p);
            }
            key = ((key << 8) | data[p++]) >>> 0;
            need--;
          }
          this.#key = key;
          this.#need = 0;
          const event = this.#payloadBegins(p);
          if (event !== FRAME_NEED_MORE) return event;
          break;
        }
        case S_PAYLOAD: {
          if (p >= end) return this.#needMore(p);
          const n = Math.min(this.remaining, end - p);
          if (this.#masked) {
            applyMask(data, p, p + n, this.#key, this.#phase);
            this.#phase = (this.#phase + n) & 3;
          }
          return this.#data(data, p, p + n);
        }
        case S_CONTROL: {
          if (p >= end) return this.#needMore(p);
          const n = Math.min(this.remaining, end - p);
          if (this.#controlFill === 0 && n === this.remaining) {
            // The whole payload is here: unmask it where it lies.
            if (this.#masked) applyMask(data, p, p + n, this.#key, 0);
            this.control = data.subarray(p, p + n);
          } else {
            const buf = this.#controlBuf ??= new Uint8Array(125);
            const at = this.#controlFill;
            buf.set(data.subarray(p, p + n), at);
            if (this.#masked) applyMask(buf, at, at + n, this.#key, at & 3);
            this.#controlFill = at + n;
            this.control = buf.subarray(0, at + n);
          }
          p += n;
          this.remaining -= n;
          if (this.remaining > 0) return this.#needMore(p);
          this.#controlFill = 0;
          return this.#controlDone(p);
        }
        default:
          this.offset = start;
          return FRAME_ERROR;
      }
    }
  }

  /** The length is known: check it against the limits, then read the key or the payload. */
  #headDone(p: number): FrameEvent {
    const length = this.#length;
    const op = this.#b0 & 0x0f;
    if (op < 0x8) {
      // maxPayload counts the whole message, checked before any of this frame is read.
      const compressed = op === OP_CONTINUATION ? this.compressed : (this.#b0 & 0x40) !== 0;
      const limit = compressed ? this.#maxCompressed : this.#maxPayload;
      const before = op === OP_CONTINUATION ? this.#messageBytes : 0;
      if (before + length > limit) {
        return this.#fail(
          p,
          CLOSE_TOO_BIG,
          `Message longer than ${limit} bytes${compressed ? " compressed" : ""}`,
        );
      }
    }
    if (this.#masked) {
      this.#need = 4;
      this.#key = 0;
      this.#state = S_MASK;
      return FRAME_NEED_MORE;
    }
    return this.#payloadBegins(p);
  }

  /** The head is complete: set the frame up; empty frames are reported at once. */
  #payloadBegins(p: number): FrameEvent {
    const b0 = this.#b0;
    const op = b0 & 0x0f;
    const length = this.#length;
    this.remaining = length;
    this.#phase = 0;
    if (op >= 0x8) {
      this.controlOpcode = op;
      if (length === 0) {
        this.control = EMPTY;
        return this.#controlDone(p);
      }
      this.#controlFill = 0;
      this.#state = S_CONTROL;
      return FRAME_NEED_MORE;
    }
    if (op !== OP_CONTINUATION) {
      this.#inMessage = true;
      this.opcode = op;
      this.compressed = (b0 & 0x40) !== 0;
      this.#messageBytes = 0;
      this.#utf8 = UTF8_ACCEPT;
      this.#firstPending = true;
    }
    this.#messageBytes += length;
    this.#fin = (b0 & 0x80) !== 0;
    this.frameLength = length;
    this.#frameFirstPending = true;
    this.#state = S_PAYLOAD;
    if (length === 0) return this.#data(this.control, p, p, p);
    return FRAME_NEED_MORE;
  }

  /** Reports `data[start..end)` of the current data frame (validating text). */
  #data(data: Uint8Array, start: number, end: number, at: number = end): FrameEvent {
    this.remaining -= end - start;
    const last = this.#fin && this.remaining === 0;
    const first = this.#firstPending;
    if (this.opcode === OP_TEXT && !this.compressed) {
      if (first && last) {
        this.textChecked = false;
      } else {
        const state = utf8Step(this.#utf8, data, start, end);
        if (state === UTF8_REJECT || (last && state !== UTF8_ACCEPT)) {
          return this.#fail(at, CLOSE_INVALID_DATA, "Invalid UTF-8 in a text message");
        }
        this.#utf8 = state;
        this.textChecked = true;
      }
    }
    this.payloadStart = start;
    this.payloadEnd = end;
    this.first = first;
    this.#firstPending = false;
    this.frameFirst = this.#frameFirstPending;
    this.#frameFirstPending = false;
    this.last = last;
    this.offset = at;
    if (this.remaining === 0) {
      this.#state = S_HEAD;
      if (this.#fin) this.#inMessage = false;
    }
    return FRAME_DATA;
  }

  /** Reports a complete control frame, checking a close frame's payload. */
  #controlDone(p: number): FrameEvent {
    this.#state = S_HEAD;
    if (this.controlOpcode === OP_CLOSE) {
      const payload = this.control;
      if (payload.length === 0) {
        this.closeCode = CLOSE_NO_STATUS;
      } else if (payload.length === 1) {
        return this.#fail(p, CLOSE_PROTOCOL_ERROR, "Close frame with a 1-byte payload");
      } else {
        const code = (payload[0] << 8) | payload[1];
        if (!isWireCloseCode(code)) {
          return this.#fail(p, CLOSE_PROTOCOL_ERROR, `Invalid close code ${code}`);
        }
        if (!isUtf8(payload, 2)) {
          return this.#fail(p, CLOSE_INVALID_DATA, "Invalid UTF-8 in a close reason");
        }
        this.closeCode = code;
      }
    }
    this.offset = p;
    return FRAME_CONTROL;
  }

  #needMore(p: number): FrameEvent {
    this.offset = p;
    return FRAME_NEED_MORE;
  }

  #fail(p: number, code: number, message: string): FrameEvent {
    this.#state = S_ERROR;
    this.errorCode = code;
    this.errorMessage = message;
    this.offset = p;
    return FRAME_ERROR;
  }
}
