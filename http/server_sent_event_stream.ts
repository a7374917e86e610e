/**
 * Server-sent events: the message type and an encoder stream (the shapes of Deno std's
 * `ServerSentEventStream`).
 *
 * @module
 */

/**
 * One server-sent event (HTML §9.2.5): what the browser's `EventSource` turns into a
 * `MessageEvent`, or a comment it ignores.
 *
 * @example
 * ```ts
 * import type { ServerSentEventMessage } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const message: ServerSentEventMessage = { event: "tick", data: "line 1\nline 2", id: 7 };
 * assert.equal(message.id, 7);
 * ```
 */
export interface ServerSentEventMessage {
  /** A comment line (`: text`): ignored by clients, keeps idle connections alive. */
  comment?: string;
  /** The event type (`addEventListener(type)`); "message" when unset. No newlines. */
  event?: string;
  /** The data; each line becomes its own `data:` line, joined back with "\n" by the client. */
  data?: string;
  /** The event ID the client sends back as `Last-Event-ID` when it reconnects. No newlines. */
  id?: string | number;
  /** Milliseconds the client waits before reconnecting, a non-negative integer. */
  retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Serializes one message as event-stream text, ending with the blank line that
 * dispatches it. Throws a TypeError for an `event` or `id` with a line break or an `id`
 * with NUL (the client would misread or ignore them) and a RangeError for a bad `retry`.
 *
 * @param message The message.
 * @returns Its text.
 *
 * @example
 * ```ts
 * import { formatServerSentEvent } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   formatServerSentEvent({ id: 1, event: "tick", data: "a\nb" }),
 *   "event: tick\nid: 1\ndata: a\ndata: b\n\n",
 * );
 * assert.equal(formatServerSentEvent({ comment: "keep-alive" }), ": keep-alive\n\n");
 * ```
 */
export function formatServerSentEvent(message: ServerSentEventMessage): string {
  if (message === null || typeof message !== "object") {
    throw new TypeError("Cannot format server-sent event: expected a message object");
  }
  let out = "";
  const { comment, event, data, id, retry } = message;
  if (comment !== undefined) {
    for (const line of String(comment).split(LINE_BREAK)) out += ": " + line + "\n";
  }
  if (event !== undefined) {
    if (LINE_BREAK.test(event)) {
      throw new TypeError("Cannot format server-sent event: event contains a line break");
    }
    out += "event: " + event + "\n";
  }
  if (id !== undefined) {
    const text = String(id);
    if (LINE_BREAK.test(text) || text.includes("\0")) {
      throw new TypeError("Cannot format server-sent event: id contains a line break or NUL");
    }
    out += "id: " + text + "\n";
  }
  if (retry !== undefined) {
    if (!Number.isInteger(retry) || retry < 0) {
      throw new RangeError(`Cannot format server-sent event: retry ${retry} is not a whole number`);
    }
    out += "retry: " + retry + "\n";
  }
  if (data !== undefined) {
    for (const line of String(data).split(LINE_BREAK)) out += "data: " + line + "\n";
  }
  return out + "\n";
}

const encoder = new TextEncoder();

/**
 * Turns {@linkcode ServerSentEventMessage}s into UTF-8 event-stream bytes, for a
 * `text/event-stream` response body.
 *
 * @example Stream three events from a bare handler
 * ```ts
 * import { ServerSentEventStream } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const body = ReadableStream.from([{ data: "1" }, { data: "2", id: 2 }])
 *   .pipeThrough(new ServerSentEventStream());
 * const response = new Response(body, { headers: { "content-type": "text/event-stream" } });
 * assert.equal(await response.text(), "data: 1\n\nid: 2\ndata: 2\n\n");
 * ```
 */
export class ServerSentEventStream extends TransformStream<ServerSentEventMessage, Uint8Array> {
  /** Creates the encoder. */
  constructor() {
    super({
      transform(message, controller) {
        controller.enqueue(encoder.encode(formatServerSentEvent(message)));
      },
    });
  }
}
