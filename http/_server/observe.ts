/**
 * What the server tells about itself: always-on counters (`server.stats()`), and, when
 * asked for, an access log line and an OpenTelemetry span per exchange. The connection
 * calls `exchangeStarted` when a request reaches the handler and `exchangeEnded` once
 * its response is delivered or given up; the rest happens off the request path.
 *
 * @module
 */

import type { AccessLogEntry, AccessLogRecord, AccessLogWriter } from "../access_log.ts";
import { logAddress, logReason } from "../access_log.ts";
import type { ServerStats } from "../server_stats.ts";
import {
  type OtelSpan,
  parentContext,
  SPAN_KIND_SERVER,
  SPAN_STATUS_ERROR,
  type Telemetry,
} from "../_codec/telemetry.ts";
import type { ServerExchange } from "./exchange.ts";

const PEER_GONE = new Error("the client closed the connection");

/** The server's counters; one object per server, shared by its connections. */
export class ServerCounters {
  connectionsTotal = 0;
  requestsTotal = 0;
  requestsInFlight = 0;
  requestsAborted = 0;
  /** Responses by status class: index 1 to 5. */
  responses: number[] = [0, 0, 0, 0, 0, 0];
  rejected: Record<number, number> = {};
  bytesIn = 0;
  bytesOut = 0;

  /**
   * The server refused a head or a body with `status` (a limit, a timeout).
   *
   * @param status The status it answers.
   */
  reject(status: number): void {
    this.rejected[status] = (this.rejected[status] ?? 0) + 1;
  }

  /**
   * A snapshot for `server.stats()`.
   *
   * @param connections Connections open now.
   * @returns The public shape.
   */
  snapshot(connections: number): ServerStats {
    const r = this.responses;
    return {
      connections,
      connectionsTotal: this.connectionsTotal,
      requestsInFlight: this.requestsInFlight,
      requestsTotal: this.requestsTotal,
      responses: { "1xx": r[1], "2xx": r[2], "3xx": r[3], "4xx": r[4], "5xx": r[5] },
      requestsAborted: this.requestsAborted,
      rejected: { ...this.rejected },
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
  }
}

/** What a server observes beyond its counters; null parts are off. */
export interface Observers {
  accessLog: AccessLogWriter | null;
  telemetry: Telemetry | null;
}

/**
 * A request reached the handler: counted, and when logging or tracing, timed and given
 * its span.
 *
 * @param ex The exchange, its request built.
 * @param counters The server's counters.
 * @param observers The access log and telemetry, or null when both are off.
 */
export function exchangeStarted(
  ex: ServerExchange,
  counters: ServerCounters,
  observers: Observers | null,
): void {
  counters.requestsTotal++;
  counters.requestsInFlight++;
  if (observers === null) return;
  ex.startTime = performance.now();
  const telemetry = observers.telemetry;
  if (telemetry !== null) ex.span = startSpan(telemetry, ex.request!, ex.minor);
}

/**
 * The exchange is over: its response was delivered (`reason` undefined) or it was cut
 * short. Counted once; logged and its span ended when those are on.
 *
 * @param ex The exchange.
 * @param counters The server's counters.
 * @param observers The access log and telemetry, or null.
 * @param remoteAddr The client's address.
 * @param reason Why it ended early, if it did.
 */
export function exchangeEnded(
  ex: ServerExchange,
  counters: ServerCounters,
  observers: Observers | null,
  remoteAddr: Deno.Addr,
  reason: unknown,
): void {
  if (ex.ended) return;
  ex.ended = true;
  // The client went away first (EOF with the request in flight): whatever was written
  // after that reached nobody.
  if (reason === undefined && ex.peerGone) reason = PEER_GONE;
  const status = reason === undefined ? ex.response?.status ?? 0 : 0;
  if (status >= 100 && status < 600) counters.responses[(status / 100) | 0]++;
  if (ex.request === null) return; // a head the server refused: no request, no handler
  counters.requestsInFlight--;
  if (reason !== undefined) counters.requestsAborted++;
  if (observers === null) return;
  const duration = performance.now() - ex.startTime;
  const span = ex.span;
  if (span !== null) {
    ex.span = null;
    endSpan(observers.telemetry!, span, ex, reason, duration);
  }
  const log = observers.accessLog;
  if (log !== null) {
    log.add(new ExchangeRecord(ex, remoteAddr, ex.response?.status ?? 0, duration, reason));
  }
}

/**
 * One logged exchange: references and numbers; the entry is built when the batch is
 * written.
 */
class ExchangeRecord implements AccessLogRecord {
  #request: Request;
  #response: Response | null;
  #remoteAddr: Deno.Addr;
  #start: number;
  #minor: number;
  #status: number;
  #duration: number;
  #reason: unknown;

  constructor(
    ex: ServerExchange,
    remoteAddr: Deno.Addr,
    status: number,
    duration: number,
    reason: unknown,
  ) {
    this.#request = ex.request!;
    this.#response = ex.response;
    this.#remoteAddr = remoteAddr;
    this.#start = ex.startTime;
    this.#minor = ex.minor;
    this.#status = status;
    this.#duration = duration;
    this.#reason = reason;
  }

  entry(withHeaders: boolean): AccessLogEntry {
    const request = this.#request;
    const headers = withHeaders ? request.headers : null;
    const length = this.#response?.headers.get("content-length") ?? null;
    return {
      time: performance.timeOrigin + this.#start,
      remoteAddress: logAddress(this.#remoteAddr),
      method: request.method,
      url: pathOf(request.url),
      protocol: this.#minor === 0 ? "HTTP/1.0" : "HTTP/1.1",
      status: this.#status,
      bytes: length === null ? undefined : Number(length),
      duration: this.#duration,
      referer: headers === null ? null : headers.get("referer"),
      userAgent: headers === null ? null : headers.get("user-agent"),
      user: undefined,
      requestId: headers === null ? undefined : headers.get("x-request-id") ?? undefined,
      error: this.#reason === undefined ? undefined : logReason(this.#reason),
    };
  }
}

/** The path and query of an absolute URL. */
function pathOf(url: string): string {
  const scheme = url.indexOf("://");
  const slash = scheme === -1 ? -1 : url.indexOf("/", scheme + 3);
  return slash === -1 ? "/" : url.slice(slash);
}

function startSpan(telemetry: Telemetry, request: Request, minor: number): OtelSpan {
  const url = new URL(request.url);
  const method = request.method;
  const attributes: Record<string, string | number> = {
    "http.request.method": method,
    "url.path": url.pathname,
    "url.scheme": url.protocol.slice(0, -1),
    "server.address": url.hostname,
    "network.protocol.version": minor === 0 ? "1.0" : "1.1",
  };
  if (url.search !== "") attributes["url.query"] = url.search.slice(1);
  if (url.port !== "") attributes["server.port"] = Number(url.port);
  const agent = request.headers.get("user-agent");
  if (agent !== null) attributes["user_agent.original"] = agent;
  telemetry.serverActive.add?.(1, {
    "http.request.method": method,
    "url.scheme": attributes["url.scheme"],
  });
  return telemetry.tracer.startSpan(
    method,
    { kind: SPAN_KIND_SERVER, attributes },
    parentContext(telemetry, request.headers.get("traceparent")),
  );
}

function endSpan(
  telemetry: Telemetry,
  span: OtelSpan,
  ex: ServerExchange,
  reason: unknown,
  duration: number,
): void {
  const method = ex.request!.method;
  const scheme = ex.request!.url.startsWith("https:") ? "https" : "http";
  const attributes: Record<string, string | number> = {
    "http.request.method": method,
    "url.scheme": scheme,
    "network.protocol.version": ex.minor === 0 ? "1.0" : "1.1",
  };
  const status = ex.response?.status;
  if (status !== undefined) {
    span.setAttribute("http.response.status_code", status);
    attributes["http.response.status_code"] = status;
  }
  if (reason !== undefined) {
    const message = logReason(reason);
    span.setAttribute("error.type", (reason as Error)?.name ?? "Error");
    span.setStatus({ code: SPAN_STATUS_ERROR, message });
    attributes["error.type"] = (reason as Error)?.name ?? "Error";
  } else if (status !== undefined && status >= 500) {
    // Semantic conventions: a server span is an error for 5xx only.
    span.setAttribute("error.type", String(status));
    span.setStatus({ code: SPAN_STATUS_ERROR });
    attributes["error.type"] = String(status);
  }
  span.end();
  telemetry.serverActive.add?.(-1, { "http.request.method": method, "url.scheme": scheme });
  telemetry.serverDuration.record?.(duration / 1000, attributes);
}
