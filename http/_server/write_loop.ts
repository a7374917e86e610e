/**
 * The write side of a server connection: answers its exchanges strictly in request order
 * and collects every response that is ready into one output buffer, so a batch of
 * pipelined requests is answered with one write.
 *
 * The loop runs only while there is something to write. When the next response is not
 * ready it stops and leaves itself in that exchange's `wake`; whoever changes the
 * exchange restarts it (no promise per wait). The batch's write is settled through the
 * loop's own two callbacks, so nothing is allocated per response either.
 *
 * The connection parses a pipelined request only once the responses before it are
 * encoded (the memory bound against clients that do not read): while it has more to
 * parse, what the loop encoded waits in the buffer for their responses (up to
 * MAX_UNSENT_BYTES), and a response not ready yet gets a few microtasks to join the batch
 * before the rest is written without it.
 *
 * @module
 */

import { EX_PENDING, EX_READY, type ServerExchange, type WriterWake } from "./exchange.ts";
import { type ByteCount, Output } from "./output.ts";
import { BodyAbort, writeResponse } from "./write_response.ts";
import { clientClosedReason } from "./abort_reasons.ts";
import { ignore } from "../_codec/ignore.ts";
import type { ByteWriter } from "../../net/_write_all.ts";

const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");
/**
 * Most response bytes a connection holds unsent, buffered or in a write the socket has
 * not taken (pipelined responses wait for a batch, or for a slow reader): the connection
 * parses no further request while it has more.
 */
export const MAX_UNSENT_BYTES = 64 * 1024;
/**
 * Microtasks the loop waits for a response not ready yet before it writes out what it
 * has: a handler that answers at once (in a microtask or two) joins the batch.
 */
const SETTLE_TICKS = 3;

/** What the write loop asks of its connection (the connection's side of the loop). */
export interface WriteLoopHost {
  /** Whether the connection is closed: nothing more is written. */
  readonly closed: boolean;
  /**
   * Decides, as `ex`'s head is about to be encoded, whether the connection stays open
   * after its response, and sets `ex.keepAlive` to that.
   */
  decideKeepAlive(ex: ServerExchange): void;
  /**
   * `ex`'s response is in the output (or given up) and `ex` left the queue. `open`:
   * whether the connection stays open after it.
   */
  responded(ex: ServerExchange, open: boolean): void;
  /** `ex`'s Response cannot be sent (Response.error(), a used body): onError's turn. */
  unsendable(ex: ServerExchange, error: unknown): void;
  /** The batch is written (or the loop stopped); `open`: whether the connection stays open. */
  batchWritten(open: boolean): void;
  /**
   * The connection holds pipelined requests it parses as soon as the responses before
   * them are encoded: what the loop has buffered waits for their responses (one write
   * for the batch), up to MAX_UNSENT_BYTES.
   */
  readonly parsingAhead: boolean;
  /** Closes the connection now (a write failed, or a body broke after its head went out). */
  abort(reason: unknown): void;
  /** The 101 of `ex` is written: hand the connection over to what `ex` upgraded to. */
  switched(ex: ServerExchange): void;
  /**
   * `ex`'s body failed after its head went out (the stream errored, or it broke its
   * Content-Length): report it (onError), as the connection closes.
   */
  bodyFailed(ex: ServerExchange, error: unknown): void;
}

/** The write loop of one connection; it owns the queue of exchanges and the output buffer. */
export class WriteLoop implements WriterWake {
  /**
   * Loops resumed during this turn. They run together in one microtask, after every
   * handler promise that settled in the same turn, so a pipelined batch still leaves in
   * one write (and no promise is made per wait).
   */
  static #resumed: WriteLoop[] = [];

  static #runResumed(): void {
    const list = WriteLoop.#resumed;
    WriteLoop.#resumed = [];
    for (let i = 0; i < list.length; i++) list[i].start();
  }

  #host: WriteLoopHost;
  #out: Output;
  #keepAliveLine: string;
  #queue: ServerExchange[] = [];
  /** The loop runs, or the batch it wrote is still being sent. */
  #busy = false;
  /** Whether the connection stays open after the batch being sent (read when it settles). */
  #batchOpen = true;
  /** When stalledFor first saw the write under way without progress (0: not seen). */
  #stallSince = 0;
  /** The output's progress count then. */
  #stallProgress = 0;

  /**
   * @param writer Where the bytes go (the connection's transport).
   * @param host The connection.
   * @param keepAliveLine The `keep-alive: timeout=N` line of kept-alive responses.
   * @param counted Counts the bytes written.
   */
  constructor(
    writer: ByteWriter,
    host: WriteLoopHost,
    keepAliveLine: string,
    counted: ByteCount,
  ) {
    this.#host = host;
    this.#out = new Output(writer, counted);
    this.#keepAliveLine = keepAliveLine;
  }

  /** The exchanges awaiting their responses, in request order. */
  get queue(): readonly ServerExchange[] {
    return this.#queue;
  }

  /** Whether the loop runs or its batch is still being sent. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Response bytes not yet taken by the socket: buffered, or in a write in progress. */
  get unsent(): number {
    return this.#out.length + this.#out.inFlight;
  }

  /**
   * How long (ms) the write under way has made no progress, as seen by the clock's
   * successive calls: 0 when no write is under way or the socket took bytes since the
   * last call, so a stall is measured from the first call that sees it (one tick late
   * at most).
   *
   * @param now The clock's time (epoch ms).
   * @returns Milliseconds without progress.
   */
  stalledFor(now: number): number {
    const out = this.#out;
    if (out.inFlight === 0) {
      this.#stallSince = 0;
      return 0;
    }
    if (this.#stallSince === 0 || out.progress !== this.#stallProgress) {
      this.#stallSince = now;
      this.#stallProgress = out.progress;
      return 0;
    }
    return now - this.#stallSince;
  }

  /** Whether buffered bytes wait for the responses of requests parsed next. */
  #holding(): boolean {
    return this.#host.parsingAhead && this.#out.length < MAX_UNSENT_BYTES;
  }

  /**
   * Queues `ex`; its response is written after those of the exchanges before it.
   *
   * @param ex A new exchange.
   */
  push(ex: ServerExchange): void {
    this.#queue.push(ex);
  }

  /** Gives the output buffer back and drops the queue's backing store (idle or closed). */
  release(): void {
    this.#queue.length = 0;
    this.#out.release();
  }

  /**
   * The handler answered `ex` with `response`. When the loop waits for `ex` alone, there
   * is nothing to batch it with: it is written now. Otherwise the loop resumes with the
   * others answered in this turn.
   *
   * @param ex The exchange.
   * @param response The handler's Response.
   */
  answer(ex: ServerExchange, response: Response): void {
    if (ex.wake !== null && this.#queue.length === 1) {
      ex.wake = null;
      ex.respond(response);
      this.start();
    } else {
      ex.respond(response);
    }
  }

  /** WriterWake: the exchange the loop waits for changed; resume with this turn's batch. */
  resumeWriter(): void {
    const list = WriteLoop.#resumed;
    list.push(this);
    if (list.length === 1) queueMicrotask(WriteLoop.#runResumed);
  }

  /**
   * Starts the loop, unless the next response is not ready: then the loop waits on that
   * exchange (`wake`) without running, and `resumeWriter` starts it later.
   */
  start(): void {
    if (this.#busy || this.#host.closed) return;
    const queue = this.#queue;
    if (queue.length === 0) {
      // Responses held for a batch (#holding) leave once nothing more joins them.
      if (this.#out.length > 0 && !this.#holding()) this.#run();
      return;
    }
    const ex = queue[0];
    if (
      ex.state === EX_PENDING && (this.#out.length === 0 || this.#holding()) &&
      !(ex.continueWanted && !ex.continueSent)
    ) {
      ex.wake = this;
      return;
    }
    this.#run();
  }

  async #run(): Promise<void> {
    this.#busy = true;
    const out = this.#out;
    const queue = this.#queue;
    const host = this.#host;
    let open = true;
    // The batch's write is under way: #busy stays set until it settles.
    let sending = false;
    // One clock read per batch of responses (Date has one-second resolution); 0 after
    // anything that waits.
    let now = 0;
    try {
      while (queue.length > 0 && !host.closed) {
        const ex = queue[0];
        if (ex.state === EX_PENDING) {
          now = 0;
          if (out.length > 0 && !(ex.continueWanted && !ex.continueSent)) {
            // The next pipelined request is parsed once these are encoded: wait for it.
            if (this.#holding()) {
              ex.wake = this;
              return;
            }
            // A handler that answers within a few microtasks joins this batch; a slow
            // one does not hold finished responses back.
            for (let i = 0; i < SETTLE_TICKS && ex.state === EX_PENDING; i++) await null;
            if (ex.state !== EX_PENDING || host.closed) continue;
          }
          await out.flush();
          if (ex.state === EX_PENDING && !host.closed) {
            if (ex.continueWanted && !ex.continueSent) {
              ex.continueSent = true;
              out.bytes(CONTINUE);
              await out.flush();
              continue;
            }
            // Wait for it without holding a promise: resumeWriter restarts the loop.
            ex.wake = this;
            return;
          }
          if (host.closed) break;
          continue;
        }
        // The handler reads the body: 100 Continue goes before its answer (never before
        // the server's own answer, which does not want the body).
        if (ex.continueWanted && !ex.continueSent && ex.receiving && ex.state === EX_READY) {
          ex.continueSent = true;
          out.bytes(CONTINUE);
        }
        host.decideKeepAlive(ex);
        let result: boolean | Promise<boolean>;
        try {
          if (now === 0) now = Date.now();
          result = writeResponse(out, ex.response!, ex, now, this.#keepAliveLine);
          if (result instanceof Promise) {
            now = 0;
            result = await result;
          }
        } catch (error) {
          if (out.broken) throw error;
          if (ex.retried && !ex.committed) {
            // onError's Response could not be sent either.
            console.error("Wire: the onError response could not be sent:", error);
            ex.answerWith(500);
            continue;
          }
          if (ex.committed || error instanceof BodyAbort) {
            // The head went out; the body failed: the client must see a cut, not a lie.
            await out.flush().catch(ignore);
            host.abort(clientClosedReason());
            if (!(error instanceof BodyAbort && error.byPeer)) host.bodyFailed(ex, error);
            break;
          }
          // Not sendable (Response.error(), body already used): onError, else 500.
          ex.unsendable();
          host.unsendable(ex, error);
          continue;
        }
        if (ex.switching) {
          // The 101 leaves before anything of the new protocol; then the socket is its.
          await out.flush();
          queue.shift();
          this.#busy = false;
          host.switched(ex);
          return;
        }
        queue.shift();
        host.responded(ex, result);
        if (!result) {
          open = false;
          break;
        }
      }
      // One write for everything answered in this batch, settled through the loop's own
      // callbacks: the loop does not wait for it.
      if (!host.closed && out.length > 0 && !(open && this.#holding())) {
        const written = out.flush();
        sending = true;
        this.#batchOpen = open;
        written.then(
          this.#onBatchWritten ??= () => this.#batchDone(this.#batchOpen),
          this.#onBatchFailed ??= () => {
            // A write failed: the peer is gone.
            this.#host.abort(clientClosedReason());
            this.#batchDone(false);
          },
        );
        return;
      }
    } catch {
      // A write failed: the peer is gone.
      host.abort(clientClosedReason());
    } finally {
      if (!sending) this.#busy = false;
    }
    this.#batchDone(open);
  }

  /** The batch write's callbacks, made on the first write (idle connections have none). */
  #onBatchWritten: (() => void) | null = null;
  #onBatchFailed: (() => void) | null = null;

  #batchDone(open: boolean): void {
    this.#busy = false;
    this.#host.batchWritten(open);
  }
}
