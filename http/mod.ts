/**
 * The HTTP/1.1 protocol: parser, chunked codec, response encoder, `serve()` and the
 * clients.
 *
 * @example Answer requests
 * ```ts ignore
 * import { serve } from "@wire/http/http";
 *
 * serve(() => new Response("hello"), { port: 8000 });
 * ```
 *
 * @module
 */

// shared types and errors
export type { Handler, ServeInfo } from "./handler.ts";
export { HttpError, httpError, type HttpErrorOptions } from "./http_error.ts";
export { isStatus, STATUS_TEXT, statusText } from "./status.ts";

// parser and chunked codec (issue 3)
export { ChunkedEncoderStream } from "./chunked_encoder_stream.ts";

// server (issue 4)

// client (issue 5)
