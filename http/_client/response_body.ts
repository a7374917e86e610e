/**
 * The body stream of a response that needs more than the connection's bytes: decoding
 * (every content coding of the list, in bounded pieces), `maxResponseBodyBytes`, and an
 * abort after the head that must still error a body nobody has read (Fetch standard,
 * "abort the fetch() call": a readable body is errored with the signal's reason, even
 * when its bytes are all here).
 *
 * @module
 */
import { markDecoded } from "../_codec/decoded_body.ts";
import type { ConnectionSettings } from "./config.ts";
import { parseCodings, undecodable } from "./content_coding.ts";
import { type ChunkSource, decodeSource } from "./decode_body.ts";
import { decodingFailed, responseTooLarge, unsupportedEncoding } from "./errors.ts";
import type { PreparedRequest } from "./prepare_request.ts";

/** What the body needs besides its bytes. */
export interface BodyPlan {
  /** Content codings to undo, in the order they were applied; may be empty. */
  codings: string[];
  /** Most decoded bytes; Infinity for no limit. */
  limit: number;
  /** A Content-Length already known to pass `limit` (uncoded bodies), or -1. */
  announced: number;
  /** Errors the body when it fires; null for none. */
  signal: AbortSignal | null;
  /** The error for a body past `limit`. */
  tooLarge: (announced: number) => unknown;
  /** The error for a decoder that failed on `coding`. */
  corrupt: (coding: string, error: unknown) => unknown;
}

/**
 * Builds the body stream over `source`.
 *
 * @param source The coded (or plain) body bytes.
 * @param plan Codings, limit and signal.
 * @returns A pull-driven stream: nothing is decoded before it is read.
 */
export function responseBody(source: ChunkSource, plan: BodyPlan): ReadableStream<Uint8Array> {
  let chain = source;
  for (let i = plan.codings.length - 1; i >= 0; i--) {
    chain = decodeSource(chain, plan.codings[i], plan.corrupt);
  }
  const { limit, signal } = plan;
  let total = 0;
  let done = false;
  let onAbort: (() => void) | null = null;
  const finish = (): void => {
    done = true;
    if (onAbort !== null) signal!.removeEventListener("abort", onAbort);
    onAbort = null;
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (signal === null) return;
      onAbort = () => {
        if (done) return;
        finish();
        controller.error(signal.reason);
        chain.cancel(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      if (done) return;
      try {
        if (plan.announced >= 0) throw plan.tooLarge(plan.announced);
        const chunk = await chain.next();
        if (done) return;
        if (chunk === null) {
          finish();
          controller.close();
          return;
        }
        total += chunk.length;
        if (total > limit) throw plan.tooLarge(-1);
        controller.enqueue(chunk);
      } catch (error) {
        if (done) return;
        finish();
        controller.error(error);
        chain.cancel(error);
      }
    },
    cancel(reason) {
      if (done) return;
      finish();
      chain.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return plan.codings.length > 0 ? markDecoded(stream) : stream;
}

/** What the connection knows of a response when it plans its body. */
export interface BodyFacts {
  /** The Content-Encoding value (repeated fields joined), or null. */
  encoding: string | null;
  /** The Content-Length, or -1. */
  contentLength: number;
  /** Whether every body byte is already here (the exchange is over). */
  complete: boolean;
}

const NO_CODINGS: string[] = [];

/**
 * Decides whether a body needs {@linkcode responseBody}: it does when it is coded (and
 * the client decodes), when `maxResponseBodyBytes` is set, or when its bytes are all here
 * but a signal could still abort it. Otherwise the connection's bytes or stream serve.
 *
 * @param request The request answered.
 * @param settings The connection's decoding and limit settings.
 * @param facts What the head said.
 * @returns The plan, or null for the plain body.
 * @throws {ClientError} UNSUPPORTED_ENCODING when a coding cannot be decoded.
 */
export function planBody(
  request: PreparedRequest,
  settings: ConnectionSettings,
  facts: BodyFacts,
): BodyPlan | null {
  let codings = NO_CODINGS;
  if (facts.encoding !== null && settings.decompress) {
    codings = parseCodings(facts.encoding);
    const why = undecodable(codings, settings.maxContentCodings);
    if (why !== "") throw unsupportedEncoding(request.url.href, request.method, why);
  }
  const limit = settings.maxResponseBodyBytes;
  const signal = request.signal;
  if (codings.length === 0 && limit === Infinity && (signal === null || !facts.complete)) {
    return null;
  }
  const url = request.url.href;
  const method = request.method;
  return {
    codings,
    limit,
    announced: codings.length === 0 && facts.contentLength > limit ? facts.contentLength : -1,
    signal,
    tooLarge: (announced) => responseTooLarge(request, limit, announced),
    corrupt: (coding, error) => decodingFailed(url, method, coding, error),
  };
}
