// WebSocket echo on Deno.serve + Deno.upgradeWebSocket. Usage: deno run -A ws_deno.ts PORT
const port = Number(Deno.args[0] ?? 8011);
Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log("ready") }, (request) => {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("WebSocket echo", { status: 426 });
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event) => socket.send(event.data);
  socket.onerror = () => {};
  return response;
});
