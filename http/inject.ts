import type { Handler, HandlerObject } from "./handler.ts";
import { Connection } from "./_server/connection.ts";
import { MemoryTransport } from "./_server/memory_transport.ts";
import { Clock } from "./_server/clock.ts";
import type { ConnectionOptions } from "./server_options.ts";
import { resolveConfig } from "./_server/config.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "./parse_event.ts";
import { Parser } from "./parser.ts";
import { concat } from "../net/_bytes.ts";
import { numberOption, POSITIVE_INTEGER } from "./_codec/options.ts";
import { memoryPipe } from "./_codec/memory_pipe.ts";

/**
 * Options for {@linkcode inject}: the server's limits and hooks plus how to feed the input.
 *
 * @example Feed the input one byte at a time
 * ```ts
 * import { inject, type InjectOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const options: InjectOptions = { chunkSize: 1 };
 * const { response } = await inject(() => new Response("ok"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", options);
 * assert.equal(await response.text(), "ok");
 * ```
 */
export interface InjectOptions extends ConnectionOptions {
  /**
   * The peer address the handler sees in `info.remoteAddr`.
   *
   * @default {{ transport: "tcp", hostname: "127.0.0.1", port: 40000 }}
   */
  remoteAddr?: Deno.Addr;
  /**
   * Feed the input in pieces of this many bytes (1 exercises byte-at-a-time parsing).
   *
   * @default {Infinity}
   */
  chunkSize?: number;
  /**
   * Build `https:` request URLs, as a TLS server does.
   *
   * @default {false}
   */
  secure?: boolean;
  /**
   * Cuts the exchange short when aborted (the connection is closed, `inject` rejects).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * What {@linkcode inject} returns.
 *
 * @example Read the raw bytes and the parsed response
 * ```ts
 * import { inject, type InjectResult } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const result: InjectResult = await inject(() => new Response("hi"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
 * assert.ok(new TextDecoder().decode(result.bytes).startsWith("HTTP/1.1 200 OK\r\n"));
 * assert.equal(result.responses.length, 1);
 * assert.deepEqual(result.interim, []);
 * ```
 */
export interface InjectResult {
  /** Every byte the server wrote, in order. */
  bytes: Uint8Array;
  /** The first final (non-1xx) response, parsed back into a Web Response. */
  response: Response;
  /** Every final response, in order (pipelined input gets several). */
  responses: Response[];
  /** Status codes of the interim (1xx) responses, e.g. `[100]` after `Expect: 100-continue`. */
  interim: number[];
}

/**
 * The remote address `inject` reports by default.
 *
 * @example The handler sees it as `info.remoteAddr`
 * ```ts
 * import { DEFAULT_INJECT_REMOTE_ADDR, inject } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const { response } = await inject(
 *   (_request, info) => new Response((info.remoteAddr as Deno.NetAddr).hostname),
 *   "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
 * );
 * assert.equal(await response.text(), DEFAULT_INJECT_REMOTE_ADDR.hostname);
 * ```
 */
export const DEFAULT_INJECT_REMOTE_ADDR: Deno.NetAddr = Object.freeze({
  transport: "tcp",
  hostname: "127.0.0.1",
  port: 40000,
});

/** Serializes a Web Request as HTTP/1.1 bytes (Content-Length framing for a body). */
async function requestBytes(request: Request): Promise<Uint8Array> {
  const url = new URL(request.url);
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (!request.headers.has("host")) head += `host: ${url.host}\r\n`;
  let body: Uint8Array | null = null;
  if (request.body !== null) body = new Uint8Array(await request.arrayBuffer());
  for (const [name, value] of request.headers) {
    if (body !== null && (name === "content-length" || name === "transfer-encoding")) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (body !== null) head += `content-length: ${body.length}\r\n`;
  head += "\r\n";
  const headBytes = Uint8Array.from(head, (c) => c.charCodeAt(0) & 0xff);
  return body === null ? headBytes : concat([headBytes, body]);
}

/** The request methods in `input`, in order, so HEAD responses are parsed without a body. */
function requestMethods(input: Uint8Array): string[] {
  const parser = new Parser({ mode: "request", upgrade: false });
  const methods: string[] = [];
  let pos = 0;
  for (;;) {
    const event = parser.execute(input, pos, input.length);
    pos = parser.offset;
    if (event === PARSE_HEAD) methods.push(parser.method);
    else if (event === PARSE_NEED_MORE || event === PARSE_ERROR || event === PARSE_UPGRADE) break;
  }
  return methods;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function parseResponses(
  bytes: Uint8Array,
  methods: string[],
): { responses: Response[]; interim: number[] } {
  const parser = new Parser({ mode: "response" });
  const responses: Response[] = [];
  const interim: number[] = [];
  let pos = 0;
  let index = 0;
  let parts: Uint8Array[] = [];
  let headers: string[] = [];
  let status = 0;
  let reason = "";
  let ended = false;
  const complete = () => {
    if (status < 200) {
      interim.push(status);
      return;
    }
    const init: ResponseInit = { status, statusText: reason, headers: pairs(headers) };
    const body = NULL_BODY_STATUSES.has(status) ? null : concat(parts);
    responses.push(new Response(body as BodyInit | null, init));
    index++;
  };
  if (methods[0] === "HEAD") parser.expectNoBody();
  for (;;) {
    let event = parser.execute(bytes, pos, bytes.length);
    pos = parser.offset;
    if (event === PARSE_NEED_MORE) {
      if (ended) break;
      ended = true;
      event = parser.finish();
      if (event !== PARSE_END) {
        if (event === PARSE_ERROR) throw parser.error;
        break;
      }
    }
    if (event === PARSE_HEAD || event === PARSE_UPGRADE) {
      status = parser.status;
      reason = parser.reason;
      headers = parser.headers;
      parts = [];
    } else if (event === PARSE_BODY) {
      parts.push(bytes.slice(parser.bodyStart, parser.bodyEnd));
    } else if (event === PARSE_END) {
      complete();
      if (status >= 200 && methods[index] === "HEAD") parser.expectNoBody();
      if (ended) break;
    } else if (event === PARSE_ERROR) {
      throw parser.error;
    }
  }
  return { responses, interim };
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/**
 * Runs `handler` on raw request bytes (or a Web Request) in memory, through the same
 * parser, connection state machine and response encoder as {@linkcode serve}, and
 * returns the bytes the server wrote plus the parsed responses. Chunking, HEAD, 204/304,
 * 100-continue, pipelining, keep-alive and every limit are testable without a port.
 *
 * The input is one client's side of a connection: after it is used up, the connection
 * sees end of stream once it has answered everything it received (or at once when a
 * message is cut short, as when a client disconnects).
 *
 * @param handler The handler under test.
 * @param input Raw request bytes (latin1 when a string), or a Request to serialize.
 * @param options Limits, hooks, remote address, input chunk size.
 * @returns The written bytes and the parsed responses.
 * @throws {TypeError} When the server wrote no complete response (see `injectBytes`).
 *
 * @example Pipelined requests answered in order
 * ```ts
 * import { inject } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const handler = (request: Request) => new Response(new URL(request.url).pathname);
 * const result = await inject(
 *   handler,
 *   "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
 * );
 * assert.deepEqual(await Promise.all(result.responses.map((r) => r.text())), ["/a", "/b"]);
 * assert.equal(result.response.headers.get("content-length"), "2");
 * ```
 *
 * @example A Request in
 * ```ts
 * import { inject } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const echo = async (request: Request) => new Response(await request.text());
 * const { response } = await inject(
 *   echo,
 *   new Request("http://example.test/", { method: "POST", body: "ping" }),
 * );
 * assert.equal(await response.text(), "ping");
 * ```
 */
export async function inject(
  handler: Handler | HandlerObject,
  input: Uint8Array | string | Request,
  options: InjectOptions = {},
): Promise<InjectResult> {
  const bytes = input instanceof Request
    ? await requestBytes(input)
    : typeof input === "string"
    ? Uint8Array.from(input, (c) => c.charCodeAt(0) & 0xff)
    : input;
  const written = await injectBytes(handler, bytes, options);
  const { responses, interim } = parseResponses(written, requestMethods(bytes));
  if (responses.length === 0) {
    throw new TypeError(
      `Cannot read a response: the server wrote ${written.length} bytes and no complete response`,
    );
  }
  return { bytes: written, response: responses[0], responses, interim };
}

/**
 * Like {@linkcode inject}, but returns only the raw bytes the server wrote (possibly
 * none, when it closed without answering).
 *
 * @param handler The handler under test.
 * @param input Raw request bytes.
 * @param options Limits, hooks, remote address, input chunk size.
 * @returns Everything the server wrote before closing.
 *
 * @example A truncated head is closed without an answer
 * ```ts
 * import { injectBytes } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const bytes = await injectBytes(() => new Response("x"), new TextEncoder().encode("GET / HT"));
 * assert.equal(bytes.length, 0);
 * ```
 */
export async function injectBytes(
  handler: Handler | HandlerObject,
  input: Uint8Array,
  options: InjectOptions = {},
): Promise<Uint8Array> {
  const chunkSize = numberOption(
    "inject",
    "chunkSize",
    options.chunkSize,
    Infinity,
    POSITIVE_INTEGER,
  );
  const config = resolveConfig(handler, options, options.secure ? "https" : "http", "localhost");
  const transport = new MemoryTransport(input, chunkSize);
  const clock = new Clock(
    Clock.intervalFor(
      config.headersTimeout,
      config.requestTimeout,
      config.keepAliveTimeout,
      config.sendTimeout,
    ),
  );
  const connection = new Connection(
    transport,
    options.remoteAddr ?? DEFAULT_INJECT_REMOTE_ADDR,
    config,
    clock,
  );
  transport.connection = connection;
  connection.onIdle = () => transport.idle();
  const signal = options.signal;
  signal?.throwIfAborted();
  const onAbort = () => connection.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await connection.run();
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  signal?.throwIfAborted();
  return concat(transport.written);
}

/**
 * A live connection to `handler` in memory: the returned stream is the client's end of
 * a socket whose other end Wire's server connection serves (the real parser, state
 * machine, encoder, timeouts and upgrades), with no port. Write requests, read
 * responses; an upgraded connection (`upgrade()`, `upgradeWebSocket()`) goes on over the
 * same stream, so a WebSocket or any other protocol can be tested in memory.
 * `finished` resolves when the server side has closed; `close()` ends the connection.
 *
 * @param handler The handler under test.
 * @param options Limits, hooks and the remote address, as for {@linkcode inject}.
 * @returns The client's end of the connection.
 *
 * @example Two requests on one kept-alive connection
 * ```ts
 * import { injectConnection } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const conn = injectConnection(() => new Response("hi"));
 * await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
 * const buffer = new Uint8Array(1024);
 * const n = await conn.read(buffer);
 * assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 200 OK/);
 * conn.close();
 * await conn.finished;
 * ```
 */
export function injectConnection(
  handler: Handler | HandlerObject,
  options: Omit<InjectOptions, "chunkSize"> = {},
): InjectedConnection {
  const config = resolveConfig(handler, options, options.secure ? "https" : "http", "localhost");
  const [client, server] = memoryPipe();
  const clock = new Clock(
    Clock.intervalFor(
      config.headersTimeout,
      config.requestTimeout,
      config.keepAliveTimeout,
      config.sendTimeout,
    ),
  );
  const connection = new Connection(
    server,
    options.remoteAddr ?? DEFAULT_INJECT_REMOTE_ADDR,
    config,
    clock,
  );
  const signal = options.signal;
  signal?.throwIfAborted();
  const onAbort = () => connection.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const finished = connection.run().finally(() => {
    signal?.removeEventListener("abort", onAbort);
  });
  return {
    read: (buffer) => client.read(buffer),
    write: (buffer) => client.write(buffer),
    closeWrite: () => client.closeWrite!(),
    close: () => client.close(),
    finished,
  };
}

/**
 * The client's end of a connection made by {@linkcode injectConnection}.
 *
 * @example Read until the server closes
 * ```ts ignore
 * import type { InjectedConnection } from "@wire/http";
 *
 * async function readAll(conn: InjectedConnection): Promise<number> {
 *   const buffer = new Uint8Array(4096);
 *   let total = 0;
 *   for (let n; (n = await conn.read(buffer)) !== null && n > 0;) total += n;
 *   return total;
 * }
 * ```
 */
export interface InjectedConnection {
  /** Reads what the server wrote; resolves the count, or null once the server closed. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Sends bytes to the server; resolves how many were taken. */
  write(buffer: Uint8Array): Promise<number>;
  /** Ends the client's sending side (a TCP half-close). */
  closeWrite(): Promise<void>;
  /** Closes the connection. */
  close(): void;
  /** Resolves once the server side of the connection has closed. */
  readonly finished: Promise<void>;
}
