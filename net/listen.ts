import { Listener } from "./listener.ts";

/** The address TCP and TLS listeners bind to when no `hostname` is given: every IPv4 interface. */
export const DEFAULT_LISTEN_HOSTNAME = "0.0.0.0";

/** The ALPN protocols a TLS listener announces when none are given. */
export const DEFAULT_ALPN_PROTOCOLS: readonly string[] = Object.freeze(["http/1.1"]);

/** Options for {@linkcode listen}: a TCP port, a TLS port (`cert` + `key`) or a Unix socket `path`. */
export interface ListenOptions {
  /**
   * The TCP port, 0 to 65535; 0 lets the system pick a free port (read it from
   * `listener.addr`). Required unless `path` is given.
   *
   * @default {undefined}
   */
  port?: number;
  /**
   * The address to bind a TCP or TLS listener to: an IP literal or a host name.
   *
   * @default {"0.0.0.0"}
   */
  hostname?: string;
  /**
   * A Unix domain socket path to listen on instead of a TCP port. A socket file left at
   * the path (by a process that died without closing it) is removed first; a file that
   * is not a socket is never touched. The path is removed again on close.
   *
   * Replacing a leftover socket file cannot tell a dead server from a live one, so two
   * processes started on one path end with only the second reachable.
   *
   * @default {undefined}
   */
  path?: string;
  /**
   * A PEM certificate chain: with `key`, the listener speaks TLS (`Deno.listenTls`).
   *
   * @default {undefined}
   */
  cert?: string;
  /**
   * The PEM private key for `cert`.
   *
   * @default {undefined}
   */
  key?: string;
  /**
   * The ALPN protocols a TLS listener announces.
   *
   * @default {["http/1.1"]}
   */
  alpnProtocols?: string[];
  /**
   * Sets SO_REUSEPORT so several processes can listen on one port and Linux spreads
   * connections among them (ignored on other systems). Deno keeps this option behind
   * the `--unstable-net` flag; without it `listen` throws `Deno.errors.NotSupported`
   * (Deno itself would end the process).
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Closes the listener when aborted: the accept loop ends without an error.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Called with each transient accept error and the wait before the next accept.
   *
   * @default {undefined}
   */
  onAcceptError?: (error: unknown, retryIn: number) => void;
}

/**
 * Opens a listener and returns its accept loop: TCP by default, TLS when `cert` and
 * `key` are given (announcing ALPN `http/1.1`), a Unix domain socket when `path` is
 * given. See {@linkcode Listener} for the loop's behaviour.
 *
 * @param options Where to listen, TLS material and the abort signal.
 * @returns The listener, already bound.
 * @throws {TypeError} When the options conflict (`path` with `port`, `cert` without
 * `key`, ...) or give neither a port nor a path.
 * @throws {RangeError} When `port` is not an integer from 0 to 65535.
 * @throws {Deno.errors.AddrInUse} When the port or path is taken.
 * @throws {Deno.errors.NotSupported} For `reusePort` without `--unstable-net`.
 *
 * @example Echo the first chunk of each connection
 * ```ts ignore
 * import { listen } from "@wire/http/net";
 *
 * const controller = new AbortController();
 * const listener = listen({ hostname: "127.0.0.1", port: 0, signal: controller.signal });
 * console.log("listening on", listener.addr);
 * for await (const conn of listener) {
 *   const buf = new Uint8Array(1024);
 *   const n = await conn.read(buf);
 *   if (n !== null) await conn.write(buf.subarray(0, n));
 *   conn.close();
 * }
 * ```
 *
 * @example Validate options
 * ```ts
 * import assert from "node:assert/strict";
 * import { listen } from "@wire/http/net";
 *
 * assert.throws(() => listen({ port: 70000 }), RangeError);
 * assert.throws(() => listen({ port: 0, path: "/tmp/x.sock" }), TypeError);
 * ```
 */
export function listen(options: ListenOptions): Listener {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot listen: options must be an object");
  }
  const { port, hostname, path, cert, key, reusePort, signal, onAcceptError } = options;
  const listenerOptions = { signal, onAcceptError };
  if ((cert === undefined) !== (key === undefined)) {
    throw new TypeError("Cannot listen with TLS: give both cert and key");
  }
  if (path !== undefined) {
    if (typeof path !== "string" || path === "") {
      throw new TypeError("Cannot listen: path must be a non-empty string");
    }
    if (port !== undefined || hostname !== undefined) {
      throw new TypeError(`Cannot listen on ${path}: give a port or a path, not both`);
    }
    if (cert !== undefined) {
      throw new TypeError(`Cannot listen on ${path}: TLS is for TCP ports, not socket paths`);
    }
    if (reusePort) throw new TypeError(`Cannot listen on ${path}: reusePort is for TCP ports`);
    return listenUnix(path, listenerOptions);
  }
  if (port === undefined) {
    throw new TypeError("Cannot listen: give a port (0 picks a free one) or a socket path");
  }
  if (typeof port !== "number") throw new TypeError("Cannot listen: port must be a number");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot listen on port ${port}: it must be an integer from 0 to 65535`);
  }
  if (hostname !== undefined && (typeof hostname !== "string" || hostname === "")) {
    throw new TypeError("Cannot listen: hostname must be a non-empty string");
  }
  const tcp: Deno.TcpListenOptions & { transport: "tcp"; reusePort?: boolean } = {
    transport: "tcp",
    hostname: hostname ?? DEFAULT_LISTEN_HOSTNAME,
    port,
  };
  if (reusePort) {
    // Deno ends the process (exit 70) for reusePort without the flag; throw instead.
    if (typeof (Deno as { listenDatagram?: unknown }).listenDatagram !== "function") {
      throw new Deno.errors.NotSupported(
        "Cannot listen with reusePort: Deno needs the --unstable-net flag for it",
      );
    }
    tcp.reusePort = true;
  }
  if (cert !== undefined) {
    if (typeof cert !== "string" || typeof key !== "string") {
      throw new TypeError("Cannot listen with TLS: cert and key must be PEM strings");
    }
    const alpnProtocols = options.alpnProtocols ?? [...DEFAULT_ALPN_PROTOCOLS];
    return new Listener(Deno.listenTls({ ...tcp, cert, key, alpnProtocols }), listenerOptions);
  }
  return new Listener(Deno.listen(tcp), listenerOptions);
}

function listenUnix(
  path: string,
  options: { signal?: AbortSignal; onAcceptError?: (error: unknown, retryIn: number) => void },
): Listener {
  let stat: Deno.FileInfo | null = null;
  try {
    stat = Deno.lstatSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (stat !== null) {
    if (!stat.isSocket) {
      throw new Deno.errors.AlreadyExists(
        `Cannot listen on ${path}: a file that is not a socket is in the way`,
      );
    }
    // A socket file that outlived its process: Deno removes it on a clean close, so
    // one still here means a crash (or a live server, which we cannot tell apart).
    Deno.removeSync(path);
  }
  return new Listener(Deno.listen({ transport: "unix", path }), options);
}
