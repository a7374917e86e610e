/**
 * Echo servers for the conformance tests, on 127.0.0.1 and port 0: Deno's own
 * (Deno.serve + Deno.upgradeWebSocket) and node's `ws` (npm:ws, run by Deno's node
 * compatibility layer), the second with permessage-deflate on for sections 12 and 13.
 *
 * @module
 */
import { WebSocketServer } from "npm:ws@8";

/** The little of ws's API used here (the package ships no types). */
interface WsSocket {
  on(event: "message", listener: (data: Uint8Array, isBinary: boolean) => void): void;
  on(event: "error", listener: () => void): void;
  send(data: Uint8Array, options: { binary: boolean }): void;
  terminate(): void;
}

/** A running echo server. */
export interface EchoServer {
  url: string;
  close(): Promise<void>;
}

/** Deno.serve + Deno.upgradeWebSocket, echoing every message as it came. */
export function startDenoEcho(): Promise<EchoServer> {
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) =>
        resolve({ url: `ws://127.0.0.1:${port}/`, close: () => server.shutdown() }),
    }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.binaryType = "arraybuffer";
      socket.onmessage = (event) => socket.send(event.data);
      socket.onerror = () => {};
      return response;
    });
  });
}

/** node's `ws` WebSocketServer with permessage-deflate (compressing every message). */
export function startWsEcho(): Promise<EchoServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      perMessageDeflate: { threshold: 0 },
    });
    wss.on("connection", (ws: WsSocket) => {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on("error", () => {});
    });
    wss.on("error", reject);
    wss.on("listening", () => {
      const address = wss.address();
      const port = typeof address === "string" ? 0 : address.port;
      resolve({
        url: `ws://127.0.0.1:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients as Set<WsSocket>) client.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}
