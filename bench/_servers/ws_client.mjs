// The WebSocket load client of bench/websocket.ts, run by node (with ws) or by Deno (its
// own WebSocket client): CONNS connections, each sending a SIZE-byte binary message and
// sending the next as soon as the echo arrives. WARMUP seconds of that load come first,
// uncounted; then round trips are counted for DURATION seconds and printed as JSON.
// Usage: WS_PACKAGE=/path/to/ws node ws_client.mjs URL CONNS SIZE DURATION WARMUP
import { createRequire } from "node:module";

const [url, conns, size, duration, warmup] = globalThis.Deno?.args ?? process.argv.slice(2);
const WebSocketImpl = globalThis.WebSocket ??
  createRequire(import.meta.url)(process.env.WS_PACKAGE ?? "ws").WebSocket;
const payload = new Uint8Array(Number(size)).fill(97);
const exit = (code) => globalThis.Deno ? Deno.exit(code) : process.exit(code);

let counting = false;
let count = 0;
let stopped = false;
const sockets = [];
let failed = null;

function open() {
  return new Promise((resolve, reject) => {
    // ws offers permessage-deflate by default; the servers compared here run without it.
    const socket = globalThis.WebSocket
      ? new WebSocketImpl(url)
      : new WebSocketImpl(url, { perMessageDeflate: false });
    socket.binaryType = "arraybuffer";
    socket.onopen = () => resolve(socket);
    socket.onerror = (event) => reject(new Error(`connect failed: ${event.message ?? event}`));
    socket.onmessage = (event) => {
      if (event.data.byteLength !== payload.length) failed ??= `echo of ${event.data.byteLength} B`;
      if (counting) count++;
      if (!stopped) socket.send(payload);
    };
    socket.onclose = () => {
      if (!stopped) failed ??= "server closed a connection";
    };
  });
}

const deadline = setTimeout(() => {
  console.error("timed out");
  exit(3);
}, (Number(duration) + Number(warmup) + 30) * 1000);
for (let i = 0; i < Number(conns); i += 50) {
  const batch = Math.min(50, Number(conns) - i);
  sockets.push(...await Promise.all(Array.from({ length: batch }, open)));
}
for (const socket of sockets) socket.send(payload);
await new Promise((r) => setTimeout(r, Number(warmup) * 1000));
counting = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, Number(duration) * 1000));
const seconds = (performance.now() - start) / 1000;
const roundTrips = count;
stopped = true;
clearTimeout(deadline);
await Promise.all(sockets.map((socket) =>
  new Promise((resolve) => {
    if (socket.readyState === 3) return resolve();
    socket.onclose = resolve;
    socket.close();
    setTimeout(resolve, 2000);
  })
));
console.log(JSON.stringify({ roundTrips, seconds, rate: roundTrips / seconds, failed }));
exit(failed ? 1 : 0);
