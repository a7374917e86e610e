/**
 * The byte side of reading responses on a client connection: one read buffer, the
 * Parser in response mode running over it, and the one socket read that may be in
 * flight ahead of need.
 *
 * @module
 */
import { ReadBuffer } from "../../net/_read_buffer.ts";
import { Parser } from "../parser.ts";
import { PARSE_BODY } from "../parse_event.ts";
import { ignore } from "../_codec/ignore.ts";
import type { ConnectionSettings } from "./config.ts";
import type { ClientTransport } from "./transport.ts";

/** Read buffer size once a connection streams a large body. */
const STREAM_BUFFER_SIZE = 256 * 1024;

/**
 * Feeds a connection's bytes to its parser. A read may be started early (while the
 * consumer takes a body chunk, or while the connection idles); the next `fill` takes
 * that read instead of starting another.
 */
export class ResponseReader {
  /** The parser; after PARSE_HEAD its fields describe the response head. */
  readonly parser: Parser;
  #buffer: ReadBuffer;
  /** A read started ahead, not yet taken by `fill`. */
  #pending: Promise<number | null> | null = null;
  /** Bytes the parser has used since the connection opened. */
  consumed = 0;

  /**
   * Makes the reader of `conn`.
   *
   * @param conn The socket.
   * @param settings Buffer size and response head limits.
   */
  constructor(conn: ClientTransport, settings: ConnectionSettings) {
    this.#buffer = new ReadBuffer(conn, settings.readBufferSize);
    this.parser = new Parser({
      mode: "response",
      maxHeaderBytes: settings.maxHeaderBytes,
      maxHeaderCount: settings.maxHeaderCount,
    });
  }

  /** Bytes read and not parsed yet. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /**
   * Runs the parser over the buffered bytes, consuming what it used.
   *
   * @returns The parser's PARSE_* event.
   */
  step(): number {
    const buffer = this.#buffer;
    const start = buffer.start;
    const event = this.parser.execute(buffer.buf, start, buffer.end);
    const used = this.parser.offset - start;
    this.consumed += used;
    buffer.consume(used);
    return event;
  }

  /**
   * Runs the parser over what is buffered, collecting body bytes, until it needs more
   * or something other than body bytes comes.
   *
   * @param parts Receives the body parts (copies the caller owns).
   * @returns The event that stopped it: PARSE_END, PARSE_NEED_MORE, PARSE_ERROR...
   */
  collect(parts: Uint8Array[]): number {
    for (;;) {
      const event = this.step();
      if (event !== PARSE_BODY) return event;
      parts.push(this.body());
    }
  }

  /**
   * The body bytes of the last PARSE_BODY, copied out of the buffer that the next read
   * reuses.
   *
   * @returns A new array the caller owns.
   */
  body(): Uint8Array {
    return this.#buffer.buf.slice(this.parser.bodyStart, this.parser.bodyEnd);
  }

  /**
   * Reads more bytes: takes the read started ahead, or starts one.
   *
   * @returns The bytes read, or null (or 0) at end of stream.
   */
  fill(): Promise<number | null> {
    const pending = this.#pending;
    if (pending !== null) {
      this.#pending = null;
      return pending;
    }
    return this.#read();
  }

  /** One read; 0 (a raw socket's end of stream) means the end, as null does. */
  #read(): Promise<number | null> {
    return this.#buffer.fill();
  }

  /**
   * Starts a read now, unless one is pending, for the next `fill` to take: the
   * socket read overlaps the consumer's work on the chunk it was just given.
   */
  readAhead(): void {
    if (this.#pending !== null) return;
    const read = this.#read();
    this.#pending = read;
    read.catch(ignore);
  }

  /**
   * Starts a read, unless one is pending, and calls `onRead` when it ends in any way:
   * on an idle connection, anything arriving (EOF, an error, stray bytes) ends it.
   *
   * @param onRead Called once when the read settles.
   */
  watch(onRead: () => void): void {
    if (this.#pending !== null) return;
    const read = this.#read();
    this.#pending = read;
    read.then(onRead, onRead);
  }

  /**
   * Before a body streams: a large one (long, chunked or close-delimited) gets a
   * bigger buffer, for fewer, bigger reads (each read is an op and a promise).
   */
  growForBody(): void {
    const parser = this.parser;
    if (
      this.#buffer.buf.length < STREAM_BUFFER_SIZE &&
      (parser.contentLength > STREAM_BUFFER_SIZE || parser.chunked || parser.bodyUntilClose)
    ) {
      this.#buffer.grow(STREAM_BUFFER_SIZE);
    }
  }

  /** Drops a pending read: on a closed socket it rejects, and nobody waits on it. */
  release(): void {
    this.#pending?.catch(ignore);
    this.#pending = null;
  }
}
