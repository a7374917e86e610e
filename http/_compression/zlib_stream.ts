/**
 * A pull-based Web stream through a node:zlib transform, for response compression and
 * request decoding alike.
 *
 * - Backpressure: the output stream has a high-water mark of 0; the source is read only
 *   when a reader waits and the transform has taken the previous chunk, and the
 *   transform is paused once OUTPUT_HIGH_WATER bytes wait, so a small input that
 *   expands a thousandfold (a "zip bomb") is decoded as it is read, never at once.
 * - Flush: when a flush flag is given, every input chunk is followed by a flush and its
 *   output is handed on before the next chunk is read, so each event of a server-sent
 *   event stream reaches the client when it is written.
 * - Limit: past `maxBytes` of output the transform is destroyed, the source cancelled
 *   and the stream errors with `tooLarge()`.
 * - Cleanup: cancelling the output cancels the source and destroys the transform; an
 *   error on either side does both too.
 *
 * @module
 */

import type { ZlibTransform } from "./codecs.ts";

/**
 * Output bytes waiting before the transform is paused: one socket write's worth, so
 * memory per stream stays at the transform's state plus this.
 */
const OUTPUT_HIGH_WATER = 64 * 1024;

/** Where a zlib stream reads its input: a reader, possibly with reads already made. */
export interface ChunkSource {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason?: unknown): Promise<void>;
}

/** Options for {@linkcode zlibStream}. */
export interface ZlibStreamOptions {
  /** Flush flag after each input chunk (compression), or -1 for none (decoding). */
  flush: number;
  /** Most output bytes allowed (Infinity: no limit). */
  maxBytes: number;
  /** The error the stream ends with past `maxBytes`. */
  tooLarge: () => Error;
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
 * Runs `source` through a transform as a Web stream. The transform is made when the
 * first input chunk arrives (a decoder may need to look at it), or at the end of an
 * empty input.
 *
 * @param source The input.
 * @param makeTransform Makes a fresh node:zlib transform, given the first chunk (or null).
 * @param options Flush and the output limit.
 * @returns The output stream.
 */
export function zlibStream(
  source: ChunkSource,
  makeTransform: (first: Uint8Array | null) => ZlibTransform,
  options: ZlibStreamOptions,
): ReadableStream<Uint8Array> {
  let transform: ZlibTransform | null = null;
  let queue: Uint8Array[] = [];
  let queued = 0;
  let produced = 0;
  let busy = false;
  let paused = false;
  let sourceDone = false;
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const signal = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const fail = (error: unknown) => {
    if (failure === null) failure = error;
    transform?.destroy();
    source.cancel(error).catch(() => {});
    signal();
  };
  const start = (first: Uint8Array | null): ZlibTransform => {
    const made = makeTransform(first);
    made.on("data", (data: Uint8Array) => {
      if (failure !== null) return;
      produced += data.length;
      if (produced > options.maxBytes) {
        fail(options.tooLarge());
        return;
      }
      queue.push(data);
      queued += data.length;
      if (queued >= OUTPUT_HIGH_WATER && !paused) {
        paused = true;
        made.pause();
      }
      signal();
    });
    made.on("error", (error: unknown) => fail(error));
    made.on("end", () => {
      ended = true;
      signal();
    });
    transform = made;
    return made;
  };
  const fed = () => {
    busy = false;
    signal();
  };
  const feed = (chunk: Uint8Array) => {
    const target = transform ?? start(chunk);
    busy = true;
    if (options.flush >= 0) {
      target.write(chunk);
      target.flush(options.flush, fed);
    } else {
      target.write(chunk, fed);
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (failure !== null) throw failure;
        if (queued > 0 && (!busy || paused || ended)) {
          const out = concat(queue, queued);
          queue = [];
          queued = 0;
          if (paused) {
            paused = false;
            transform!.resume();
          }
          controller.enqueue(out);
          return;
        }
        if (ended) {
          controller.close();
          return;
        }
        if (!busy && !sourceDone) {
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await source.read();
          } catch (error) {
            fail(error);
            continue;
          }
          if (failure !== null) continue;
          if (result.done) {
            sourceDone = true;
            (transform ?? start(null)).end();
            continue;
          }
          const chunk = result.value;
          if (!(chunk instanceof Uint8Array)) {
            fail(new TypeError("Cannot encode a body chunk: expected Uint8Array"));
            continue;
          }
          if (chunk.length > 0) feed(chunk);
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    cancel(reason) {
      failure ??= reason ?? new Error("cancelled");
      transform?.destroy();
      return source.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
