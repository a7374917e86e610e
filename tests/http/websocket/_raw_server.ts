/**
 * A WebSocket server for tests, without Wire's serve(): Deno.listen on 127.0.0.1, the
 * request head parsed with the HTTP Parser, the handshake checked and the 101 written
 * here by hand, then the connection handed to the socket (or stream) from
 * createServerSocket / createServerStream through its UpgradeTarget, as the server's
 * upgrade glue does.
 *
 * @module
 */

import type { Duplex, UpgradeTarget } from "../../../http/_codec/duplex.ts";
import { PARSE_NEED_MORE, PARSE_UPGRADE } from "../../../http/parse_event.ts";
import { Parser } from "../../../http/parser.ts";
import {
  createServerSocket,
  createServerStream,
  resolveServerOptions,
  serverHandshake,
} from "../../../http/_websocket/server_socket.ts";
import type { WireWebSocket } from "../../../http/websocket.ts";
import type { WireWebSocketStream } from "../../../http/websocket_stream.ts";
import type { WebSocketServerOptions } from "../../../http/websocket_options.ts";
import { within } from "./_session.ts";

/** A Deno.Conn as a Duplex whose second close is harmless. */
export function connDuplex(conn: Deno.Conn): Duplex {
  let closed = false;
  return {
    read: (buffer) => conn.read(buffer),
    write: (buffer) => conn.write(buffer),
    close: () => {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // Gone already.
      }
    },
  };
}

/** What the server hands to the test for each connection. */
export type Accepted =
  | { kind: "socket"; socket: WireWebSocket; request: Request; target: UpgradeTarget }
  | { kind: "stream"; stream: WireWebSocketStream; request: Request; target: UpgradeTarget };

/** A running test server. */
export interface RawServer {
  port: number;
  /** Every session's end, once the server is closed. */
  close(): Promise<void>;
}

/**
 * Starts a server; `accept` gets each socket (or stream) before its 101 goes out.
 *
 * @param accept Called with each new socket.
 * @param options Server options.
 * @param kind A socket (events) or a stream.
 */
export function rawServer(
  accept: (accepted: Accepted) => void,
  options: WebSocketServerOptions = {},
  kind: "socket" | "stream" = "socket",
): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ends: Promise<void>[] = [];
  const conns = new Set<Deno.Conn>();
  const handle = async (conn: Deno.Conn) => {
    const duplex = connDuplex(conn);
    const parser = new Parser({ mode: "request" });
    const buf = new Uint8Array(4096);
    let n: number | null = 0;
    let event = PARSE_NEED_MORE as number;
    try {
      while (event === PARSE_NEED_MORE) {
        n = await conn.read(buf);
        if (n === null) return duplex.close();
        event = parser.execute(buf, 0, n);
      }
    } catch {
      return duplex.close();
    }
    const headers = new Headers();
    for (let i = 0; i < parser.headers.length; i += 2) {
      headers.append(parser.headers[i], parser.headers[i + 1]);
    }
    const request = new Request(`http://${headers.get("host")}${parser.target}`, {
      method: parser.method,
      headers,
    });
    const config = resolveServerOptions(options);
    const handshake = event === PARSE_UPGRADE ? serverHandshake(request, config) : null;
    if (handshake === null || "status" in handshake) {
      const status = handshake?.status ?? 400;
      const extra = handshake?.headers.get("sec-websocket-version")
        ? "Sec-WebSocket-Version: 13\r\n"
        : "";
      await conn.write(new TextEncoder().encode(
        `HTTP/1.1 ${status} Refused\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`,
      )).catch(() => {});
      return duplex.close();
    }
    let target: UpgradeTarget;
    if (kind === "socket") {
      const made = createServerSocket(handshake);
      target = made.target;
      accept({ kind, socket: made.socket, request, target });
    } else {
      const made = createServerStream(handshake);
      target = made.target;
      accept({ kind, stream: made.stream, request, target });
    }
    let head = "HTTP/1.1 101 Switching Protocols\r\n";
    for (const [name, value] of handshake.headers) head += `${name}: ${value}\r\n`;
    try {
      await conn.write(new TextEncoder().encode(head + "\r\n"));
    } catch (error) {
      target.fail(error);
      return duplex.close();
    }
    await new Promise<void>((resolve) => {
      target.attach(duplex, buf.slice(parser.offset, n!), conn.remoteAddr, resolve);
    });
  };
  const loop = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      ends.push(handle(conn).finally(() => conns.delete(conn)));
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await loop.catch(() => {});
      await within(Promise.all(ends), "the server's sockets to end");
    },
  };
}
