/**
 * Default head limits of the parser, shared by the server and the client.
 *
 * @module
 */

/** Largest request/response head (start line + header fields), in bytes: 431 past it. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** Most header fields in one head: 431 past it. */
export const DEFAULT_MAX_HEADER_COUNT = 100;
/** Longest request-target, in bytes: 414 past it. */
export const DEFAULT_MAX_URL_BYTES = 8 * 1024;
