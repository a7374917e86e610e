/**
 * How a message body is delimited on the wire (RFC 9112 §6.3): the one enum the parser,
 * the server's response writer and the client's request encoder share.
 *
 * @module
 */

/** No body: the message ends with its head (1xx, 204, 304, HEAD, a GET without one). */
export const FRAME_NONE = 0;
/** `Content-Length: N` bytes (RFC 9112 §6.2). */
export const FRAME_LENGTH = 1;
/** `Transfer-Encoding: chunked` (RFC 9112 §7.1). */
export const FRAME_CHUNKED = 2;
/** Until the connection closes: a response with neither field, or one to HTTP/1.0. */
export const FRAME_CLOSE = 3;
