/**
 * Whether a response may keep its connection open: the decision, apart from the
 * connection's loops, made as the response's head is encoded.
 *
 * @module
 */

import { BODY_OPEN } from "./body_source.ts";
import type { ServerExchange } from "./exchange.ts";

/**
 * Whether the connection stays open after `ex`'s response. No when the request or the
 * response said so (`ex.keepAlive` false), when `last` (shutting down, or the client
 * half-closed, and this is the last request received), when the client waits for a
 * 100 Continue that will never come (it may or may not send the body, so the connection
 * cannot be reused: RFC 9110 §10.1.1), or when the unread rest of the body is more than
 * `maxDrainBytes` to throw away.
 *
 * @param ex The exchange whose head is about to be encoded.
 * @param last Whether this is the last answer of a connection that is ending.
 * @param maxDrainBytes Most unread body bytes drained to keep the connection.
 * @returns Whether the connection may stay open.
 */
export function mayKeepAlive(ex: ServerExchange, last: boolean, maxDrainBytes: number): boolean {
  if (!ex.keepAlive || last) return false;
  if (ex.receiving) {
    if (ex.expectContinue && !ex.continueSent) return false;
    const body = ex.body;
    if (body === null || body.state !== BODY_OPEN || !body.inUse) {
      // It will be drained: only if what is left fits in maxDrainBytes.
      const left = ex.remaining > 0 ? ex.remaining : 0;
      if (ex.discarded + left > maxDrainBytes) return false;
    }
  }
  return true;
}
