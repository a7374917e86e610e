/**
 * The client's opening handshake (RFC 6455 §4.1) and permessage-deflate negotiation
 * (RFC 7692 §7.1), checking the server's answer as strictly as a browser would.
 *
 * @module
 */
import { encodeBase64 } from "./_base64.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_HEAD_BYTES = 16 * 1024;

/** One extension element: its name and parameters (value `true` when bare). */
export interface ExtensionElement {
  name: string;
  params: Map<string, string | true>;
}

/** Negotiated permessage-deflate parameters, from the client's point of view. */
export interface DeflateParams {
  /** The server may reference earlier messages (no `server_no_context_takeover`). */
  serverContext: boolean;
  serverWindowBits: number;
  /** The client will reference earlier messages. */
  clientContext: boolean;
  clientWindowBits: number;
  /** The response header, for reports. */
  response: string;
}

/** The handshake's outcome: leftover bytes already read past the head, and the extension. */
export interface Handshake {
  leftover: Uint8Array;
  deflate: DeflateParams | null;
}

/** A handshake the client rejects; the case fails with this message. */
export class HandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HandshakeError";
  }
}

/** Parses a Sec-WebSocket-Extensions value (RFC 6455 §9.1) into elements. */
export function parseExtensions(value: string): ExtensionElement[] {
  const out: ExtensionElement[] = [];
  for (const element of value.split(",")) {
    const [name, ...params] = element.split(";").map((s) => s.trim());
    if (name === "") throw new HandshakeError(`Empty extension element in "${value}"`);
    const map = new Map<string, string | true>();
    for (const param of params) {
      const eq = param.indexOf("=");
      const key = (eq < 0 ? param : param.slice(0, eq)).trim();
      let val: string | true = eq < 0 ? true : param.slice(eq + 1).trim();
      if (typeof val === "string" && val.startsWith('"') && val.endsWith('"')) {
        val = val.slice(1, -1);
      }
      if (map.has(key)) throw new HandshakeError(`Parameter ${key} repeated in "${element}"`);
      map.set(key, val);
    }
    out.push({ name, params: map });
  }
  return out;
}

function windowBits(value: string | true | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (value === true || !/^[1-9][0-9]?$/.test(value) || +value < 8 || +value > 15) {
    throw new HandshakeError(`Invalid ${name} value ${value}`);
  }
  return +value;
}

const DEFLATE_PARAMS = new Set([
  "server_no_context_takeover",
  "client_no_context_takeover",
  "server_max_window_bits",
  "client_max_window_bits",
]);

/**
 * Checks the server's permessage-deflate response against the offers made (RFC 7692
 * §7.1: it must answer one of them) and returns what both sides will use.
 */
export function negotiateDeflate(offers: string[], response: string): DeflateParams {
  const elements = parseExtensions(response);
  if (elements.length !== 1 || elements[0].name !== "permessage-deflate") {
    throw new HandshakeError(`Server accepted extensions the client did not offer: ${response}`);
  }
  const got = elements[0].params;
  for (const [key, value] of got) {
    if (!DEFLATE_PARAMS.has(key)) throw new HandshakeError(`Unknown parameter ${key}`);
    if (key.endsWith("context_takeover") && value !== true) {
      throw new HandshakeError(`Parameter ${key} must have no value`);
    }
  }
  const serverBits = windowBits(got.get("server_max_window_bits"), "server_max_window_bits");
  const clientBits = windowBits(got.get("client_max_window_bits"), "client_max_window_bits");
  for (const offer of offers.flatMap((o) => parseExtensions(o))) {
    const p = offer.params;
    if (p.has("server_no_context_takeover") && !got.has("server_no_context_takeover")) continue;
    const offeredServerBits = p.get("server_max_window_bits");
    if (typeof offeredServerBits === "string") {
      if (serverBits === undefined || serverBits > +offeredServerBits) continue;
    }
    const offeredClientBits = p.get("client_max_window_bits");
    if (clientBits !== undefined) {
      if (offeredClientBits === undefined) continue;
      if (typeof offeredClientBits === "string" && clientBits > +offeredClientBits) continue;
    }
    // RFC 7692 §7.1.1.2: an offered client_no_context_takeover is the client's promise.
    const clientContext = !got.has("client_no_context_takeover") &&
      !p.has("client_no_context_takeover");
    const hint = typeof offeredClientBits === "string" ? +offeredClientBits : 15;
    return {
      serverContext: !got.has("server_no_context_takeover"),
      serverWindowBits: serverBits ?? 15,
      clientContext,
      clientWindowBits: Math.min(clientBits ?? 15, hint),
      response,
    };
  }
  throw new HandshakeError(`Response "${response}" answers none of the offers ${offers}`);
}

/** Sends the upgrade request on `conn` and reads and checks the 101 response. */
export async function handshake(
  conn: Deno.Conn,
  url: URL,
  offers: string[],
  signal: AbortSignal,
): Promise<Handshake> {
  const key = encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
  ];
  if (offers.length > 0) lines.push(`Sec-WebSocket-Extensions: ${offers.join(", ")}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));

  let buf = new Uint8Array(0);
  let end = -1;
  const chunk = new Uint8Array(4096);
  while (end < 0) {
    if (signal.aborted) throw new HandshakeError("No handshake response in time");
    const n = await conn.read(chunk);
    if (n === null) throw new HandshakeError("Connection closed during the handshake");
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
    for (let i = Math.max(0, buf.length - n - 3); i + 3 < buf.length; i++) {
      if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) {
        end = i + 4;
        break;
      }
    }
    if (end < 0 && buf.length > MAX_HEAD_BYTES) throw new HandshakeError("Response head too big");
  }
  const head = new TextDecoder().decode(buf.subarray(0, end - 4)).split("\r\n");
  const status = head[0];
  if (!/^HTTP\/1\.1 101\b/.test(status)) throw new HandshakeError(`Not upgraded: ${status}`);
  const headers = new Map<string, string>();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw new HandshakeError(`Bad Upgrade header: ${headers.get("upgrade")}`);
  }
  const connection = (headers.get("connection") ?? "").toLowerCase().split(",").map((s) =>
    s.trim()
  );
  if (!connection.includes("upgrade")) throw new HandshakeError("Connection header lacks upgrade");
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID));
  const accept = encodeBase64(new Uint8Array(digest));
  if (headers.get("sec-websocket-accept") !== accept) {
    throw new HandshakeError(`Wrong Sec-WebSocket-Accept: ${headers.get("sec-websocket-accept")}`);
  }
  const ext = headers.get("sec-websocket-extensions");
  let deflate: DeflateParams | null = null;
  if (ext !== undefined && ext !== "") {
    if (offers.length === 0) throw new HandshakeError(`Unrequested extensions: ${ext}`);
    deflate = negotiateDeflate(offers, ext);
  }
  return { leftover: buf.slice(end), deflate };
}
