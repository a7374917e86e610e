/**
 * Tells a body that is already whole (a string or bytes given to `new Response`, which
 * the public API shows as a stream too) from a live stream, by reading what arrives
 * within a few microtasks. A whole body can be compressed in one call and sent with a
 * Content-Length; a live one (server-sent events, a long poll) is compressed chunk by
 * chunk, and its head is not held back waiting for data.
 *
 * @module
 */

import type { ChunkSource } from "./zlib_stream.ts";

type ReadResult = ReadableStreamReadResult<Uint8Array>;

/**
 * Microtasks a read may take and still count as "already there": Deno hands out the
 * stream of a static body in two or three (the server's writer measures the same), a
 * chunk the handler queued in one.
 */
const READY_TICKS = 4;

/** What {@linkcode peekBody} found. */
export interface PeekedBody {
  /** The whole body, when it ended within the peek (null otherwise). */
  whole: Uint8Array | null;
  /** The chunks read so far and then the rest of the stream (null when `whole`). */
  source: ChunkSource | null;
}

type Settled = { result: ReadResult } | { error: unknown } | null;

async function settledSoon(read: Promise<ReadResult>): Promise<Settled> {
  let settled: Settled = null;
  read.then((result) => (settled = { result }), (error) => (settled = { error }));
  for (let i = 0; i < READY_TICKS && settled === null; i++) await null;
  return settled;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Reads `body` for as long as its chunks are already there, up to `maxBytes`.
 *
 * @param body The body stream (locked by this call).
 * @param maxBytes Past this many bytes the body is treated as a stream.
 * @returns The whole body, or a source that replays what was read.
 */
export async function peekBody(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<PeekedBody> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let pending: Promise<ReadResult> | null = null;
  for (;;) {
    const read = reader.read();
    const settled = await settledSoon(read);
    if (settled === null) {
      pending = read;
      break;
    }
    if ("error" in settled) {
      reader.cancel(settled.error).catch(() => {});
      throw settled.error;
    }
    const result = settled.result;
    if (result.done) {
      reader.releaseLock();
      return { whole: concat(chunks, total), source: null };
    }
    if (!(result.value instanceof Uint8Array)) {
      const error = new TypeError("Cannot compress a body chunk: expected Uint8Array");
      reader.cancel(error).catch(() => {});
      throw error;
    }
    chunks.push(result.value);
    total += result.value.length;
    if (total > maxBytes) break;
  }
  let index = 0;
  return {
    whole: null,
    source: {
      read() {
        if (index < chunks.length) {
          const value = chunks[index];
          chunks[index++] = EMPTY;
          return Promise.resolve({ done: false, value });
        }
        if (pending !== null) {
          const read = pending;
          pending = null;
          return read;
        }
        return reader.read();
      },
      cancel: (reason) => reader.cancel(reason),
    },
  };
}

const EMPTY = new Uint8Array(0);
