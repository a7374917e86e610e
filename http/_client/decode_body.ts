/**
 * Decoding coded response bodies in bounded pieces. `DecompressionStream` turns each
 * input chunk into one output chunk however large: an 809-byte brotli body became one
 * 512 MiB chunk. Here every coding runs in a `node:zlib` stream with a 16 KiB
 * `chunkSize` (node's fetch uses the same), pulled one output piece at a time: the
 * decoder stops when its output is not read (node's zlib pauses inside an input chunk
 * too), so memory stays at a few pieces whatever the ratio.
 *
 * @module
 */
import zlib from "node:zlib";
import type { Transform } from "node:stream";

/** Decoded bytes per piece (node's default `chunkSize`). */
export const DECODE_CHUNK_BYTES = 16 * 1024;

/** A pull source of body chunks: the connection's stream, bytes at hand, or a decoder. */
export interface ChunkSource {
  /** The next chunk, or null at the end. Rejects when the body failed. */
  next(): Promise<Uint8Array | null>;
  /** Gives up on the rest. */
  cancel(reason: unknown): void;
}

/**
 * A source of bytes already in memory.
 *
 * @param bytes The whole body.
 * @returns A source that gives it once.
 */
export function bytesSource(bytes: Uint8Array): ChunkSource {
  let left: Uint8Array | null = bytes.length === 0 ? null : bytes;
  return {
    next() {
      const chunk = left;
      left = null;
      return Promise.resolve(chunk);
    },
    cancel() {
      left = null;
    },
  };
}

/**
 * A source reading a stream.
 *
 * @param stream The stream (locked to the source from now on).
 * @returns The source.
 */
export function streamSource(stream: ReadableStream<Uint8Array>): ChunkSource {
  const reader = stream.getReader();
  return {
    async next() {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    cancel(reason) {
      reader.cancel(reason).catch(() => {});
    },
  };
}

function makeDecoder(coding: string, head: Uint8Array | undefined): Transform {
  const options = { chunkSize: DECODE_CHUNK_BYTES };
  switch (coding) {
    case "br":
      return zlib.createBrotliDecompress(options);
    case "zstd":
      return zlib.createZstdDecompress(options);
    case "deflate": {
      // "deflate" means zlib-wrapped (RFC 1950), but servers also send raw deflate
      // (RFC 1951), as browsers accept: a zlib header has compression method 8 and its
      // first two bytes are a multiple of 31.
      const zlibHeader = head !== undefined && head.length >= 2 && (head[0] & 0x0f) === 8 &&
        ((head[0] << 8) | head[1]) % 31 === 0;
      return zlibHeader ? zlib.createInflate(options) : zlib.createInflateRaw(options);
    }
  }
  return zlib.createGunzip(options); // gzip, x-gzip
}

/**
 * Undoes one content coding of `inner`, one decoded piece per `next()`.
 *
 * @param inner The coded bytes.
 * @param coding gzip, x-gzip, deflate, br or zstd.
 * @param fail Turns a decoder error into the error the body fails with.
 * @returns The decoded source.
 */
export function decodeSource(
  inner: ChunkSource,
  coding: string,
  fail: (coding: string, error: unknown) => unknown,
): ChunkSource {
  let decoder: Transform | null = null;
  /** Coded bytes read before the decoder exists (deflate looks at two bytes first). */
  let held: Uint8Array | null = null;
  let writing = false;
  let inputDone = false;
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const wakeUp = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const start = (head: Uint8Array | undefined): Transform => {
    const made = makeDecoder(coding, head);
    made.on("readable", wakeUp);
    made.on("end", () => {
      ended = true;
      wakeUp();
    });
    made.on("error", (error: unknown) => {
      failure ??= error;
      wakeUp();
    });
    decoder = made;
    return made;
  };
  const write = (d: Transform, chunk: Uint8Array): void => {
    writing = true;
    d.write(chunk, () => {
      writing = false;
      wakeUp();
    });
  };
  return {
    async next() {
      for (;;) {
        const d: Transform | null = decoder;
        if (d !== null) {
          const out = d.read() as Uint8Array | null;
          if (out !== null) return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
          if (failure !== null) throw fail(coding, failure);
          if (ended) return null;
        }
        if (!writing && !inputDone) {
          const chunk = await inner.next();
          if (chunk === null) {
            inputDone = true;
            if (decoder === null) {
              // An empty coded body is an empty body (as browsers read it); a lone
              // byte of deflate still goes to a decoder, to fail there.
              if (held === null) return null;
              write(start(held), held);
              held = null;
            }
            decoder!.end();
          } else if (decoder !== null) {
            write(decoder, chunk);
          } else if (coding === "deflate" && (held?.length ?? 0) + chunk.length < 2) {
            held = held === null ? chunk.slice() : concatTwo(held, chunk);
          } else {
            const first = held === null ? chunk : concatTwo(held, chunk);
            held = null;
            write(start(first), first);
          }
          continue;
        }
        if (failure !== null) throw fail(coding, failure);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    cancel(reason) {
      (decoder as Transform | null)?.destroy();
      inner.cancel(reason);
    },
  };
}

function concatTwo(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
