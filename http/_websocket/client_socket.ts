/**
 * What the two client classes (`WireWebSocket`, `WireWebSocketStream`) share: checking
 * the constructor's arguments as the WHATWG constructor does, and connecting a session.
 *
 * @module
 */

import type { WireWebSocketOptions } from "../websocket_options.ts";
import { type ClientConnection, openConnection, webSocketUrl } from "./client_handshake.ts";
import { type ClientConfig, resolveClientOptions } from "./config.ts";
import { parseProtocols } from "./handshake.ts";
import { Session, type SessionHost } from "./session.ts";

/**
 * Checks a client's URL and options.
 *
 * @param what "WebSocket" or "WebSocketStream", for messages.
 * @param url The URL given.
 * @param options The options (protocols included).
 * @returns The URL and the settings.
 * @throws {DOMException} SyntaxError for a bad URL or subprotocols that are not distinct
 *   tokens.
 * @throws {TypeError} When an option has the wrong type.
 * @throws {RangeError} When an option is out of range.
 */
export function prepareClient(
  what: string,
  url: string | URL,
  options: WireWebSocketOptions,
): { url: URL; config: ClientConfig } {
  const parsed = webSocketUrl(url);
  const given = options.protocols;
  const list = given === undefined ? [] : typeof given === "string" ? [given] : [...given];
  const protocols = parseProtocols(list.length === 0 ? null : list.join(","));
  if (protocols === null || protocols.length !== list.length) {
    throw new DOMException(
      `Cannot open ${what}: subprotocols must be distinct tokens`,
      "SyntaxError",
    );
  }
  return { url: parsed, config: resolveClientOptions(options, protocols) };
}

/**
 * Connects, performs the handshake and makes the client session (not started yet).
 *
 * @param url Where to.
 * @param config The settings.
 * @param abort Aborts the handshake (besides `config.signal`).
 * @param host Who hears about the session.
 * @returns The session and the connection to start it on.
 */
export async function connectClient(
  url: URL,
  config: ClientConfig,
  abort: AbortSignal,
  host: SessionHost,
): Promise<{ session: Session; connection: ClientConnection }> {
  const signal = config.signal === undefined ? abort : AbortSignal.any([config.signal, abort]);
  const connection = await openConnection(url, { ...config, signal });
  const session = new Session({
    client: true,
    maxPayload: config.maxPayload,
    idleTimeout: config.idleTimeout,
    closeTimeout: config.closeTimeout,
    deflate: connection.deflate === null || config.deflate === null
      ? null
      : { params: connection.deflate, tuning: config.deflate },
  }, host);
  return { session, connection };
}
