/**
 * Several requests in flight at once on one `Client`, each answer handled as soon as
 * it arrives (not in the order sent). The pool opens up to `maxConnectionsPerOrigin`
 * connections and queues the rest. Run as a program, it starts a local server (Wire's
 * `serve`) whose answers take different times, then shuts it down.
 *
 * Run: deno task example:client_concurrent
 *
 * @module
 */
import { Client, serve } from "@wire/http";

/** The demo server: GET /work/N answers "done N" after N * 20 ms. */
export async function handler(request: Request): Promise<Response> {
  const match = /^\/work\/(\d+)$/.exec(new URL(request.url).pathname);
  if (match === null) return new Response("Not Found", { status: 404 });
  const n = Number(match[1]);
  await new Promise((resolve) => setTimeout(resolve, n * 20));
  return new Response(`done ${n}`);
}

/**
 * Fetches /work/N for every N in `jobs` at once and calls `onAnswer` for each answer
 * as it arrives. Resolves with the answers in arrival order.
 */
export async function runAll(
  client: Client,
  baseUrl: string,
  jobs: number[],
  onAnswer: (text: string) => void = () => {},
): Promise<string[]> {
  const arrived: string[] = [];
  await Promise.all(jobs.map(async (n) => {
    const response = await client.fetch(new URL(`/work/${n}`, baseUrl));
    const text = await response.text();
    arrived.push(text);
    onAnswer(text);
  }));
  return arrived;
}

if (import.meta.main) {
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const { port } = server.addr as Deno.NetAddr;
  await using client = new Client({ maxConnectionsPerOrigin: 4 });
  try {
    const jobs = [5, 1, 4, 2, 3, 0];
    console.log("sent in order:", jobs.join(", "));
    await runAll(client, `http://127.0.0.1:${port}`, jobs, (text) => console.log("answer:", text));
  } finally {
    await server.shutdown();
  }
}
