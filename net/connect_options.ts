/**
 * Options of `connect`, and their defaults.
 *
 * @module
 */

/** The address {@linkcode connect} dials when no `hostname` is given. */
export const DEFAULT_CONNECT_HOSTNAME = "127.0.0.1";

/**
 * How long {@linkcode connect} waits for a connection, TLS handshake included, in
 * milliseconds: 30 s, as Go's `net.Dialer` in `http.DefaultTransport`.
 */
export const DEFAULT_CONNECT_TIMEOUT = 30_000;

/** Options for {@linkcode connect}: a TCP host and port (optionally TLS) or a Unix socket path. */
export interface ConnectOptions {
  /**
   * The host to dial: an IP literal or a host name.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The TCP port, 1 to 65535. Required unless `path` is given.
   *
   * @default {undefined}
   */
  port?: number;
  /**
   * A Unix domain socket path to connect to instead of a TCP port.
   *
   * @default {undefined}
   */
  path?: string;
  /**
   * Speak TLS over the TCP connection. Giving `caCerts` or `serverName` turns TLS on
   * too.
   *
   * @default {false}
   */
  tls?: boolean;
  /**
   * PEM root certificates to trust in addition to the built-in roots (for a
   * self-signed or private CA certificate).
   *
   * @default {undefined}
   */
  caCerts?: string[];
  /**
   * The name sent in SNI and checked against the server's certificate, when it differs
   * from `hostname` (dial 127.0.0.1, verify `localhost`).
   *
   * @default {hostname}
   */
  serverName?: string;
  /**
   * ALPN protocols to offer in the TLS handshake; none are offered by default.
   *
   * @default {undefined}
   */
  alpnProtocols?: string[];
  /**
   * Milliseconds to wait for the connection and, with TLS, the handshake; past it the
   * promise rejects with a {@linkcode ConnectError} of code `"ETIMEDOUT"`. `0` or
   * `Infinity` waits as long as the system does.
   *
   * @default {30000}
   */
  timeout?: number;
  /**
   * Gives up when aborted: the promise rejects with `signal.reason`, as `fetch` does,
   * and a connection that completes afterwards is closed.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Sets TCP_NODELAY (Nagle's algorithm off) so small writes such as a request head
   * leave at once. Ignored for Unix sockets.
   *
   * @default {true}
   */
  noDelay?: boolean;
}
