/**
 * The HTTP/1.1 protocol: parser, chunked codec, response encoder, `serve()` and the
 * clients.
 *
 * @example Answer requests
 * ```ts ignore
 * import { serve } from "@wire/http/http";
 *
 * serve(() => new Response("hello"), { port: 8000 });
 * ```
 *
 * @module
 */

// Handler and ServeInfo, HttpError, status codes
export type { Handler, HandlerObject, ServeInfo } from "./handler.ts";
export { HttpError, httpError, type HttpErrorOptions } from "./http_error.ts";
export { isStatus, STATUS_TEXT, statusText } from "./status.ts";
export { type Method, METHODS } from "./methods.ts";

// Parser, its events and options, ParseError, ChunkedEncoderStream
export { ChunkedEncoderStream } from "./chunked_encoder_stream.ts";
export {
  DEFAULT_MAX_CHUNK_EXTENSION_BYTES,
  type ParserLenientFlags,
  type ParserOptions,
} from "./parser_options.ts";
export {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
  type ParseEvent,
} from "./parse_event.ts";
export { Parser } from "./parser.ts";
export { ParseError, ParseErrorCode } from "./parse_error.ts";

// serve, Server, their options, inject
export {
  type ConnectionOptions,
  DEFAULT_SERVE_HOSTNAME,
  DEFAULT_SERVE_PORT,
  type ServeLenientFlags,
  type ServeOptions,
} from "./server_options.ts";
export {
  DEFAULT_PROXY_HEADER_MAX_BYTES,
  DEFAULT_PROXY_HEADER_TIMEOUT,
  type ProxyProtocol,
  type ProxyProtocolOptions,
} from "./proxy_protocol.ts";
export {
  DEFAULT_FORWARDED_HEADERS,
  type ForwardedHeaders,
  type TrustedAddresses,
  type TrustProxy,
  type TrustProxyFunction,
  type TrustProxyOptions,
} from "./trust_proxy.ts";
export { serve } from "./serve.ts";
export { type Upgrade, upgrade, type UpgradedConnection, type UpgradeOptions } from "./upgrade.ts";
export { Server, type ShutdownOptions } from "./server.ts";
export type { ServerStats } from "./server_stats.ts";
export {
  DEFAULT_INJECT_REMOTE_ADDR,
  inject,
  injectBytes,
  injectConnection,
  type InjectedConnection,
  type InjectOptions,
  type InjectResult,
} from "./inject.ts";

// WebSocket: the server's upgrade, the socket (client and server), the streams API
export {
  upgradeWebSocket,
  upgradeWebSocketStream,
  type WebSocketStreamUpgrade,
  type WebSocketUpgrade,
} from "./upgrade_websocket.ts";
export { WireWebSocket } from "./websocket.ts";
export {
  type WebSocketStreamCloseInfo,
  type WebSocketStreamCloseOptions,
  type WebSocketStreamConnection,
  WebSocketStreamError,
  WireWebSocketStream,
} from "./websocket_stream.ts";
export {
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
  type WebSocketTransport,
  type WireWebSocketOptions,
  type WireWebSocketStreamOptions,
} from "./websocket_options.ts";

// Client, its options, fetch, ClientError, interceptors, proxies, cookies
export { Client } from "./client.ts";
export {
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
  type LookupAddress,
} from "./client_options.ts";
export { closeDefaultClient, fetch } from "./fetch.ts";
export {
  ClientError,
  type ClientErrorCode,
  type ClientErrorOptions,
  type ClientTimeout,
} from "./client_error.ts";
export {
  type ClientInterceptor,
  type ClientNext,
  composeInterceptors,
} from "./client_interceptor.ts";
export { decompressInterceptor, type DecompressOptions } from "./decompress_interceptor.ts";
export { redirectInterceptor, type RedirectOptions } from "./redirect_interceptor.ts";
export {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_ERRORS,
  DEFAULT_RETRY_MAX_DELAY,
  DEFAULT_RETRY_METHODS,
  DEFAULT_RETRY_MIN_DELAY,
  DEFAULT_RETRY_STATUSES,
  retryInterceptor,
  type RetryOptions,
} from "./retry_interceptor.ts";
export { proxyFromEnv, type ProxyOptions } from "./client_proxy.ts";
export {
  type Cookie,
  CookieJar,
  type CookieJarOptions,
  type CookieRequestOptions,
  DEFAULT_MAX_COOKIES,
  DEFAULT_MAX_COOKIES_PER_DOMAIN,
} from "./cookie_jar.ts";

// Server-sent events: the encoder and streamSSE()
export {
  formatServerSentEvent,
  type ServerSentEventMessage,
  ServerSentEventStream,
} from "./server_sent_event_stream.ts";
export {
  DEFAULT_SSE_BUFFER_BYTES,
  DEFAULT_SSE_KEEP_ALIVE,
  type SSEStream,
  streamSSE,
  type StreamSSEOptions,
} from "./stream_sse.ts";

// Static files, compression, content types, request-body decoding
export { acceptsEncodings } from "./accept_encoding.ts";
export {
  type CompressionOptions,
  compressResponse,
  type ContentCoding,
  DEFAULT_BROTLI_QUALITY,
  DEFAULT_COMPRESSION_BUFFER_BYTES,
  DEFAULT_COMPRESSION_CHUNK_SIZE,
  DEFAULT_COMPRESSION_ENCODINGS,
  DEFAULT_COMPRESSION_THRESHOLD,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_ZSTD_LEVEL,
  isCompressible,
} from "./compression.ts";
export { contentType } from "./content_type.ts";
export {
  decodeRequestBody,
  type DecodeRequestBodyOptions,
  DEFAULT_MAX_DECODED_BODY_BYTES,
  DEFAULT_MAX_REQUEST_CODINGS,
} from "./decode_request_body.ts";
export { serveDir } from "./serve_dir.ts";
export { serveFile } from "./serve_file.ts";
export {
  DEFAULT_ETAG_MODE,
  DEFAULT_FILE_CACHE_BYTES,
  DEFAULT_FILE_CHUNK_SIZE,
  DEFAULT_INDEX,
  DEFAULT_MAX_RANGES,
  DEFAULT_PRECOMPRESSED,
  DEFAULT_SMALL_FILE_BYTES,
  type EtagMode,
  type PrecompressedCoding,
  type ServeDirOptions,
  type ServeFileOptions,
} from "./static_options.ts";

// Access logs (serve's accessLog option and the logger() middleware)
export {
  type AccessLogEntry,
  type AccessLogFormat,
  type AccessLogOptions,
  type AccessLogRecord,
  AccessLogWriter,
  DEFAULT_LOG_BATCH_BYTES,
  DEFAULT_LOG_FLUSH_INTERVAL,
  formatAccessLog,
  logAddress,
  logReason,
} from "./access_log.ts";
