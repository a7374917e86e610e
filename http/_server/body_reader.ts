/**
 * How the writer reads a streamed response body. A byte stream (`type: "bytes"`:
 * serveFile's file bodies, `Deno.FsFile.readable`) is read in BYOB mode into a buffer
 * the writer hands back once the chunk is written, so a large download reuses one
 * buffer instead of allocating one per chunk; any other stream is read as it is.
 *
 * Why: a fresh buffer per chunk is zeroed and faulted in, and on bench/static.ts's
 * 256 MiB download that cost more than the file read itself. One interleaved run
 * (`deno run -A bench/static.ts --baseline <this checkout>`, 2026-12-04): 1,136 MB/s
 * (0.60x nginx) with a fresh 512 KiB buffer per chunk, 1,790 MB/s (0.95x) with this.
 *
 * @module
 */

type ReadResult = ReadableStreamReadResult<Uint8Array>;

/** Largest BYOB buffer: serveFile's default read size. */
const MAX_BUFFER_BYTES = 512 * 1024;
/** First buffer of a stream of unknown length (server-sent events stay this small). */
const MIN_BUFFER_BYTES = 16 * 1024;
/** Buffers of MAX_BUFFER_BYTES kept for the next download. */
const POOL_SIZE = 4;
const pool: ArrayBuffer[] = [];

/** A body reader: `read()`, then `done(chunk)` once the chunk is written. */
export interface BodyReader {
  read(): Promise<ReadResult>;
  /** The chunk `read()` gave is written: its memory may be read into again. */
  done(chunk: Uint8Array): void;
  cancel(reason?: unknown): Promise<void>;
  /** Gives the buffer back to the pool (the body is finished or abandoned). */
  release(): void;
}

/**
 * A reader for `stream`.
 *
 * @param stream The response body.
 * @param declared Its Content-Length, or -1.
 * @returns The reader.
 */
export function bodyReader(stream: ReadableStream<Uint8Array>, declared: number): BodyReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    const reader = stream.getReader();
    return {
      read: () => reader.read(),
      done() {},
      cancel: (reason) => reader.cancel(reason),
      release() {},
    };
  }
  // A known length up to the largest buffer gets a buffer of that size; a stream of
  // unknown length starts small and doubles while reads fill its buffer.
  let size = declared >= 0 ? Math.max(1, Math.min(declared, MAX_BUFFER_BYTES)) : MIN_BUFFER_BYTES;
  let spare: ArrayBuffer | null = null;
  return {
    read() {
      let buffer = spare;
      spare = null;
      if (buffer === null || buffer.byteLength < size) {
        buffer = size === MAX_BUFFER_BYTES
          ? pool.pop() ?? new ArrayBuffer(size)
          : new ArrayBuffer(size);
      }
      return byob.read(new Uint8Array(buffer, 0, size)) as Promise<ReadResult>;
    },
    done(chunk) {
      if (chunk.byteLength === size && size < MAX_BUFFER_BYTES) {
        size = Math.min(size * 2, MAX_BUFFER_BYTES);
      }
      spare = chunk.buffer as ArrayBuffer;
    },
    cancel: (reason) => byob.cancel(reason),
    release() {
      if (spare !== null && spare.byteLength === MAX_BUFFER_BYTES && pool.length < POOL_SIZE) {
        pool.push(spare);
      }
      spare = null;
    },
  };
}
