/**
 * The settings of a server connection, resolved once per server from `ServeOptions` (or
 * `inject`'s options): every limit checked, every default filled in.
 *
 * @module
 */

import type { Handler } from "../handler.ts";
import type { ConnectionOptions } from "../server_options.ts";
import type { Parser } from "../parser.ts";
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
/** Bytes of an unread request body the server drains to keep a connection alive. */
export const DEFAULT_MAX_DRAIN_BYTES = 256 * 1024;

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
  /** "http" or "https": the scheme of request URLs. */
  scheme: string;
  /** Authority for request URLs when an HTTP/1.0 request has no Host. */
  defaultHost: string;
  /** Idle parsers made with these limits, shared by the server's connections. */
  parsers: Parser[];
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
  handler: Handler,
  options: ConnectionOptions,
  scheme: string,
  defaultHost: string,
): ConnectionConfig {
  if (typeof handler !== "function") {
    throw new TypeError(`Cannot serve: the handler must be a function, got ${typeof handler}`);
  }
  const count = (name: keyof ConnectionOptions, fallback: number, rule: NumberRule) =>
    numberOption("serve", name, options[name], fallback, rule);
  return {
    handler,
    onError: functionOption("serve", "onError", options.onError, defaultOnError),
    maxHeaderBytes: count("maxHeaderBytes", DEFAULT_MAX_HEADER_BYTES, POSITIVE_INTEGER),
    maxHeaderCount: count("maxHeaderCount", DEFAULT_MAX_HEADER_COUNT, POSITIVE_INTEGER),
    maxUrlBytes: count("maxUrlBytes", DEFAULT_MAX_URL_BYTES, POSITIVE_INTEGER),
    maxBodyBytes: count("maxBodyBytes", DEFAULT_MAX_BODY_BYTES, NON_NEGATIVE_INTEGER),
    headersTimeout: count("headersTimeout", DEFAULT_HEADERS_TIMEOUT, TIMEOUT),
    requestTimeout: count("requestTimeout", DEFAULT_REQUEST_TIMEOUT, TIMEOUT),
    keepAliveTimeout: count("keepAliveTimeout", DEFAULT_KEEP_ALIVE_TIMEOUT, TIMEOUT),
    maxRequestsPerConnection: count(
      "maxRequestsPerConnection",
      DEFAULT_MAX_REQUESTS_PER_CONNECTION,
      NON_NEGATIVE_INTEGER,
    ),
    maxDrainBytes: count("maxDrainBytes", DEFAULT_MAX_DRAIN_BYTES, NON_NEGATIVE_INTEGER),
    scheme,
    defaultHost,
    parsers: [],
  };
}
