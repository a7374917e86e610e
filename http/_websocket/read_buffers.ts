/**
 * Read buffers of WebSocket connections. Each connection reads into a small buffer of
 * its own (a pending read holds it, so this is most of what an idle connection costs);
 * after a read fills a buffer, more bytes are waiting, and the next read borrows a 64 KiB
 * buffer from a pool shared by all connections, giving it back as soon as that read is
 * handled. The rest of a long frame is read into the message itself (session.ts).
 *
 * @module
 */

/** The small buffer's size: a typical chat or RPC message and its frame head fit. */
export const SMALL_READ = 1024;
/** The pooled buffer's size. */
export const BIG_READ = 64 * 1024;
/** Most idle pooled buffers kept (4 MiB). */
const POOL_MAX = 64;
const pool: Uint8Array[] = [];

/**
 * Borrows a 64 KiB read buffer.
 *
 * @returns A buffer from the pool, or a new one.
 */
export function borrowReadBuffer(): Uint8Array {
  return pool.pop() ?? new Uint8Array(BIG_READ);
}

/**
 * Gives a borrowed buffer back; nothing may keep a view into it.
 *
 * @param buffer The buffer from {@linkcode borrowReadBuffer}.
 */
export function returnReadBuffer(buffer: Uint8Array): void {
  if (pool.length < POOL_MAX) pool.push(buffer);
}
