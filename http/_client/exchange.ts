/**
 * The state of one request/response on a client connection, and small helpers the
 * connection code shares.
 *
 * @module
 */
import type { PreparedRequest } from "./prepare_request.ts";

/** One request/response on a connection. */
export class Exchange {
  readonly p: PreparedRequest;
  readonly resolve: (response: Response) => void;
  readonly reject: (error: unknown) => void;
  /** The fetch promise settled (resolved with the Response or rejected). */
  settled = false;
  /** The exchange is over: response read completely, or failed. */
  done = false;
  /** Response END was parsed. */
  responseDone = false;
  /** The request was written completely (body included). */
  uploadDone = false;
  /** A byte of the response arrived. */
  gotBytes = false;
  /** The response allows keeping the connection. */
  keepAlive = true;
  /** Server's Keep-Alive timeout hint in seconds, or -1. */
  hint = -1;
  controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  onAbort: (() => void) | null = null;
  /** The upload's stream reader, cancelled when the exchange ends early. */
  uploadReader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** Others may be pipelined behind this request. */
  pipelinable = false;
  /** A write failed; the reader reports it if no response arrives. */
  writeError: unknown = undefined;

  constructor(
    p: PreparedRequest,
    resolve: (response: Response) => void,
    reject: (error: unknown) => void,
  ) {
    this.p = p;
    this.resolve = resolve;
    this.reject = reject;
  }
}

/** An error's message, or the value as text. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const EMPTY: Uint8Array<ArrayBuffer> = new Uint8Array(0);

/** The `timeout=N` seconds of a Keep-Alive header (RFC 2068 §19.7.1.1), or -1. */
export function keepAliveHint(value: string): number {
  const lower = value.toLowerCase();
  const at = lower.indexOf("timeout=");
  if (at === -1) return -1;
  let n = 0;
  let digits = 0;
  for (let i = at + 8; i < lower.length && digits < 9; i++, digits++) {
    const c = lower.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return digits === 0 ? -1 : n;
}
