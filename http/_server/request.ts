/**
 * Builds the Web `Request` a handler receives, and aborts its `signal`.
 *
 * The public constructor costs 4-6 µs per call on Deno 2.9, and 10-16 µs with an
 * AbortController's signal passed in (a dependent signal with a WeakRef and a
 * FinalizationRegistry entry each): more than all the rest of serving a small request
 * (bench/encode_head_bench.ts, group "request"). Deno's own server builds requests from
 * an internal record instead: the URL and Headers are made only when read, the signal
 * only when touched. Deno's `Request` constructor offers that route through its brand
 * symbol (it is how `clone()` makes a Request). When a probe at load time finds every
 * internal piece with the expected shape and behaviour, requests are built that way;
 * otherwise (another Deno version) the public constructor is used. Both give a real
 * `Request`: `instanceof`, `clone()`, `text()`, `headers`, `signal` all work.
 *
 * @module
 */

import { trimOwsEnd } from "../_codec/ows.ts";
import { symbolNamed } from "./deno_internals.ts";

/** Deno's `Request` global is a lazy accessor (about 27 ns a read): read it once. */
const RequestClass = Request;
let BRAND: symbol | undefined;
let INNER: symbol | undefined;
let GUARD: symbol | undefined;
let SIGNAL_CACHE: symbol | undefined;
let SIGNAL_ABORT: symbol | undefined;
// deno-lint-ignore no-explicit-any
let InnerBody: (new (stream: ReadableStream<Uint8Array>) => any) | undefined;
let fastEnabled = false;

type Fields = Record<symbol, unknown>;

function probe(): boolean {
  try {
    const template = new Request("http://probe.test/a", {
      method: "POST",
      body: new ReadableStream(),
      headers: { "x-a": "1" },
    });
    BRAND = symbolNamed(template, "[[webidl.brand]]");
    INNER = symbolNamed(template, "request");
    GUARD = symbolNamed(template, "headers guard");
    SIGNAL_CACHE = symbolNamed(template, "signalCache");
    SIGNAL_ABORT = symbolNamed(AbortSignal.prototype, "[[signalAbort]]");
    if (!BRAND || !INNER || !GUARD || !SIGNAL_CACHE || !SIGNAL_ABORT) return false;
    if ((template as unknown as Fields)[BRAND] !== BRAND) return false;
    const inner = (template as unknown as Fields)[INNER] as Record<string, unknown>;
    const body = inner.body as object;
    InnerBody = Object.getPrototypeOf(body).constructor;
    // The accessors and methods of the internal record all work through `this`, so one
    // prototype can carry them for every request.
    const proto: PropertyDescriptorMap = {};
    const descriptors = Object.getOwnPropertyDescriptors(inner);
    for (const name of ["method", "headerList", "url", "currentUrl"]) {
      const d = descriptors[name];
      if (d === undefined) return false;
      if (d.get === undefined && typeof d.value !== "function") return false;
      proto[name] = d;
    }
    for (const name of ["methodInner", "headerListInner", "urlList", "urlListProcessed"]) {
      if (!(name in inner)) return false;
    }
    Object.setPrototypeOf(FastInner.prototype, Object.create(null, proto));
    const abortMethod = (AbortSignal.prototype as unknown as Fields)[SIGNAL_ABORT];
    if (typeof abortMethod !== "function") {
      return false;
    }
    return check();
  } catch {
    return false;
  }
}

/** Builds requests the fast way and checks that they behave like public ones. */
function check(): boolean {
  const stream = new ReadableStream<Uint8Array>();
  const request = fastRequest(
    "PUT",
    "http://probe.test/p?q=1",
    [
      "Host",
      "probe.test",
      "X-A",
      "1",
      "x-a",
      "2",
    ],
    stream,
    2,
  );
  if (!(request instanceof Request)) return false;
  if (request.method !== "PUT" || request.url !== "http://probe.test/p?q=1") return false;
  if (request.headers.get("x-a") !== "1, 2" || request.headers.get("host") !== "probe.test") {
    return false;
  }
  request.headers.set("x-b", "3");
  if (request.headers.get("X-B") !== "3") return false;
  if (request.body !== stream || request.bodyUsed) return false;
  const copy = fastRequest("GET", "http://probe.test/", ["Host", "probe.test"], null, -1);
  if (copy.body !== null || copy.clone().url !== "http://probe.test/") return false;
  if (copy.signal.aborted) return false;
  const reason = new Error("probe");
  fastAbort(copy, reason);
  if (!copy.signal.aborted || copy.signal.reason !== reason) return false;
  const late = fastRequest("GET", "http://probe.test/", [], null, -1);
  fastAbort(late, reason);
  if (!late.signal.aborted || late.signal.reason !== reason) return false;
  return true;
}

/**
 * The internal record of a fast-route request: the fields of Deno's own record, in a
 * class so that every record has one fixed shape (its accessors and methods come from
 * a copy of Deno's, set by the probe as the prototype of this class's prototype).
 */
class FastInner {
  methodInner: string;
  headerListInner: [string, string][];
  body: unknown;
  redirectMode = "follow";
  redirectCount = 0;
  urlList: (() => string)[];
  urlListProcessed: string[];
  clientRid = null;
  blobUrlEntry = null;

  constructor(method: string, list: [string, string][], body: unknown, url: string) {
    this.methodInner = method;
    this.headerListInner = list;
    this.body = body;
    this.urlList = [() => url];
    this.urlListProcessed = [url];
  }
}

function fastRequest(
  method: string,
  url: string,
  fields: string[],
  body: ReadableStream<Uint8Array> | null,
  length: number,
): Request {
  const request = new RequestClass(BRAND as unknown as string);
  // Sized up front: push() would give even a one-field list room for 17. Values arrive
  // with trailing whitespace kept (as llhttp reports them); Headers stores them without.
  const list: [string, string][] = new Array(fields.length >> 1);
  for (let i = 0, j = 0; i < fields.length; i += 2, j++) {
    list[j] = [fields[i], trimOwsEnd(fields[i + 1])];
  }
  let innerBody = null;
  if (body !== null) {
    innerBody = new InnerBody!(body);
    if (length >= 0) innerBody.length = length;
  }
  const inner = new FastInner(method, list, innerBody, url);
  const slots = request as unknown as Fields;
  slots[INNER!] = inner;
  slots[GUARD!] = "request";
  return request;
}

function fastAbort(request: Request, reason: unknown): void {
  const fields = request as unknown as Fields;
  const signal = fields[SIGNAL_CACHE!];
  if (signal === undefined) {
    // Nobody looked at the signal yet: hand out one that is already aborted.
    fields[SIGNAL_CACHE!] = AbortSignal.abort(reason);
  } else if (signal instanceof AbortSignal) {
    (signal as unknown as Record<symbol, (reason: unknown) => void>)[SIGNAL_ABORT!](reason);
  }
}

fastEnabled = probe();

/**
 * Switches the internal route on or off (tests run both). Turning it on has no effect
 * when the load-time probe failed.
 *
 * @param enabled Whether to build requests the fast way.
 * @returns Whether the fast way is now in use.
 */
export function setFastRequest(enabled: boolean): boolean {
  fastEnabled = enabled && probe();
  return fastEnabled;
}

/**
 * Whether requests are built the fast way. Only that way can a GET or HEAD request carry
 * its body (the public constructor refuses one, as the Fetch standard says).
 *
 * @returns True on the fast route.
 */
export function fastRequestActive(): boolean {
  return fastEnabled;
}

/** A request plus the means to abort its signal (the public route's controller). */
export interface RequestHandle {
  request: Request;
  controller: AbortController | null;
}

/**
 * Builds the handler's Request. Throws a TypeError for what a Request cannot be (a
 * forbidden method such as TRACE, a URL the WHATWG parser refuses).
 *
 * @param method The request method.
 * @param url The absolute URL, serialized as the WHATWG URL parser does (see requestUrl).
 * @param fields Header fields, flat `[name, value, ...]`, already valid.
 * @param body The body stream, or null.
 * @param length The Content-Length, or -1.
 * @returns The request, and the controller of its signal on the public route.
 */
export function createRequest(
  method: string,
  url: string,
  fields: string[],
  body: ReadableStream<Uint8Array> | null,
  length: number,
): RequestHandle {
  if (fastEnabled && checkedMethod(method)) {
    return { request: fastRequest(method, url, fields, body, length), controller: null };
  }
  const controller = new AbortController();
  const init: RequestInit & { duplex?: string } = { method, signal: controller.signal };
  if (body !== null) {
    init.body = body;
    init.duplex = "half";
  }
  const request = new Request(url, init);
  const headers = request.headers;
  for (let i = 0; i < fields.length; i += 2) headers.append(fields[i], fields[i + 1]);
  return { request, controller };
}

/**
 * Aborts the request's signal with `reason` (now, or as soon as it is first read).
 *
 * @param request The request from {@linkcode createRequest}.
 * @param controller Its controller (public route), or null (fast route).
 * @param reason Why: client closed, timeout, shutdown, body limit.
 */
export function abortRequest(
  request: Request,
  controller: AbortController | null,
  reason: unknown,
): void {
  if (controller !== null) controller.abort(reason);
  else fastAbort(request, reason);
}

// The public constructor normalizes these methods' case and refuses CONNECT, TRACE and
// TRACK; the fast route leaves them to it.
const PLAIN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]);
const SPECIAL_METHODS = new Set([
  "connect",
  "trace",
  "track",
  "get",
  "head",
  "post",
  "put",
  "delete",
  "options",
  "patch",
]);

function checkedMethod(method: string): boolean {
  return PLAIN_METHODS.has(method) || !SPECIAL_METHODS.has(method.toLowerCase());
}

// URL serialization. The public constructor stores `new URL(input).href`; the fast route
// must store exactly that. The origin (scheme + Host) is normalized once through `new URL`
// and cached (a connection, and usually a whole server, sees one Host). A target is pasted
// as it is when it serializes to itself: path characters that the WHATWG parser neither
// escapes nor rewrites, no dot segment (no "/." at all), no "%" or "\\" in the path; the
// query without "'" (escaped in special-scheme queries) and other escaped characters.
// Anything else goes through `new URL`.
const PATH_SAFE = new Uint8Array(128);
const QUERY_SAFE = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&()*+,;=:@/") {
  PATH_SAFE[c.charCodeAt(0)] = 1;
  QUERY_SAFE[c.charCodeAt(0)] = 1;
}
PATH_SAFE[39] = 1; // ' is kept in paths
QUERY_SAFE[63] = 1; // ?
QUERY_SAFE[37] = 1; // %

const MAX_ORIGINS = 256;
const origins = new Map<string, string>();

// The last origin asked for: a connection (usually a whole server) sees one Host, and
// comparing the parser's cached Host string is cheaper than building the map key.
let lastScheme = "";
let lastHost = "";
let lastOrigin = "";
// The last Host that validHost accepted ("\0" is never a valid one).
let lastValidHost = "\0";

/** `scheme://host` normalized (lowercase host, default port dropped), or null if invalid. */
function originOf(scheme: string, host: string): string | null {
  if (host === lastHost && scheme === lastScheme) return lastOrigin;
  const key = scheme + "://" + host;
  let origin = origins.get(key);
  if (origin !== undefined) return remember(scheme, host, origin);
  try {
    const url = new URL(key + "/");
    if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "") {
      return null;
    }
    origin = url.origin;
  } catch {
    return null;
  }
  if (origins.size >= MAX_ORIGINS) origins.clear();
  origins.set(key, origin);
  return remember(scheme, host, origin);
}

function remember(scheme: string, host: string, origin: string): string {
  lastScheme = scheme;
  lastHost = host;
  lastOrigin = origin;
  return origin;
}

function selfSerializing(target: string): boolean {
  let query = false;
  let prev = 0;
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c >= 128) return false;
    if (query) {
      if (QUERY_SAFE[c] === 0) return false;
    } else if (c === 63) {
      query = true;
    } else {
      if (PATH_SAFE[c] === 0) return false;
      if (c === 46 && prev === 47) return false; // "/." may start a dot segment
    }
    prev = c;
  }
  return true;
}

/**
 * Whether a segment of the path, `text[start..end)`, is a dot segment as the WHATWG URL
 * parser reads one: `.` or `..`, each dot possibly written `%2e` or `%2E`.
 */
function dotSegment(text: string, start: number, end: number): boolean {
  let dots = 0;
  for (let i = start; i < end; dots++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) i++;
    else if (
      c === 37 /* % */ && text.charCodeAt(i + 1) === 50 /* 2 */ &&
      (text.charCodeAt(i + 2) | 0x20) === 101 /* e */ && i + 3 <= end
    ) {
      i += 3;
    } else {
      return false;
    }
  }
  return dots === 1 || dots === 2;
}

/**
 * Whether the WHATWG URL parser would give `target` a different path or query than the
 * one sent (what a proxy in front matched its rules against): a backslash in the path
 * (read as "/"), a dot segment (resolved: `/public/../admin` is `/admin`), or a "#"
 * (the rest is cut off as a fragment, which RFC 9112 §3.2 has no place for). Only the
 * slow path asks: a target that serializes to itself has none of these.
 *
 * @param target The request-target.
 * @param pathStart Where its path begins (after the authority of an absolute-form).
 * @returns True when the target would be rewritten.
 */
export function rewrittenTarget(target: string, pathStart: number): boolean {
  let segment = pathStart;
  let query = false;
  for (let i = pathStart; i <= target.length; i++) {
    const c = i < target.length ? target.charCodeAt(i) : 47;
    if (c === 35 /* # */) return true;
    if (query) continue;
    if (c === 92 /* \ */) return true;
    if (c === 47 /* / */ || c === 63 /* ? */) {
      if (i > segment && dotSegment(target, segment, i)) return true;
      segment = i + 1;
      if (c === 63) query = true;
    }
  }
  return false;
}

/**
 * The absolute URL of a request as the WHATWG URL parser serializes it: the target's own
 * for absolute-form (RFC 9112 §3.2.2), else `scheme://Host` + target. Null when no valid
 * URL results (a bad Host, a credentials part, a target in no known form) and, unless
 * `normalize`, when the parser would rewrite the target's path ({@linkcode rewrittenTarget}).
 *
 * @param scheme "http" or "https".
 * @param host The Host value (already checked for characters that could change the URL).
 * @param target The request-target.
 * @param normalize Serve rewritten targets, rewritten (`lenient.normalizePath`).
 * @returns The URL, or null.
 */
export function requestUrl(
  scheme: string,
  host: string,
  target: string,
  normalize = false,
): string | null {
  if (target.charCodeAt(0) === 47 /* / */) {
    const origin = originOf(scheme, host);
    if (origin === null) return null;
    if (selfSerializing(target)) return origin + target;
    if (!normalize && rewrittenTarget(target, 0)) return null;
    return parse(origin + target);
  }
  if (target === "*") {
    const origin = originOf(scheme, host);
    return origin === null ? null : origin + "/*";
  }
  const lower = target.slice(0, 8).toLowerCase();
  if (lower.startsWith("http://") || lower.startsWith("https://")) {
    if (!normalize) {
      // The path begins at the first "/" after "scheme://"; a backslash before it would
      // end the authority for the URL parser.
      const authority = target.indexOf("//") + 2;
      let path = authority;
      while (path < target.length) {
        const c = target.charCodeAt(path);
        if (c === 47 || c === 63 || c === 35 || c === 92) break;
        path++;
      }
      if (target.charCodeAt(path) === 92 || rewrittenTarget(target, path)) return null;
    }
    const href = parse(target);
    if (href === null) return null;
    const url = new URL(href);
    return url.username === "" && url.password === "" && url.host !== "" ? href : null;
  }
  return null;
}

function parse(text: string): string | null {
  try {
    return new URL(text).href;
  } catch {
    return null;
  }
}

// Host: reg-name / IP-literal / IPv4 plus ":" port (RFC 3986 §3.2.2). Anything else
// (notably "/", "?", "#", "@", "\") could change the URL the host is pasted into.
const HOST_CHARS = new Uint8Array(256);
for (
  const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:%[]"
) {
  HOST_CHARS[c.charCodeAt(0)] = 1;
}

/**
 * Whether a Host value holds only characters of a URI authority (so pasting it in front
 * of the target cannot change the URL's meaning).
 *
 * @param host The Host field value.
 * @returns True when it may be used.
 */
export function validHost(host: string): boolean {
  // The parser hands out the same string for a repeated Host: checked once.
  if (host === lastValidHost) return true;
  if (host.length === 0) return false;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c > 255 || HOST_CHARS[c] === 0) return false;
  }
  lastValidHost = host;
  return true;
}
