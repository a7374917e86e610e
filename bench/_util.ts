/**
 * What every load benchmark in bench/ shares: flags, a pinned server process that says
 * "ready", its stop, and medians.
 *
 * @module
 */

/**
 * `--name value` pairs (a flag without a value is "true").
 *
 * @param list The arguments.
 * @returns The flags by name.
 */
export function parseArgs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < list.length; i++) {
    if (!list[i].startsWith("--")) continue;
    const next = list[i + 1];
    if (next === undefined || next.startsWith("--")) out[list[i].slice(2)] = "true";
    else out[list[i].slice(2)] = next, i++;
  }
  return out;
}

/** How {@linkcode startPinned} runs a server. */
export interface StartOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** The stream on which the server prints "ready" (default stdout). */
  readyOn?: "stdout" | "stderr";
  /** The CPU list for taskset (default "0"; the load tool runs on "1"). */
  cpu?: string;
  /** How long the server may take to say "ready" (default 15 s). */
  timeoutMs?: number;
}

/**
 * Starts `cmd` pinned to a CPU and waits until it prints "ready"; the rest of its output
 * is drained so it never blocks on a full pipe.
 *
 * @param name Names the server in errors.
 * @param cmd The command and its arguments.
 * @param options Environment, ready stream, CPU, start timeout.
 * @returns The running process.
 */
export async function startPinned(
  name: string,
  cmd: string[],
  options: StartOptions = {},
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("taskset", {
    args: ["-c", options.cpu ?? "0", ...cmd],
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const readyOnStderr = options.readyOn === "stderr";
  const watched = readyOnStderr ? child.stderr : child.stdout;
  const other = readyOnStderr ? child.stdout : child.stderr;
  let errors = "";
  const drainOther = drain(
    other,
    readyOnStderr ? undefined : (text) => {
      if (errors.length < 4096) errors += text;
    },
  );
  const reader = watched.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => reader.cancel().catch(() => {}), options.timeoutMs ?? 15_000);
  let seen = "";
  try {
    while (!seen.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) {
        await child.status.catch(() => {});
        await drainOther;
        const why = (readyOnStderr ? seen : errors).trim().split("\n")[0] ?? "";
        throw new Error(`${name} exited or timed out before listening: ${why}`);
      }
      seen += value;
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep draining what the server prints.
  (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })().catch(() => {});
  return child;
}

async function drain(
  stream: ReadableStream<Uint8Array>,
  onText?: (text: string) => void,
): Promise<void> {
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) onText?.(text);
  } catch {
    // The process went away.
  }
}

/**
 * Stops a server started by {@linkcode startPinned} (SIGTERM) and waits for it.
 *
 * @param child The process.
 */
export async function stopServer(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  await child.status;
}

/**
 * The median of the finite values (NaN when there is none).
 *
 * @param values The figures of the rounds.
 * @returns Their median.
 */
export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
