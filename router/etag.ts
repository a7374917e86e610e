/**
 * The `etag()` middleware: ETags for dynamic responses and 304 Not Modified for
 * conditional GETs (RFC 9110 §8.8.3, §13.1.2), like koa-etag and Hono's `etag`.
 *
 * @module
 */

import type { Middleware } from "./middleware.ts";
import { STATUS_TEXT } from "../http/status.ts";
import { toBase64Url } from "./_base64url.ts";

/** The largest body {@linkcode etag} buffers to hash: 1 MiB; larger ones go out without. */
export const DEFAULT_ETAG_MAX_BYTES = 1024 * 1024;

/**
 * The headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5), Hono's list.
 */
export const ETAG_RETAINED_HEADERS: readonly string[] = Object.freeze([
  "cache-control",
  "content-location",
  "date",
  "etag",
  "expires",
  "vary",
]);

/** Options for {@linkcode etag}. */
export interface EtagOptions {
  /**
   * Make weak ETags (`W/"…"`): the representation is equivalent, not byte-identical
   * (say, when compression follows).
   *
   * @default {false}
   */
  weak?: boolean;
  /**
   * Bodies up to this size are hashed; a longer (streamed) one is sent on without an
   * ETag, its bytes passed through as they come.
   *
   * @default {DEFAULT_ETAG_MAX_BYTES}
   */
  maxBytes?: number;
}

/**
 * Adds an ETag (the SHA-1 of the body, base64url) to 200 responses to GET and HEAD and
 * answers 304 Not Modified when `If-None-Match` names it (weak comparison, `*` included).
 * A response with its own ETag is only compared. Skipped: other methods and statuses,
 * responses with `Cache-Control: no-store`, and `text/event-stream`.
 *
 * The body is read to hash it, so the head waits for the body: use it for routes whose
 * responses are finite (a stream longer than `maxBytes` goes out without an ETag).
 *
 * @param options Weak tags, size limit.
 * @returns The middleware.
 *
 * @example A conditional GET
 * ```ts
 * import { compose, etag } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(etag(), () => Response.json({ hello: "world" }));
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const first = await handler(new Request("http://localhost/"), info);
 * const tag = first.headers.get("etag")!;
 * assert.match(tag, /^"[\w-]{27}"$/);
 * const again = await handler(new Request("http://localhost/", { headers: { "if-none-match": tag } }), info);
 * assert.equal(again.status, 304);
 * assert.equal(again.body, null);
 * ```
 */
export function etag<S extends object = Record<string, unknown>>(
  options: EtagOptions = {},
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create etag(): options must be an object");
  }
  const weak = options.weak === true;
  const maxBytes = options.maxBytes ?? DEFAULT_ETAG_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`Cannot create etag(): maxBytes ${maxBytes} is not a whole number`);
  }
  return async function etag(ctx, next) {
    const method = ctx.request.method;
    const response = await next();
    if ((method !== "GET" && method !== "HEAD") || response.status !== 200) return response;
    const ifNoneMatch = ctx.request.headers.get("if-none-match");
    let tag = response.headers.get("etag");
    let out = response;
    if (tag === null) {
      const cacheControl = response.headers.get("cache-control");
      if (cacheControl !== null && /(?:^|,)\s*no-store\s*(?:,|$)/i.test(cacheControl)) {
        return response;
      }
      const type = response.headers.get("content-type");
      if (type !== null && type.toLowerCase().startsWith("text/event-stream")) return response;
      const read = await readUpTo(response, maxBytes);
      if (read.rest !== null) return read.rest;
      const digest = new Uint8Array(
        await crypto.subtle.digest("SHA-1", read.bytes as Uint8Array<ArrayBuffer>),
      );
      tag = (weak ? 'W/"' : '"') + toBase64Url(digest) + '"';
      out = new Response(read.bytes as BodyInit, response);
      out.headers.set("etag", tag);
    }
    if (ifNoneMatch === null || !matches(ifNoneMatch, tag)) return out;
    await out.body?.cancel().catch(() => {});
    const headers = new Headers();
    for (const name of ETAG_RETAINED_HEADERS) {
      const value = out.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    return new Response(null, { status: 304, statusText: STATUS_TEXT[304], headers });
  };
}

/**
 * The body in one array when it has at most `limit` bytes; otherwise (`rest`) the
 * response rebuilt around what was read and the unread remainder.
 */
async function readUpTo(
  response: Response,
  limit: number,
): Promise<{ bytes: Uint8Array; rest: Response | null }> {
  const body = response.body;
  if (body === null) return { bytes: new Uint8Array(0), rest: null };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      const replay = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = chunks.shift();
          if (next !== undefined) return controller.enqueue(next);
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      }, { highWaterMark: 0 });
      return { bytes: new Uint8Array(0), rest: new Response(replay, response) };
    }
  }
  const bytes = chunks.length === 1 ? chunks[0] : new Uint8Array(size);
  if (chunks.length !== 1) {
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
  }
  return { bytes, rest: null };
}

// If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored.
function matches(header: string, tag: string): boolean {
  if (header.trim() === "*") return true;
  const opaque = tag.startsWith("W/") ? tag.slice(2) : tag;
  for (const part of header.split(",")) {
    const candidate = part.trim();
    if ((candidate.startsWith("W/") ? candidate.slice(2) : candidate) === opaque) return true;
  }
  return false;
}
