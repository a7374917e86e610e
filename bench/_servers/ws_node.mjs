// WebSocket echo on node + ws (no permessage-deflate, ws's server default).
// Usage: WS_PACKAGE=/path/to/ws node ws_node.mjs PORT
// (bench/websocket.ts points WS_PACKAGE at the ws that Deno fetched for npm:ws@8;
// without it, `ws` is taken from node_modules.)
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { WebSocketServer } = require(process.env.WS_PACKAGE ?? "ws");
const port = Number(process.argv[2] ?? 8013);

const wss = new WebSocketServer({ host: "127.0.0.1", port }, () => console.log("ready"));
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => {});
});
