/**
 * The `requestId()` middleware: an ID per request, in `ctx.state.requestId` and a
 * response header (Hono's `requestId`).
 *
 * @module
 */

import type { Middleware } from "./middleware.ts";
import { editHeaders, responseOf } from "./_response_headers.ts";

/** The header that carries the ID both ways: `X-Request-Id`, as Hono and most proxies use. */
export const DEFAULT_REQUEST_ID_HEADER = "X-Request-Id";
/** The longest incoming ID that is reused: 255 characters (Hono's limit). */
export const DEFAULT_REQUEST_ID_MAX_LENGTH = 255;

/** Options for {@linkcode requestId}. */
export interface RequestIdOptions {
  /**
   * The request and response header; "" sends none and trusts none.
   *
   * @default {DEFAULT_REQUEST_ID_HEADER}
   */
  header?: string;
  /**
   * Reuse an ID the request carries (set by a proxy in front) when it is 1 to
   * `maxLength` characters of `A-Z a-z 0-9 _ - = . :`; otherwise make one.
   *
   * @default {true}
   */
  trustIncoming?: boolean;
  /**
   * The longest incoming ID reused.
   *
   * @default {DEFAULT_REQUEST_ID_MAX_LENGTH}
   */
  maxLength?: number;
  /**
   * Makes an ID.
   *
   * @default {crypto.randomUUID}
   */
  generate?: (request: Request) => string;
}

/** What {@linkcode requestId} puts in `ctx.state`. */
export interface RequestIdState {
  /** This request's ID. */
  requestId?: string;
}

/**
 * Gives each request an ID: the incoming `X-Request-Id` when it is well-formed (and
 * `trustIncoming`), a random UUID otherwise. The ID goes to `ctx.state.requestId` (for
 * logs; `logger()` includes it in JSON lines) and to the response's `X-Request-Id`, on
 * error responses from a thrown `HttpError` too. Put it first in the chain so every
 * response carries it; a 500 made from another error gets it from `composeWith`'s
 * `onError(error, ctx)`.
 *
 * @param options Header, trust, generator.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { compose, requestId } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const handler = compose(requestId(), (ctx) => new Response(String(ctx.state.requestId)));
 * const info = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 }, completed: Promise.resolve() };
 * const fresh = await handler(new Request("http://localhost/"), info);
 * assert.match(fresh.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
 * assert.equal(await fresh.text(), fresh.headers.get("x-request-id"));
 * const kept = await handler(new Request("http://localhost/", { headers: { "x-request-id": "abc-123" } }), info);
 * assert.equal(kept.headers.get("x-request-id"), "abc-123");
 * ```
 */
export function requestId<S extends object = Record<string, unknown>>(
  options: RequestIdOptions = {},
): Middleware<S> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot create requestId(): options must be an object");
  }
  const header = options.header ?? DEFAULT_REQUEST_ID_HEADER;
  const trust = (options.trustIncoming ?? true) && header !== "";
  const maxLength = options.maxLength ?? DEFAULT_REQUEST_ID_MAX_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`Cannot create requestId(): maxLength ${maxLength} is not 1 or more`);
  }
  const generate = options.generate ?? (() => crypto.randomUUID());
  if (typeof generate !== "function") {
    throw new TypeError("Cannot create requestId(): generate must be a function");
  }
  return async function requestId(ctx, next) {
    let id: string | null = trust ? ctx.request.headers.get(header) : null;
    if (id === null || !isId(id, maxLength)) id = generate(ctx.request);
    (ctx.state as RequestIdState).requestId = id;
    const response = await responseOf(next);
    if (header === "") return response;
    const value = id;
    return editHeaders(response, (headers) => headers.set(header, value));
  };
}

function isId(id: string, maxLength: number): boolean {
  if (id.length === 0 || id.length > maxLength) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x3a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c === 0x5f || c === 0x2d || c === 0x3d || c === 0x2e;
    if (!ok) return false;
  }
  return true;
}
