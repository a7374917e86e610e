import {
  connectWith,
  DEFAULT_CONNECT_HOSTNAME as HOSTNAME,
  DEFAULT_CONNECT_TIMEOUT as TIMEOUT,
  dialTransport,
} from "./_connect.ts";

/** The address {@linkcode connect} dials when no `hostname` is given. */
export const DEFAULT_CONNECT_HOSTNAME: string = HOSTNAME;

/**
 * How long {@linkcode connect} waits for a connection, TLS handshake included, in
 * milliseconds: 30 s, as Go's `net.Dialer` in `http.DefaultTransport`.
 */
export const DEFAULT_CONNECT_TIMEOUT: number = TIMEOUT;

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

/**
 * Opens a connection: TCP to `hostname:port`, TLS over it (`tls`, `caCerts` or
 * `serverName`, handshake completed before the promise resolves), or a Unix domain
 * socket at `path`.
 *
 * Failures reject with a {@linkcode ConnectError} whose message names the address:
 * "Cannot connect to 127.0.0.1:1234: connection refused" (`code` `"ECONNREFUSED"`),
 * "... timed out after 30000 ms" (`"ETIMEDOUT"`), "... TLS handshake failed: ..."
 * (`"ETLS"`), "... no such socket file" (`"ENOENT"`). An aborted `signal` rejects with
 * the signal's reason instead (a `DOMException` named `AbortError` unless the caller
 * gave one), like `fetch`. Nothing leaks: a connection that completes after a timeout
 * or an abort is closed.
 *
 * @param options Where to connect, TLS settings, timeout, signal and noDelay.
 * @returns The open connection (a `Deno.TcpConn`, `Deno.TlsConn` or `Deno.UnixConn`).
 * @throws {TypeError} When the options conflict or give neither a port nor a path.
 * @throws {RangeError} When `port` or `timeout` is out of range.
 *
 * @example Talk to a TCP server
 * ```ts ignore
 * import { connect } from "@wire/http/net";
 *
 * using conn = await connect({ hostname: "127.0.0.1", port: 8080, timeout: 5_000 });
 * await conn.write(new TextEncoder().encode("hello"));
 * ```
 *
 * @example Handle a refused connection
 * ```ts ignore
 * import { ConnectError, connect } from "@wire/http/net";
 *
 * try {
 *   await connect({ port: 1 });
 * } catch (error) {
 *   if (error instanceof ConnectError && error.code === "ECONNREFUSED") {
 *     console.log(error.message); // Cannot connect to 127.0.0.1:1: connection refused
 *   }
 * }
 * ```
 *
 * @example Reject bad options
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect } from "@wire/http/net";
 *
 * await assert.rejects(connect({ port: 70000 }), RangeError);
 * await assert.rejects(connect({ path: "/tmp/app.sock", tls: true }), TypeError);
 * ```
 */
export function connect(options: ConnectOptions): Promise<Deno.Conn> {
  return connectWith(options, dialTransport);
}
