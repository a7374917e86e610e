// Integer states of the Parser's byte loops (http/parser.ts and the chunk-extension
// sub-machine in http/_parser/chunk_extensions.ts). Data only.

/** Between messages: skipping empty lines, waiting for a start line. */
export const S_START = 0;
/** Request line: the method token. */
export const S_METHOD = 1;
/** Request line: the request-target. */
export const S_TARGET = 2;
/** Request line: "HTTP/x.y", one byte at a time. */
export const S_REQ_VERSION = 3;
/** Request line: after the version, expecting CR. */
export const S_REQ_LINE_END = 4;
/** Status line: "HTTP/x.y", one byte at a time. */
export const S_RES_VERSION = 5;
/** Status line: the SP after the version. */
export const S_RES_VERSION_SP = 6;
/** Status line: the three status digits. */
export const S_STATUS = 7;
/** Status line: after the status code, SP or the line end. */
export const S_STATUS_END = 8;
/** Status line: the reason phrase. */
export const S_REASON = 9;
/** Start line: after its CR, expecting LF. */
export const S_LINE_LF = 10;
/** Start of a field line (or of the empty line ending the section). */
export const S_FIELD_START = 11;
/** A field name. */
export const S_NAME = 12;
/** Lenient: whitespace between a field name and the colon. */
export const S_NAME_WS = 13;
/** Whitespace before a field value. */
export const S_VALUE_OWS = 14;
/** A field value. */
export const S_VALUE = 15;
/** After a field line's CR, expecting LF. */
export const S_FIELD_LF = 16;
/** After the CR of the empty line, expecting LF. */
export const S_SECTION_END_LF = 17;

/** Head done, no body: END is the next event. */
export const S_END_NOW = 20;
/** Content-Length body. */
export const S_BODY_LENGTH = 21;
/** Body delimited by the connection closing (responses). */
export const S_BODY_EOF = 22;
/** First hex digit of a chunk size. */
export const S_CHUNK_SIZE_START = 23;
/** More hex digits of a chunk size. */
export const S_CHUNK_SIZE = 24;
/** Whitespace after a chunk size (BWS before ";"). */
export const S_CHUNK_SIZE_WS = 25;
/** Chunk extension: whitespace before the name. */
export const S_EXT_BEFORE_NAME = 26;
/** Chunk extension: the name. */
export const S_EXT_NAME = 27;
/** Chunk extension: whitespace after the name. */
export const S_EXT_AFTER_NAME = 28;
/** Chunk extension: whitespace before the value. */
export const S_EXT_BEFORE_VALUE = 29;
/** Chunk extension: a token value. */
export const S_EXT_VALUE = 30;
/** Chunk extension: a quoted-string value. */
export const S_EXT_QUOTED = 31;
/** Chunk extension: after a backslash in a quoted-string. */
export const S_EXT_QUOTED_PAIR = 32;
/** Chunk extension: after a value, whitespace then ";" or CR. */
export const S_EXT_AFTER_VALUE = 33;
/** After the CR of a chunk-size line, expecting LF. */
export const S_CHUNK_SIZE_LF = 34;
/** Chunk data. */
export const S_CHUNK_DATA = 35;
/** After chunk data, expecting CR. */
export const S_CHUNK_DATA_CR = 36;
/** After chunk data and CR, expecting LF. */
export const S_CHUNK_DATA_LF = 37;

/** After a message that closes the connection: only empty lines may follow. */
export const S_CLOSED = 40;
/** After CONNECT, an Upgrade or a 101: the rest belongs to another protocol. */
export const S_UPGRADED = 41;
/** After an error: sticky. */
export const S_ERROR = 42;
/** Lenient `dataAfterClose`: everything after the closing message is ignored. */
export const S_DISCARD = 43;

/** After the last chunk's size line: the trailer section begins. */
export const S_TRAILERS_BEGIN = 18;
