/**
 * The settings of a server connection, resolved once per server from `ServeOptions` (or
 * `inject`'s options): every limit checked, every default filled in.
 *
 * @module
 */

import type { Handler } from "../handler.ts";
import type { ConnectionOptions, ServeLenientFlags } from "../server_options.ts";
import type { Parser } from "../parser.ts";
import type { ParserLenientFlags } from "../parser_options.ts";
import { keepAliveLine } from "./response_head.ts";
import {
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADER_COUNT,
  DEFAULT_MAX_URL_BYTES,
} from "../_parser/limits.ts";
import {
  functionOption,
  NON_NEGATIVE_INTEGER,
  numberOption,
  type NumberRule,
  POSITIVE_INTEGER,
} from "../_codec/options.ts";
import { defaultOnError } from "./error_response.ts";
import { kindOf } from "../_codec/error_text.ts";
import { type ProxyTrust, resolveTrustProxy } from "./proxy_trust.ts";
import { type ProxyHeaderConfig, resolveProxyProtocol } from "./proxy_header.ts";
import { AccessLogWriter } from "../access_log.ts";
import { compressResponse } from "../compression.ts";
import { TELEMETRY } from "../_codec/telemetry.ts";
import { type Observers, ServerCounters } from "./observe.ts";

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
/** Requests in the handler at once, server-wide: unlimited by default (0). */
export const DEFAULT_MAX_REQUESTS_IN_FLIGHT = 0;
/** Open connections: unlimited by default (0). */
export const DEFAULT_MAX_CONNECTIONS = 0;
/** Bytes of an unread request body the server drains to keep a connection alive. */
export const DEFAULT_MAX_DRAIN_BYTES = 256 * 1024;
/**
 * Time a response write may wait with the client taking no byte (it does not read)
 * before the connection is closed: nginx's `send_timeout`.
 */
export const DEFAULT_SEND_TIMEOUT = 60_000;

/** What the error hook of `serve` looks like. */
export type ErrorHandler = (error: unknown, request?: Request) => Response | Promise<Response>;

/** Every setting a connection needs, with defaults already applied. */
export interface ConnectionConfig {
  handler: Handler;
  onError: ErrorHandler;
  maxHeaderBytes: number;
  maxHeaderCount: number;
  maxUrlBytes: number;
  maxBodyBytes: number;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxRequestsPerConnection: number;
  maxDrainBytes: number;
  /** Requests in the handler at once, server-wide; 0 is unlimited (503 past it). */
  maxRequestsInFlight: number;
  /** A write that makes no progress this long closes the connection. */
  sendTimeout: number;
  /** "http" or "https": the scheme of request URLs. */
  scheme: string;
  /** Authority for request URLs when an HTTP/1.0 request has no Host. */
  defaultHost: string;
  /** Idle parsers made with these limits, shared by the server's connections. */
  parsers: Parser[];
  /** The parser's relaxations (`lenient.bareLf`, `lenient.methods`). */
  parserLenient: ParserLenientFlags;
  /** Serve HTTP/1.1 requests without Host (`lenient.missingHost`). */
  missingHost: boolean;
  /** Serve targets the URL parser rewrites, rewritten (`lenient.normalizePath`). */
  normalizePath: boolean;
  /** Whose forwarding headers are believed (`trustProxy`), or null. */
  trustProxy: ProxyTrust | null;
  /** The PROXY protocol header's settings (`proxyProtocol`), or null when off. */
  proxyProtocol: ProxyHeaderConfig | null;
  /** The `keep-alive: timeout=N` line of responses that keep the connection open. */
  keepAliveLine: string;
  /** The server's counters (`server.stats()`). */
  counters: ServerCounters;
  /** The access log and telemetry, or null when neither is on (the common case). */
  observers: Observers | null;
}

/** A timeout: whole milliseconds, at least 1, at most what setTimeout takes. */
const TIMEOUT: NumberRule = { min: 1, max: 2 ** 31 - 1, integer: true };

/**
 * Checks the handler and the connection options and fills in their defaults.
 *
 * @param handler The request handler.
 * @param options Limits, timeouts, onError.
 * @param scheme "http" or "https" (for request URLs).
 * @param defaultHost Authority for HTTP/1.0 requests without Host.
 * @returns The resolved connection settings.
 */
export function resolveConfig(
  handler: Handler | { fetch: Handler },
  options: ConnectionOptions,
  scheme: string,
  defaultHost: string,
): ConnectionConfig {
  const count = (name: keyof ConnectionOptions, fallback: number, rule: NumberRule) =>
    numberOption("serve", name, options[name], fallback, rule);
  const keepAliveTimeout = count("keepAliveTimeout", DEFAULT_KEEP_ALIVE_TIMEOUT, TIMEOUT);
  const lenient = resolveLenient(options.lenient);
  const accessLog = resolveAccessLog(options.accessLog);
  return {
    handler: withCompression(handlerOf(handler), options.automaticCompression),
    onError: functionOption("serve", "onError", options.onError, defaultOnError),
    maxHeaderBytes: count("maxHeaderBytes", DEFAULT_MAX_HEADER_BYTES, POSITIVE_INTEGER),
    maxHeaderCount: count("maxHeaderCount", DEFAULT_MAX_HEADER_COUNT, POSITIVE_INTEGER),
    maxUrlBytes: count("maxUrlBytes", DEFAULT_MAX_URL_BYTES, POSITIVE_INTEGER),
    maxBodyBytes: count("maxBodyBytes", DEFAULT_MAX_BODY_BYTES, NON_NEGATIVE_INTEGER),
    headersTimeout: count("headersTimeout", DEFAULT_HEADERS_TIMEOUT, TIMEOUT),
    requestTimeout: count("requestTimeout", DEFAULT_REQUEST_TIMEOUT, TIMEOUT),
    keepAliveTimeout,
    maxRequestsPerConnection: count(
      "maxRequestsPerConnection",
      DEFAULT_MAX_REQUESTS_PER_CONNECTION,
      NON_NEGATIVE_INTEGER,
    ),
    maxDrainBytes: count("maxDrainBytes", DEFAULT_MAX_DRAIN_BYTES, NON_NEGATIVE_INTEGER),
    maxRequestsInFlight: count(
      "maxRequestsInFlight",
      DEFAULT_MAX_REQUESTS_IN_FLIGHT,
      NON_NEGATIVE_INTEGER,
    ),
    sendTimeout: count("sendTimeout", DEFAULT_SEND_TIMEOUT, TIMEOUT),
    scheme,
    defaultHost,
    parsers: [],
    parserLenient: { optionalCrBeforeLf: lenient.bareLf, methods: lenient.methods },
    missingHost: lenient.missingHost === true,
    normalizePath: lenient.normalizePath,
    trustProxy: resolveTrustProxy(options.trustProxy),
    proxyProtocol: resolveProxyProtocol(options.proxyProtocol, scheme),
    keepAliveLine: keepAliveLine(keepAliveTimeout),
    counters: new ServerCounters(),
    observers: accessLog === null && TELEMETRY === null
      ? null
      : { accessLog, telemetry: TELEMETRY },
  };
}

function resolveAccessLog(option: ConnectionOptions["accessLog"]): AccessLogWriter | null {
  if (option === undefined || option === false) return null;
  if (option === true) return new AccessLogWriter("serve's accessLog");
  if (typeof option === "string" || typeof option === "function") {
    return new AccessLogWriter("serve's accessLog", { format: option });
  }
  if (option === null || typeof option !== "object") {
    throw new TypeError(
      `Cannot serve: accessLog must be a boolean, a format or options, got ${kindOf(option)}`,
    );
  }
  return new AccessLogWriter("serve's accessLog", option);
}

/**
 * The handler, its Responses compressed when `automaticCompression` asks for it.
 *
 * @param handler The handler.
 * @param option The `automaticCompression` option.
 * @returns The handler to call.
 */
function withCompression(
  handler: Handler,
  option: ConnectionOptions["automaticCompression"],
): Handler {
  if (option === undefined || option === false) return handler;
  if (option !== true && (option === null || typeof option !== "object")) {
    throw new TypeError(
      `Cannot serve: automaticCompression must be a boolean or options, got ${kindOf(option)}`,
    );
  }
  const options = option === true ? {} : option;
  // Checks the options now (a bad one throws before the server binds).
  compressResponse(
    new Request("http://localhost/", { method: "HEAD" }),
    new Response(null),
    options,
  );
  const compressed = (request: Request, response: unknown) =>
    response instanceof Response ? compressResponse(request, response, options) : response;
  return (request, info) => {
    const result = handler(request, info);
    return result instanceof Promise
      ? result.then((response) => compressed(request, response)) as Promise<Response>
      : compressed(request, result) as Promise<Response>;
  };
}

/**
 * The handler to call: a function as it is, or the `fetch` method of an object (the
 * `deno serve` default-export shape, a Hono app), called on that object.
 *
 * @param handler A handler or an object with a `fetch` handler.
 * @returns The function to call per request.
 */
export function handlerOf(handler: Handler | { fetch: Handler }): Handler {
  if (typeof handler === "function") return handler;
  if (handler !== null && typeof handler === "object" && typeof handler.fetch === "function") {
    const target = handler;
    const fetch = handler.fetch;
    return (request, info) => fetch.call(target, request, info);
  }
  throw new TypeError(
    `Cannot serve: the handler must be a function or an object with a fetch method, got ${
      kindOf(handler)
    }`,
  );
}

const LENIENT_FLAGS = ["missingHost", "bareLf", "methods", "normalizePath"] as const;

function resolveLenient(lenient: unknown): Required<ServeLenientFlags> {
  const out = { missingHost: false, bareLf: false, methods: false, normalizePath: false };
  if (lenient === undefined) return out;
  if (lenient === null || typeof lenient !== "object") {
    throw new TypeError(`Cannot serve: lenient must be an object, got ${kindOf(lenient)}`);
  }
  for (const name of Object.keys(lenient)) {
    if (!(LENIENT_FLAGS as readonly string[]).includes(name)) {
      throw new TypeError(
        `Cannot serve: lenient.${name} is not a flag (known: ${LENIENT_FLAGS.join(", ")})`,
      );
    }
    const value = (lenient as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`Cannot serve: lenient.${name} must be a boolean, got ${kindOf(value)}`);
    }
    out[name as keyof typeof out] = value === true;
  }
  return out;
}
