/**
 * Opening the byte stream a pool's connection runs on: a TCP or TLS socket (resolving
 * names itself for `lookup`, happy eyeballs and the DNS cache), a Unix socket, a tunnel
 * through a proxy, all under one deadline and the request's signal.
 *
 * @module
 */
import { connect } from "../../net/connect.ts";
import { ConnectError } from "../../net/connect_error.ts";
import { errorText } from "../_codec/error_text.ts";
import type { DialConfig } from "./config.ts";
import { type DnsCache, resolveHost } from "./dns_cache.ts";
import { interleave, race } from "./happy_eyeballs.ts";
import type { PreparedRequest } from "./prepare_request.ts";
import type { ProxyEndpoint } from "./proxy_config.ts";
import type { ClientTransport } from "./transport.ts";
import { openTunnel } from "./tunnel.ts";
import { untilAborted } from "./abortable.ts";

const ALPN = ["http/1.1"];

/** Where a pool connects. */
export interface PoolTarget {
  /** Host name or IP address, without IPv6 brackets. */
  hostname: string;
  /** TCP port. */
  port: number;
  /** Whether to speak TLS (`https:`). */
  tls: boolean;
  /** Extra PEM roots for TLS. */
  caCerts?: string[];
  /** A Unix socket to connect to instead of the host and port. */
  socketPath?: string;
  /** The proxy in between, or null. */
  proxy: ProxyEndpoint | null;
}

/** Opens a transport for the first request that needs one. */
export type Dialer = (request: PreparedRequest, signal: AbortSignal) => Promise<ClientTransport>;

/** What every dial of a Client shares. */
export interface DialContext {
  /** Name resolution settings. */
  dial: DialConfig;
  /** The Client's DNS cache, or null. */
  cache: DnsCache | null;
  /** `connectTimeout`, in milliseconds; 0 for none. */
  connectTimeout: number;
  /** Head limits for a proxy's CONNECT answer. */
  maxHeaderBytes: number;
  /** Head field limit for a proxy's CONNECT answer. */
  maxHeaderCount: number;
}

/** `host:port` with IPv6 literals in brackets. */
export function formatAddress(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

function closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** A signal that aborts with `signal` or, after `ms`, with an ETIMEDOUT ConnectError. */
function deadline(signal: AbortSignal, ms: number, address: string) {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  const timer = ms > 0 && ms !== Infinity
    ? setTimeout(
      () => controller.abort(new ConnectError(address, "ETIMEDOUT", `timed out after ${ms} ms`)),
      ms,
    )
    : undefined;
  return {
    signal: controller.signal,
    clear(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * A TCP connection to `hostname:port`: through Deno's resolver, or, when the Client
 * resolves names itself, to its addresses one after the other or raced (happy eyeballs).
 */
async function dialTcp(
  hostname: string,
  port: number,
  context: DialContext,
  signal: AbortSignal,
): Promise<Deno.TcpConn> {
  const { dial, cache } = context;
  const one = (address: string, attemptSignal: AbortSignal) =>
    connect({ hostname: address, port, timeout: 0, signal: attemptSignal }) as Promise<
      Deno.TcpConn
    >;
  if (dial.lookup === null && !dial.happyEyeballs && cache === null) return one(hostname, signal);
  const addresses = await resolveHost(hostname, port, dial.lookup, cache, signal);
  try {
    if (dial.happyEyeballs && addresses.length > 1) {
      return await race(interleave(addresses), one, dial.happyEyeballsDelay, signal, closeQuietly);
    }
    let first: unknown = undefined;
    for (const address of addresses) {
      try {
        return await one(address, signal);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        first ??= error;
      }
    }
    throw first;
  } catch (error) {
    if (!signal.aborted) cache?.delete(hostname);
    throw error;
  }
}

/** TLS over a connected TCP socket, handshake done before it resolves. */
async function upgradeTls(
  tcp: Deno.TcpConn,
  target: PoolTarget,
  signal: AbortSignal,
): Promise<Deno.TlsConn> {
  const tls = await Deno.startTls(tcp, {
    hostname: target.hostname,
    caCerts: target.caCerts,
    alpnProtocols: ALPN,
  });
  try {
    await untilAborted(tls.handshake(), signal);
  } catch (error) {
    closeQuietly(tls);
    if (signal.aborted) throw signal.reason;
    throw new ConnectError(
      formatAddress(target.hostname, target.port),
      "ETLS",
      `TLS handshake failed: ${errorText(error)}`,
      { cause: error },
    );
  }
  return tls;
}

/**
 * The dialer of a pool: the plain route (Deno's resolver, `connect()`'s own timeout) when
 * nothing else is asked for, else resolution, proxy and tunnel under one deadline.
 *
 * @param target Where the pool connects.
 * @param context The Client's dial settings.
 * @returns The dialer.
 */
export function networkDialer(target: PoolTarget, context: DialContext): Dialer {
  const plain = context.dial.lookup === null && !context.dial.happyEyeballs &&
    context.cache === null;
  const timeout = context.connectTimeout;
  if (target.socketPath !== undefined) {
    const path = target.socketPath;
    return (_request, signal) => connect({ path, timeout, signal });
  }
  const proxy = target.proxy;
  if (proxy === null && plain) {
    return (_request, signal) =>
      connect({
        hostname: target.hostname,
        port: target.port,
        tls: target.tls,
        caCerts: target.caCerts,
        alpnProtocols: target.tls ? ALPN : undefined,
        timeout,
        signal,
      });
  }
  return async (request, signal) => {
    const to = proxy ?? target;
    const limit = deadline(signal, timeout, formatAddress(to.hostname, to.port));
    let tcp: Deno.TcpConn | undefined;
    try {
      tcp = await dialTcp(to.hostname, to.port, context, limit.signal);
      if (!target.tls) return tcp;
      if (proxy !== null) {
        const authority = formatAddress(target.hostname, target.port);
        await openTunnel(tcp, authority, proxy, request, context, limit.signal);
      }
      const socket = tcp;
      tcp = undefined; // startTls takes the socket over
      return await upgradeTls(socket, target, limit.signal);
    } catch (error) {
      if (tcp !== undefined) closeQuietly(tcp);
      throw error;
    } finally {
      limit.clear();
    }
  };
}
