/**
 * Typed, bounded request body readers: JSON, URL-encoded forms, text and bytes, with
 * koa-bodyparser's limits. Each takes a Request or a Context.
 *
 * @module
 */

import { HttpError } from "../http/http_error.ts";
import { checkLimit, readBounded } from "./_bounded_body.ts";
import { essenceOf, matchesType, parameterOf, typePatterns } from "./_media_type.ts";

/** Largest JSON body {@linkcode readJson} reads: 1 MiB (koa-bodyparser's `jsonLimit`). */
export const DEFAULT_JSON_MAX_BYTES = 1024 * 1024;
/** Largest form body {@linkcode readForm} reads: 56 KiB (koa-bodyparser's `formLimit`). */
export const DEFAULT_FORM_MAX_BYTES = 56 * 1024;
/** Largest body {@linkcode readText} and {@linkcode readBytes} read: 1 MiB (`textLimit`). */
export const DEFAULT_TEXT_MAX_BYTES = 1024 * 1024;
/** The media types {@linkcode readJson} accepts: `application/json` and any `+json`. */
export const DEFAULT_JSON_TYPES: readonly string[] = Object.freeze(["application/json", "+json"]);

/** Where a body comes from: a Request, or a Context (its `request`). */
export type BodySource = Request | { readonly request: Request };

/** Options for the body readers. */
export interface ReadBodyOptions {
  /**
   * The most bytes read; past it the reader throws a 413 `HttpError` (before reading
   * when the request declares a larger Content-Length).
   *
   * @default {DEFAULT_JSON_MAX_BYTES, DEFAULT_FORM_MAX_BYTES or DEFAULT_TEXT_MAX_BYTES}
   */
  maxBytes?: number;
  /**
   * The media types accepted (others get a 415 `HttpError`); `false` accepts any.
   *
   * @default {DEFAULT_JSON_TYPES for readJson, the form type for readForm, any otherwise}
   */
  types?: string | readonly string[] | false;
}

/**
 * Reads a JSON body: 415 for another Content-Type or a charset other than UTF-8, 413
 * past `maxBytes`, 400 for an empty body, bytes that are not UTF-8 or text that is not
 * JSON; every failure an `HttpError`, so a chain answers it as such.
 *
 * @param source The request or context.
 * @param options Limit and accepted types.
 * @returns The parsed value (typed as you say: check its shape).
 *
 * @example
 * ```ts
 * import { readJson } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"name":"wire"}',
 * });
 * assert.deepEqual(await readJson<{ name: string }>(request), { name: "wire" });
 * ```
 */
export async function readJson<T = unknown>(
  source: BodySource,
  options: ReadBodyOptions = {},
): Promise<T> {
  const text = await readDecoded(source, options, DEFAULT_JSON_MAX_BYTES, DEFAULT_JSON_TYPES);
  if (text.trim() === "") throw new HttpError(400, "Cannot parse JSON: the body is empty");
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new HttpError(400, "Cannot parse JSON: the body is not valid JSON");
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body (415 for another type, 413 past
 * `maxBytes`).
 *
 * @param source The request or context.
 * @param options Limit and accepted types.
 * @returns The fields.
 *
 * @example
 * ```ts
 * import { readForm } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", {
 *   method: "POST",
 *   body: new URLSearchParams({ name: "wire", tag: "http" }),
 * });
 * const form = await readForm(request);
 * assert.equal(form.get("name"), "wire");
 * ```
 */
export async function readForm(
  source: BodySource,
  options: ReadBodyOptions = {},
): Promise<URLSearchParams> {
  const text = await readDecoded(source, options, DEFAULT_FORM_MAX_BYTES, FORM_TYPES);
  return new URLSearchParams(text);
}

/**
 * Reads a body as text in its declared charset (UTF-8 when none; 415 for a charset
 * TextDecoder does not know; 400 for bytes invalid in it), at most `maxBytes`.
 *
 * @param source The request or context.
 * @param options Limit and accepted types.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { readText } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", { method: "POST", body: "hello" });
 * assert.equal(await readText(request, { maxBytes: 5 }), "hello");
 * await assert.rejects(readText(new Request("http://localhost/", { method: "POST", body: "hello!" }), { maxBytes: 5 }));
 * ```
 */
export function readText(source: BodySource, options: ReadBodyOptions = {}): Promise<string> {
  return readDecoded(source, options, DEFAULT_TEXT_MAX_BYTES, null);
}

/**
 * Reads a body as bytes, at most `maxBytes`.
 *
 * @param source The request or context.
 * @param options Limit and accepted types.
 * @returns The bytes.
 *
 * @example
 * ```ts
 * import { readBytes } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", { method: "POST", body: new Uint8Array([1, 2]) });
 * assert.deepEqual(await readBytes(request), new Uint8Array([1, 2]));
 * ```
 */
export async function readBytes(
  source: BodySource,
  options: ReadBodyOptions = {},
): Promise<Uint8Array> {
  const request = requestOf(source);
  const { limit, types } = resolve(options, DEFAULT_TEXT_MAX_BYTES, null);
  if (types !== null) checkType(request, types);
  return await readBounded(request, limit);
}

const FORM_TYPES: readonly string[] = ["application/x-www-form-urlencoded"];

async function readDecoded(
  source: BodySource,
  options: ReadBodyOptions,
  defaultLimit: number,
  defaultTypes: readonly string[] | null,
): Promise<string> {
  const request = requestOf(source);
  const { limit, types } = resolve(options, defaultLimit, defaultTypes);
  const contentType = request.headers.get("content-type");
  if (types !== null) checkType(request, types);
  const charset = (parameterOf(contentType, "charset") ?? "utf-8").toLowerCase();
  const decoder = decoderFor(charset);
  if (decoder === null) throw new HttpError(415, `Unsupported charset ${JSON.stringify(charset)}`);
  // JSON and forms are UTF-8 (RFC 8259 §8.1; the URL standard): other charsets are refused.
  if (defaultTypes !== null && types !== null && decoder.encoding !== "utf-8") {
    throw new HttpError(415, `Unsupported charset ${JSON.stringify(charset)}; send UTF-8`);
  }
  const bytes = await readBounded(request, limit);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new HttpError(400, `Cannot decode the body: it is not valid ${decoder.encoding}`);
  }
}

// A fatal decoder per charset, made once: decode() of a whole buffer keeps no state.
const decoders = new Map<string, TextDecoder | null>();

function decoderFor(charset: string): TextDecoder | null {
  let decoder = decoders.get(charset);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(charset, { fatal: true });
    } catch {
      decoder = null;
    }
    if (decoders.size < 32) decoders.set(charset, decoder);
  }
  return decoder;
}

function requestOf(source: BodySource): Request {
  const request = source instanceof Request ? source : source?.request;
  if (!(request instanceof Request)) {
    throw new TypeError("Cannot read the body: expected a Request or a { request } context");
  }
  return request;
}

function resolve(
  options: ReadBodyOptions,
  defaultLimit: number,
  defaultTypes: readonly string[] | null,
): { limit: number; types: readonly string[] | null } {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot read the body: options must be an object");
  }
  const limit = options.maxBytes === undefined
    ? defaultLimit
    : checkLimit(options.maxBytes, "a body reader");
  const types = options.types === false
    ? null
    : options.types === undefined
    ? defaultTypes
    : typePatterns(options.types, "a body reader");
  return { limit, types };
}

function checkType(request: Request, types: readonly string[]): void {
  const type = request.headers.get("content-type");
  if (!matchesType(essenceOf(type), types)) {
    throw new HttpError(
      415,
      type === null
        ? `Request body needs a Content-Type: ${types.join(", ")}`
        : `Content-Type ${essenceOf(type)} is not accepted; send ${types.join(", ")}`,
    );
  }
}
