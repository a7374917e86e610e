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

/**
 * The Accept-Encoding sent on plain `http:` when the caller sets none: what browsers
 * send there (brotli and zstd only go over TLS, where middleboxes cannot mangle them).
 */
export const ACCEPT_ENCODING = "gzip, deflate";

/** The Accept-Encoding sent on `https:` when the caller sets none, as browsers do. */
export const ACCEPT_ENCODING_TLS = "gzip, deflate, br, zstd";

/** The encoder's buffer to start with: room for a typical head. */
const INITIAL_SIZE = 4096;

/** Per-connection head encoder: one growable buffer, no allocation in the common case. */
export class RequestEncoder {
  #buffer: Uint8Array = new Uint8Array(INITIAL_SIZE);

  /**
   * Encodes the head of `request` (and its body when it is inline bytes) into the
   * reused buffer.
   *
   * @param request The request.
   * @param target The request target (path and query, or the absolute URL for a proxy).
   * @param host The URL's host, for the Host field.
   * @param framing From {@linkcode framingOf}.
   * @param acceptEncoding The Accept-Encoding to send unless the caller set one.
   * @param connectionLines Lines of the connection itself (Proxy-Authorization), or "".
   * @returns A view of the reused buffer: valid until the next `encode`.
   */
  encode(
    request: PreparedRequest,
    target: string,
    host: string,
    framing: number,
    acceptEncoding: string,
    connectionLines: string,
  ): Uint8Array {
    let head = request.method + " " + target + " HTTP/1.1\r\nhost: " + host + "\r\n" +
      request.lines + request.extraLines + connectionLines;
    const flags = request.flags;
    if ((flags & HAS_ACCEPT) === 0) head += "accept: */*\r\n";
    if ((flags & HAS_ACCEPT_ENCODING) === 0 && acceptEncoding !== "") {
      head += "accept-encoding: " + acceptEncoding + "\r\n";
    }
    if ((flags & HAS_USER_AGENT) === 0) head += "user-agent: " + USER_AGENT + "\r\n";
    if (framing === FRAME_LENGTH) head += "content-length: " + request.bodyLength + "\r\n";
    else if (framing === FRAME_CHUNKED) head += "transfer-encoding: chunked\r\n";
    if (request.close) head += "connection: close\r\n";
    head += "\r\n";

    const body = request.body;
    const inline = body instanceof Uint8Array && body.length <= INLINE_BODY_BYTES ? body : null;
    const size = head.length + (inline === null ? 0 : inline.length);
    let buffer = this.#buffer;
    if (buffer.length < size) {
      let next = buffer.length * 2;
      while (next < size) next *= 2;
      buffer = this.#buffer = new Uint8Array(next);
    }
    // Header values are ByteStrings (Headers validated them): one byte per char.
    const headLength = head.length;
    for (let i = 0; i < headLength; i++) buffer[i] = head.charCodeAt(i);
    if (inline !== null) buffer.set(inline, headLength);
    return buffer.subarray(0, size);
  }
}

/**
 * Whether `encode` puts the body of `request` behind its head (so nothing else needs
 * writing).
 *
 * @param request The request.
 * @returns True for bytes of at most {@linkcode INLINE_BODY_BYTES}.
 */
export function isInlineBody(request: PreparedRequest): boolean {
  return request.body instanceof Uint8Array && request.body.length <= INLINE_BODY_BYTES;
}

/**
 * The framing for a prepared request's body (RFC 9112 §6.3 as seen by a client).
 *
 * @param request The request.
 * @returns FRAME_NONE, FRAME_LENGTH or FRAME_CHUNKED.
 */
export function framingOf(request: PreparedRequest): number {
  if (request.body === null) {
    // A body-less POST/PUT/PATCH says so, as fetch does ("Content-Length: 0").
    switch (request.method) {
      case "POST":
      case "PUT":
      case "PATCH":
        return FRAME_LENGTH;
    }
    return FRAME_NONE;
  }
  return request.bodyLength >= 0 ? FRAME_LENGTH : FRAME_CHUNKED;
}
