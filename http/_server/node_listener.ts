/**
 * Plain TCP listening through `node:net`, for fairness under many connections.
 *
 * Deno serves `node:net` sockets from a libuv-style loop: every turn it reads each
 * socket epoll reports ready once, in order. Sockets read through Deno's resource ops
 * (`Deno.Conn.read`, the ops under it) are futures completed eagerly: a connection whose
 * next request already waits in its socket buffer is served again within the same turn,
 * and a few such connections can hold the turn for seconds while the rest wait for the
 * I/O driver (bench/fairness.ts: p99 in the hundreds of ms to seconds at 1000
 * connections, against tens of ms for node:net and Deno.serve). With
 * `transport: "node"` a plain TCP server accepts and reads through `node:net`: fair, at
 * about a fifth fewer requests per second (the stream layers of node:net cost more per
 * request than the resource ops). TLS, Unix sockets and `reusePort` keep the
 * `Deno.listen` route.
 *
 * `net.Server.listen()` binds asynchronously when given a host (it resolves the name
 * first), and `serve()` must know its address at once (port 0, `onListen`, errors before
 * returning). `Server.prototype._listen2` (Node's name for the bind step, kept by Deno's
 * polyfill) binds an address literal synchronously. It is probed at load time: when it
 * is missing or misbehaves, or the hostname is not an IP literal, the server uses
 * `Deno.listen`.
 *
 * @module
 */

import { createServer, isIP, type Server as NodeServer, type Socket } from "node:net";
import { ignore } from "../_codec/ignore.ts";

interface Bindable {
  _listen2(address: string, port: number, addressType: number, backlog: number): void;
}

/** The accept queue asked of the kernel (Linux caps it at net.core.somaxconn). */
const BACKLOG = 4096;

function probe(): boolean {
  try {
    const server = createServer();
    if (typeof (server as unknown as Partial<Bindable>)._listen2 !== "function") return false;
    (server as unknown as Bindable)._listen2("127.0.0.1", 0, 4, BACKLOG);
    const address = server.address();
    const ok = server.listening && address !== null && typeof address === "object" &&
      address.port > 0;
    server.close();
    return ok;
  } catch {
    return false;
  }
}

const available = probe();
let byDefault = false;

/**
 * Makes node:net the route of servers that do not choose one (tests run every rule on
 * both routes).
 *
 * @param on Whether plain TCP servers without a `transport` option use node:net.
 * @returns Whether they now do (false when the probe failed).
 */
export function setNodeListen(on: boolean): boolean {
  byDefault = on && available;
  return byDefault;
}

/**
 * Whether a server with this `transport` option listens through node:net.
 *
 * @param transport The option's value ("deno", "node" or undefined).
 * @returns True for the node:net route.
 */
export function wantsNodeListen(transport: string | undefined): boolean {
  return transport === undefined ? byDefault : transport === "node";
}

/** What the server needs of a listener on either route. */
export interface NodeListener {
  readonly addr: Deno.NetAddr;
  close(): void;
  ref(): void;
  unref(): void;
}

/**
 * Listens on `hostname:port` through node:net, or returns null when this route does not
 * apply (the probe failed, or a hostname that is not an IP literal): the caller then uses
 * `Deno.listen`. A bind error (address in use, permission) is thrown as `Deno.listen`
 * would throw it.
 *
 * @param hostname An IP literal.
 * @param port The port; 0 picks one.
 * @param onSocket Called with each accepted socket.
 * @returns The listener, or null.
 */
export function nodeListen(
  hostname: string,
  port: number,
  onSocket: (socket: Socket) => void,
): NodeListener | null {
  if (!available) return null;
  const family = isIP(hostname);
  if (family === 0) return null;
  // allowHalfOpen: a client that half-closes still reads its answers (the connection
  // decides when to close); pauseOnConnect off: reading starts at once.
  const server: NodeServer = createServer({ allowHalfOpen: true, noDelay: true }, onSocket);
  // A failed bind is also emitted as an "error" event a tick later: keep it quiet, the
  // caller retries through Deno.listen, which throws it (Deno.errors.AddrInUse, ...).
  server.on("error", ignore);
  (server as unknown as Bindable)._listen2(hostname, port, family, BACKLOG);
  const address = server.address();
  if (!server.listening || address === null || typeof address !== "object") {
    server.close();
    return null;
  }
  server.off("error", ignore);
  server.on("error", (error) => console.error("Wire: accepting connections failed:", error));
  return {
    addr: { transport: "tcp", hostname: address.address, port: address.port },
    close: () => server.close(),
    ref: () => server.ref(),
    unref: () => server.unref(),
  };
}
