/**
 * The Client's OpenTelemetry span per request sent (each redirect hop and retry is its
 * own span, as the semantic conventions ask), with `traceparent` on the wire so the
 * server continues the trace. Only used when the runtime exports telemetry.
 *
 * @module
 */

import type { PreparedRequest } from "./prepare_request.ts";
import {
  type OtelSpan,
  SPAN_KIND_CLIENT,
  SPAN_STATUS_ERROR,
  type Telemetry,
  traceparentOf,
} from "../_codec/telemetry.ts";

/** A client span and what its metric needs. */
export interface ClientSpan {
  span: OtelSpan;
  start: number;
  attributes: Record<string, string | number>;
}

/**
 * Starts the span of one request, a child of the active span (a server span when the
 * request is made inside a handler).
 *
 * @param telemetry The runtime's telemetry.
 * @param request The request about to be sent.
 * @returns The span, and the request with its `traceparent` line (unless the caller
 *   set one).
 */
export function startClientSpan(
  telemetry: Telemetry,
  request: PreparedRequest,
): { traced: PreparedRequest; span: ClientSpan } {
  const url = request.url;
  const scheme = url.protocol.slice(0, -1);
  const port = url.port !== "" ? Number(url.port) : scheme === "https" ? 443 : 80;
  let host = url.hostname;
  if (host.startsWith("[")) host = host.slice(1, -1);
  const attributes: Record<string, string | number> = {
    "http.request.method": request.method,
    "server.address": host,
    "server.port": port,
    "url.scheme": scheme,
    "network.protocol.version": "1.1",
  };
  const span = telemetry.tracer.startSpan(request.method, {
    kind: SPAN_KIND_CLIENT,
    attributes: { ...attributes, "url.full": url.href },
  });
  const traced = hasField(request.fields, "traceparent") ? request : {
    ...request,
    extraLines: request.extraLines + "traceparent: " + traceparentOf(span) + "\r\n",
  };
  return { traced, span: { span, start: performance.now(), attributes } };
}

/**
 * Ends a client span: with the response's status, or as an error.
 *
 * @param telemetry The runtime's telemetry.
 * @param client The span.
 * @param status The response status, or 0 when the request failed.
 * @param error What it failed with.
 */
export function endClientSpan(
  telemetry: Telemetry,
  client: ClientSpan,
  status: number,
  error?: unknown,
): void {
  const { span, attributes } = client;
  if (status !== 0) {
    span.setAttribute("http.response.status_code", status);
    attributes["http.response.status_code"] = status;
  }
  if (status === 0 || status >= 400) {
    // Semantic conventions: 4xx and 5xx are errors on the client side.
    const type = status !== 0 ? String(status) : (error as Error)?.name ?? "Error";
    span.setAttribute("error.type", type);
    span.setStatus({
      code: SPAN_STATUS_ERROR,
      message: status === 0 ? String((error as Error)?.message ?? error) : undefined,
    });
    attributes["error.type"] = type;
  }
  span.end();
  telemetry.clientDuration.record?.((performance.now() - client.start) / 1000, attributes);
}

function hasField(fields: string[], name: string): boolean {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return true;
  return false;
}
