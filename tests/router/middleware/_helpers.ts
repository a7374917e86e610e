// Helpers for the middleware suites: direct calls with a fixed ServeInfo, and a server
// on 127.0.0.1:0 with a Wire Client, both always closed.

import { Client } from "../../../http/client.ts";
import type { Handler } from "../../../http/handler.ts";
import { serve } from "../../../http/serve.ts";
import type { ServeOptions } from "../../../http/server_options.ts";

export { INFO, req } from "../_info.ts";

/** Bound on any single wait in these suites. */
export const TIMEOUT = 5_000;

/**
 * Serves `handler` on 127.0.0.1 with a free port, runs `fn` with its base URL, address
 * and a Client, then closes the Client and shuts the server down at once.
 */
export async function overTcp(
  handler: Handler,
  fn: (base: string, client: Client, addr: Deno.NetAddr) => Promise<void>,
  options: ServeOptions = {},
): Promise<void> {
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {}, ...options });
  const client = new Client();
  const addr = server.addr as Deno.NetAddr;
  try {
    await fn(`http://127.0.0.1:${addr.port}`, client, addr);
  } finally {
    await client.close();
    await server.shutdown({ deadline: 0 });
  }
}

/** A request head and body as one latin1 string (CRLF line ends added). */
export function http(head: string[], body = ""): string {
  return head.join("\r\n") + "\r\n\r\n" + body;
}
