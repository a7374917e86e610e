// Run by telemetry_test.ts with OTEL_DENO=true: a Wire server whose handler calls
// another route through Wire's Client, so one trace holds server → client → server.

import { serve } from "../../http/serve.ts";
import { Client } from "../../http/client.ts";

const client = new Client();
const server = serve(async (request) => {
  const url = new URL(request.url);
  if (url.pathname === "/inner") {
    return new Response(request.headers.get("traceparent") ?? "none", { status: 202 });
  }
  const inner = await client.fetch(`http://127.0.0.1:${url.port}/inner`);
  return new Response(await inner.text());
}, { hostname: "127.0.0.1", port: 0, onListen() {} });
const port = (server.addr as Deno.NetAddr).port;
const response = await client.fetch(`http://127.0.0.1:${port}/outer?q=1`, {
  headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
});
console.log(await response.text());
await client.close();
await server.shutdown();
