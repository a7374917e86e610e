// WebSocket echo on Wire's serve() + upgradeWebSocket. Usage: deno run -A ws_wire.ts PORT
import { serve, upgradeWebSocket } from "../../mod.ts";

const port = Number(Deno.args[0] ?? 8012);
serve((request: Request) => {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("WebSocket echo", { status: 426 });
  }
  const { socket, response } = upgradeWebSocket(request);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event) => socket.send(event.data);
  socket.onerror = () => {};
  return response;
}, { port, hostname: "127.0.0.1", onListen: () => console.log("ready") });
