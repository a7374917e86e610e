import { type UpgradeSlot, upgradeSlotOf } from "./_server/upgrade.ts";
import {
  createServerSocket,
  createServerStream,
  resolveServerOptions,
  type ServerHandshake,
  serverHandshake,
} from "./_websocket/server_socket.ts";
import type { WebSocketServerOptions } from "./websocket_options.ts";
import type { WireWebSocketStream } from "./websocket_stream.ts";
import type { WireWebSocket } from "./websocket.ts";

/**
 * What {@linkcode upgradeWebSocket} returns: the socket, and the 101 to return from the
 * handler (as `Deno.upgradeWebSocket` does).
 *
 * @example Take the two halves apart
 * ```ts ignore
 * import { upgradeWebSocket, type WebSocketUpgrade } from "@wire/http";
 *
 * function handler(request: Request): Response {
 *   const upgrade: WebSocketUpgrade = upgradeWebSocket(request);
 *   upgrade.socket.onmessage = (event) => upgrade.socket.send(event.data);
 *   return upgrade.response;
 * }
 * ```
 */
export interface WebSocketUpgrade {
  /**
   * The server's socket, a standard `WebSocket` (`onopen`, `onmessage`, `send`,
   * `close`, `readyState`, `bufferedAmount`, `protocol`, `extensions`, ...). It opens
   * once the 101 has been sent.
   */
  socket: WireWebSocket;
  /** The `101 Switching Protocols` response: the handler returns it. */
  response: Response;
}

/**
 * What {@linkcode upgradeWebSocketStream} returns: the socket as streams of messages with
 * backpressure, and the 101 to return from the handler.
 *
 * @example Echo with backpressure
 * ```ts ignore
 * import { upgradeWebSocketStream } from "@wire/http";
 *
 * function handler(request: Request): Response {
 *   const { stream, response } = upgradeWebSocketStream(request);
 *   stream.opened.then(({ readable, writable }) => readable.pipeTo(writable)).catch(() => {});
 *   return response;
 * }
 * ```
 */
export interface WebSocketStreamUpgrade {
  /** The server's WebSocketStream: `opened`, `closed`, `close()`. */
  stream: WireWebSocketStream;
  /** The `101 Switching Protocols` response: the handler returns it. */
  response: Response;
}

/**
 * Accepts a WebSocket handshake (RFC 6455 §4.2) on a request from Wire's `serve` (or
 * `injectConnection`), as `Deno.upgradeWebSocket` does: returns the socket and the `101`
 * response for the handler to return; the socket opens once the 101 is sent. Checks the
 * handshake (GET, `Upgrade: websocket`, `Connection: upgrade`, version 13, a 16-byte
 * key), chooses the subprotocol (`protocol` option) and negotiates permessage-deflate
 * (`perMessageDeflate` option, off by default). The request's `Origin` is the handler's
 * to check. A graceful `shutdown()` closes open sockets with 1001 and waits for their
 * close handshake (up to its deadline).
 *
 * @param request The handler's Request.
 * @param options Subprotocol choice, limits, timeouts, compression.
 * @returns The socket and the 101.
 * @throws {TypeError} When the request is not a valid WebSocket handshake (the message
 * says why; a wrong `Sec-WebSocket-Version` is answered 426 by convention, a malformed
 * handshake 400), or does not come from Wire's server.
 * @throws {RangeError} When an option is out of range.
 *
 * @example An echo server
 * ```ts ignore
 * import { serve, upgradeWebSocket } from "@wire/http";
 *
 * serve((request) => {
 *   if (request.headers.get("upgrade") !== "websocket") return new Response("hello");
 *   const { socket, response } = upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * ```
 */
export function upgradeWebSocket(
  request: Request,
  options: WebSocketServerOptions = {},
): WebSocketUpgrade {
  const { handshake, slot } = prepare(request, options);
  const { socket, target } = createServerSocket(handshake);
  const response = new Response(null, { status: 101, headers: handshake.headers });
  slot.accept(response, target);
  return { socket, response };
}

/**
 * Like {@linkcode upgradeWebSocket}, with the socket as a `WebSocketStream`: messages
 * arrive on a readable stream and go out through a writable one, with backpressure both
 * ways (the socket is not read while `highWaterMark` bytes wait unread; a write resolves
 * once its bytes are written), which Deno's stable WebSocket API does not offer.
 *
 * @param request The handler's Request.
 * @param options As for {@linkcode upgradeWebSocket}, plus the readable's `highWaterMark`.
 * @returns The stream and the 101.
 * @throws {TypeError} When the request is not a valid WebSocket handshake.
 *
 * @example Uppercase every text message
 * ```ts ignore
 * import { serve, upgradeWebSocketStream } from "@wire/http";
 *
 * serve((request) => {
 *   const { stream, response } = upgradeWebSocketStream(request);
 *   stream.opened.then(({ readable, writable }) =>
 *     readable
 *       .pipeThrough(new TransformStream({
 *         transform: (m, c) => c.enqueue(typeof m === "string" ? m.toUpperCase() : m),
 *       }))
 *       .pipeTo(writable)
 *   ).catch(() => {});
 *   return response;
 * });
 * ```
 */
export function upgradeWebSocketStream(
  request: Request,
  options: WebSocketServerOptions & { highWaterMark?: number } = {},
): WebSocketStreamUpgrade {
  const { handshake, slot } = prepare(request, options);
  const { stream, target } = createServerStream(handshake, options.highWaterMark);
  const response = new Response(null, { status: 101, headers: handshake.headers });
  slot.accept(response, target);
  return { stream, response };
}

/** Checks the options and the handshake, and finds the request's upgrade slot. */
function prepare(
  request: Request,
  options: WebSocketServerOptions,
): { handshake: ServerHandshake; slot: UpgradeSlot } {
  if (!(request instanceof Request)) {
    throw new TypeError("Cannot upgrade to WebSocket: the first argument must be a Request");
  }
  const config = resolveServerOptions(options);
  const handshake = serverHandshake(request, config);
  if ("status" in handshake) {
    throw new TypeError(`Cannot upgrade to WebSocket: ${handshake.message}`);
  }
  const slot = upgradeSlotOf(request);
  if (slot === null) {
    throw new TypeError(
      "Cannot upgrade to WebSocket: the request does not come from Wire's serve() or injectConnection() (on Deno.serve, use Deno.upgradeWebSocket)",
    );
  }
  return { handshake, slot };
}
