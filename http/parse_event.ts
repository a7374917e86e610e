/**
 * The events one `Parser.execute` call reports.
 *
 * @module
 */

/**
 * `execute` consumed everything up to `end`: feed more bytes.
 *
 * @example Loop over events
 * ```ts
 * import { PARSE_BODY, PARSE_END, PARSE_HEAD, PARSE_NEED_MORE, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
 * const parser = new Parser();
 * const events = [];
 * for (let pos = 0;;) {
 *   const event = parser.execute(bytes, pos, bytes.length);
 *   pos = parser.offset;
 *   if (event === PARSE_NEED_MORE) break;
 *   events.push(event);
 * }
 * assert.deepEqual(events, [PARSE_HEAD, PARSE_BODY, PARSE_END]);
 * ```
 */
export const PARSE_NEED_MORE = 0;
/**
 * A message head is complete: read `method`/`status`, `headers`, framing fields.
 *
 * @example Loop over events
 * ```ts
 * import { PARSE_BODY, PARSE_END, PARSE_HEAD, PARSE_NEED_MORE, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
 * const parser = new Parser();
 * const events = [];
 * for (let pos = 0;;) {
 *   const event = parser.execute(bytes, pos, bytes.length);
 *   pos = parser.offset;
 *   if (event === PARSE_NEED_MORE) break;
 *   events.push(event);
 * }
 * assert.deepEqual(events, [PARSE_HEAD, PARSE_BODY, PARSE_END]);
 * ```
 */
export const PARSE_HEAD = 1;
/**
 * Body bytes: `data.subarray(parser.bodyStart, parser.bodyEnd)`, a view into the
 * caller's buffer (copy it before reusing the buffer).
 *
 * @example Loop over events
 * ```ts
 * import { PARSE_BODY, PARSE_END, PARSE_HEAD, PARSE_NEED_MORE, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
 * const parser = new Parser();
 * const events = [];
 * for (let pos = 0;;) {
 *   const event = parser.execute(bytes, pos, bytes.length);
 *   pos = parser.offset;
 *   if (event === PARSE_NEED_MORE) break;
 *   events.push(event);
 * }
 * assert.deepEqual(events, [PARSE_HEAD, PARSE_BODY, PARSE_END]);
 * ```
 */
export const PARSE_BODY = 2;
/**
 * The message is complete (`trailers` are set for chunked bodies); the next message may
 * follow in the same buffer.
 *
 * @example Loop over events
 * ```ts
 * import { PARSE_BODY, PARSE_END, PARSE_HEAD, PARSE_NEED_MORE, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
 * const parser = new Parser();
 * const events = [];
 * for (let pos = 0;;) {
 *   const event = parser.execute(bytes, pos, bytes.length);
 *   pos = parser.offset;
 *   if (event === PARSE_NEED_MORE) break;
 *   events.push(event);
 * }
 * assert.deepEqual(events, [PARSE_HEAD, PARSE_BODY, PARSE_END]);
 * ```
 */
export const PARSE_END = 3;
/**
 * The head of a CONNECT request, an Upgrade request or a 101 response: the bytes from
 * `offset` belong to another protocol.
 *
 * @example Hand the rest of the bytes to another protocol
 * ```ts
 * import { PARSE_UPGRADE, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode(
 *   "GET /chat HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nFRAME",
 * );
 * const parser = new Parser();
 * assert.equal(parser.execute(bytes), PARSE_UPGRADE);
 * assert.equal(new TextDecoder().decode(bytes.subarray(parser.offset)), "FRAME");
 * ```
 */
export const PARSE_UPGRADE = 4;
/**
 * The input was rejected: see `parser.error`. Sticky until `reset()`.
 *
 * @example Answer the status of a rejection
 * ```ts
 * import { PARSE_ERROR, Parser } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const parser = new Parser();
 * const bytes = new TextEncoder().encode("GET / HTTP/2.0\r\n\r\n");
 * assert.equal(parser.execute(bytes), PARSE_ERROR);
 * assert.equal(parser.error?.status, 505);
 * ```
 */
export const PARSE_ERROR = 5;

/**
 * What one `execute` call reports: one of the `PARSE_*` constants.
 *
 * @example Type an event handler
 * ```ts
 * import { PARSE_END, type ParseEvent } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const done = (event: ParseEvent): boolean => event === PARSE_END;
 * assert.equal(done(PARSE_END), true);
 * ```
 */
export type ParseEvent =
  | typeof PARSE_NEED_MORE
  | typeof PARSE_HEAD
  | typeof PARSE_BODY
  | typeof PARSE_END
  | typeof PARSE_UPGRADE
  | typeof PARSE_ERROR;
