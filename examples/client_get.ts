/**
 * GET with a query string: build the URL with URLSearchParams, send it with a
 * keep-alive `Client`, read JSON back. Run as a program, it starts a small local
 * server to ask (Wire's `serve` on a free port) and shuts it down after.
 *
 * Run: deno task example:client_get
 *
 * @module
 */
import { Client, serve } from "@wire/http";

/** The demo server: answers GET /search with the query it got, as JSON. */
export function handler(request: Request): Response {
  const url = new URL(request.url);
  if (url.pathname !== "/search") return new Response("Not Found", { status: 404 });
  return Response.json({
    query: url.searchParams.get("q"),
    page: Number(url.searchParams.get("page") ?? "1"),
  });
}

/** Searches `baseUrl` for `query` (page `page`) and returns the parsed JSON answer. */
export async function search(
  client: Client,
  baseUrl: string,
  query: string,
  page: number,
): Promise<{ query: string; page: number }> {
  const url = new URL("/search", baseUrl);
  url.search = new URLSearchParams({ q: query, page: String(page) }).toString();
  const response = await client.fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url} answered ${response.status}`);
  }
  return await response.json();
}

if (import.meta.main) {
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const { port } = server.addr as Deno.NetAddr;
  await using client = new Client();
  try {
    for (const page of [1, 2]) {
      const result = await search(client, `http://127.0.0.1:${port}`, "wire http", page);
      console.log(`GET /search?q=wire+http&page=${page} ->`, result);
    }
  } finally {
    await server.shutdown();
  }
}
