/**
 * Options of the WebSocket server role, of the {@linkcode WireWebSocket} client and of
 * {@linkcode WireWebSocketStream}, and their defaults.
 *
 * @module
 */

/**
 * Largest message accepted by default, in bytes (after decompression): 64 MiB, as the
 * frame codec under Deno's own WebSocket (fastwebsockets). A longer message fails the
 * connection with close code 1009 before any of its payload is buffered.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_WEBSOCKET_MAX_PAYLOAD } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_WEBSOCKET_MAX_PAYLOAD, 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_WEBSOCKET_MAX_PAYLOAD = 64 * 1024 * 1024;

/**
 * Seconds of silence before a server pings its client by default, as
 * `Deno.upgradeWebSocket`: a ping after about half of it, and close code 1001 when
 * nothing arrives for the other half.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_WEBSOCKET_IDLE_TIMEOUT } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_WEBSOCKET_IDLE_TIMEOUT, 30);
 * ```
 */
export const DEFAULT_WEBSOCKET_IDLE_TIMEOUT = 30;

/**
 * Milliseconds to wait for the peer's close frame (and, on a client, for the server to
 * end the TCP connection) after sending one: 5 s. Past it the connection is closed and
 * the close event reports 1006.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_WEBSOCKET_CLOSE_TIMEOUT } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_WEBSOCKET_CLOSE_TIMEOUT, 5_000);
 * ```
 */
export const DEFAULT_WEBSOCKET_CLOSE_TIMEOUT = 5_000;

/**
 * Milliseconds a client waits for the connection and the 101 response: 30 s, as
 * `connect`.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_WEBSOCKET_HANDSHAKE_TIMEOUT } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_WEBSOCKET_HANDSHAKE_TIMEOUT, 30_000);
 * ```
 */
export const DEFAULT_WEBSOCKET_HANDSHAKE_TIMEOUT = 30_000;

/**
 * Messages shorter than this many bytes are sent uncompressed under permessage-deflate,
 * as in `ws`: 1024.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_DEFLATE_THRESHOLD } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_DEFLATE_THRESHOLD, 1024);
 * ```
 */
export const DEFAULT_DEFLATE_THRESHOLD = 1024;

/**
 * zlib compression level of permessage-deflate: 6, zlib's own default.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_DEFLATE_LEVEL } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_DEFLATE_LEVEL, 6);
 * ```
 */
export const DEFAULT_DEFLATE_LEVEL = 6;

/**
 * zlib memLevel of permessage-deflate: 8, zlib's default (about 128 KiB of compressor
 * state per connection besides the window).
 *
 * @example The default
 * ```ts
 * import { DEFAULT_DEFLATE_MEM_LEVEL } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_DEFLATE_MEM_LEVEL, 8);
 * ```
 */
export const DEFAULT_DEFLATE_MEM_LEVEL = 8;

/**
 * How many bytes of received messages a {@linkcode WireWebSocketStream}'s readable holds
 * before the socket stops being read: 64 KiB (text counts its UTF-16 length).
 *
 * @example The default
 * ```ts
 * import { DEFAULT_WEBSOCKET_STREAM_HIGH_WATER_MARK } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_WEBSOCKET_STREAM_HIGH_WATER_MARK, 65536);
 * ```
 */
export const DEFAULT_WEBSOCKET_STREAM_HIGH_WATER_MARK = 64 * 1024;

/**
 * permessage-deflate (RFC 7692) settings. The `*NoContextTakeover` and
 * `*MaxWindowBits` settings are negotiated: on a server they are what it requires of
 * the client's offer or grants, on a client what it asks for.
 *
 * @example Compress with small windows and no shared context
 * ```ts
 * import type { PerMessageDeflateOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const deflate: PerMessageDeflateOptions = {
 *   threshold: 256,
 *   serverNoContextTakeover: true,
 *   clientNoContextTakeover: true,
 *   serverMaxWindowBits: 10,
 * };
 * assert.equal(deflate.threshold, 256);
 * ```
 */
export interface PerMessageDeflateOptions {
  /**
   * Messages shorter than this many bytes are sent uncompressed.
   *
   * @default {1024}
   */
  threshold?: number;
  /**
   * The server resets its compression context after each message (less memory between
   * messages, less compression).
   *
   * @default {false}
   */
  serverNoContextTakeover?: boolean;
  /**
   * The client resets its compression context after each message.
   *
   * @default {false}
   */
  clientNoContextTakeover?: boolean;
  /**
   * The server's LZ77 window, 8 to 15 bits. A server sends uncompressed when it gets 8
   * (zlib cannot compress with an 8-bit raw window).
   *
   * @default {15}
   */
  serverMaxWindowBits?: number;
  /**
   * The client's LZ77 window, 8 to 15 bits. A server that sets it declines offers
   * without `client_max_window_bits`.
   *
   * @default {15}
   */
  clientMaxWindowBits?: number;
  /**
   * zlib compression level, 0 (store) to 9 (smallest).
   *
   * @default {6}
   */
  level?: number;
  /**
   * zlib memLevel, 1 to 9: memory for the compressor's state.
   *
   * @default {8}
   */
  memLevel?: number;
}

/**
 * How a server picks a subprotocol from the client's `Sec-WebSocket-Protocol` list: one
 * name (chosen when the client offers it), a list in the server's order of preference
 * (the first the client offers), or a function of the offered names and the request
 * (it returns one of them, or null, undefined or "" for none). With no match the 101
 * names no protocol and `socket.protocol` is "".
 *
 * @example Prefer the newer protocol
 * ```ts
 * import type { ProtocolSelector } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const pick: ProtocolSelector = (offered) => offered.find((p) => p.startsWith("chat.v2"));
 * assert.ok(typeof pick === "function");
 * ```
 */
export type ProtocolSelector =
  | string
  | readonly string[]
  | ((offered: string[], request: Request) => string | null | undefined);

/**
 * Options of a server-side WebSocket (`upgradeWebSocket`).
 *
 * @example Limits and compression
 * ```ts
 * import type { WebSocketServerOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: WebSocketServerOptions = {
 *   protocol: ["chat.v2", "chat.v1"],
 *   maxPayload: 1024 * 1024,
 *   idleTimeout: 60,
 *   perMessageDeflate: { threshold: 512 },
 * };
 * assert.equal(options.idleTimeout, 60);
 * ```
 */
export interface WebSocketServerOptions {
  /**
   * Which of the client's subprotocols to accept.
   *
   * @default {undefined}
   */
  protocol?: ProtocolSelector;
  /**
   * Seconds without any frame from the client before the server pings it (at about
   * half of it) and closes with 1001 (when the other half passes in silence too), as
   * `Deno.upgradeWebSocket`. `0` turns it off.
   *
   * @default {30}
   */
  idleTimeout?: number;
  /**
   * Milliseconds to wait for the client's close frame after sending one; `0` closes
   * the connection as soon as the close frame is written.
   *
   * @default {5000}
   */
  closeTimeout?: number;
  /**
   * Largest message in bytes, after decompression. A longer one fails the connection
   * with 1009; the announced length is checked before any payload is buffered.
   *
   * @default {67108864}
   */
  maxPayload?: number;
  /**
   * Accept permessage-deflate when the client offers it: `true` for the defaults, or
   * settings. Off by default, as in `Deno.upgradeWebSocket` (compression costs CPU, and
   * each connection's zlib state costs about 300 KiB).
   *
   * @default {false}
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
}

/**
 * Options of the {@linkcode WireWebSocket} client: the `WebSocket` constructor's second
 * argument (protocols), plus handshake headers, compression, limits and TLS.
 *
 * @example A client with a token and compression
 * ```ts
 * import type { WireWebSocketOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: WireWebSocketOptions = {
 *   protocols: ["chat.v2"],
 *   headers: { authorization: "Bearer token" },
 *   perMessageDeflate: true,
 * };
 * assert.deepEqual(options.protocols, ["chat.v2"]);
 * ```
 */
export interface WireWebSocketOptions {
  /**
   * Subprotocols to offer, in order of preference.
   *
   * @default {[]}
   */
  protocols?: string | string[];
  /**
   * More fields for the opening handshake (Authorization, Origin, Cookie, ...). The
   * handshake's own fields (Upgrade, Connection, Sec-WebSocket-*) cannot be set here.
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
  /**
   * Offer permessage-deflate: `true` for the defaults, or settings. Off by default, as
   * Deno's WebSocket client.
   *
   * @default {false}
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * Largest message in bytes, after decompression: longer ones fail with 1009.
   *
   * @default {67108864}
   */
  maxPayload?: number;
  /**
   * Milliseconds to wait for the server's close frame, then for it to end the TCP
   * connection, after sending a close frame.
   *
   * @default {5000}
   */
  closeTimeout?: number;
  /**
   * Seconds of silence before pinging the server and then closing with 1001, as on the
   * server; `0` (the default for clients, as browsers) never pings.
   *
   * @default {0}
   */
  idleTimeout?: number;
  /**
   * Milliseconds for the TCP (and TLS) connection and the 101 response together.
   *
   * @default {30000}
   */
  handshakeTimeout?: number;
  /**
   * PEM certificates to trust for `wss:` in addition to the built-in roots.
   *
   * @default {undefined}
   */
  caCerts?: string[];
  /**
   * Aborts the opening handshake (error and close events, code 1006); no effect once
   * the socket is open.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Opens the byte stream the handshake and the frames go over, instead of a TCP (or TLS)
   * connection to the URL's host: `() => injectConnection(handler)` talks to a Wire
   * handler in memory, through the real server, with no port.
   *
   * @default {a TCP connection to the URL's host and port (TLS for wss:)}
   */
  connect?: (url: URL, signal: AbortSignal) => WebSocketTransport | Promise<WebSocketTransport>;
}

/**
 * A byte stream both ways, for {@linkcode WireWebSocketOptions.connect}: what
 * `injectConnection` returns, or any socket-like object.
 *
 * @example A WebSocket to a handler in memory
 * ```ts ignore
 * import { injectConnection, upgradeWebSocket, WireWebSocket } from "@wire/http";
 *
 * const handler = (request: Request) => {
 *   const { socket, response } = upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * };
 * const ws = new WireWebSocket("ws://app.test/", { connect: () => injectConnection(handler) });
 * ```
 */
export interface WebSocketTransport {
  /** Reads into `buffer`; resolves how many bytes arrived, or 0 or null at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `buffer`; resolves how many bytes were taken. */
  write(buffer: Uint8Array): Promise<number>;
  /** Closes both directions; a second call is harmless. */
  close(): void;
}

/**
 * Options of the {@linkcode WireWebSocketStream} client: those of
 * {@linkcode WireWebSocketOptions} and the readable's high-water mark.
 *
 * @example Read with a small buffer
 * ```ts
 * import type { WireWebSocketStreamOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: WireWebSocketStreamOptions = { protocols: ["chat.v2"], highWaterMark: 4096 };
 * assert.equal(options.highWaterMark, 4096);
 * ```
 */
export interface WireWebSocketStreamOptions extends WireWebSocketOptions {
  /**
   * Bytes of received messages the readable holds before the socket stops being read
   * (text counts its UTF-16 length); reading resumes as the reader pulls.
   *
   * @default {65536}
   */
  highWaterMark?: number;
}
