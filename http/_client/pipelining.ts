/**
 * Every rule for HTTP/1.1 pipelining (RFC 9112 §9.3.2): when a request may be written
 * on a connection before the responses to the requests already there have arrived.
 * As in undici's `busy()`, the pool and the connection ask here and nowhere else.
 *
 * @module
 */
import type { ClientExchange } from "./exchange.ts";
import { isIdempotent, type PreparedRequest } from "./prepare_request.ts";
import { isInlineBody } from "./request_head.ts";

/**
 * Whether `request` may share a connection with other requests in flight, behind them
 * or ahead of them:
 *
 * - the Client allows it (`pipelining` above 1);
 * - its method is idempotent: when the connection drops, the unanswered requests go
 *   again, and a client should not pipeline after a non-idempotent one (RFC 9112
 *   §9.3.2);
 * - it has no body, or one small enough to leave in the same write as its head: a
 *   streamed, Blob or large body could stall or fail and take the requests behind it
 *   down, and a stream cannot be sent again;
 * - it does not ask for `Connection: close`, after which nothing may follow.
 *
 * @param request The request.
 * @param pipelining The Client's `pipelining` option: most requests in flight at once.
 * @returns Whether the request may be pipelined.
 */
export function isPipelinable(request: PreparedRequest, pipelining: number): boolean {
  return pipelining > 1 && !request.close && isIdempotent(request.method) &&
    (request.body === null || isInlineBody(request));
}

/** What the pipelining rules read of a connection. */
export interface PipelineView {
  /** Most requests in flight on the connection. */
  readonly pipelining: number;
  /** Open and carrying requests (neither idle nor closed). */
  readonly busy: boolean;
  /** Requests in flight. */
  readonly inFlight: number;
  /** Requests the pool promised the connection that it has not been sent yet. */
  readonly reserved: number;
  /** The last request in flight, if any. */
  readonly last: ClientExchange | undefined;
}

/**
 * Whether a busy connection takes one more pipelinable request: it has room under
 * `pipelining`, and the request in flight last was itself pipelinable and keeps the
 * connection open (its response did not say `close`).
 *
 * @param connection The connection.
 * @returns Whether a request that {@linkcode isPipelinable} may be sent on it now.
 */
export function hasRoom(connection: PipelineView): boolean {
  if (!connection.busy) return false;
  if (connection.inFlight + connection.reserved >= connection.pipelining) return false;
  const last = connection.last;
  return last !== undefined && last.pipelinable && last.keepAlive;
}
