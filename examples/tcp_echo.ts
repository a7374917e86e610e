/**
 * A TCP echo server: every chunk a client sends comes back as `echo:` + the chunk.
 * Each connection is served on its own, so many clients talk at once.
 *
 *     deno task example:tcp_echo          # 127.0.0.1:8080
 *     deno task example:tcp_echo 9000     # another port (or PORT=9000 with --allow-env)
 *
 * Then `deno task example:tcp_client` (or `nc 127.0.0.1 8080`) talks to it.
 *
 * @module
 */
import { listen, type Listener } from "@wire/http/net";

/** The port the example listens on when none is given. */
export const DEFAULT_ECHO_PORT = 8080;

const PREFIX = new TextEncoder().encode("echo:");
const CHUNK_SIZE = 64 * 1024;

/** A running echo server. */
export interface EchoServer extends AsyncDisposable {
  /** The bound address (with the picked port when 0 was asked for). */
  addr: Deno.NetAddr;
  /** Resolves once the listener is closed and every connection is done. */
  finished: Promise<void>;
  /** Stops accepting, closes open connections and waits for `finished`. */
  close(): Promise<void>;
}

/** Where the echo server listens. */
export interface EchoServerOptions {
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** @default {8080} */
  port?: number;
  /** Aborting it closes the server. */
  signal?: AbortSignal;
}

/**
 * Answers each chunk read from `conn` with `echo:` + the chunk until the client closes,
 * then closes `conn`. One buffer per connection: the prefix sits in front of the read
 * area, so each answer is a single write with no copy.
 */
export async function echoConnection(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(PREFIX.length + CHUNK_SIZE);
  buf.set(PREFIX);
  const readArea = buf.subarray(PREFIX.length);
  try {
    for (;;) {
      const n = await conn.read(readArea);
      if (n === null) break;
      if (n === 0) continue;
      const reply = buf.subarray(0, PREFIX.length + n);
      let written = 0;
      while (written < reply.length) written += await conn.write(reply.subarray(written));
    }
  } catch (error) {
    // A client that vanishes mid-write, or close() during shutdown, ends only this one.
    if (
      !(error instanceof Deno.errors.ConnectionReset) &&
      !(error instanceof Deno.errors.BrokenPipe) &&
      !(error instanceof Deno.errors.BadResource) &&
      !(error instanceof Deno.errors.Interrupted)
    ) {
      console.error("echo: connection failed:", error);
    }
  } finally {
    conn.close();
  }
}

/**
 * Starts the echo server and returns at once; connections are served in the
 * background until `close()` or the signal.
 */
export function startEchoServer(options: EchoServerOptions = {}): EchoServer {
  const listener: Listener = listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? DEFAULT_ECHO_PORT,
    signal: options.signal,
  });
  const finished = serve(listener);
  const close = async (): Promise<void> => {
    listener.close();
    listener.closeConnections();
    await finished;
  };
  options.signal?.addEventListener("abort", () => listener.closeConnections(), { once: true });
  return {
    addr: listener.addr as Deno.NetAddr,
    finished,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function serve(listener: Listener): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const conn of listener) {
    const done = echoConnection(conn);
    running.add(done);
    done.finally(() => running.delete(done));
  }
  await Promise.all(running);
}

function portFromArgs(): number {
  let text: string | undefined = Deno.args[0];
  if (
    text === undefined &&
    Deno.permissions.querySync({ name: "env", variable: "PORT" }).state === "granted"
  ) {
    text = Deno.env.get("PORT");
  }
  if (text === undefined || text === "") return DEFAULT_ECHO_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot use port "${text}": give an integer from 0 to 65535`);
  }
  return port;
}

if (import.meta.main) {
  const controller = new AbortController();
  const server = startEchoServer({ port: portFromArgs(), signal: controller.signal });
  console.log(
    `echo server listening on ${server.addr.hostname}:${server.addr.port} (Ctrl+C stops it)`,
  );
  Deno.addSignalListener("SIGINT", () => controller.abort());
  await server.finished;
  console.log("echo server stopped");
  Deno.exit(0);
}
