import { connectWith, dialTransport } from "./_connect.ts";
import type { ConnectOptions } from "./connect_options.ts";

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
