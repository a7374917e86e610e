/**
 * OpenTelemetry through the runtime (internal): when Deno exports telemetry
 * (`OTEL_DENO=true`, `Deno.telemetry` present), the server and the client emit the
 * standard HTTP spans and metrics (semantic conventions v1.27+) with Deno's own tracer
 * and meter, and the W3C `traceparent` header carries the trace across. Probed once at
 * load; when off, `TELEMETRY` is null and nothing else here runs.
 *
 * @module
 */

/** The slice of a span this module uses (Deno's and the OpenTelemetry API's shape). */
export interface OtelSpan {
  spanContext(): { traceId: string; spanId: string; traceFlags: number };
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): void;
}

interface OtelContext {
  setValue(key: symbol, value: unknown): OtelContext;
  getValue(key: symbol): unknown;
}

interface OtelTracer {
  startSpan(
    name: string,
    options: { kind: number; attributes: Record<string, string | number>; startTime?: number },
    context?: OtelContext,
  ): OtelSpan;
}

interface OtelInstrument {
  record?(value: number, attributes: Record<string, string | number>): void;
  add?(value: number, attributes: Record<string, string | number>): void;
}

interface OtelMeter {
  createHistogram(name: string, options: { unit: string; description: string }): OtelInstrument;
  createUpDownCounter(
    name: string,
    options: { unit: string; description: string },
  ): OtelInstrument;
}

interface OtelRuntime {
  tracerProvider: { getTracer(name: string, version?: string): OtelTracer };
  meterProvider: { getMeter(name: string, version?: string): OtelMeter };
  contextManager: {
    active(): OtelContext;
    with<A extends unknown[], R>(
      context: OtelContext,
      fn: (...args: A) => R,
      thisArg: unknown,
      ...args: A
    ): R;
  };
}

/** The span kinds of the OpenTelemetry API. */
export const SPAN_KIND_SERVER = 1;
/** A client span. */
export const SPAN_KIND_CLIENT = 2;
/** `SpanStatusCode.ERROR`. */
export const SPAN_STATUS_ERROR = 2;

/** The OpenTelemetry API's context key for the active span (shared by every API copy). */
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");

/** What the server and the client use when telemetry is on. */
export interface Telemetry {
  tracer: OtelTracer;
  serverDuration: OtelInstrument;
  serverActive: OtelInstrument;
  clientDuration: OtelInstrument;
  runtime: OtelRuntime;
}

function probe(): Telemetry | null {
  const runtime = (globalThis as { Deno?: { telemetry?: OtelRuntime } }).Deno?.telemetry;
  if (runtime === undefined || runtime === null) return null;
  // Deno exports only when OTEL_DENO=true; reading the variable must not prompt.
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: "OTEL_DENO" }).state;
    if (state !== "granted" || Deno.env.get("OTEL_DENO") !== "true") return null;
  } catch {
    return null;
  }
  try {
    const tracer = runtime.tracerProvider.getTracer("@wire/http", "0.1.0");
    const meter = runtime.meterProvider.getMeter("@wire/http", "0.1.0");
    return {
      tracer,
      runtime,
      serverDuration: meter.createHistogram("http.server.request.duration", {
        unit: "s",
        description: "Duration of HTTP server requests.",
      }),
      serverActive: meter.createUpDownCounter("http.server.active_requests", {
        unit: "{request}",
        description: "Number of active HTTP server requests.",
      }),
      clientDuration: meter.createHistogram("http.client.request.duration", {
        unit: "s",
        description: "Duration of HTTP client requests.",
      }),
    };
  } catch {
    // The runtime has the API but did not start its exporter (`--no-otel` and the like).
    return null;
  }
}

/** The runtime's telemetry, or null when it does not export (the common case). */
export const TELEMETRY: Telemetry | null = probe();

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "00000000000000000000000000000000";
const ZERO_SPAN = "0000000000000000";

/**
 * The context a server span starts in: the caller's trace from a valid W3C
 * `traceparent` (version 00, non-zero ids), else the active context.
 *
 * @param telemetry The runtime's telemetry.
 * @param traceparent The request's `traceparent` field, or null.
 * @returns The parent context.
 */
export function parentContext(telemetry: Telemetry, traceparent: string | null): OtelContext {
  const active = telemetry.runtime.contextManager.active();
  if (traceparent === null) return active;
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (match === null || match[1] === ZERO_TRACE || match[2] === ZERO_SPAN) return active;
  const remote = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16) & 1,
    isRemote: true,
  };
  return active.setValue(SPAN_KEY, {
    spanContext: () => remote,
    isRecording: () => false,
  });
}

/**
 * Runs `fn(a, b)` with `span` as the active span, so spans started inside (a Client
 * request in the handler) become its children.
 *
 * @param telemetry The runtime's telemetry.
 * @param span The span to make active.
 * @param fn What to run.
 * @param a Its first argument.
 * @param b Its second argument.
 * @returns What `fn` returns.
 */
export function withSpan<A, B, R>(
  telemetry: Telemetry,
  span: OtelSpan,
  fn: (a: A, b: B) => R,
  a: A,
  b: B,
): R {
  const manager = telemetry.runtime.contextManager;
  return manager.with(manager.active().setValue(SPAN_KEY, span), fn, undefined, a, b);
}

/**
 * The `traceparent` field that makes a server continue `span`'s trace.
 *
 * @param span A client span.
 * @returns `00-<trace id>-<span id>-<flags>`.
 */
export function traceparentOf(span: OtelSpan): string {
  const context = span.spanContext();
  return `00-${context.traceId}-${context.spanId}-0${context.traceFlags & 1}`;
}
