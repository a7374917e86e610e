/**
 * A request body as a byte `ReadableStream` fed by the connection's parser.
 *
 * Backpressure: the stream has a high-water mark of 0, so `pull()` runs only while a
 * reader is waiting and the queue is empty. The connection reads the socket for this
 * body only on that demand; bytes that arrived together with the head are queued at once
 * (they are already in memory). The first demand is also the moment to answer
 * `Expect: 100-continue` (RFC 9110 §10.1.1).
 *
 * @module
 */

/** The connection side of a body: told when the handler wants bytes or gives up. */
export interface BodySink {
  /** A reader is waiting for bytes and the queue is empty. */
  onBodyDemand(source: BodySource): void;
  /** The handler cancelled the body: the rest will be discarded. */
  onBodyCancel(source: BodySource): void;
}

/** The body is still receiving bytes. */
export const BODY_OPEN = 0;
/** Every byte arrived and the stream is closed. */
export const BODY_DONE = 1;
/** The stream was errored (limit, timeout, client gone); no more bytes. */
export const BODY_FAILED = 2;
/** The handler cancelled it or the response finished without reading it: bytes are discarded. */
export const BODY_DISCARD = 3;

/**
 * The underlying byte source of one request body. The stream calls `start`, `pull` and
 * `cancel`; the connection calls `push`, `end`, `fail` and `discard`.
 */
export class BodySource implements UnderlyingByteSource {
  readonly type = "bytes" as const;
  /** The stream the Request is built with. */
  readonly stream: ReadableStream<Uint8Array>;
  /** One of the BODY_ states. */
  state: number = BODY_OPEN;
  /** Bytes received so far (counted against maxBodyBytes). */
  received = 0;
  /** Bytes thrown away while discarding. */
  discarded = 0;
  /** Whether a reader is waiting for bytes. */
  demand = false;
  /** Whether the handler ever asked for bytes (pulled or locked the stream). */
  touched = false;
  #controller: ReadableByteStreamController | null = null;
  #sink: BodySink;

  constructor(sink: BodySink) {
    this.#sink = sink;
    this.stream = new ReadableStream(this as UnderlyingByteSource, {
      highWaterMark: 0,
    }) as ReadableStream<Uint8Array>;
  }

  /** @internal Called by the stream. */
  start(controller: ReadableByteStreamController): void {
    this.#controller = controller;
  }

  /** @internal Called by the stream when a reader waits on an empty queue. */
  pull(): void {
    if (this.state !== BODY_OPEN) return;
    this.touched = true;
    this.demand = true;
    this.#sink.onBodyDemand(this);
  }

  /** @internal Called by the stream when the handler cancels the body. */
  cancel(): void {
    if (this.state !== BODY_OPEN) return;
    this.touched = true;
    this.state = BODY_DISCARD;
    this.demand = false;
    this.#sink.onBodyCancel(this);
  }

  /** Whether the handler is reading (or has locked) the body. */
  get inUse(): boolean {
    return this.touched || this.stream.locked;
  }

  /** Queues bytes the caller owns (a copy: the stream takes over its buffer). */
  push(bytes: Uint8Array): void {
    if (this.state === BODY_DISCARD) {
      this.discarded += bytes.length;
      return;
    }
    if (this.state !== BODY_OPEN) return;
    this.demand = false;
    this.#controller!.enqueue(bytes);
  }

  /** Every byte arrived: closes the stream. */
  end(): void {
    if (this.state === BODY_OPEN) {
      this.state = BODY_DONE;
      this.demand = false;
      this.#controller!.close();
      // A BYOB reader may still wait with an empty view; closing must answer it.
      this.#controller!.byobRequest?.respond(0);
    } else if (this.state === BODY_DISCARD) {
      this.state = BODY_DONE;
    }
  }

  /** Errors the stream with `reason` (a reader sees it); no more bytes are taken. */
  fail(reason: unknown): void {
    if (this.state === BODY_OPEN) {
      this.state = BODY_FAILED;
      this.demand = false;
      this.#controller!.error(reason);
    } else if (this.state === BODY_DISCARD) {
      this.state = BODY_FAILED;
    }
  }

  /**
   * The response is done and nobody read the body: errors the stream for any late
   * reader and counts the rest of the bytes as discarded.
   */
  discard(): void {
    if (this.state !== BODY_OPEN) return;
    this.state = BODY_DISCARD;
    this.demand = false;
    this.#controller!.error(
      new TypeError("Cannot read the request body: the response was sent without reading it"),
    );
  }
}
