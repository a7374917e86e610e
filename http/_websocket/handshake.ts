/**
 * The opening handshake's rules (RFC 6455 §4) that both sides share: the accept key,
 * what makes a client's upgrade request valid, and subprotocol lists.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { ProtocolSelector } from "../websocket_options.ts";
import { isToken } from "./extensions.ts";

/** The GUID of RFC 6455 §1.3, appended to the key before hashing. */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The only version of the protocol (RFC 6455 §4.4). */
export const WEBSOCKET_VERSION = "13";

/**
 * The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64 of the SHA-1 of the
 * key and the GUID. Synchronous (node:crypto), so a server builds its 101 at once.
 *
 * @param key The client's Sec-WebSocket-Key.
 * @returns The accept value.
 */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

/**
 * A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
 *
 * @returns The key.
 */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/** Why an upgrade request is refused: the status to answer and a message. */
export interface UpgradeProblem {
  /** 400 for a malformed request; 426 for a version other than 13 (answer with
   * `Sec-WebSocket-Version: 13`, RFC 6455 §4.4). */
  status: 400 | 426;
  /** What is wrong, for the response body or a log. */
  message: string;
}

/**
 * Whether the comma-separated `header` lists `token` (case-insensitive).
 *
 * @param header A header value, or null.
 * @param token The lower-case token.
 * @returns True when listed.
 */
export function hasToken(header: string | null, token: string): boolean {
  if (header === null) return false;
  for (const part of header.split(",")) {
    if (part.trim().toLowerCase() === token) return true;
  }
  return false;
}

/** 22 base64 characters and "==": the encoding of 16 bytes. */
function isKey(key: string): boolean {
  if (key.length !== 24 || !key.endsWith("==")) return false;
  // The last character before the padding carries 2 bits: one of A, Q, g, w.
  if (!"AQgw".includes(key[21])) return false;
  for (let i = 0; i < 22; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ||
      c === 0x2b || c === 0x2f;
    if (!ok) return false;
  }
  return true;
}

/**
 * Checks a client's opening handshake (RFC 6455 §4.2.1): GET, `Upgrade: websocket`,
 * `Connection` listing `upgrade`, `Sec-WebSocket-Version: 13` and a
 * `Sec-WebSocket-Key` that is base64 of 16 bytes. HTTP/1.1 and the Host header are the
 * server's to check, as for any request.
 *
 * @param method The request method.
 * @param headers The request headers.
 * @returns Null when the request may be upgraded, else what to answer.
 */
export function checkUpgradeRequest(method: string, headers: Headers): UpgradeProblem | null {
  if (method !== "GET") {
    return { status: 400, message: `WebSocket upgrade needs GET, got ${method}` };
  }
  if (!hasToken(headers.get("upgrade"), "websocket")) {
    return { status: 400, message: "Upgrade header must be 'websocket'" };
  }
  if (!hasToken(headers.get("connection"), "upgrade")) {
    return { status: 400, message: "Connection header must contain 'Upgrade'" };
  }
  const version = headers.get("sec-websocket-version");
  if (version === null || version.trim() !== WEBSOCKET_VERSION) {
    return { status: 426, message: "Sec-WebSocket-Version must be 13" };
  }
  const key = headers.get("sec-websocket-key");
  if (key === null || !isKey(key.trim())) {
    return { status: 400, message: "Sec-WebSocket-Key must be 16 bytes in base64" };
  }
  return null;
}

/**
 * Parses a `Sec-WebSocket-Protocol` list: tokens separated by commas.
 *
 * @param header The header's value (several fields joined with ", "), or null.
 * @returns The protocols in order, or null when one is not a token or repeats.
 */
export function parseProtocols(header: string | null): string[] | null {
  if (header === null) return [];
  const out: string[] = [];
  for (const part of header.split(",")) {
    const name = part.trim();
    if (name === "" && header.trim() === "") continue;
    if (!isToken(name) || out.includes(name)) return null;
    out.push(name);
  }
  return out;
}

/**
 * The subprotocol the server answers with.
 *
 * @param offered The client's protocols, in its order.
 * @param selector The server's option, or undefined for none.
 * @param request The upgrade request, for a selector function.
 * @returns The chosen protocol, or "" for none.
 * @throws {TypeError} When a selector function picks a protocol the client did not offer.
 */
export function selectProtocol(
  offered: string[],
  selector: ProtocolSelector | undefined,
  request: Request,
): string {
  if (selector === undefined || offered.length === 0) return "";
  if (typeof selector === "string") return offered.includes(selector) ? selector : "";
  if (typeof selector === "function") {
    const chosen = selector(offered, request);
    if (chosen === null || chosen === undefined || chosen === "") return "";
    if (!offered.includes(chosen)) {
      throw new TypeError(
        `Cannot upgrade to WebSocket: protocol "${chosen}" was not offered by the client`,
      );
    }
    return chosen;
  }
  for (const name of selector) if (offered.includes(name)) return name;
  return "";
}
