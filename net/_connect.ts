/**
 * The body of `connect()`, with the transport dial passed in so tests can stand in a
 * dial that never answers (for timeouts) or answers late (for leak checks).
 *
 * @module
 */
import { ConnectError } from "./connect_error.ts";
import {
  type ConnectOptions,
  DEFAULT_CONNECT_HOSTNAME,
  DEFAULT_CONNECT_TIMEOUT,
} from "./connect_options.ts";

/** Where to dial: a TCP host and port, or a Unix socket path. */
export type DialTarget =
  | { hostname: string; port: number; path?: undefined }
  | { path: string; hostname?: undefined; port?: undefined };

/** Opens the transport connection; must give up (or close late results) on `signal`. */
export type Dial = (target: DialTarget, signal: AbortSignal) => Promise<Deno.Conn>;

/** The real dial: `Deno.connect` for TCP (which takes the signal) and Unix sockets. */
export function dialTransport(target: DialTarget, signal: AbortSignal): Promise<Deno.Conn> {
  if (target.path !== undefined) return Deno.connect({ transport: "unix", path: target.path });
  return Deno.connect({ hostname: target.hostname, port: target.port, signal });
}

/** `host:port` as people write it: IPv6 literals in brackets. */
export function formatAddress(hostname: string, port: number): string {
  return hostname.includes(":") && !hostname.startsWith("[")
    ? `[${hostname}]:${port}`
    : `${hostname}:${port}`;
}

/** Validates options, dials with a timeout and a signal, then sets noDelay and TLS up. */
export async function connectWith(options: ConnectOptions, dial: Dial): Promise<Deno.Conn> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot connect: options must be an object");
  }
  const { path, caCerts, serverName, alpnProtocols, signal } = options;
  const timeout = options.timeout ?? DEFAULT_CONNECT_TIMEOUT;
  if (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(
      `Cannot connect: timeout must be a number of milliseconds >= 0, got ${timeout}`,
    );
  }
  if (options.tls !== undefined && typeof options.tls !== "boolean") {
    throw new TypeError("Cannot connect: tls must be a boolean");
  }
  if (options.tls === false && (caCerts !== undefined || serverName !== undefined)) {
    throw new TypeError("Cannot connect: caCerts and serverName need TLS, but tls is false");
  }
  const tls = options.tls === true || caCerts !== undefined || serverName !== undefined;
  if (
    caCerts !== undefined && (!Array.isArray(caCerts) || caCerts.some((c) => typeof c !== "string"))
  ) {
    throw new TypeError("Cannot connect: caCerts must be an array of PEM strings");
  }

  let target: DialTarget;
  let address: string;
  if (path !== undefined) {
    if (typeof path !== "string" || path === "") {
      throw new TypeError("Cannot connect: path must be a non-empty string");
    }
    if (options.port !== undefined || options.hostname !== undefined) {
      throw new TypeError(`Cannot connect to ${path}: give a port or a path, not both`);
    }
    if (tls) throw new TypeError(`Cannot connect to ${path}: TLS is for TCP, not socket paths`);
    target = { path };
    address = path;
  } else {
    const port = options.port;
    if (port === undefined) throw new TypeError("Cannot connect: give a port or a socket path");
    if (typeof port !== "number") throw new TypeError("Cannot connect: port must be a number");
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`Cannot connect to port ${port}: it must be an integer from 1 to 65535`);
    }
    const hostname = options.hostname ?? DEFAULT_CONNECT_HOSTNAME;
    if (typeof hostname !== "string" || hostname === "") {
      throw new TypeError("Cannot connect: hostname must be a non-empty string");
    }
    target = { hostname, port };
    address = formatAddress(hostname, port);
  }
  signal?.throwIfAborted();

  // One controller for both ways to give up; its reason is what the caller sees.
  const controller = new AbortController();
  const giveUp = controller.signal;
  const onAbort = (): void => controller.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = timeout > 0 && timeout !== Infinity
    ? setTimeout(
      () =>
        controller.abort(new ConnectError(address, "ETIMEDOUT", `timed out after ${timeout} ms`)),
      timeout,
    )
    : undefined;

  let conn: Deno.Conn | undefined;
  try {
    try {
      conn = await untilAborted(dial(target, giveUp), giveUp, closeQuietly);
    } catch (error) {
      if (giveUp.aborted) throw giveUp.reason;
      throw dialError(error, address);
    }
    if (target.path === undefined) {
      const noDelay = options.noDelay ?? true;
      (conn as Deno.TcpConn).setNoDelay?.(noDelay);
    }
    if (!tls) return conn;
    const tcp = conn as Deno.TcpConn;
    conn = undefined; // startTls takes the socket over; close the TLS conn from now on
    const tlsConn = await Deno.startTls(tcp, {
      hostname: serverName ?? target.hostname,
      caCerts,
      alpnProtocols,
    });
    conn = tlsConn;
    try {
      // The handshake runs here, not on first read, so a bad certificate fails connect()
      // with the address in the message and within the timeout.
      await untilAborted(tlsConn.handshake(), giveUp, () => {});
    } catch (error) {
      if (giveUp.aborted) throw giveUp.reason;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectError(address, "ETLS", `TLS handshake failed: ${reason}`, { cause: error });
    }
    return tlsConn;
  } catch (error) {
    if (conn !== undefined) closeQuietly(conn);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as it aborts; a value
 * that arrives after the abort goes to `late` (to be closed) instead of being lost.
 */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  late: (value: T) => void,
): Promise<T> {
  if (signal.aborted) {
    promise.then(late, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) late(value);
        else resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed: nothing to release.
  }
}

/** Maps a dial failure to a ConnectError naming the address; permission errors pass. */
function dialError(error: unknown, address: string): unknown {
  if (
    error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied ||
    !(error instanceof Error)
  ) return error;
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new ConnectError(address, "ECONNREFUSED", "connection refused", { cause: error });
  }
  if (error instanceof Deno.errors.NotFound) {
    return new ConnectError(address, "ENOENT", "no such socket file", { cause: error });
  }
  if (error instanceof Deno.errors.TimedOut) {
    return new ConnectError(address, "ETIMEDOUT", "timed out", { cause: error });
  }
  if (error instanceof Deno.errors.ConnectionReset) {
    return new ConnectError(address, "ECONNRESET", "connection reset", { cause: error });
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    return new ConnectError(address, code, lowerFirst(error.message), { cause: error });
  }
  if (error.message.includes("failed to lookup address")) {
    return new ConnectError(address, "ENOTFOUND", "cannot resolve the host name", {
      cause: error,
    });
  }
  return new ConnectError(address, "ECONNECT", lowerFirst(error.message), { cause: error });
}

function lowerFirst(text: string): string {
  return text.length === 0 ? text : text[0].toLowerCase() + text.slice(1);
}
