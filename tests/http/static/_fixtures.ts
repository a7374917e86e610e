// A folder to serve, made fresh per test: text, binary, JSON, a nested directory with
// an index, dotfiles, precompressed siblings, links inside and outside the root, and a
// secret file beside the root that no request may reach.

import { brotliCompressSync, gzipSync, zstdCompressSync } from "node:zlib";

const encoder = new TextEncoder();

/** The folder and what is in it. */
export interface Site extends AsyncDisposable {
  /** The folder served. */
  root: string;
  /** A folder holding `root` and, beside it, `secret.txt`. */
  parent: string;
  /** The content of the secret file outside the root. */
  secret: string;
  /** Bytes of `/bin/data.bin` (200 KiB of a fixed pattern). */
  binary: Uint8Array;
  /** Text of `/hello.txt`. */
  hello: string;
  /** Text of `/app.js` (compressible, 4 KiB). */
  script: string;
  /** Text of `/docs/index.html`. */
  index: string;
}

/** The secret beside the root: any response containing it is a traversal. */
export const SECRET = "TOP-SECRET-outside-the-root";

/** Bytes 0..n-1 of a fixed, non-repeating-looking pattern. */
export function pattern(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Makes the site; `await using` removes it. */
export async function makeSite(): Promise<Site> {
  const parent = await Deno.makeTempDir({ prefix: "wire-static-" });
  const root = `${parent}/root`;
  await Deno.mkdir(`${root}/docs/deep`, { recursive: true });
  await Deno.mkdir(`${root}/bin`);
  await Deno.mkdir(`${root}/.git`);
  await Deno.mkdir(`${root}/empty`);
  await Deno.writeTextFile(`${parent}/secret.txt`, SECRET);
  await Deno.mkdir(`${parent}/outside`);
  await Deno.writeTextFile(`${parent}/outside/also-secret.txt`, SECRET);
  const hello = "Hello, static world!\n";
  await Deno.writeTextFile(`${root}/hello.txt`, hello);
  const script = "console.log('wire');\n".repeat(200).slice(0, 4096);
  await Deno.writeTextFile(`${root}/app.js`, script);
  await Deno.writeFile(`${root}/app.js.gz`, gzipSync(script));
  await Deno.writeFile(`${root}/app.js.br`, brotliCompressSync(script));
  await Deno.writeFile(`${root}/app.js.zst`, zstdCompressSync(encoder.encode(script)));
  const index = "<!DOCTYPE html><title>docs</title><h1>Docs</h1>";
  await Deno.writeTextFile(`${root}/docs/index.html`, index);
  await Deno.writeTextFile(`${root}/docs/deep/page.html`, "<p>deep</p>");
  await Deno.writeTextFile(`${root}/docs/a b&<c>.txt`, "odd name");
  const binary = pattern(200 * 1024);
  await Deno.writeFile(`${root}/bin/data.bin`, binary);
  await Deno.writeTextFile(`${root}/data.json`, JSON.stringify({ rows: Array(300).fill("x") }));
  await Deno.writeTextFile(`${root}/.env`, SECRET);
  await Deno.writeTextFile(`${root}/.git/config`, SECRET);
  await Deno.writeTextFile(`${root}/photo.png`, "not really a png, but served as one");
  // Links: one inside the root, three leading out of it.
  await Deno.symlink(`${root}/hello.txt`, `${root}/inside-link.txt`);
  await Deno.symlink(`${parent}/secret.txt`, `${root}/outside-link.txt`);
  await Deno.symlink(`${parent}/outside`, `${root}/outside-dir`);
  await Deno.symlink("../secret.txt", `${root}/relative-out.txt`);
  return {
    root,
    parent,
    secret: SECRET,
    binary,
    hello,
    script,
    index,
    async [Symbol.asyncDispose]() {
      await Deno.remove(parent, { recursive: true });
    },
  };
}

/**
 * Bytes this process has read through system calls so far (Linux `rchar`), or -1. Read
 * by a child process, as Deno lets only --allow-all read /proc/self; reading the
 * child's answer counts a few hundred bytes.
 */
export function bytesRead(): number {
  try {
    const out = new Deno.Command("cat", { args: [`/proc/${Deno.pid}/io`], stdout: "piped" })
      .outputSync();
    if (!out.success) return -1;
    const match = /rchar: (\d+)/.exec(new TextDecoder().decode(out.stdout));
    return match === null ? -1 : Number(match[1]);
  } catch {
    return -1;
  }
}

/** The number of open file descriptors of this process (Linux): the reliability tests' count. */
export { openFds as openDescriptors } from "../../reliability/_fd.ts";

/** Runs curl on 127.0.0.1 with a time bound; returns stdout, stderr and the exit code. */
export async function curl(
  args: string[],
): Promise<{ stdout: Uint8Array; text: string; stderr: string; code: number }> {
  const out = await new Deno.Command("curl", {
    args: ["--silent", "--show-error", "--max-time", "10", ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(15_000),
  }).output();
  return {
    stdout: out.stdout,
    text: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
    code: out.code,
  };
}

/** Whether curl is installed. */
export const HAVE_CURL: boolean = (() => {
  try {
    return new Deno.Command("curl", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();
