/**
 * The state of one request/response on a client connection.
 *
 * @module
 */
import type { PreparedRequest } from "./prepare_request.ts";

/**
 * One request and its response on a connection: the promise `fetch` awaits, and what
 * the writer and the reader have got to. The Client reads `closedUnanswered` from the
 * exchange of its attempt to decide on a retry.
 */
export class ClientExchange {
  /** The request being sent. */
  readonly request: PreparedRequest;
  /** Resolves with the Response once its head has arrived; rejects when the request fails. */
  readonly response: Promise<Response>;
  #resolve!: (response: Response) => void;
  #reject!: (error: unknown) => void;
  /** `response` settled (resolved with the Response or rejected). */
  settled = false;
  /** The exchange is over: response read completely, or failed. */
  done = false;
  /** Response END was parsed. */
  responseDone = false;
  /** The request was written completely (body included). */
  uploadDone = false;
  /** A byte of the response arrived. */
  gotBytes = false;
  /**
   * The connection closed before a byte of the response arrived, so the server may not
   * have processed the request: the Client may send it again (RFC 9112 §9.3.1).
   */
  closedUnanswered = false;
  /** The response allows keeping the connection. */
  keepAlive = true;
  /** The seconds of the server's `Keep-Alive: timeout=N` hint, or -1. */
  keepAliveHint: number = -1;
  /** The response body stream's controller, once the body streams. */
  controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  /** The listener on the request's signal, removed when the exchange ends. */
  onAbort: (() => void) | null = null;
  /** The upload's stream reader, cancelled when the exchange ends early. */
  uploadReader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** Others may be pipelined behind this request (see pipelining.ts). */
  pipelinable = false;
  /** A write failed; the reader reports it if no response arrives. */
  writeError: unknown = undefined;

  /**
   * Starts the exchange of `request`; `response` is pending until `resolve` or `reject`.
   *
   * @param request The request to send.
   */
  constructor(request: PreparedRequest) {
    this.request = request;
    this.response = new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * Settles `response` with the Response whose head has arrived.
   *
   * @param response What `fetch` resolves with.
   */
  resolve(response: Response): void {
    this.settled = true;
    this.#resolve(response);
  }

  /**
   * Settles `response` with a failure.
   *
   * @param error What `fetch` rejects with.
   */
  reject(error: unknown): void {
    this.settled = true;
    this.#reject(error);
  }
}
