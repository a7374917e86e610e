// Test helpers for the server: a server on 127.0.0.1:0 that always shuts down, and raw
// exchanges over Deno.connect that read until the server closes (or a bound).

import { serve } from "../http/serve.ts";
import type { ServeOptions } from "../http/server_options.ts";
import type { Server } from "../http/server.ts";
import type { Handler } from "../http/handler.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../http/parse_event.ts";
import { Parser } from "../http/parser.ts";
import { bytesOf, textOf } from "./_assert.ts";

/** Default bound on any wait in these helpers. */
export const TEST_TIMEOUT = 5_000;

/**
 * Serves `handler` on 127.0.0.1 with a free port, runs `fn`, and always shuts the server
 * down (aborting whatever still runs), so the sanitizers see no leaked sockets.
 */
export async function withServer(
  handler: Handler,
  options: ServeOptions,
  fn: (server: Server, addr: Deno.NetAddr) => Promise<void>,
): Promise<void> {
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {}, ...options });
  try {
    await fn(server, server.addr as Deno.NetAddr);
  } finally {
    await server.shutdown({ deadline: 0 });
  }
}

/** What a raw exchange read back. */
export interface RawResult {
  /** Every byte read. */
  bytes: Uint8Array;
  /** The bytes as latin1 text. */
  text: string;
  /** Whether the server closed the connection (as opposed to a bound being reached). */
  closed: boolean;
}

/** Options for {@linkcode rawExchange}. */
export interface RawOptions {
  /** Stop reading after this long (the result then has `closed: false`). */
  timeout?: number;
  /** Stop once the text read so far satisfies this. */
  until?: (text: string) => boolean;
  /** Stop after this many bytes. */
  maxBytes?: number;
  /** Write the request in pieces, waiting for this promise-returning hook between them. */
  pieces?: (string | Uint8Array)[];
  /** Shut the write side after sending. */
  closeWrite?: boolean;
}

/**
 * Connects to `addr`, writes `request` (a latin1 string or bytes), and reads until the
 * server closes the connection, `until` is satisfied, `maxBytes` are read, or `timeout`
 * passes. The connection is always closed.
 */
export async function rawExchange(
  addr: Deno.NetAddr,
  request: string | Uint8Array,
  options: RawOptions = {},
): Promise<RawResult> {
  const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
  try {
    const pieces = options.pieces ?? [request];
    for (const piece of pieces) {
      const bytes = typeof piece === "string" ? bytesOf(piece) : piece;
      let n = 0;
      while (n < bytes.length) n += await conn.write(bytes.subarray(n));
    }
    if (options.closeWrite) await conn.closeWrite();
    return await readAll(conn, options);
  } finally {
    try {
      conn.close();
    } catch {
      // closed already
    }
  }
}

/** Reads from `conn` under the bounds of `options` (see {@linkcode rawExchange}). */
export async function readAll(conn: Deno.Conn, options: RawOptions = {}): Promise<RawResult> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let text = "";
  let closed = false;
  const timeout = options.timeout ?? TEST_TIMEOUT;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<-1>((resolve) => {
    timer = setTimeout(() => resolve(-1), timeout);
  });
  try {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      if (options.until?.(text)) break;
      if (options.maxBytes !== undefined && total >= options.maxBytes) break;
      const read = conn.read(buf);
      // A read left pending when the bound wins is rejected by close(): not unhandled.
      read.catch(() => {});
      let n: number | null | -1;
      try {
        n = await Promise.race([read, expired]);
      } catch (error) {
        if (error instanceof Deno.errors.ConnectionReset) {
          closed = true;
          break;
        }
        throw error;
      }
      if (n === -1) break;
      if (n === null) {
        closed = true;
        break;
      }
      const chunk = buf.slice(0, n);
      chunks.push(chunk);
      total += n;
      text += textOf(chunk);
    }
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { bytes, text, closed };
}

/** A response read back from raw bytes. */
export interface RawResponse {
  status: number;
  reason: string;
  /** Header fields in order, names lowercased. */
  headers: [string, string][];
  /** The first value of a header (name lowercase), or undefined. */
  header(name: string): string | undefined;
  body: string;
  chunked: boolean;
  trailers: [string, string][];
}

/**
 * Parses raw server output into responses (1xx included), with Wire's parser in
 * response mode. `methods` lists the request methods in order so that responses to HEAD
 * are read without a body. Throws on malformed output.
 */
export function parseResponses(bytes: Uint8Array | string, methods: string[] = []): RawResponse[] {
  const data = typeof bytes === "string" ? bytesOf(bytes) : bytes;
  const parser = new Parser({ mode: "response" });
  const out: RawResponse[] = [];
  let pos = 0;
  let final = 0;
  let current: RawResponse | null = null;
  let ended = false;
  if (methods[0] === "HEAD") parser.expectNoBody();
  for (;;) {
    let event = parser.execute(data, pos, data.length);
    pos = parser.offset;
    if (event === PARSE_NEED_MORE) {
      if (ended) break;
      ended = true;
      event = parser.finish();
      if (event === PARSE_NEED_MORE) break;
    }
    if (event === PARSE_ERROR) throw parser.error;
    if (event === PARSE_HEAD || event === PARSE_UPGRADE) {
      const headers: [string, string][] = [];
      for (let i = 0; i < parser.headers.length; i += 2) {
        headers.push([parser.headers[i].toLowerCase(), parser.headers[i + 1]]);
      }
      current = {
        status: parser.status,
        reason: parser.reason,
        headers,
        header: (name: string) => headers.find(([n]) => n === name)?.[1],
        body: "",
        chunked: parser.chunked,
        trailers: [],
      };
    } else if (event === PARSE_BODY) {
      current!.body += textOf(data.subarray(parser.bodyStart, parser.bodyEnd));
    } else if (event === PARSE_END) {
      const done = current!;
      for (let i = 0; i < parser.trailers.length; i += 2) {
        done.trailers.push([parser.trailers[i].toLowerCase(), parser.trailers[i + 1]]);
      }
      out.push(done);
      if (done.status >= 200) {
        final++;
        if (methods[final] === "HEAD") parser.expectNoBody();
      }
      if (ended) break;
    }
  }
  return out;
}
