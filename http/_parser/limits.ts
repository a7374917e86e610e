/** Largest request/response head (start line + header fields), in bytes: 431 past it. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** Most header fields in one head: 431 past it. */
export const DEFAULT_MAX_HEADER_COUNT = 100;
/** Longest request-target, in bytes: 414 past it. */
export const DEFAULT_MAX_URL_BYTES = 8 * 1024;
/** Request body limit: unlimited by default (413 past a configured limit). */
export const DEFAULT_MAX_BODY_BYTES = Infinity;
/** Time to receive a whole request head, from its first byte (slowloris): 408 past it. */
export const DEFAULT_HEADERS_TIMEOUT = 60_000;
/** Time to receive a whole request, head and body. */
export const DEFAULT_REQUEST_TIMEOUT = 300_000;
/** Idle time allowed between requests on a keep-alive connection. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT = 5_000;
/** Requests served on one connection before it is closed; 0 is unlimited. */
export const DEFAULT_MAX_REQUESTS_PER_CONNECTION = 0;
/** Bytes of an unread request body the server drains to keep a connection alive. */
export const DEFAULT_MAX_DRAIN_BYTES = 256 * 1024;
