/**
 * The settings of a `Client`, resolved once from `ClientOptions`: what each connection
 * needs, what each pool needs, and where to connect.
 *
 * @module
 */

import {
  type ClientLookup,
  type ClientOptions,
  DEFAULT_CLIENT_BODY_TIMEOUT,
  DEFAULT_CLIENT_CONNECT_TIMEOUT,
  DEFAULT_CLIENT_HEADERS_TIMEOUT,
  DEFAULT_CLIENT_KEEP_ALIVE_TIMEOUT,
  DEFAULT_CLIENT_PIPELINING,
  DEFAULT_DNS_CACHE_TTL,
  DEFAULT_HAPPY_EYEBALLS_DELAY,
  DEFAULT_KEEP_ALIVE_MAX_TIMEOUT,
  DEFAULT_KEEP_ALIVE_TIMEOUT_THRESHOLD,
  DEFAULT_MAX_CONNECTIONS_PER_ORIGIN,
  DEFAULT_MAX_CONTENT_CODINGS,
  DEFAULT_MAX_INTERIM_RESPONSES,
  DEFAULT_MAX_RESPONSE_BODY_BYTES,
  DEFAULT_MAX_RESPONSE_HEADER_BYTES,
  DEFAULT_MAX_RESPONSE_HEADER_COUNT,
} from "../client_options.ts";
import type { Handler, HandlerObject } from "../handler.ts";
import type { InjectOptions } from "../inject.ts";
import type { ClientInterceptor } from "../client_interceptor.ts";
import { CookieJar } from "../cookie_jar.ts";
import {
  DURATION,
  functionOption,
  NON_NEGATIVE_INTEGER,
  numberOption,
  POSITIVE_INTEGER,
} from "../_codec/options.ts";
import { kindOf } from "../_codec/error_text.ts";
import { type ProxyConfig, resolveProxy } from "./proxy_config.ts";

/** Bytes read from the socket at a time. */
const READ_BUFFER_SIZE = 64 * 1024;

/** Settings a connection needs. */
export interface ConnectionSettings {
  /** `headersTimeout`, in milliseconds; 0 for none. */
  headersTimeout: number;
  /** `bodyTimeout`, in milliseconds; 0 for none. */
  bodyTimeout: number;
  /** `keepAliveTimeout`, in milliseconds. */
  keepAliveTimeout: number;
  /** `keepAliveMaxTimeout`, in milliseconds. */
  keepAliveMaxTimeout: number;
  /** `keepAliveTimeoutThreshold`, in milliseconds. */
  keepAliveTimeoutThreshold: number;
  /** `maxResponseHeaderBytes`. */
  maxHeaderBytes: number;
  /** `maxResponseHeaderCount`. */
  maxHeaderCount: number;
  /** Bytes read from the socket at a time. */
  readBufferSize: number;
  /** `maxResponseBodyBytes`; Infinity for none. */
  maxResponseBodyBytes: number;
  /** `maxInterimResponses`. */
  maxInterimResponses: number;
  /** `maxContentCodings`. */
  maxContentCodings: number;
  /** Whether the connection decodes content codings. */
  decompress: boolean;
}

/** Settings every pool needs. */
export interface PoolLimits {
  /** `maxConnectionsPerOrigin`. */
  maxConnections: number;
  /** `pipelining`: most requests in flight on one connection. */
  pipelining: number;
  /** `connectTimeout`, in milliseconds; 0 for none. */
  connectTimeout: number;
}

/** How a Client finds and dials addresses. */
export interface DialConfig {
  /** `lookup`, or null for the system's. */
  lookup: ClientLookup | null;
  /** `happyEyeballs`. */
  happyEyeballs: boolean;
  /** `happyEyeballsDelay`, in milliseconds. */
  happyEyeballsDelay: number;
  /** `dnsCache`. */
  dnsCache: boolean;
  /** `dnsCacheTtl`, in milliseconds. */
  dnsCacheTtl: number;
}

/** Everything a Client decides from its options. */
export interface ClientConfig {
  /** What each connection needs. */
  settings: ConnectionSettings;
  /** What each pool needs. */
  limits: PoolLimits;
  /** `caCerts`: extra PEM roots for TLS. */
  caCerts: string[] | undefined;
  /** `socketPath`: a Unix socket for every request. */
  socketPath: string | undefined;
  /** `proxy`, resolved; null for none. */
  proxy: ProxyConfig | null;
  /** Name resolution and dialling. */
  dial: DialConfig;
  /** `handler`: in-memory dispatch, or null. */
  handler: Handler | HandlerObject | null;
  /** `handlerOptions`. */
  handlerOptions: Omit<InjectOptions, "chunkSize" | "secure" | "signal">;
  /** `interceptors`, outermost first. */
  interceptors: ClientInterceptor[];
  /** `cookieJar`, or null. */
  cookieJar: CookieJar | null;
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @param options The Client's options.
 * @returns The resolved settings.
 */
export function resolveClientConfig(options: ClientOptions): ClientConfig {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot create Client: options must be an object");
  }
  const ms = (name: keyof ClientOptions, fallback: number) =>
    numberOption("create Client", name, options[name], fallback, DURATION);
  const count = (name: keyof ClientOptions, fallback: number) =>
    numberOption("create Client", name, options[name], fallback, POSITIVE_INTEGER);
  const { caCerts, socketPath } = options;
  if (
    caCerts !== undefined &&
    (!Array.isArray(caCerts) || caCerts.some((cert) => typeof cert !== "string"))
  ) {
    throw new TypeError("Cannot create Client: caCerts must be an array of PEM strings");
  }
  if (socketPath !== undefined && (typeof socketPath !== "string" || socketPath === "")) {
    throw new TypeError("Cannot create Client: socketPath must be a non-empty string");
  }
  const flag = (name: keyof ClientOptions, fallback: boolean): boolean => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      throw new TypeError(`Cannot create Client: ${name} must be a boolean, got ${kindOf(value)}`);
    }
    return value;
  };
  const { handler, interceptors, cookieJar } = options;
  if (
    handler !== undefined &&
    typeof handler !== "function" &&
    (typeof handler !== "object" || handler === null || typeof handler.fetch !== "function")
  ) {
    throw new TypeError(
      `Cannot create Client: handler must be a function or a { fetch } object, got ${
        kindOf(handler)
      }`,
    );
  }
  if (
    interceptors !== undefined &&
    (!Array.isArray(interceptors) || interceptors.some((i) => typeof i !== "function"))
  ) {
    throw new TypeError("Cannot create Client: interceptors must be an array of functions");
  }
  if (cookieJar !== undefined && !(cookieJar instanceof CookieJar)) {
    throw new TypeError(
      `Cannot create Client: cookieJar must be a CookieJar, got ${kindOf(cookieJar)}`,
    );
  }
  const handlerOptions = options.handlerOptions ?? {};
  if (typeof handlerOptions !== "object" || handlerOptions === null) {
    throw new TypeError("Cannot create Client: handlerOptions must be an object");
  }
  return {
    settings: {
      headersTimeout: ms("headersTimeout", DEFAULT_CLIENT_HEADERS_TIMEOUT),
      bodyTimeout: ms("bodyTimeout", DEFAULT_CLIENT_BODY_TIMEOUT),
      keepAliveTimeout: ms("keepAliveTimeout", DEFAULT_CLIENT_KEEP_ALIVE_TIMEOUT),
      keepAliveMaxTimeout: ms("keepAliveMaxTimeout", DEFAULT_KEEP_ALIVE_MAX_TIMEOUT),
      keepAliveTimeoutThreshold: ms(
        "keepAliveTimeoutThreshold",
        DEFAULT_KEEP_ALIVE_TIMEOUT_THRESHOLD,
      ),
      maxHeaderBytes: count("maxResponseHeaderBytes", DEFAULT_MAX_RESPONSE_HEADER_BYTES),
      maxHeaderCount: count("maxResponseHeaderCount", DEFAULT_MAX_RESPONSE_HEADER_COUNT),
      readBufferSize: READ_BUFFER_SIZE,
      maxResponseBodyBytes: count("maxResponseBodyBytes", DEFAULT_MAX_RESPONSE_BODY_BYTES),
      maxInterimResponses: numberOption(
        "create Client",
        "maxInterimResponses",
        options.maxInterimResponses,
        DEFAULT_MAX_INTERIM_RESPONSES,
        NON_NEGATIVE_INTEGER,
      ),
      maxContentCodings: count("maxContentCodings", DEFAULT_MAX_CONTENT_CODINGS),
      decompress: flag("decompress", true),
    },
    limits: {
      maxConnections: count("maxConnectionsPerOrigin", DEFAULT_MAX_CONNECTIONS_PER_ORIGIN),
      pipelining: count("pipelining", DEFAULT_CLIENT_PIPELINING),
      connectTimeout: ms("connectTimeout", DEFAULT_CLIENT_CONNECT_TIMEOUT),
    },
    caCerts,
    socketPath,
    proxy: options.proxy === undefined ? null : resolveProxy(options.proxy),
    dial: {
      lookup: functionOption("create Client", "lookup", options.lookup, null),
      happyEyeballs: flag("happyEyeballs", false),
      happyEyeballsDelay: ms("happyEyeballsDelay", DEFAULT_HAPPY_EYEBALLS_DELAY),
      dnsCache: flag("dnsCache", false),
      dnsCacheTtl: ms("dnsCacheTtl", DEFAULT_DNS_CACHE_TTL),
    },
    handler: handler ?? null,
    handlerOptions,
    interceptors: interceptors === undefined ? [] : [...interceptors],
    cookieJar: cookieJar ?? null,
  };
}
