/**
 * A static file server: a folder over HTTP with everything a browser and curl expect
 * (ETag and Last-Modified with 304s, Range requests for video seeking and resumed
 * downloads, precompressed `.br`/`.zst`/`.gz` siblings, gzip/brotli/zstd on the fly for
 * text, index.html, an optional listing), and nothing outside the folder ever read.
 *
 * Run: `deno task example:file_server --root ./public --port 8080`, or
 *   deno run -A examples/file_server.ts --root DIR --port P [--hostname H]
 *     [--listing] [--precompressed] [--no-compress] [--cache-control VALUE]
 *     [--chunk-size BYTES] [--log]
 * It prints `Listening on http://H:P/` when ready. The hostname defaults to 127.0.0.1
 * (this machine only); pass `--hostname 0.0.0.0` to serve the network.
 *
 * @module
 */
import {
  compose,
  type ComposedMiddleware,
  compress,
  type Middleware,
  serve,
  serveStatic,
} from "@wire/http";

/** What {@linkcode createFileServer} serves, and how. */
export interface FileServerOptions {
  /** The folder served. */
  root: string;
  /** List directories without an index.html. */
  listing?: boolean;
  /** Serve `.br`/`.zst`/`.gz` siblings to clients that accept them. */
  precompressed?: boolean;
  /** Compress text responses on the fly (default true). */
  compress?: boolean;
  /** A Cache-Control value for every file. */
  cacheControl?: string;
  /** Bytes per read when streaming a large file (serveDir's default when absent). */
  chunkSize?: number;
  /** Called with one line per request (method, path, Range, status, length). */
  log?: (line: string) => void;
}

/**
 * Makes the file server's handler.
 *
 * @param options The folder and the features.
 * @returns A handler (and middleware) serving the folder.
 */
export function createFileServer(options: FileServerOptions): ComposedMiddleware {
  const chain: Middleware[] = [];
  const log = options.log;
  if (log !== undefined) {
    chain.push(async (ctx, next) => {
      const response = await next();
      const range = ctx.request.headers.get("range");
      log(
        `${ctx.request.method} ${ctx.path}${
          range === null ? "" : ` range=${range}`
        } ${response.status}` +
          ` ${response.headers.get("content-encoding") ?? "identity"} ${
            response.headers.get("content-length") ?? "-"
          }`,
      );
      return response;
    });
  }
  if (options.compress ?? true) chain.push(compress());
  chain.push(
    serveStatic(options.root, {
      listing: options.listing ?? false,
      precompressed: options.precompressed ?? false,
      cacheControl: options.cacheControl,
      chunkSize: options.chunkSize,
    }),
  );
  return compose(...chain);
}

/** The command line: `--root DIR --port P --hostname H` and the feature flags. */
export function parseArgs(args: string[]): FileServerOptions & { port: number; hostname: string } {
  const value = (name: string) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  return {
    root: value("--root") ?? ".",
    port: Number(value("--port") ?? 8000),
    hostname: value("--hostname") ?? "127.0.0.1",
    listing: args.includes("--listing"),
    precompressed: args.includes("--precompressed"),
    compress: !args.includes("--no-compress"),
    cacheControl: value("--cache-control"),
    chunkSize: value("--chunk-size") === undefined ? undefined : Number(value("--chunk-size")),
    log: args.includes("--log") ? (line) => console.log(line) : undefined,
  };
}

if (import.meta.main) {
  const options = parseArgs(Deno.args);
  // serve() prints "Listening on http://H:P/" once it listens.
  serve(createFileServer(options), { port: options.port, hostname: options.hostname });
}
