// Measurements for the reliability tests: open file descriptors, resident memory, bounded
// waits, SHA-256 and seeded random bytes. Everything here is bounded in time.

import { prng } from "../_prng.ts";

let procReadable: boolean | undefined;

/** Deno's own cache databases (module analysis, V8 code cache): it opens and closes them at will. */
function denoCacheFile(target: string): boolean {
  return target.includes("/deno/") && /_cache_v\d+(-wal|-shm)?$/.test(target);
}

/**
 * Number of open file descriptors of this process: the entries of /proc/<pid>/fd, leaving
 * out Deno's own cache databases, which it opens and closes in the background. Deno lets
 * only --allow-all read /proc/self, so without it an `ls -l` child lists them (--allow-run
 * is enough; its output pipe then counts as one); either way the count is comparable with
 * an earlier one from the same process.
 */
export function openFds(): number {
  const dir = `/proc/${Deno.pid}/fd`;
  if (procReadable !== false) {
    try {
      let count = 0;
      for (const entry of Deno.readDirSync(dir)) {
        let target = "";
        try {
          target = Deno.readLinkSync(`${dir}/${entry.name}`);
        } catch {
          continue; // closed meanwhile (the directory handle itself is one of these)
        }
        if (!denoCacheFile(target)) count++;
      }
      procReadable = true;
      return count;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotCapable)) throw error;
      procReadable = false;
    }
  }
  // The pipes of the previous `ls` child are sometimes still closing: the least of three
  // listings is the steady count.
  return Math.min(listFds(dir), listFds(dir), listFds(dir));
}

function listFds(dir: string): number {
  const output = new Deno.Command("ls", { args: ["-l", dir], stdin: "null", stderr: "null" })
    .outputSync();
  // ls exits 1 when a descriptor closes while it reads the links: the listing still counts.
  if (output.stdout.length === 0) throw new Error(`Cannot list ${dir}`);
  let count = 0;
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    const arrow = line.indexOf(" -> ");
    if (arrow >= 0 && !denoCacheFile(line.slice(arrow + 4))) count++;
  }
  return count;
}

/** Resident set size of this process in bytes. */
export function rssBytes(): number {
  return Deno.memoryUsage().rss;
}

/** Bytes as MiB with one decimal, for reports. */
export function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

export { within } from "../net/_helpers.ts";

/** A promise that resolves after `ms` (only for pacing senders, never to synchronize). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `condition` every `interval` ms until it holds; rejects with `what` and the last
 * value `describe()` gives when `timeout` ms pass first. Used where the event is in another
 * party's hands (the kernel releasing a socket, a server closing an idle connection).
 */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeout = 5_000,
  interval = 20,
  describe: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) {
      const detail = describe();
      throw new Error(
        `Timed out after ${timeout} ms waiting for ${what}${detail ? `: ${detail}` : ""}`,
      );
    }
    await delay(interval);
  }
}

/** Waits (bounded) until this process has at most `baseline` open descriptors. */
export function fdsBackTo(baseline: number, timeout = 5_000): Promise<void> {
  return waitFor(
    () => openFds() <= baseline,
    `open fds back to ${baseline}`,
    timeout,
    20,
    () => `${openFds()} open`,
  );
}

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  let out = "";
  for (const b of digest) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

/** An integer in [0, n) from `random`. */
export function pick(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/** `length` pseudo-random bytes from `seed` (xorshift32 over 32-bit words: fast for MiBs). */
export function randomBytes(seed: number, length: number): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = (seed | 0) || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/**
 * The seed for a run: `WIRE_SEED` from the environment, else `fallback` (fixed, so CI runs
 * repeat). Always printed, so a failing run can be replayed.
 */
export function runSeed(name: string, fallback: number): number {
  const fromEnv = Deno.env.get("WIRE_SEED");
  const seed = fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) >>> 0 : fallback >>> 0;
  console.log(`${name}: seed ${seed} (repeat with WIRE_SEED=${seed})`);
  return seed;
}

export { prng };
