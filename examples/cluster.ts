/**
 * N server processes sharing one port (SO_REUSEPORT): the kernel spreads the
 * connections among them, like Node's cluster module but with no primary in the data
 * path. The primary process only starts the workers and stops them on Ctrl-C.
 *
 * Run: `deno task example:cluster [workers] [port]` (Linux; Deno needs `--unstable-net`
 * for `reusePort`). Defaults: one worker per CPU, port 8000.
 *
 * @module
 */
import { serve } from "@wire/http";

/** Answers with the id of the process that served the request. */
export function handler(_request: Request): Response {
  return new Response(`Hello from process ${Deno.pid}\n`);
}

/** A running cluster of worker processes. */
export interface Cluster {
  /** The shared port. */
  port: number;
  /** The worker processes. */
  workers: Deno.ChildProcess[];
  /** Stops every worker (SIGTERM) and waits for them to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `workers` processes serving {@linkcode handler} on `port` with `reusePort`,
 * and resolves once each of them listens.
 *
 * @param workers How many processes.
 * @param port The port they share (must be free; 0 is not allowed: all must agree).
 * @returns The cluster.
 */
export async function startCluster(workers: number, port: number): Promise<Cluster> {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`Cannot start a cluster: workers must be >= 1, got ${workers}`);
  }
  const children: Deno.ChildProcess[] = [];
  for (let i = 0; i < workers; i++) {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--unstable-net",
        new URL(import.meta.url).pathname,
        "--worker",
        String(port),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    children.push(child);
  }
  // Each worker prints one line once it listens.
  await Promise.all(children.map(async (child) => {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const { value } = await reader.read();
    if (value === undefined || !value.startsWith("listening")) {
      throw new Error(`Cannot start a cluster worker: it said ${JSON.stringify(value)}`);
    }
    // Keep draining its stdout so it never blocks on a full pipe.
    (async () => {
      while (!(await reader.read()).done) { /* drop */ }
    })().catch(() => {});
  }));
  return {
    port,
    workers: children,
    async stop() {
      for (const child of children) {
        try {
          child.kill("SIGTERM");
        } catch {
          // exited already
        }
      }
      await Promise.all(children.map((child) => child.status));
    },
  };
}

if (import.meta.main) {
  if (Deno.args[0] === "--worker") {
    const port = Number(Deno.args[1]);
    const controller = new AbortController();
    Deno.addSignalListener("SIGTERM", () => controller.abort());
    const server = serve(handler, {
      port,
      reusePort: true,
      signal: controller.signal,
      onListen: () => console.log(`listening ${Deno.pid}`),
    });
    await server.finished;
    Deno.exit(0);
  } else {
    const workers = Number(Deno.args[0] ?? navigator.hardwareConcurrency);
    const port = Number(Deno.args[1] ?? 8000);
    const cluster = await startCluster(workers, port);
    console.log(`Listening on http://localhost:${port}/ with ${workers} processes`);
    Deno.addSignalListener("SIGINT", async () => {
      await cluster.stop();
      Deno.exit(0);
    });
  }
}
