/**
 * Two connected in-memory {@linkcode Duplex} ends: what one writes, the other reads.
 * `inject` serves a live connection over one end (upgrades, WebSockets) without a port.
 * Writes wait while the peer has more than a window of unread bytes (backpressure).
 *
 * @module
 */

import type { Duplex } from "./duplex.ts";

/** Unread bytes a writer may queue for its peer before its writes wait. */
const WINDOW = 256 * 1024;

/** One direction: bytes queued for the reader, and who waits on it. */
class Lane {
  chunks: Uint8Array[] = [];
  queued = 0;
  /** The writer ended this direction (closeWrite or close): EOF once drained. */
  ended = false;
  /** The reader's side is gone: writes fail. */
  broken = false;
  reader: (() => void) | null = null;
  writers: (() => void)[] = [];

  wakeReader(): void {
    const reader = this.reader;
    this.reader = null;
    reader?.();
  }

  wakeWriters(): void {
    const writers = this.writers;
    this.writers = [];
    for (const writer of writers) writer();
  }
}

class PipeEnd implements Duplex {
  readonly #in: Lane;
  readonly #out: Lane;

  constructor(incoming: Lane, outgoing: Lane) {
    this.#in = incoming;
    this.#out = outgoing;
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    const lane = this.#in;
    while (lane.chunks.length === 0) {
      if (lane.ended || lane.broken) return null;
      await new Promise<void>((resolve) => (lane.reader = resolve));
    }
    const chunk = lane.chunks[0];
    const n = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, n));
    if (n === chunk.length) lane.chunks.shift();
    else lane.chunks[0] = chunk.subarray(n);
    lane.queued -= n;
    if (lane.queued < WINDOW) lane.wakeWriters();
    return n;
  }

  async write(buffer: Uint8Array): Promise<number> {
    const lane = this.#out;
    while (lane.queued >= WINDOW && !lane.broken && !lane.ended) {
      await new Promise<void>((resolve) => lane.writers.push(resolve));
    }
    if (lane.broken || lane.ended) {
      throw new Deno.errors.BrokenPipe("Cannot write: the connection is closed");
    }
    lane.chunks.push(buffer.slice());
    lane.queued += buffer.length;
    lane.wakeReader();
    return buffer.length;
  }

  closeWrite(): Promise<void> {
    this.#out.ended = true;
    this.#out.wakeReader();
    return Promise.resolve();
  }

  close(): void {
    // Like a socket: what was written stays readable by the peer, then EOF; this side
    // reads nothing more, and the peer's writes fail.
    this.#out.ended = true;
    this.#out.wakeReader();
    this.#in.broken = true;
    this.#in.chunks = [];
    this.#in.queued = 0;
    this.#in.wakeReader();
    this.#in.wakeWriters();
  }
}

/**
 * A pair of connected ends.
 *
 * @returns The two ends: bytes written to one are read from the other.
 */
export function memoryPipe(): [Duplex, Duplex] {
  const ab = new Lane();
  const ba = new Lane();
  return [new PipeEnd(ba, ab), new PipeEnd(ab, ba)];
}
