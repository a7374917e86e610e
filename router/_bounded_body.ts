/**
 * Request bodies under a byte limit (internal): the declared length, a counting
 * wrapper for bodies without one, and a bounded read into memory.
 *
 * @module
 */

import { HttpError } from "../http/http_error.ts";

/**
 * The body length a request declares: its Content-Length, -1 when it has none (a
 * chunked body, or none at all). The server has already rejected malformed and
 * conflicting lengths (RFC 9112 §6.3), so the field is a plain number here.
 */
export function declaredLength(headers: Headers): number {
  const value = headers.get("content-length");
  if (value === null) return -1;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

/** The 413 for a body past `limit`. */
export function tooLarge(limit: number, declared = -1): HttpError {
  return new HttpError(
    413,
    declared >= 0
      ? `Request body of ${declared} bytes exceeds the limit of ${limit} bytes`
      : `Request body exceeds the limit of ${limit} bytes`,
  );
}

/** Checks a limit option: a whole number of bytes, 0 or more. */
export function checkLimit(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot create ${where}: maxBytes ${value} is not a whole number of bytes`,
    );
  }
  return value;
}

/**
 * `body` passed through while it stays within `limit` bytes; past it the stream errors
 * with a 413 {@linkcode HttpError} (what a reader of the request then rejects with),
 * the source is cancelled and `onExceed` is called.
 */
export function limitStream(
  body: ReadableStream<Uint8Array>,
  limit: number,
  onExceed: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seen = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      seen += value.byteLength;
      if (seen > limit) {
        onExceed();
        reader.cancel().catch(() => {});
        return controller.error(tooLarge(limit));
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * Reads the whole body into memory, at most `limit` bytes: a declared length past the
 * limit is refused before a byte is read (so no `100 Continue` goes out), a body
 * without one is counted as it arrives and cancelled once past it.
 */
export async function readBounded(request: Request, limit: number): Promise<Uint8Array> {
  const declared = declaredLength(request.headers);
  if (declared > limit) throw tooLarge(limit, declared);
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  if (declared >= 0) return new Uint8Array(await request.arrayBuffer());
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
