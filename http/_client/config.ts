/**
 * The settings of a `Client`, resolved once from `ClientOptions`: what each connection
 * needs, what each pool needs, and where to connect.
 *
 * @module
 */

import {
  type ClientOptions,
  DEFAULT_CLIENT_BODY_TIMEOUT,
  DEFAULT_CLIENT_CONNECT_TIMEOUT,
  DEFAULT_CLIENT_HEADERS_TIMEOUT,
  DEFAULT_CLIENT_KEEP_ALIVE_TIMEOUT,
  DEFAULT_CLIENT_PIPELINING,
  DEFAULT_KEEP_ALIVE_MAX_TIMEOUT,
  DEFAULT_KEEP_ALIVE_TIMEOUT_THRESHOLD,
  DEFAULT_MAX_CONNECTIONS_PER_ORIGIN,
  DEFAULT_MAX_RESPONSE_HEADER_BYTES,
  DEFAULT_MAX_RESPONSE_HEADER_COUNT,
} from "../client_options.ts";
import { DURATION, numberOption, POSITIVE_INTEGER } from "../_codec/options.ts";

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
    },
    limits: {
      maxConnections: count("maxConnectionsPerOrigin", DEFAULT_MAX_CONNECTIONS_PER_ORIGIN),
      pipelining: count("pipelining", DEFAULT_CLIENT_PIPELINING),
      connectTimeout: ms("connectTimeout", DEFAULT_CLIENT_CONNECT_TIMEOUT),
    },
    caCerts,
    socketPath,
  };
}
