/**
 * The smallest Wire server: answers every request with "Hello, World!".
 *
 * Run: `deno task start` (or `deno run --allow-net examples/hello.ts [port]`).
 *
 * @module
 */
import { serve } from "@wire/http";

/** Answers every request with a greeting. */
export function handler(_request: Request): Response {
  return new Response("Hello, World!");
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8000);
  serve(handler, { port });
}
