/**
 * What `server.stats()` reports: counters kept by the server itself, cheap enough to be
 * always on.
 *
 * @module
 */

/**
 * A snapshot of a server's counters since it started, from
 * `Server.stats()`.
 * Bytes are HTTP bytes (heads and bodies, as read from and written to the sockets); an
 * upgraded connection's traffic after its 101 is not counted.
 *
 * @example Read the counters
 * ```ts ignore
 * import { serve } from "@wire/http";
 *
 * await using server = serve(() => new Response("ok"), { port: 0, onListen() {} });
 * const stats = server.stats();
 * console.log(stats.connections, stats.requestsInFlight, stats.responses["5xx"]);
 * ```
 */
export interface ServerStats {
  /** Connections open now. */
  connections: number;
  /** Connections accepted since the server started. */
  connectionsTotal: number;
  /** Requests whose handler was called and whose response is not yet delivered. */
  requestsInFlight: number;
  /** Requests handed to the handler since the server started. */
  requestsTotal: number;
  /**
   * Responses delivered, by status class (those the server wrote itself included: a 400
   * for a malformed head, a 408, a 413).
   */
  responses: { "1xx": number; "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  /**
   * Requests that ended before their response was delivered (the client went away, a
   * shutdown deadline, a response body that failed).
   */
  requestsAborted: number;
  /**
   * Requests and heads the server refused by a limit or a timeout, by the status it
   * answered (400, 408, 413, 414, 431, ...).
   */
  rejected: Record<number, number>;
  /** Bytes read from clients. */
  bytesIn: number;
  /** Bytes written to clients. */
  bytesOut: number;
}
