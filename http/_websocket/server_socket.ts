/**
 * The server role, for `upgradeWebSocket`: check and negotiate the client's handshake
 * ({@linkcode serverHandshake}: the 101's fields, or the status to refuse with), then
 * make the socket, or the stream, and the {@linkcode UpgradeTarget} that starts it once
 * the server has sent the 101.
 *
 * ```ts ignore
 * const config = resolveServerOptions(options);          // throws on bad options
 * const handshake = serverHandshake(request, config);     // or an UpgradeProblem
 * if ("status" in handshake) ...answer handshake.status (426: Sec-WebSocket-Version: 13)
 * const { socket, target } = createServerSocket(handshake);
 * slot.accept(new Response(null, { status: 101, headers: handshake.headers }), target);
 * ```
 *
 * @module
 */

import type { Duplex, UpgradeTarget } from "../_codec/duplex.ts";
import { errorText } from "../_codec/error_text.ts";
import { WireWebSocket } from "../websocket.ts";
import { WireWebSocketStream } from "../websocket_stream.ts";
import type { ServerConfig } from "./config.ts";
import type { DeflateParams } from "./deflate.ts";
import { negotiateDeflate } from "./extensions.ts";
import {
  acceptKey,
  checkUpgradeRequest,
  parseProtocols,
  selectProtocol,
  type UpgradeProblem,
  WEBSOCKET_VERSION,
} from "./handshake.ts";
import type { Session, SessionOptions } from "./session.ts";
import { ServerSocketInit } from "./socket_init.ts";

export type { UpgradeProblem } from "./handshake.ts";
export { resolveServerOptions, type ServerConfig } from "./config.ts";

/** A handshake the server accepts: what the 101 says and what the socket is made of. */
export interface ServerHandshake {
  /**
   * The 101's fields: `Upgrade: websocket`, `Connection: Upgrade`,
   * `Sec-WebSocket-Accept`, and `Sec-WebSocket-Protocol` / `Sec-WebSocket-Extensions`
   * when something was agreed.
   */
  headers: Headers;
  /** The request URL (the socket's `url`). */
  url: string;
  /** The chosen subprotocol, or "". */
  protocol: string;
  /** The Sec-WebSocket-Extensions of the 101, or "". */
  extensions: string;
  /** permessage-deflate in force, or null. */
  deflate: DeflateParams | null;
  /** The resolved options. */
  config: ServerConfig;
}

/**
 * Checks a client's opening handshake and negotiates the subprotocol and
 * permessage-deflate.
 *
 * @param request The upgrade request.
 * @param config Resolved options (`resolveServerOptions`).
 * @returns The accepted handshake, or what to answer instead: 400, or 426 with
 *   `headers` carrying `Sec-WebSocket-Version: 13`.
 * @throws {TypeError} When a `protocol` function picks a protocol that was not offered.
 */
export function serverHandshake(
  request: Request,
  config: ServerConfig,
): ServerHandshake | (UpgradeProblem & { headers: Headers }) {
  const headers = request.headers;
  const problem = checkUpgradeRequest(request.method, headers);
  if (problem !== null) {
    const answer = new Headers();
    if (problem.status === 426) answer.set("sec-websocket-version", WEBSOCKET_VERSION);
    return { ...problem, headers: answer };
  }
  const offered = parseProtocols(headers.get("sec-websocket-protocol"));
  if (offered === null) {
    return {
      status: 400,
      message: "Sec-WebSocket-Protocol must list distinct tokens",
      headers: new Headers(),
    };
  }
  const protocol = selectProtocol(offered, config.protocol, request);
  let deflate: DeflateParams | null = null;
  let extensions = "";
  if (config.deflate !== null) {
    const agreement = negotiateDeflate(headers.get("sec-websocket-extensions"), config.deflate);
    if (agreement === "malformed") {
      return {
        status: 400,
        message: "Invalid Sec-WebSocket-Extensions header",
        headers: new Headers(),
      };
    }
    if (agreement !== null) {
      deflate = agreement.params;
      extensions = agreement.header;
    }
  }
  const answer = new Headers({
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-accept": acceptKey(headers.get("sec-websocket-key")!.trim()),
  });
  if (protocol !== "") answer.set("sec-websocket-protocol", protocol);
  if (extensions !== "") answer.set("sec-websocket-extensions", extensions);
  return { headers: answer, url: request.url, protocol, extensions, deflate, config };
}

function sessionOptions(handshake: ServerHandshake): SessionOptions {
  const { config, deflate } = handshake;
  return {
    client: false,
    maxPayload: config.maxPayload,
    idleTimeout: config.idleTimeout,
    closeTimeout: config.closeTimeout,
    deflate: deflate === null || config.deflate === null
      ? null
      : { params: deflate, tuning: config.deflate },
  };
}

/** Starts a server session once the 101 is out; relays the server's shutdown and abort. */
class ServerTarget implements UpgradeTarget {
  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  attach(duplex: Duplex, head: Uint8Array, _remoteAddr: Deno.Addr, done: () => void): void {
    this.#session.start(duplex, head, done);
  }

  fail(reason: unknown): void {
    this.#session.failConnecting(`WebSocket upgrade failed: ${errorText(reason)}`, reason);
  }

  shutdown(): void {
    this.#session.shutdown();
  }

  abort(_reason: unknown): void {
    this.#session.abort();
  }
}

/**
 * A server {@linkcode WireWebSocket} (readyState CONNECTING) and the target that opens
 * it when the server attaches the upgraded connection.
 *
 * @param handshake What {@linkcode serverHandshake} accepted.
 * @returns The socket for the application and the target for the server.
 */
export function createServerSocket(
  handshake: ServerHandshake,
): { socket: WireWebSocket; target: UpgradeTarget } {
  const init = new ServerSocketInit(
    handshake.url,
    handshake.protocol,
    handshake.extensions,
    sessionOptions(handshake),
  );
  const socket = new WireWebSocket(init as unknown as string);
  return { socket, target: new ServerTarget(init.session!) };
}

/**
 * A server {@linkcode WireWebSocketStream} and the target that opens it.
 *
 * @param handshake What {@linkcode serverHandshake} accepted.
 * @param highWaterMark Bytes the readable holds before reading stops (default 64 KiB).
 * @returns The stream for the application and the target for the server.
 */
export function createServerStream(
  handshake: ServerHandshake,
  highWaterMark?: number,
): { stream: WireWebSocketStream; target: UpgradeTarget } {
  const init = new ServerSocketInit(
    handshake.url,
    handshake.protocol,
    handshake.extensions,
    sessionOptions(handshake),
  );
  const stream = new WireWebSocketStream(init as unknown as string, { highWaterMark });
  return { stream, target: new ServerTarget(init.session!) };
}
