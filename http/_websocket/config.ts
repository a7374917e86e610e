/**
 * WebSocket options, checked once and resolved to plain values with their defaults,
 * with the messages of the option validators in `_codec/options.ts`.
 *
 * @module
 */

import { kindOf } from "../_codec/error_text.ts";
import {
  DURATION,
  functionOption,
  numberOption,
  type NumberRule,
  POSITIVE_INTEGER,
} from "../_codec/options.ts";
import {
  DEFAULT_DEFLATE_LEVEL,
  DEFAULT_DEFLATE_MEM_LEVEL,
  DEFAULT_DEFLATE_THRESHOLD,
  DEFAULT_WEBSOCKET_CLOSE_TIMEOUT,
  DEFAULT_WEBSOCKET_HANDSHAKE_TIMEOUT,
  DEFAULT_WEBSOCKET_IDLE_TIMEOUT,
  DEFAULT_WEBSOCKET_MAX_PAYLOAD,
  DEFAULT_WEBSOCKET_STREAM_HIGH_WATER_MARK,
  type PerMessageDeflateOptions,
  type ProtocolSelector,
  type WebSocketServerOptions,
  type WireWebSocketOptions,
} from "../websocket_options.ts";
import type { DeflateTuning } from "./deflate.ts";
import type { DeflateWishes } from "./extensions.ts";

/** What a side wants of permessage-deflate, and how it compresses. */
export interface DeflateConfig extends DeflateWishes, DeflateTuning {}

/** The settings of one socket, either role. */
export interface SocketConfig {
  /** Largest message in bytes (decompressed). */
  maxPayload: number;
  /** Seconds of silence before a ping; 0 for never. */
  idleTimeout: number;
  /** Milliseconds to wait for the close handshake. */
  closeTimeout: number;
  /** permessage-deflate settings, or null when it is off. */
  deflate: DeflateConfig | null;
}

/** A server socket's settings. */
export interface ServerConfig extends SocketConfig {
  /** How to pick a subprotocol. */
  protocol: ProtocolSelector | undefined;
}

/** A client's settings. */
export interface ClientConfig extends SocketConfig {
  /** Subprotocols to offer. */
  protocols: string[];
  /** More handshake fields. */
  headers: Headers;
  /** Milliseconds for connecting and the 101. */
  handshakeTimeout: number;
  /** Extra PEM roots for wss:. */
  caCerts: string[] | undefined;
  /** Aborts the handshake. */
  signal: AbortSignal | undefined;
  /** Opens the byte stream instead of a TCP connection (`connect` option), or undefined. */
  connect: WireWebSocketOptions["connect"];
}

const WINDOW_BITS: NumberRule = { min: 8, max: 15, integer: true };
const LEVEL: NumberRule = { min: 0, max: 9, integer: true };
const MEM_LEVEL: NumberRule = { min: 1, max: 9, integer: true };
const THRESHOLD: NumberRule = { min: 0, integer: true };
const SECONDS: NumberRule = DURATION;

/** The handshake's own fields, which `headers` may not set. */
const RESERVED_FIELDS = [
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
  "sec-websocket-accept",
];

function booleanOption(action: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new TypeError(`Cannot ${action}: ${name} must be a boolean, got ${kindOf(value)}`);
  }
  return value;
}

/**
 * Resolves `perMessageDeflate`: false/undefined → null, true → defaults, or checked
 * settings.
 *
 * @param action For messages ("upgrade to WebSocket").
 * @param value The option.
 * @returns The settings, or null when off.
 */
export function resolveDeflate(action: string, value: unknown): DeflateConfig | null {
  if (value === undefined || value === false) return null;
  if (value !== true && (typeof value !== "object" || value === null)) {
    throw new TypeError(
      `Cannot ${action}: perMessageDeflate must be a boolean or an object, got ${kindOf(value)}`,
    );
  }
  const o: PerMessageDeflateOptions = value === true ? {} : value as PerMessageDeflateOptions;
  const name = (option: string) => `perMessageDeflate.${option}`;
  return {
    threshold: numberOption(
      action,
      name("threshold"),
      o.threshold,
      DEFAULT_DEFLATE_THRESHOLD,
      THRESHOLD,
    ),
    level: numberOption(action, name("level"), o.level, DEFAULT_DEFLATE_LEVEL, LEVEL),
    memLevel: numberOption(
      action,
      name("memLevel"),
      o.memLevel,
      DEFAULT_DEFLATE_MEM_LEVEL,
      MEM_LEVEL,
    ),
    serverNoContextTakeover: booleanOption(
      action,
      name("serverNoContextTakeover"),
      o.serverNoContextTakeover,
    ),
    clientNoContextTakeover: booleanOption(
      action,
      name("clientNoContextTakeover"),
      o.clientNoContextTakeover,
    ),
    serverMaxWindowBits: numberOption(
      action,
      name("serverMaxWindowBits"),
      o.serverMaxWindowBits,
      0,
      WINDOW_BITS,
    ),
    clientMaxWindowBits: numberOption(
      action,
      name("clientMaxWindowBits"),
      o.clientMaxWindowBits,
      0,
      WINDOW_BITS,
    ),
  };
}

function socketConfig(
  action: string,
  options: WebSocketServerOptions | WireWebSocketOptions,
  idleDefault: number,
): SocketConfig {
  return {
    maxPayload: numberOption(
      action,
      "maxPayload",
      options.maxPayload,
      DEFAULT_WEBSOCKET_MAX_PAYLOAD,
      POSITIVE_INTEGER,
    ),
    idleTimeout: numberOption(action, "idleTimeout", options.idleTimeout, idleDefault, SECONDS),
    closeTimeout: numberOption(
      action,
      "closeTimeout",
      options.closeTimeout,
      DEFAULT_WEBSOCKET_CLOSE_TIMEOUT,
      DURATION,
    ),
    deflate: resolveDeflate(action, options.perMessageDeflate),
  };
}

/**
 * Checks a server socket's options.
 *
 * @param options The options given to `upgradeWebSocket`.
 * @returns The settings.
 * @throws {TypeError} When an option has the wrong type.
 * @throws {RangeError} When a number is out of range.
 */
export function resolveServerOptions(options: WebSocketServerOptions = {}): ServerConfig {
  const action = "upgrade to WebSocket";
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${action}: options must be an object`);
  }
  const protocol = options.protocol;
  if (
    protocol !== undefined && typeof protocol !== "string" && typeof protocol !== "function" &&
    !(Array.isArray(protocol) && protocol.every((p) => typeof p === "string"))
  ) {
    throw new TypeError(
      `Cannot ${action}: protocol must be a string, an array of strings or a function, got ${
        kindOf(protocol)
      }`,
    );
  }
  return {
    ...socketConfig(action, options, DEFAULT_WEBSOCKET_IDLE_TIMEOUT),
    protocol,
  };
}

/**
 * Checks a client's options.
 *
 * @param options The constructor's options.
 * @param protocols The protocols (from the options or the second argument).
 * @returns The settings.
 * @throws {TypeError} When an option has the wrong type or `headers` sets a handshake
 *   field.
 * @throws {RangeError} When a number is out of range.
 */
export function resolveClientOptions(
  options: WireWebSocketOptions,
  protocols: string[],
): ClientConfig {
  const action = "open WebSocket";
  const headers = new Headers(options.headers);
  for (const field of RESERVED_FIELDS) {
    if (headers.has(field)) {
      throw new TypeError(`Cannot ${action}: the handshake sets ${field}, not the headers option`);
    }
  }
  const caCerts = options.caCerts;
  if (
    caCerts !== undefined && (!Array.isArray(caCerts) || caCerts.some((c) => typeof c !== "string"))
  ) {
    throw new TypeError(`Cannot ${action}: caCerts must be an array of PEM strings`);
  }
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`Cannot ${action}: signal must be an AbortSignal, got ${kindOf(signal)}`);
  }
  return {
    ...socketConfig(action, options, 0),
    protocols,
    headers,
    handshakeTimeout: numberOption(
      action,
      "handshakeTimeout",
      options.handshakeTimeout,
      DEFAULT_WEBSOCKET_HANDSHAKE_TIMEOUT,
      DURATION,
    ),
    caCerts,
    signal,
    connect: functionOption(action, "connect", options.connect, undefined),
  };
}

/**
 * Checks a stream's `highWaterMark`.
 *
 * @param value The option.
 * @returns Bytes.
 */
export function resolveHighWaterMark(value: unknown): number {
  return numberOption(
    "open WebSocketStream",
    "highWaterMark",
    value,
    DEFAULT_WEBSOCKET_STREAM_HIGH_WATER_MARK,
    { min: 0, integer: false },
  );
}
