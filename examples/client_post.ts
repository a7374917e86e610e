/**
 * POST a JSON body and read the JSON answer, with a timeout from an AbortSignal.
 * Run as a program, it starts a small local server (Wire's `serve`) that stores the
 * item and answers 201 with an id, then shuts it down.
 *
 * Run: deno task example:client_post
 *
 * @module
 */
import { Client, serve } from "@wire/http";

/** An item as the server stores it. */
export interface Item {
  id: number;
  name: string;
  tags: string[];
}

/** The demo server's handler: POST /items with a JSON `{ name, tags }` answers 201. */
export function createHandler(): (request: Request) => Promise<Response> {
  let nextId = 1;
  return async (request) => {
    if (new URL(request.url).pathname !== "/items") {
      return new Response("Not Found", { status: 404 });
    }
    if (request.method !== "POST") {
      return new Response("Method Not Allowed", { status: 405, headers: { allow: "POST" } });
    }
    let body: { name?: unknown; tags?: unknown };
    try {
      body = await request.json();
    } catch {
      return Response.json({ error: "body is not JSON" }, { status: 400 });
    }
    if (typeof body.name !== "string") {
      return Response.json({ error: "name must be a string" }, { status: 400 });
    }
    const item: Item = {
      id: nextId++,
      name: body.name,
      tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
    };
    return Response.json(item, { status: 201 });
  };
}

/** POSTs `item` as JSON to `baseUrl`/items within `timeoutMs` and returns the stored item. */
export async function createItem(
  client: Client,
  baseUrl: string,
  item: { name: string; tags?: string[] },
  timeoutMs = 5_000,
): Promise<Item> {
  const response = await client.fetch(new URL("/items", baseUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(item),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 201) {
    throw new Error(`POST /items answered ${response.status}: ${await response.text()}`);
  }
  return await response.json();
}

if (import.meta.main) {
  const server = serve(createHandler(), { hostname: "127.0.0.1", port: 0, onListen() {} });
  const { port } = server.addr as Deno.NetAddr;
  await using client = new Client();
  try {
    const item = await createItem(client, `http://127.0.0.1:${port}`, {
      name: "wire",
      tags: ["http", "deno"],
    });
    console.log("POST /items ->", item);
  } finally {
    await server.shutdown();
  }
}
