/**
 * The benchmark app, as a Web handler shared by the Wire and Deno.serve servers
 * (bench/_servers/node_http.mjs is the same app on node:http):
 *   GET  /            "Hello, World!"
 *   POST /echo        the request body back
 *   GET  /bytes/N     N bytes, streamed in 256 KiB chunks, with Content-Length
 *   POST /upload      reads the whole body, answers its length
 */
const HELLO = "Hello, World!";
const CHUNK = new Uint8Array(256 * 1024).fill(120);

export async function app(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/") return new Response(HELLO, { headers: { "content-type": "text/plain" } });
  if (path === "/echo") {
    return new Response(await request.arrayBuffer(), {
      headers: { "content-type": "application/octet-stream" },
    });
  }
  if (path === "/upload") {
    let total = 0;
    for await (const chunk of request.body ?? []) total += chunk.length;
    return new Response(String(total));
  }
  if (path.startsWith("/bytes/")) {
    const size = Number(path.slice(7));
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
      headers: { "content-length": String(size), "content-type": "application/octet-stream" },
    });
  }
  return new Response("Not Found", { status: 404 });
}
