import type { Handler, HandlerObject } from "./handler.ts";
import type { ServeOptions } from "./server_options.ts";
import { Server } from "./server.ts";

/**
 * Serves HTTP/1.1 with `handler`: a Web `Request` in, a Web `Response` out, as in
 * `Deno.serve`. Listens at once and returns the running {@linkcode Server}.
 *
 * Keep-alive is the default on HTTP/1.1 (opt-in on 1.0); pipelined requests are
 * answered in order; request bodies are streams with backpressure; responses get a
 * Content-Length when their size is known and are chunked otherwise (close-delimited for
 * HTTP/1.0); HEAD, 204 and 304 have no body; every response has a Date. Bad requests
 * get their status (400, 408, 413, 414, 431, 501, 505) and a close. A handler that
 * throws gets a 500 (or `onError`'s Response) and the server goes on.
 *
 * @param handler Called for each request.
 * @param options Where to listen, limits, timeouts and hooks.
 * @returns The server, already listening.
 *
 * @example Hello world
 * ```ts ignore
 * import { serve } from "@wire/http";
 *
 * serve(() => new Response("Hello, World!"), { port: 8000 });
 * ```
 *
 * @example Shut down with `await using`
 * ```ts ignore
 * import { serve } from "@wire/http";
 *
 * await using server = serve(() => new Response("hi"), { port: 0, onListen() {} });
 * const response = await fetch(`http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`);
 * console.log(await response.text()); // "hi"
 * ```
 */
export function serve(handler: Handler | HandlerObject, options: ServeOptions = {}): Server {
  return new Server(handler, options);
}
