/**
 * Turns `fetch(input, init)` arguments into a {@linkcode PreparedRequest}: method, URL,
 * header lines serialized once, and a body whose length is known when it can be.
 * Strings, bytes and no-body requests take a fast path that builds no `Request`.
 *
 * @module
 */

import { untilAborted } from "./abortable.ts";
import { checkReferrer, checkReferrerPolicy } from "./referrer.ts";

const encoder = new TextEncoder();

// Header flags (PreparedRequest.flags): which fields with a default the user set, so
// the encoder adds the defaults without searching the fields.

/** The user set Accept (else any media type is accepted). */
export const HAS_ACCEPT = 1;
/** The user set Accept-Encoding (else what DecompressionStream decodes is sent). */
export const HAS_ACCEPT_ENCODING = 2;
/** The user set User-Agent (else Wire's is sent). */
export const HAS_USER_AGENT = 4;
/** The user set Content-Type (else one that fits the body, as fetch does). */
export const HAS_CONTENT_TYPE = 8;
/** The user set Authorization (else URL credentials become Basic). */
export const HAS_AUTHORIZATION = 16;

/** A request body we can send: bytes, a Blob (known size, replayable) or a stream. */
export type PreparedBody = Uint8Array | Blob | ReadableStream<Uint8Array>;

/** One request, normalized once and reused across retries and redirect hops. */
export interface PreparedRequest {
  /** Normalized method (GET, POST... upper-case for the standard ones). */
  method: string;
  /** Target URL, without credentials and fragment. */
  url: URL;
  /** User header fields as flat lowercase `[name, value, ...]`, minus the ones we frame. */
  fields: string[];
  /** `fields` serialized as `name: value\r\n` lines. */
  lines: string;
  /** Lines the Client adds for this hop (Cookie from the jar, Referer), or "". */
  extraLines: string;
  /** HAS_* bits. */
  flags: number;
  /** The user asked for `Connection: close`. */
  close: boolean;
  /** The body, or null. */
  body: PreparedBody | null;
  /** Body length in bytes; -1 when unknown (sent chunked). */
  bodyLength: number;
  /** The abort signal, or null. */
  signal: AbortSignal | null;
  /** Redirect mode. */
  redirect: RequestRedirect;
  /** "client" (none: there is no document), "" (no-referrer) or a referrer URL. */
  referrer: string;
  /** The referrer policy; "" for the default (strict-origin-when-cross-origin). */
  referrerPolicy: ReferrerPolicy;
  /** Subresource Integrity metadata, or "". */
  integrity: string;
  /** `credentials: "omit"`: the cookie jar is neither read nor written. */
  omitCredentials: boolean;
}

/**
 * Methods safe to replay or pipeline: RFC 9110 §9.2.2's idempotent methods, and QUERY,
 * which RFC 10008 defines as safe and idempotent (a GET whose query is the body).
 * Methods are case-sensitive and fetch upper-cases only the standard ones, so "query"
 * is some other method.
 */
export function isIdempotent(method: string): boolean {
  switch (method) {
    case "GET":
    case "HEAD":
    case "OPTIONS":
    case "TRACE":
    case "PUT":
    case "DELETE":
    case "QUERY":
      return true;
  }
  return false;
}

/** Whether the body can be sent again (bytes or Blob), for retries and 307/308. */
export function isReplayable(body: PreparedBody | null): boolean {
  return body === null || body instanceof Uint8Array || body instanceof Blob;
}

/** Bytes allowed in a token (RFC 9110 §5.6.2), for method validation. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = TCHAR[c + 32] = 1;

/** Upper-cases the six standard methods (as fetch does) and rejects bad or forbidden ones. */
export function normalizeMethod(method: string): string {
  switch (method) {
    case "GET":
    case "POST":
    case "PUT":
    case "HEAD":
    case "DELETE":
    case "OPTIONS":
    case "PATCH":
      return method;
  }
  if (method.length === 0) throw new TypeError("Cannot fetch: the method is empty");
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) {
      throw new TypeError(`Cannot fetch: method "${method}" is not a valid HTTP token`);
    }
  }
  const upper = method.toUpperCase();
  switch (upper) {
    case "GET":
    case "POST":
    case "PUT":
    case "HEAD":
    case "DELETE":
    case "OPTIONS":
      return upper;
    case "CONNECT":
    case "TRACE":
    case "TRACK":
      throw new TypeError(`Cannot fetch: method ${upper} is forbidden`);
  }
  return method;
}

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (error) {
    throw new TypeError(`Cannot fetch: "${input}" is not a valid URL`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot fetch ${url.href}: scheme "${url.protocol}" is not supported`);
  }
  return url;
}

/** Copies header fields into the prepared request, pulling out the ones we manage. */
function addFields(prepared: PreparedRequest, headers: Headers): string {
  let contentLength = "";
  for (const [name, value] of headers) {
    switch (name) {
      case "host":
        // The Fetch standard forbids setting Host: it always names the URL's host (use
        // `lookup` or `socketPath` to reach a name at another address).
        continue;
      case "cookie":
        // Headers joins repeated fields with ", "; Cookie pairs are joined with "; "
        // (RFC 6265 §5.4), and a cookie-octet never holds a comma or a space.
        if (value.includes(", ")) {
          prepared.fields.push(name, value.replaceAll(", ", "; "));
          continue;
        }
        break;
      case "content-length":
        contentLength = value;
        continue;
      case "transfer-encoding":
      case "keep-alive":
        continue;
      case "connection":
        // Only "close" is honoured: other connection options are hop-by-hop and ours.
        if (value.toLowerCase().includes("close")) prepared.close = true;
        continue;
      case "accept":
        prepared.flags |= HAS_ACCEPT;
        break;
      case "accept-encoding":
        prepared.flags |= HAS_ACCEPT_ENCODING;
        break;
      case "user-agent":
        prepared.flags |= HAS_USER_AGENT;
        break;
      case "content-type":
        prepared.flags |= HAS_CONTENT_TYPE;
        break;
      case "authorization":
        prepared.flags |= HAS_AUTHORIZATION;
        break;
    }
    prepared.fields.push(name, value);
  }
  return contentLength;
}

/** Serializes fields as `name: value\r\n` lines. */
export function serializeFields(fields: string[]): string {
  let lines = "";
  for (let i = 0; i < fields.length; i += 2) lines += fields[i] + ": " + fields[i + 1] + "\r\n";
  return lines;
}

function addField(prepared: PreparedRequest, name: string, value: string, flag: number): void {
  prepared.fields.push(name, value);
  prepared.flags |= flag;
}

/** Adds Basic credentials from the URL (as Deno's fetch does) and strips them from it. */
function takeCredentials(prepared: PreparedRequest): void {
  const url = prepared.url;
  if (url.username === "" && url.password === "") return;
  if ((prepared.flags & HAS_AUTHORIZATION) === 0) {
    const pair = decodeURIComponent(url.username) + ":" + decodeURIComponent(url.password);
    let binary = "";
    for (const byte of encoder.encode(pair)) binary += String.fromCharCode(byte);
    addField(prepared, "authorization", "Basic " + btoa(binary), HAS_AUTHORIZATION);
  }
  url.username = "";
  url.password = "";
}

function newPrepared(url: URL, method: string): PreparedRequest {
  // Setting a URL part reparses it (an op call): only when there is a fragment.
  if (url.hash !== "") url.hash = "";
  return {
    method,
    url,
    fields: [],
    lines: "",
    extraLines: "",
    flags: 0,
    close: false,
    body: null,
    bodyLength: 0,
    signal: null,
    redirect: "follow",
    referrer: "client",
    referrerPolicy: "",
    integrity: "",
    omitCredentials: false,
  };
}

/** Sets a body we can take without a `Request`; false when the body needs the slow path. */
function setSimpleBody(prepared: PreparedRequest, body: unknown): boolean {
  if (typeof body === "string") {
    const bytes = encoder.encode(body);
    prepared.body = bytes;
    prepared.bodyLength = bytes.length;
    if ((prepared.flags & HAS_CONTENT_TYPE) === 0) {
      addField(prepared, "content-type", "text/plain;charset=UTF-8", HAS_CONTENT_TYPE);
    }
    return true;
  }
  if (body instanceof Uint8Array) {
    prepared.body = body;
    prepared.bodyLength = body.length;
    return true;
  }
  if (body instanceof ArrayBuffer) {
    prepared.body = new Uint8Array(body);
    prepared.bodyLength = body.byteLength;
    return true;
  }
  if (ArrayBuffer.isView(body)) {
    prepared.body = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    prepared.bodyLength = body.byteLength;
    return true;
  }
  if (body instanceof URLSearchParams) {
    const bytes = encoder.encode(body.toString());
    prepared.body = bytes;
    prepared.bodyLength = bytes.length;
    if ((prepared.flags & HAS_CONTENT_TYPE) === 0) {
      addField(
        prepared,
        "content-type",
        "application/x-www-form-urlencoded;charset=UTF-8",
        HAS_CONTENT_TYPE,
      );
    }
    return true;
  }
  if (body instanceof Blob) {
    prepared.body = body;
    prepared.bodyLength = body.size;
    if ((prepared.flags & HAS_CONTENT_TYPE) === 0 && body.type !== "") {
      addField(prepared, "content-type", body.type, HAS_CONTENT_TYPE);
    }
    return true;
  }
  return false;
}

/** Parses a user Content-Length for a stream body; -1 when absent. */
function streamLength(contentLength: string, href: string): number {
  if (contentLength === "") return -1;
  let length = 0;
  for (let i = 0; i < contentLength.length; i++) {
    const digit = contentLength.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || length > (Number.MAX_SAFE_INTEGER - digit) / 10) {
      throw new TypeError(
        `Cannot fetch ${href}: Content-Length "${contentLength}" is not a valid length`,
      );
    }
    length = length * 10 + digit;
  }
  return length;
}

/**
 * Reads a stream body whose source we cannot see (a `Request`'s): when it ends within
 * two reads it becomes bytes with a known length (and replayable), else it is sent
 * chunked, starting with what was read.
 */
async function peekStream(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): Promise<{ body: PreparedBody; length: number }> {
  if (signal.aborted) return { body: stream, length: -1 };
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 2; i++) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await untilAborted(reader.read(), signal);
    } catch (error) {
      reader.cancel(error).catch(() => {});
      throw error;
    }
    const { done, value } = result;
    if (done) {
      reader.releaseLock();
      if (parts.length === 1) return { body: parts[0], length: parts[0].length };
      const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
      let offset = 0;
      for (const part of parts) {
        bytes.set(part, offset);
        offset += part.length;
      }
      return { body: bytes, length: bytes.length };
    }
    parts.push(value);
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { body: rest, length: -1 };
}

function checkBodyAllowed(prepared: PreparedRequest): void {
  if (prepared.method === "GET" || prepared.method === "HEAD") {
    throw new TypeError(
      `Cannot fetch ${prepared.url.href}: a ${prepared.method} request cannot have a body`,
    );
  }
}

/**
 * Normalizes `fetch` arguments. Returns synchronously for URL inputs with no body or a
 * string, bytes, URLSearchParams or Blob body; otherwise returns a promise.
 */
export function prepareRequest(
  input: string | URL | Request,
  init: RequestInit | undefined,
): PreparedRequest | Promise<PreparedRequest> {
  if (input instanceof Request) return prepareFromRequest(input, init);
  const url = parseUrl(input);
  const prepared = newPrepared(
    url,
    init?.method === undefined ? "GET" : normalizeMethod(init.method),
  );
  let contentLength = "";
  if (init === undefined) {
    takeCredentials(prepared);
    if (prepared.fields.length > 0) prepared.lines = serializeFields(prepared.fields);
    return prepared;
  }
  if (init.headers !== undefined && init.headers !== null) {
    contentLength = addFields(
      prepared,
      init.headers instanceof Headers ? init.headers : new Headers(init.headers),
    );
  }
  takeCredentials(prepared);
  if (init.signal) prepared.signal = init.signal;
  if (init.redirect !== undefined) prepared.redirect = checkRedirect(init.redirect);
  if (init.referrer !== undefined) prepared.referrer = checkReferrer(init.referrer, url.href);
  if (init.referrerPolicy !== undefined) {
    prepared.referrerPolicy = checkReferrerPolicy(init.referrerPolicy);
  }
  if (init.integrity !== undefined) prepared.integrity = String(init.integrity);
  if (init.credentials !== undefined) prepared.omitCredentials = init.credentials === "omit";
  const body = init.body;
  if (body === undefined || body === null) {
    prepared.lines = serializeFields(prepared.fields);
    return prepared;
  }
  checkBodyAllowed(prepared);
  if (setSimpleBody(prepared, body)) {
    prepared.lines = serializeFields(prepared.fields);
    return prepared;
  }
  if (body instanceof ReadableStream) {
    prepared.body = body as ReadableStream<Uint8Array>;
    prepared.bodyLength = streamLength(contentLength, url.href);
    prepared.lines = serializeFields(prepared.fields);
    return prepared;
  }
  // FormData and other BodyInit kinds: let Request serialize them (multipart boundary
  // and Content-Type included), then send the bytes with a known length.
  return prepareOtherBody(prepared, body);
}

async function prepareOtherBody(
  prepared: PreparedRequest,
  body: BodyInit,
): Promise<PreparedRequest> {
  const request = new Request(prepared.url, { method: "POST", body });
  const type = request.headers.get("content-type");
  if (type !== null && (prepared.flags & HAS_CONTENT_TYPE) === 0) {
    addField(prepared, "content-type", type, HAS_CONTENT_TYPE);
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  prepared.body = bytes;
  prepared.bodyLength = bytes.length;
  prepared.lines = serializeFields(prepared.fields);
  return prepared;
}

function checkRedirect(mode: string): RequestRedirect {
  if (mode === "follow" || mode === "manual" || mode === "error") return mode;
  throw new TypeError(`Cannot fetch: redirect "${mode}" is not "follow", "manual" or "error"`);
}

async function prepareFromRequest(
  input: Request,
  init: RequestInit | undefined,
): Promise<PreparedRequest> {
  const request = init === undefined ? input : new Request(input, init);
  const prepared = newPrepared(parseUrl(request.url), request.method);
  const contentLength = addFields(prepared, request.headers);
  takeCredentials(prepared);
  prepared.signal = request.signal;
  prepared.redirect = request.redirect;
  const referrer = request.referrer;
  prepared.referrer = referrer === "about:client" ? "client" : referrer;
  prepared.referrerPolicy = request.referrerPolicy;
  prepared.integrity = request.integrity;
  prepared.omitCredentials = request.credentials === "omit";
  const initBody = init?.body;
  if (initBody !== undefined && initBody !== null) {
    if (setSimpleBody(prepared, initBody)) {
      prepared.lines = serializeFields(prepared.fields);
      return prepared;
    }
    if (initBody instanceof ReadableStream && request.body !== null) {
      prepared.body = request.body;
      prepared.bodyLength = streamLength(contentLength, prepared.url.href);
      prepared.lines = serializeFields(prepared.fields);
      return prepared;
    }
  }
  if (request.body !== null) {
    if (contentLength !== "") {
      prepared.body = request.body;
      prepared.bodyLength = streamLength(contentLength, prepared.url.href);
    } else {
      const { body, length } = await peekStream(request.body, request.signal);
      prepared.body = body;
      prepared.bodyLength = length;
    }
  }
  prepared.lines = serializeFields(prepared.fields);
  return prepared;
}
