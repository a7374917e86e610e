/**
 * Sockets: the accept loop (`listen`) and `connect`, over TCP, TLS and Unix sockets.
 *
 * - {@linkcode listen} opens a TCP, TLS or Unix listener and returns a
 *   {@linkcode Listener}: an async iterable of connections that survives transient
 *   accept errors (too many open files) with Go's 5 ms to 1 s backoff, tracks open
 *   connections, and ends cleanly on `close()`, an abort signal or `using`.
 * - {@linkcode connect} dials TCP, TLS or a Unix socket with a connect timeout, an
 *   abort signal and TCP_NODELAY on, and rejects with a {@linkcode ConnectError} that
 *   names the address.
 *
 * @example Accept connections
 * ```ts ignore
 * import { listen } from "@wire/http/net";
 *
 * using listener = listen({ port: 0 });
 * for await (const conn of listener) conn.close();
 * ```
 *
 * @example Connect and send
 * ```ts ignore
 * import { connect } from "@wire/http/net";
 *
 * using conn = await connect({ hostname: "127.0.0.1", port: 8080 });
 * await conn.write(new TextEncoder().encode("hello"));
 * ```
 *
 * @module
 */

export {
  DEFAULT_ALPN_PROTOCOLS,
  DEFAULT_LISTEN_HOSTNAME,
  listen,
  type ListenOptions,
} from "./listen.ts";
export { Listener, type ListenerOptions } from "./listener.ts";
export { connect } from "./connect.ts";
export {
  type ConnectOptions,
  DEFAULT_CONNECT_HOSTNAME,
  DEFAULT_CONNECT_TIMEOUT,
} from "./connect_options.ts";
export { ConnectError, type ConnectErrorCode } from "./connect_error.ts";
