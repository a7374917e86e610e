/** Small helpers for the net tests: bounded waits and a plain echo handler. */
import { writeAll } from "../../net/_write_all.ts";
import { concat } from "../../net/_bytes.ts";

/** Resolves like `promise`, or rejects naming `what` when `ms` pass first (no timer left behind). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes back every byte it reads, unchanged, until EOF; then closes. */
export async function plainEcho(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      await writeAll(conn, buf.subarray(0, n));
    }
  } finally {
    conn.close();
  }
}

/** Reads exactly `length` bytes (or fewer if the peer closes first). */
export async function readExactly(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await conn.read(out.subarray(got));
    if (n === null) return out.subarray(0, got);
    got += n;
  }
  return out;
}

/** Reads until the peer closes. */
export async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(16 * 1024);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    parts.push(buf.slice(0, n));
  }
  return concat(parts);
}

/** A port on 127.0.0.1 that nothing listens on (bound, read, released). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}
