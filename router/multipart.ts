/**
 * Streaming `multipart/form-data` (RFC 7578): parts as they arrive, each with its body
 * as a stream, under per-part, total, count and header limits; or all of it as a
 * `FormData` under the same limits.
 *
 * @module
 */

import { HttpError } from "../http/http_error.ts";
import { checkLimit, declaredLength } from "./_bounded_body.ts";
import { essenceOf, parameterOf } from "./_media_type.ts";
import { MultipartScanner, type ScanLimits } from "./_multipart_scanner.ts";
import { parseDisposition } from "./_content_disposition.ts";
import type { BodySource } from "./read_body.ts";

/** Largest part body: 10 MiB. */
export const DEFAULT_MULTIPART_MAX_PART_BYTES = 10 * 1024 * 1024;
/** Largest multipart body in all: 50 MiB. */
export const DEFAULT_MULTIPART_MAX_TOTAL_BYTES = 50 * 1024 * 1024;
/** Most parts in one body: 1,000 (formidable's `maxFields`). */
export const DEFAULT_MULTIPART_MAX_PARTS = 1000;
/** Largest header block of one part: 8 KiB. */
export const DEFAULT_MULTIPART_MAX_HEADER_BYTES = 8 * 1024;

/** Options for {@linkcode parseMultipart} and {@linkcode readMultipart}; past a limit, 413. */
export interface MultipartOptions {
  /**
   * The most bytes one part's body may have.
   *
   * @default {DEFAULT_MULTIPART_MAX_PART_BYTES}
   */
  maxPartBytes?: number;
  /**
   * The most bytes the whole body may have (a larger Content-Length is refused before
   * reading).
   *
   * @default {DEFAULT_MULTIPART_MAX_TOTAL_BYTES}
   */
  maxTotalBytes?: number;
  /**
   * The most parts the body may have.
   *
   * @default {DEFAULT_MULTIPART_MAX_PARTS}
   */
  maxParts?: number;
  /**
   * The most bytes of one part's header block.
   *
   * @default {DEFAULT_MULTIPART_MAX_HEADER_BYTES}
   */
  maxHeaderBytes?: number;
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  /** The form field's name (Content-Disposition `name`). */
  readonly name: string;
  /** The file name for a file field (`filename*` preferred to `filename`), else undefined. */
  readonly filename: string | undefined;
  /** The part's Content-Type: "text/plain" for a field without one, "application/octet-stream" for a file. */
  readonly type: string;
  /** The part's header fields. */
  readonly headers: Headers;
  /**
   * The part's body, streamed from the request as it arrives. Read it before asking for
   * the next part: moving on skips what is left of it (and errors this stream).
   */
  readonly body: ReadableStream<Uint8Array>;
  /**
   * Reads the body as UTF-8 text.
   *
   * @returns The text.
   */
  text(): Promise<string>;
  /**
   * Reads the body into one array.
   *
   * @returns The bytes.
   */
  bytes(): Promise<Uint8Array>;
}

/**
 * Streams the parts of a `multipart/form-data` body, one at a time: 415 for another
 * type, 400 for a missing or bad boundary or a malformed body (no closing boundary, a
 * part without a `form-data` Content-Disposition name), 413 past a limit; each an
 * `HttpError`. The type, boundary and a declared length are checked at the call (which
 * throws), the body as it is read. Breaking out of the loop cancels the rest of the body.
 *
 * @param source The request or context.
 * @param options Limits.
 * @returns The parts, as an async iterator.
 *
 * @example Stream an upload without holding it in memory
 * ```ts
 * import { parseMultipart } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const form = new FormData();
 * form.append("title", "notes");
 * form.append("file", new File(["a".repeat(100_000)], "a.txt", { type: "text/plain" }));
 * const request = new Request("http://localhost/upload", { method: "POST", body: form });
 *
 * const seen: string[] = [];
 * for await (const part of parseMultipart(request, { maxPartBytes: 1024 * 1024 })) {
 *   if (part.filename === undefined) seen.push(`${part.name}=${await part.text()}`);
 *   else {
 *     let size = 0;
 *     for await (const chunk of part.body) size += chunk.length;
 *     seen.push(`${part.name}: ${part.filename} ${part.type} ${size} bytes`);
 *   }
 * }
 * assert.deepEqual(seen, ["title=notes", "file: a.txt text/plain 100000 bytes"]);
 * ```
 */
export function parseMultipart(
  source: BodySource,
  options: MultipartOptions = {},
): AsyncGenerator<MultipartPart, void, undefined> {
  const request = source instanceof Request ? source : source?.request;
  if (!(request instanceof Request)) {
    throw new TypeError("Cannot parse multipart body: expected a Request or a { request } context");
  }
  const limits = resolveLimits(options);
  const contentType = request.headers.get("content-type");
  if (essenceOf(contentType) !== "multipart/form-data") {
    throw new HttpError(
      415,
      `Content-Type ${essenceOf(contentType) || "(none)"} is not multipart/form-data`,
    );
  }
  const boundary = parameterOf(contentType, "boundary");
  if (boundary === undefined || !isBoundary(boundary)) {
    throw new HttpError(400, "Cannot parse multipart body: missing or invalid boundary");
  }
  const declared = declaredLength(request.headers);
  if (declared > limits.maxTotalBytes) {
    throw new HttpError(
      413,
      `Multipart body of ${declared} bytes exceeds the limit of ${limits.maxTotalBytes} bytes`,
    );
  }
  if (request.body === null) {
    throw new HttpError(400, "Cannot parse multipart body: the request has no body");
  }
  return parts(request.body, boundary, limits);
}

async function* parts(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  limits: ScanLimits,
): AsyncGenerator<MultipartPart, void, undefined> {
  const scanner = new MultipartScanner(body, boundary, limits);
  let current: PartStream | undefined;
  try {
    for (;;) {
      current?.abandon();
      const lines = await scanner.next();
      if (lines === null) return;
      current = new PartStream(scanner);
      yield makePart(lines, current.stream);
    }
  } finally {
    current?.abandon();
    if (!scanner.finished) await scanner.release();
  }
}

/**
 * Reads a whole `multipart/form-data` body into a `FormData` (fields as strings, files
 * as `File`s) under the limits of {@linkcode parseMultipart}; unlike
 * `request.formData()`, a body past them is refused while it arrives.
 *
 * @param source The request or context.
 * @param options Limits.
 * @returns The form.
 *
 * @example
 * ```ts
 * import { readMultipart } from "@wire/http/router";
 * import assert from "node:assert/strict";
 *
 * const body = new FormData();
 * body.append("name", "wire");
 * body.append("logo", new File(["<svg/>"], "logo.svg", { type: "image/svg+xml" }));
 * const form = await readMultipart(new Request("http://localhost/", { method: "POST", body }));
 * assert.equal(form.get("name"), "wire");
 * assert.equal((form.get("logo") as File).name, "logo.svg");
 * ```
 */
export async function readMultipart(
  source: BodySource,
  options: MultipartOptions = {},
): Promise<FormData> {
  const form = new FormData();
  for await (const part of parseMultipart(source, options)) {
    if (part.filename === undefined) form.append(part.name, await part.text());
    else {
      const bytes = await part.bytes();
      form.append(part.name, new File([bytes as BlobPart], part.filename, { type: part.type }));
    }
  }
  return form;
}

function resolveLimits(options: MultipartOptions): ScanLimits {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot parse multipart body: options must be an object");
  }
  const where = "a multipart reader";
  return {
    maxPartBytes: checkLimit(options.maxPartBytes ?? DEFAULT_MULTIPART_MAX_PART_BYTES, where),
    maxTotalBytes: checkLimit(options.maxTotalBytes ?? DEFAULT_MULTIPART_MAX_TOTAL_BYTES, where),
    maxParts: checkLimit(options.maxParts ?? DEFAULT_MULTIPART_MAX_PARTS, where),
    maxHeaderBytes: checkLimit(
      options.maxHeaderBytes ?? DEFAULT_MULTIPART_MAX_HEADER_BYTES,
      where,
    ),
  };
}

// RFC 2046 §5.1.1: 1 to 70 bchars, not ending with a space.
function isBoundary(boundary: string): boolean {
  if (boundary.length === 0 || boundary.length > 70 || boundary.endsWith(" ")) return false;
  return /^[0-9A-Za-z'()+_,\-./:=? ]+$/.test(boundary);
}

/** A part's body stream, fed by the scanner while the part is current. */
class PartStream {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;

  constructor(scanner: MultipartScanner) {
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: async (controller) => {
        if (!this.#open) return;
        let chunk: Uint8Array | null;
        try {
          chunk = await scanner.read();
        } catch (error) {
          this.#open = false;
          controller.error(error);
          return;
        }
        if (!this.#open) return;
        if (chunk === null) {
          this.#open = false;
          controller.close();
        } else controller.enqueue(chunk);
      },
      cancel: () => {
        this.#open = false;
      },
    }, { highWaterMark: 0 });
  }

  /** The iterator moved on: a body not read to its end can no longer be. */
  abandon(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#controller.error(
        new TypeError("Cannot read a multipart part after moving to the next one"),
      );
    } catch {
      // closed already
    }
  }
}

function makePart(lines: string[], body: ReadableStream<Uint8Array>): MultipartPart {
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpError(400, "Cannot parse multipart body: a bad part header");
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      throw new HttpError(400, "Cannot parse multipart body: a bad part header");
    }
  }
  const disposition = parseDisposition(headers.get("content-disposition"));
  if (disposition === undefined) {
    throw new HttpError(
      400,
      'Cannot parse multipart body: a part without Content-Disposition: form-data; name="..."',
    );
  }
  const { name, filename } = disposition;
  const type = headers.get("content-type") ??
    (filename === undefined ? "text/plain" : "application/octet-stream");
  return {
    name,
    filename,
    type,
    headers,
    body,
    async bytes() {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        chunks.push(chunk);
        size += chunk.byteLength;
      }
      const out = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        out.set(chunk, at);
        at += chunk.byteLength;
      }
      return out;
    },
    async text() {
      return new TextDecoder().decode(await this.bytes());
    },
  };
}
