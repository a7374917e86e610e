/**
 * The client's opening handshake (RFC 6455 §4.1): connect (TLS for wss:), send the
 * upgrade request, read the response with the HTTP `Parser` in response mode, and check
 * the 101: `Upgrade`, `Connection`, `Sec-WebSocket-Accept`, and that the subprotocol
 * and extensions are among those offered. One deadline covers all of it.
 *
 * @module
 */

import { connect } from "../../net/connect.ts";
import { rawConn } from "../../net/_raw_conn.ts";
import { writeAll } from "../../net/_write_all.ts";
import type { Duplex } from "../_codec/duplex.ts";
import { errorText } from "../_codec/error_text.ts";
import { writeLatin1 } from "../_codec/latin1.ts";
import { PARSE_ERROR, PARSE_NEED_MORE, PARSE_UPGRADE } from "../parse_event.ts";
import { Parser } from "../parser.ts";
import type { ClientConfig } from "./config.ts";
import type { DeflateParams } from "./deflate.ts";
import { acceptDeflateAnswer, deflateOffer } from "./extensions.ts";
import { acceptKey, hasToken, newKey, WEBSOCKET_VERSION } from "./handshake.ts";

/** A connection after a successful handshake. */
export interface ClientConnection {
  /** The socket. */
  duplex: Duplex;
  /** Bytes read behind the 101's head (the first frames). */
  head: Uint8Array;
  /** The subprotocol the server chose, or "". */
  protocol: string;
  /** The server's Sec-WebSocket-Extensions, or "". */
  extensions: string;
  /** permessage-deflate in force, or null. */
  deflate: DeflateParams | null;
}

/** A failed handshake; `message` says what happened. */
export class HandshakeError extends Error {
  /**
   * @param message What went wrong.
   * @param options The cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandshakeError";
  }
}

/** A Deno.Conn as a Duplex: raw resource ops when available; a second close is harmless. */
class ConnDuplex implements Duplex {
  readonly #conn: Deno.Conn;
  readonly #io: {
    read(b: Uint8Array): Promise<number | null>;
    write(b: Uint8Array): Promise<number>;
  };
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#io = rawConn(conn) ?? conn;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    return this.#io.read(buffer);
  }

  write(buffer: Uint8Array): Promise<number> {
    return this.#io.write(buffer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Closed by the peer already.
    }
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }
}

/**
 * Parses a WebSocket URL as the WHATWG constructor does: ws:, wss:, and http(s): turned
 * into ws(s):; no fragment.
 *
 * @param url The URL given.
 * @returns The URL.
 * @throws {DOMException} SyntaxError when it is not a WebSocket URL.
 */
export function webSocketUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DOMException(`Cannot open WebSocket: invalid URL ${String(url)}`, "SyntaxError");
  }
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new DOMException(
      `Cannot open WebSocket: the URL's scheme must be ws: or wss:, got ${parsed.protocol}`,
      "SyntaxError",
    );
  }
  if (parsed.hash !== "" || String(url).includes("#")) {
    throw new DOMException("Cannot open WebSocket: the URL has a fragment", "SyntaxError");
  }
  return parsed;
}

/**
 * The upgrade request's head.
 *
 * @param url Where to.
 * @param key The Sec-WebSocket-Key.
 * @param config Protocols and extra headers.
 * @param offer The Sec-WebSocket-Extensions offer, or "".
 * @returns The bytes.
 */
export function requestHead(
  url: URL,
  key: string,
  config: ClientConfig,
  offer: string,
): Uint8Array {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (!config.headers.has("host")) head += `Host: ${url.host}\r\n`;
  head += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  head += `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${WEBSOCKET_VERSION}\r\n`;
  if (config.protocols.length > 0) {
    head += `Sec-WebSocket-Protocol: ${config.protocols.join(", ")}\r\n`;
  }
  if (offer !== "") head += `Sec-WebSocket-Extensions: ${offer}\r\n`;
  for (const [name, value] of config.headers) head += `${name}: ${value}\r\n`;
  head += "\r\n";
  const bytes = new Uint8Array(head.length);
  writeLatin1(head, bytes, 0);
  return bytes;
}

/** A response's fields by lower-case name (repeated fields joined with ", "). */
function fieldMap(flat: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i].toLowerCase();
    const value = flat[i + 1].trim();
    const before = map.get(name);
    map.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return map;
}

/**
 * Checks a 101 against the request (RFC 6455 §4.1, the client's checks 1-6).
 *
 * @param parser The parser after PARSE_UPGRADE.
 * @param key The key sent.
 * @param config What was offered.
 * @returns What was agreed, or an error message.
 */
export function checkResponse(
  parser: Parser,
  key: string,
  config: ClientConfig,
): { protocol: string; extensions: string; deflate: DeflateParams | null } | string {
  if (parser.status !== 101) return `the server answered ${parser.status} ${parser.reason}`.trim();
  const fields = fieldMap(parser.headers);
  if (!hasToken(fields.get("upgrade") ?? null, "websocket")) {
    return "the 101 response's Upgrade is not websocket";
  }
  if (!hasToken(fields.get("connection") ?? null, "upgrade")) {
    return "the 101 response's Connection does not list Upgrade";
  }
  if (fields.get("sec-websocket-accept") !== acceptKey(key)) {
    return "the 101 response's Sec-WebSocket-Accept does not match the key";
  }
  const protocol = fields.get("sec-websocket-protocol") ?? "";
  if (protocol !== "" && !config.protocols.includes(protocol)) {
    return `the server chose subprotocol "${protocol}", which was not offered`;
  }
  const extensions = fields.get("sec-websocket-extensions") ?? null;
  const deflate = acceptDeflateAnswer(extensions, config.deflate);
  if (typeof deflate === "string") return deflate;
  return { protocol, extensions: extensions ?? "", deflate };
}

/**
 * Connects and performs the opening handshake.
 *
 * @param url A ws: or wss: URL.
 * @param config The client's settings.
 * @returns The open connection.
 * @throws {HandshakeError} When the connection or the handshake fails (or times out, or
 *   `config.signal` aborts).
 */
export async function openConnection(url: URL, config: ClientConfig): Promise<ClientConnection> {
  const controller = new AbortController();
  const timeout = config.handshakeTimeout;
  const timer = timeout > 0 && timeout !== Infinity
    ? setTimeout(
      () => controller.abort(new HandshakeError(`timed out after ${timeout} ms`)),
      timeout,
    )
    : undefined;
  const signal = config.signal;
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });
  let duplex: Duplex | null = null;
  const onDeadline = () => duplex?.close();
  controller.signal.addEventListener("abort", onDeadline, { once: true });
  try {
    if (config.connect !== undefined) {
      // A stream the caller opens (e.g. injectConnection): the same handshake over it.
      duplex = await config.connect(url, controller.signal);
    } else {
      const secure = url.protocol === "wss:";
      const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
      const conn = await connect({
        hostname,
        port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
        tls: secure,
        caCerts: secure ? config.caCerts : undefined,
        timeout: 0,
        signal: controller.signal,
      });
      duplex = new ConnDuplex(conn);
    }
    if (controller.signal.aborted) throw controller.signal.reason;
    const key = newKey();
    const offer = config.deflate === null ? "" : deflateOffer(config.deflate);
    await writeAll(duplex, requestHead(url, key, config, offer));
    const parser = new Parser({ mode: "response" });
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await duplex.read(buf);
      if (controller.signal.aborted) throw controller.signal.reason;
      if (n === null || n === 0) throw new HandshakeError("the server closed the connection");
      const event = parser.execute(buf, 0, n);
      if (event === PARSE_NEED_MORE) continue;
      if (event === PARSE_ERROR) {
        throw new HandshakeError(`invalid response: ${parser.error?.message ?? "unknown"}`);
      }
      const agreed = checkResponse(parser, key, config);
      if (typeof agreed === "string") throw new HandshakeError(agreed);
      if (event !== PARSE_UPGRADE) throw new HandshakeError("the 101 response was not an upgrade");
      return { duplex, head: buf.slice(parser.offset, n), ...agreed };
    }
  } catch (error) {
    duplex?.close();
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof HandshakeError) {
      throw new HandshakeError(`Cannot open WebSocket to ${url.href}: ${reason.message}`, {
        cause: reason.cause,
      });
    }
    throw new HandshakeError(`Cannot open WebSocket to ${url.href}: ${errorText(reason)}`, {
      cause: reason,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    controller.signal.removeEventListener("abort", onDeadline);
  }
}
