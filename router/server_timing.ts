/**
 * Server-Timing (W3C Server Timing §3): the `serverTiming()` middleware and the metric
 * functions route code calls (Hono's `timing`, `startTime`, `endTime`, `setMetric`).
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware } from "./middleware.ts";
import { editHeaders, responseOf } from "./_response_headers.ts";
import { isCookieName as isToken } from "./_cookie_syntax.ts";

/** The name of the metric {@linkcode serverTiming} adds for the whole chain. */
export const DEFAULT_TOTAL_METRIC = "total";
/** Digits after the decimal point of a duration in milliseconds. */
export const DEFAULT_TIMING_PRECISION = 1;

/** Options for {@linkcode serverTiming}. */
export interface ServerTimingOptions {
  /**
   * Add a `total` metric: the time the rest of the chain took.
   *
   * @default {true}
   */
  total?: boolean;
  /**
   * The description of the `total` metric.
   *
   * @default {"Total Response Time"}
   */
  totalDescription?: string;
  /**
   * Whether to send the header for this request (timings can tell an attacker how long
   * a password check took: send them only to yourself in production).
   *
   * @default {true}
   */
  // deno-lint-ignore no-explicit-any
  enabled?: boolean | ((ctx: Context<any, any>) => boolean);
  /**
   * Let these origins' scripts read the timings (`Timing-Allow-Origin`): true for `*`,
   * or an origin.
   *
   * @default {false}
   */
  crossOrigin?: boolean | string;
  /**
   * Digits after the decimal point of durations.
   *
   * @default {DEFAULT_TIMING_PRECISION}
   */
  precision?: number;
}

interface Metric {
  name: string;
  dur?: number;
  desc?: string;
  start?: number;
}

// Metrics per request, only while serverTiming() runs for it: no Context field needed.
// deno-lint-ignore no-explicit-any
const timings = new WeakMap<Context<any, any>, Metric[]>();

/**
 * Sends the request's metrics as a `Server-Timing` header (browsers show them in the
 * network panel): `total`, and the ones route code records with
 * {@linkcode startTime}/{@linkcode endTime} and {@linkcode setMetric}.
 *
 * @param options Total metric, enabling, cross-origin access.
 * @returns The middleware.
 *
 * @example Time a database call
 * ```ts
 * import { compose, endTime, serverTiming, startTime } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(serverTiming(), async (ctx) => {
 *   startTime(ctx, "db", "Load user");
 *   await new Promise((resolve) => setTimeout(resolve, 5));
 *   endTime(ctx, "db");
 *   return new Response("ok");
 * });
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const response = await handler(new Request("http://localhost/"), info);
 * assert.match(
 *   response.headers.get("server-timing")!,
 *   /^db;dur=\d+\.\d;desc="Load user", total;dur=\d+\.\d;desc="Total Response Time"$/,
 * );
 * ```
 */
export function serverTiming<S extends object = Record<string, unknown>>(
  options: ServerTimingOptions = {},
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create serverTiming(): options must be an object");
  }
  const total = options.total ?? true;
  const totalDescription = options.totalDescription ?? "Total Response Time";
  const enabled = options.enabled ?? true;
  const precision = options.precision ?? DEFAULT_TIMING_PRECISION;
  if (!Number.isInteger(precision) || precision < 0 || precision > 6) {
    throw new RangeError(`Cannot create serverTiming(): precision ${precision} is not 0 to 6`);
  }
  const crossOrigin = options.crossOrigin === true
    ? "*"
    : typeof options.crossOrigin === "string"
    ? options.crossOrigin
    : null;
  return async function serverTiming(ctx, next) {
    const on = typeof enabled === "function" ? enabled(ctx) : enabled;
    if (!on) return next();
    const start = performance.now();
    const metrics: Metric[] = [];
    timings.set(ctx, metrics);
    let response: Response;
    try {
      response = await responseOf(next);
    } finally {
      timings.delete(ctx);
    }
    if (total) {
      metrics.push({
        name: DEFAULT_TOTAL_METRIC,
        dur: performance.now() - start,
        desc: totalDescription,
      });
    }
    const value = metrics.map((m) => format(m, precision)).join(", ");
    return editHeaders(response, (headers) => {
      if (value !== "") headers.append("server-timing", value);
      if (crossOrigin !== null) headers.set("timing-allow-origin", crossOrigin);
    });
  };
}

/**
 * Starts timing the metric `name` for this request (a no-op without `serverTiming()`).
 *
 * @param ctx The request's context.
 * @param name The metric's name, a token.
 * @param description Its description.
 *
 * @example
 * ```ts
 * import { Context, endTime, startTime } from "@wire/http/router";
 *
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const ctx = new Context(new Request("http://localhost/"), info);
 * startTime(ctx, "cache"); // without serverTiming() in the chain: nothing recorded
 * endTime(ctx, "cache");
 * ```
 */
// deno-lint-ignore no-explicit-any
export function startTime(ctx: Context<any, any>, name: string, description?: string): void {
  const metrics = timings.get(ctx);
  if (metrics === undefined) return;
  checkName(name);
  metrics.push({ name, desc: description, start: performance.now() });
}

/**
 * Ends the metric `name` that {@linkcode startTime} started (the latest one of that
 * name still running); a no-op when none is.
 *
 * @param ctx The request's context.
 * @param name The metric's name.
 *
 * @example
 * ```ts
 * import { Context, endTime } from "@wire/http/router";
 *
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * endTime(new Context(new Request("http://localhost/"), info), "db"); // nothing running: no-op
 * ```
 */
// deno-lint-ignore no-explicit-any
export function endTime(ctx: Context<any, any>, name: string): void {
  const metrics = timings.get(ctx);
  if (metrics === undefined) return;
  for (let i = metrics.length - 1; i >= 0; i--) {
    const metric = metrics[i];
    if (metric.name === name && metric.start !== undefined && metric.dur === undefined) {
      metric.dur = performance.now() - metric.start;
      return;
    }
  }
}

/**
 * Records a metric with a known duration in milliseconds, or a description only (a
 * string as the second argument: `setMetric(ctx, "region", "eu-west")`).
 *
 * @param ctx The request's context.
 * @param name The metric's name, a token.
 * @param value A duration in ms, or a description.
 * @param description The description, when `value` is a duration.
 *
 * @example
 * ```ts
 * import { compose, serverTiming, setMetric } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(serverTiming({ total: false }), (ctx) => {
 *   setMetric(ctx, "region", "eu-west");
 *   setMetric(ctx, "cache", 0.25, "Cache read");
 *   return new Response("ok");
 * });
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const response = await handler(new Request("http://localhost/"), info);
 * assert.equal(response.headers.get("server-timing"), 'region;desc="eu-west", cache;dur=0.3;desc="Cache read"');
 * ```
 */
export function setMetric(
  // deno-lint-ignore no-explicit-any
  ctx: Context<any, any>,
  name: string,
  value?: number | string,
  description?: string,
): void {
  const metrics = timings.get(ctx);
  if (metrics === undefined) return;
  checkName(name);
  if (typeof value === "string") metrics.push({ name, desc: value });
  else metrics.push({ name, dur: value, desc: description });
}

function checkName(name: string): void {
  if (typeof name !== "string" || !isToken(name)) {
    throw new TypeError(`Cannot record metric: name ${JSON.stringify(name)} is not a token`);
  }
}

function format(metric: Metric, precision: number): string {
  let out = metric.name;
  if (metric.dur !== undefined) out += ";dur=" + metric.dur.toFixed(precision);
  if (metric.desc !== undefined) {
    out += ';desc="' + metric.desc.replace(/[\\"]/g, "\\$&").replace(/[\r\n]/g, " ") + '"';
  }
  return out;
}
