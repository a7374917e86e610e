// Raw-socket HTTP/1.1 plumbing for the reliability tests: request encoding (Content-Length
// or chunked with random chunk sizes) and a strict response reader built on Wire's Parser in
// response mode. Fault clients use these to do what a well-behaved client never would.

import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../../http/parse_event.ts";
import { Parser } from "../../http/parser.ts";
import { writeAll } from "../../net/_write_all.ts";
import { pick } from "./_fd.ts";
import { concat } from "../../net/_bytes.ts";

const encoder = new TextEncoder();

/** Opens a TCP connection to 127.0.0.1:`port`. */
export function connectLocal(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

/** Closes `conn`, ignoring "already closed". */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** What {@linkcode encodeRequest} builds. */
export interface RequestSpec {
  method?: string;
  path?: string;
  headers?: [string, string][];
  body?: Uint8Array;
  /** Send the body chunked (random chunk sizes from `random`) instead of with Content-Length. */
  chunked?: boolean;
  /** Add `Connection: close`. */
  close?: boolean;
  random?: () => number;
}

/** The bytes of one HTTP/1.1 request (Host: 127.0.0.1). */
export function encodeRequest(spec: RequestSpec): Uint8Array {
  const method = spec.method ?? "GET";
  const body = spec.body;
  let head = `${method} ${spec.path ?? "/"} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  for (const [name, value] of spec.headers ?? []) head += `${name}: ${value}\r\n`;
  if (spec.close) head += "Connection: close\r\n";
  if (body === undefined) return encoder.encode(head + "\r\n");
  if (!spec.chunked) {
    head += `Content-Length: ${body.length}\r\n\r\n`;
    return concat([encoder.encode(head), body]);
  }
  head += "Transfer-Encoding: chunked\r\n\r\n";
  const parts: Uint8Array[] = [encoder.encode(head)];
  const random = spec.random ?? Math.random;
  let offset = 0;
  while (offset < body.length) {
    // Chunk sizes from 1 byte to 64 KiB, skewed small, so chunk boundaries land everywhere.
    const max = random() < 0.5 ? 64 : 65536;
    const size = Math.min(body.length - offset, 1 + pick(random, max));
    parts.push(encoder.encode(`${size.toString(16)}\r\n`));
    parts.push(body.subarray(offset, offset + size));
    parts.push(encoder.encode("\r\n"));
    offset += size;
  }
  parts.push(encoder.encode("0\r\n\r\n"));
  return concat(parts);
}

/** Writes all of `bytes` to `conn`. */
export function send(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  return writeAll(conn, bytes);
}

/** A response as read off the wire. */
export interface RawResponse {
  status: number;
  reason: string;
  version: string;
  /** Header fields as received, names lower-cased. */
  headers: [string, string][];
  body: Uint8Array;
  keepAlive: boolean;
  /** Number of 1xx interim responses skipped before this one. */
  interim: number;
}

/** The first value of header `name` (lower case) in `response`, or undefined. */
export function header(response: RawResponse, name: string): string | undefined {
  for (const [key, value] of response.headers) if (key === name) return value;
  return undefined;
}

/**
 * Reads responses one after another from a connection with Wire's Parser in response mode.
 * Throws when a response is malformed or cut short; returns null on a clean close between
 * responses.
 */
export class ResponseReader {
  #conn: Deno.Conn;
  #parser = new Parser({ mode: "response" });
  #buf: Uint8Array;
  #pos = 0;
  #end = 0;
  #eof = false;
  #needMore = true;
  /** Bytes read from the connection so far. */
  bytesRead = 0;

  constructor(conn: Deno.Conn, bufferSize = 64 * 1024) {
    this.#conn = conn;
    this.#buf = new Uint8Array(bufferSize);
  }

  /** Whether the peer has closed its side. */
  get eof(): boolean {
    return this.#eof;
  }

  /**
   * The next response; `head: true` when it answers a HEAD request (no body is read).
   * `discardBody` drops body bytes instead of keeping them (counting them in the result's
   * `body.length` is then 0).
   */
  async next(options: { head?: boolean; discardBody?: boolean } = {}): Promise<RawResponse | null> {
    const parser = this.#parser;
    if (options.head) parser.expectNoBody();
    let current: RawResponse | null = null;
    let parts: Uint8Array[] = [];
    let interim = 0;
    for (;;) {
      // Read only once the parser has asked for more: it may still owe an event (END after
      // the last body bytes) with no bytes left to feed.
      if (this.#needMore) {
        if (this.#eof) throw new Error("Cannot read a response: the connection is already closed");
        const n = await this.#conn.read(this.#buf);
        if (n === null) {
          this.#eof = true;
          const event = parser.finish();
          if (event === PARSE_END && current !== null) {
            current.body = concat(parts);
            return current;
          }
          if (event === PARSE_NEED_MORE && current === null && interim === 0) return null;
          if (event === PARSE_ERROR) throw parser.error!;
          throw new Error("Cannot read a response: the connection closed in the middle of it");
        }
        this.bytesRead += n;
        this.#pos = 0;
        this.#end = n;
        this.#needMore = false;
        continue;
      }
      const event = parser.execute(this.#buf, this.#pos, this.#end);
      this.#pos = parser.offset;
      switch (event) {
        case PARSE_NEED_MORE:
          this.#pos = this.#end;
          this.#needMore = true;
          break;
        case PARSE_HEAD: {
          const headers: [string, string][] = [];
          const flat = parser.headers;
          for (let i = 0; i < flat.length; i += 2) {
            headers.push([flat[i].toLowerCase(), flat[i + 1]]);
          }
          current = {
            status: parser.status,
            reason: parser.reason,
            version: `${parser.versionMajor}.${parser.versionMinor}`,
            headers,
            body: new Uint8Array(0),
            keepAlive: parser.keepAlive,
            interim,
          };
          parts = [];
          break;
        }
        case PARSE_BODY:
          if (!options.discardBody) parts.push(this.#buf.slice(parser.bodyStart, parser.bodyEnd));
          break;
        case PARSE_END: {
          if (current === null) throw new Error("Parser ended a response it never started");
          if (current.status < 200) {
            interim++;
            current = null;
            break;
          }
          current.body = concat(parts);
          current.keepAlive = parser.keepAlive;
          return current;
        }
        case PARSE_ERROR:
          throw parser.error!;
        case PARSE_UPGRADE:
          throw new Error(`Unexpected upgrade response ${parser.status}`);
      }
    }
  }

  /** Reads until the peer closes; returns how many bytes arrived after the last response. */
  async drainToEof(): Promise<number> {
    let extra = this.#end - this.#pos;
    this.#pos = this.#end;
    while (!this.#eof) {
      const n = await this.#conn.read(this.#buf);
      if (n === null) this.#eof = true;
      else extra += n;
    }
    return extra;
  }
}

/** Reads from `conn` until EOF or until `limit` bytes; returns what arrived. */
export async function readToEof(conn: Deno.Conn, limit = 16 * 1024 * 1024): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(16 * 1024);
  let total = 0;
  while (total < limit) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch (error) {
      // A reset after the server's last byte is a close too (the server aborted the socket).
      if (error instanceof Deno.errors.ConnectionReset) break;
      throw error;
    }
    if (n === null) break;
    parts.push(buf.slice(0, n));
    total += n;
  }
  return concat(parts);
}
