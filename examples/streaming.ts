/**
 * A response streamed over time: server-sent events (`text/event-stream`). Each client
 * gets a `tick` event every second; the stream stops when the client goes away
 * (`request.signal` aborts) or after `count` events.
 *
 * Run: `deno task example:streaming`, then `curl -N http://127.0.0.1:8000/`.
 *
 * @module
 */
import { serve } from "@wire/http";

/** Options for {@linkcode createHandler}. */
export interface StreamingOptions {
  /** Milliseconds between events. */
  interval?: number;
  /** Events to send before ending the stream (Infinity: until the client leaves). */
  count?: number;
}

const encoder = new TextEncoder();

/**
 * Makes the SSE handler.
 *
 * @param options Interval and event count.
 * @returns A handler answering with an event stream.
 */
export function createHandler(options: StreamingOptions = {}): (request: Request) => Response {
  const interval = options.interval ?? 1000;
  const count = options.count ?? Infinity;
  return (request) => {
    let timer: ReturnType<typeof setInterval> | undefined;
    let sent = 0;
    const stop = () => clearInterval(timer);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // A comment line first: proxies and clients see the stream open at once.
        controller.enqueue(encoder.encode(": connected\n\n"));
        timer = setInterval(() => {
          sent++;
          const event = `id: ${sent}\nevent: tick\ndata: ${
            JSON.stringify({ n: sent, at: Date.now() })
          }\n\n`;
          controller.enqueue(encoder.encode(event));
          if (sent >= count) {
            stop();
            controller.close();
          }
        }, interval);
        request.signal.addEventListener("abort", () => {
          stop();
          try {
            controller.close();
          } catch {
            // closed already
          }
        }, { once: true });
      },
      cancel: stop,
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
      },
    });
  };
}

/** The handler `deno task example:streaming` serves: one event a second, until the client leaves. */
export const handler: (request: Request) => Response = createHandler();

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8000);
  serve(handler, { port });
}
