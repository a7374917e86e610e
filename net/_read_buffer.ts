/** Anything with Deno.Conn's `read`: a socket, a file, an in-memory pipe. */
export interface ByteReader {
  read(p: Uint8Array): Promise<number | null>;
}

/** The default size of a connection's read buffer. */
export const DEFAULT_READ_BUFFER_SIZE = 64 * 1024;

/**
 * One growable byte buffer per connection: `fill()` reads from the reader into the
 * free space after `end`, `consume(n)` advances `start`, and the unread bytes
 * `buf[start..end)` are moved to the front in place only when the free space runs out.
 * Nothing is allocated per read.
 */
export class ReadBuffer {
  /** The backing store; replaced only when `grow()` is asked for more room. */
  buf: Uint8Array;
  /** Offset of the first unread byte. */
  start = 0;
  /** Offset one past the last unread byte. */
  end = 0;
  #reader: ByteReader;

  constructor(reader: ByteReader, size: number = DEFAULT_READ_BUFFER_SIZE) {
    this.#reader = reader;
    this.buf = new Uint8Array(size);
  }

  /** Number of unread bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** The unread bytes, as a view (valid until the next `fill`). */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Marks `n` unread bytes as used. When all are used, the buffer resets to offset 0. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.start = this.end = 0;
  }

  /** Drops every unread byte. */
  clear(): void {
    this.start = this.end = 0;
  }

  /** Makes the buffer at least `size` bytes long, keeping the unread bytes. */
  grow(size: number): void {
    if (size <= this.buf.length) return;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(this.start, this.end));
    this.end -= this.start;
    this.start = 0;
    this.buf = next;
  }

  /**
   * Reads once from the reader into the free space, compacting first when the tail is
   * full. Returns the number of bytes read, or `null` at end of stream.
   */
  async fill(): Promise<number | null> {
    if (this.end === this.buf.length) {
      if (this.start === 0) this.grow(this.buf.length * 2);
      else {
        this.buf.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      }
    }
    const n = await this.#reader.read(this.buf.subarray(this.end));
    if (n === null) return null;
    this.end += n;
    return n;
  }
}
