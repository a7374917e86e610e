/**
 * An HTTP echo server (the WasmEdge `http_echo` example): answers every request with
 * `echo:` followed by the request body, streamed back as it arrives.
 *
 * Run: `deno task example:http_echo`, then
 * `curl -d hello http://127.0.0.1:8000/` prints `echo:hello`.
 *
 * @module
 */
import { serve } from "@wire/http";

const PREFIX = new TextEncoder().encode("echo:");

/** Answers with `echo:` + the request body (an empty body gives just `echo:`). */
export function handler(request: Request): Response {
  const body = request.body;
  if (body === null) return new Response(PREFIX.slice());
  // Stream the body back behind the prefix: nothing is buffered whole.
  const reader = body.getReader();
  let sentPrefix = false;
  // With a Content-Length in, the answer's length is known too: no chunking.
  const length = request.headers.get("content-length");
  const headers: HeadersInit = length === null ? {} : {
    "content-length": String(PREFIX.length + Number(length)),
  };
  return new Response(
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sentPrefix) {
          sentPrefix = true;
          controller.enqueue(PREFIX.slice());
          return;
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    }),
    { headers },
  );
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8000);
  serve(handler, { port });
}
