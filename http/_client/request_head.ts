/**
 * Encodes a request head (request line, Host, the user's fields, defaults, framing)
 * into a buffer reused per connection, with a small body appended so head and body
 * leave in one write.
 *
 * @module
 */
import {
  HAS_ACCEPT,
  HAS_ACCEPT_ENCODING,
  HAS_USER_AGENT,
  type PreparedRequest,
} from "./prepare_request.ts";
import { FRAME_CHUNKED, FRAME_LENGTH, FRAME_NONE } from "../_codec/framing.ts";

/** Bodies up to this size are copied behind the head and sent in the same write. */
export const INLINE_BODY_BYTES = 64 * 1024;

/** The User-Agent sent when the caller sets none. */
export const USER_AGENT = "wire/0.1";

/** The Accept-Encoding sent when the caller sets none: what DecompressionStream decodes. */
export const ACCEPT_ENCODING = "gzip, deflate, br";

const INITIAL_SIZE = 4096;

/** Per-connection head encoder: one growable buffer, no allocation in the common case. */
export class RequestEncoder {
  #buf: Uint8Array = new Uint8Array(INITIAL_SIZE);

  /**
   * Encodes the head of `p` for `target` and `host` (and the body when it is inline
   * bytes). Returns a view of the reused buffer: valid until the next `encode`.
   */
  encode(p: PreparedRequest, target: string, host: string, framing: number): Uint8Array {
    let head = p.method + " " + target + " HTTP/1.1\r\nhost: " + (p.host ?? host) + "\r\n" +
      p.lines;
    const flags = p.flags;
    if ((flags & HAS_ACCEPT) === 0) head += "accept: */*\r\n";
    if ((flags & HAS_ACCEPT_ENCODING) === 0) head += "accept-encoding: " + ACCEPT_ENCODING + "\r\n";
    if ((flags & HAS_USER_AGENT) === 0) head += "user-agent: " + USER_AGENT + "\r\n";
    if (framing === FRAME_LENGTH) head += "content-length: " + p.bodyLength + "\r\n";
    else if (framing === FRAME_CHUNKED) head += "transfer-encoding: chunked\r\n";
    if (p.close) head += "connection: close\r\n";
    head += "\r\n";

    const body = p.body;
    const inline = body instanceof Uint8Array && body.length <= INLINE_BODY_BYTES ? body : null;
    const size = head.length + (inline === null ? 0 : inline.length);
    let buf = this.#buf;
    if (buf.length < size) {
      let next = buf.length * 2;
      while (next < size) next *= 2;
      buf = this.#buf = new Uint8Array(next);
    }
    // Header values are ByteStrings (Headers validated them): one byte per char.
    const n = head.length;
    for (let i = 0; i < n; i++) buf[i] = head.charCodeAt(i);
    if (inline !== null) buf.set(inline, n);
    return buf.subarray(0, size);
  }
}

/** Whether `encode` put the body behind the head (so nothing else needs writing). */
export function isInlineBody(p: PreparedRequest): boolean {
  return p.body instanceof Uint8Array && p.body.length <= INLINE_BODY_BYTES;
}

/** The framing for a prepared request's body (RFC 9112 §6.3 as seen by a client). */
export function framingOf(p: PreparedRequest): number {
  if (p.body === null) {
    // A body-less POST/PUT/PATCH says so, as fetch does ("Content-Length: 0").
    switch (p.method) {
      case "POST":
      case "PUT":
      case "PATCH":
        return FRAME_LENGTH;
    }
    return FRAME_NONE;
  }
  return p.bodyLength >= 0 ? FRAME_LENGTH : FRAME_CHUNKED;
}
