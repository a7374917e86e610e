/**
 * Loopback servers for the client tests: a raw TCP server that speaks hand-made bytes,
 * and a node:http server that counts TCP connections. Each closes everything it opened.
 *
 * @module
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { concat } from "../../../net/_bytes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes text as UTF-8. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A request as the raw server read it. */
export interface RawRequest {
  method: string;
  target: string;
  /** Lowercase name to value (last wins). */
  headers: Map<string, string>;
  /** Field lines in order, as sent. */
  lines: string[];
  body: Uint8Array;
  /** Whether the body came chunked. */
  chunked: boolean;
}

/** Reads HTTP/1.1 requests from one connection, keeping leftover bytes between them. */
export class RequestReader {
  #conn: Deno.Conn;
  #buf = new Uint8Array(0);
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async #more(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    let n: number | null;
    try {
      n = await this.#conn.read(chunk);
    } catch {
      return false;
    }
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  #indexOf(pattern: string, from = 0): number {
    const b = this.#buf;
    outer: for (let i = from; i <= b.length - pattern.length; i++) {
      for (let j = 0; j < pattern.length; j++) {
        if (b[i + j] !== pattern.charCodeAt(j)) continue outer;
      }
      return i;
    }
    return -1;
  }

  async #take(n: number): Promise<Uint8Array | null> {
    while (this.#buf.length < n) if (!(await this.#more())) return null;
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  async #line(): Promise<string | null> {
    let at: number;
    while ((at = this.#indexOf("\r\n")) === -1) if (!(await this.#more())) return null;
    const line = decoder.decode(this.#buf.subarray(0, at));
    this.#buf = this.#buf.slice(at + 2);
    return line;
  }

  /** The next request, or null when the peer closed first. */
  async read(): Promise<RawRequest | null> {
    const start = await this.#line();
    if (start === null) return null;
    const [method, target] = start.split(" ");
    const headers = new Map<string, string>();
    const lines: string[] = [];
    for (;;) {
      const line = await this.#line();
      if (line === null) return null;
      if (line === "") break;
      lines.push(line);
      const colon = line.indexOf(":");
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    let body: Uint8Array = new Uint8Array(0);
    const chunked = headers.get("transfer-encoding") === "chunked";
    if (chunked) {
      const parts: Uint8Array[] = [];
      for (;;) {
        const size = await this.#line();
        if (size === null) return null;
        const n = parseInt(size, 16);
        if (n === 0) {
          while ((await this.#line()) !== "") { /* trailers */ }
          break;
        }
        const part = await this.#take(n + 2);
        if (part === null) return null;
        parts.push(part.subarray(0, n));
      }
      body = concat(parts);
    } else if (headers.has("content-length")) {
      const got = await this.#take(Number(headers.get("content-length")));
      if (got === null) return null;
      body = got;
    }
    return { method, target, headers, lines, body, chunked };
  }
}

/** Writes text (latin1) to a connection, ignoring a peer that went away. */
export async function send(conn: Deno.Conn, text: string | Uint8Array): Promise<void> {
  const data = typeof text === "string" ? Uint8Array.from(text, (c) => c.charCodeAt(0)) : text;
  try {
    let n = 0;
    while (n < data.length) n += await conn.write(data.subarray(n));
  } catch {
    // The client closed: the test checks what it saw.
  }
}

/** A raw TCP server on 127.0.0.1:0 that runs `onConnection` for each accepted socket. */
export interface RawServer extends AsyncDisposable {
  port: number;
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Resolves when `n` connections have ended (the handler returned and the socket closed). */
  closed(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a raw TCP server. `onConnection(conn, index)` speaks the bytes; the socket is
 * closed when it returns.
 */
export function rawServer(
  onConnection: (conn: Deno.Conn, index: number) => Promise<void>,
): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const open = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let accepted = 0;
  let ended = 0;
  const endWaiters: { n: number; resolve: () => void }[] = [];
  const loop = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      const index = accepted++;
      open.add(conn);
      tasks.push((async () => {
        try {
          await onConnection(conn, index);
        } catch {
          // The client went away mid-exchange.
        } finally {
          open.delete(conn);
          try {
            conn.close();
          } catch { /* closed */ }
          ended++;
          for (const w of endWaiters) if (ended >= w.n) w.resolve();
        }
      })());
    }
  })();
  let closing: Promise<void> | undefined;
  const server: RawServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return accepted;
    },
    closed(n) {
      if (ended >= n) return Promise.resolve();
      return new Promise((resolve) => endWaiters.push({ n, resolve }));
    },
    close() {
      closing ??= (async () => {
        listener.close();
        await loop;
        for (const conn of open) {
          try {
            conn.close();
          } catch { /* closed */ }
        }
        await Promise.all(tasks);
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return server;
}

/** A node:http server that counts TCP connections. */
export interface NodeServer extends AsyncDisposable {
  port: number;
  url: string;
  readonly connections: number;
  /** Resolves when `n` sockets have closed. */
  socketsClosed(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1:0 with `handler`. */
export async function nodeServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown,
  options: { keepAliveTimeout?: number } = {},
): Promise<NodeServer> {
  const server = http.createServer(async (req, res) => {
    try {
      await handler(req, res);
    } catch {
      // The client went away mid-request (an abort test): nothing to answer.
      res.destroy();
    }
  });
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  let connections = 0;
  let socketsClosed = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  server.on("connection", (socket) => {
    connections++;
    socket.on("close", () => {
      socketsClosed++;
      for (const w of waiters) if (socketsClosed >= w.n) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const result: NodeServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    socketsClosed(n) {
      if (socketsClosed >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await result.socketsClosed(connections);
    },
    [Symbol.asyncDispose]() {
      return result.close();
    },
  };
  return result;
}

/** Reads a whole node:http request body. */
export async function readNodeBody(req: http.IncomingMessage): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of req) parts.push(part as Uint8Array);
  return concat(parts);
}

export { closedPort } from "../../net/_helpers.ts";
