/**
 * The slow-clients benchmark app (bench/slow_clients.ts), as a Web handler shared by the
 * Wire and Deno.serve servers (slow_node.mjs is the same app on node:http):
 *   GET /           "Hello, World!"
 *   GET /big/N      N bytes made for the request (a page rendered or a file read into
 *                   memory), with Content-Length
 *   GET /stream/N   N bytes streamed in 256 KiB chunks of one shared buffer, with
 *                   Content-Length
 */
const HELLO = "Hello, World!";
const CHUNK = new Uint8Array(256 * 1024).fill(120);
const BYTES = { "content-type": "application/octet-stream" };

// Async on purpose, as most apps are: its answers come a microtask after the call.
// deno-lint-ignore require-await
export async function slowApp(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/") return new Response(HELLO, { headers: { "content-type": "text/plain" } });
  if (path.startsWith("/big/")) {
    return new Response(new Uint8Array(Number(path.slice(5))).fill(120), { headers: BYTES });
  }
  if (path.startsWith("/stream/")) {
    const size = Number(path.slice(8));
    let left = size;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const n = Math.min(left, CHUNK.length);
        controller.enqueue(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
        left -= n;
        if (left === 0) controller.close();
      },
    });
    return new Response(size === 0 ? null : body, {
      headers: { ...BYTES, "content-length": String(size) },
    });
  }
  return new Response("Not Found", { status: 404 });
}
