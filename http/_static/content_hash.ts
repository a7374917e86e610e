/**
 * Content-hash ETags (`etag: "hash"`): a SHA-256 of the file, computed once per version
 * of a file (path, size, modification time and inode) and remembered, so a request
 * costs a hash only after the file changed.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { hashEtag } from "./validators.ts";

/** Files whose hash is remembered; the oldest entry goes first past it. */
const MAX_ENTRIES = 1024;
/** Read size while hashing. */
const HASH_READ_BYTES = 512 * 1024;

interface Entry {
  size: number;
  mtime: number | null;
  ino: number | null;
  etag: string;
}

const cache = new Map<string, Entry>();

/**
 * The content-hash ETag of bytes already read.
 *
 * @param bytes A file's content.
 * @returns A strong entity-tag.
 */
export function bytesHashEtag(bytes: Uint8Array): string {
  return hashEtag(new Uint8Array(createHash("sha256").update(bytes).digest()));
}

/**
 * The content-hash ETag of the file at `path`, whose metadata is `info`.
 *
 * @param path The file.
 * @param info Its metadata (from stat).
 * @returns A strong entity-tag.
 */
export async function contentHashEtag(path: string, info: Deno.FileInfo): Promise<string> {
  const mtime = info.mtime?.getTime() ?? null;
  const hit = cache.get(path);
  if (hit !== undefined && hit.size === info.size && hit.mtime === mtime && hit.ino === info.ino) {
    return hit.etag;
  }
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  try {
    const buffer = new Uint8Array(HASH_READ_BYTES);
    for (;;) {
      const n = await file.read(buffer);
      if (n === null) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    file.close();
  }
  const etag = hashEtag(new Uint8Array(hash.digest()));
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.delete(path);
  cache.set(path, { size: info.size, mtime, ino: info.ino, etag });
  return etag;
}
