/**
 * The `Sec-WebSocket-Extensions` header (RFC 6455 §9.1) and the negotiation of
 * permessage-deflate (RFC 7692 §7.1): the client offers, the server picks the first
 * offer it can accept and answers with the parameters in force, the client checks the
 * answer against what it offered.
 *
 * Grammar: `extension *( "," extension )`, `extension = token *( ";" param )`,
 * `param = token [ "=" ( token / quoted-string ) ]`, optional whitespace around the
 * separators; a quoted value must be a token once unquoted.
 *
 * @module
 */

import type { DeflateParams } from "./deflate.ts";

/** One element of an extension list: its name and parameters in order. */
export interface Extension {
  /** The extension's name, lower-cased. */
  name: string;
  /** Parameters: a value, or `true` for a parameter without one. Names lower-cased. */
  params: [string, string | true][];
}

/** What this side wants of permessage-deflate (the options, resolved). */
export interface DeflateWishes {
  /** Ask (client) or require (server) that the server resets its context per message. */
  serverNoContextTakeover: boolean;
  /** Ask (client) or require (server) that the client resets its context per message. */
  clientNoContextTakeover: boolean;
  /** The server's window, 8-15 bits, or 0 for no wish. */
  serverMaxWindowBits: number;
  /** The client's window, 8-15 bits, or 0 for no wish. */
  clientMaxWindowBits: number;
}

/** The name of the one extension Wire knows. */
export const PERMESSAGE_DEFLATE = "permessage-deflate";

// 1: tchar (RFC 9110 §5.6.2).
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/**
 * Whether `text` is a non-empty token.
 *
 * @param text The text.
 * @returns True when every character is a tchar.
 */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/**
 * Parses an extension list.
 *
 * @param header The header's value (several fields joined with ", ").
 * @returns The extensions in order, or null when the value does not follow the grammar.
 */
export function parseExtensions(header: string): Extension[] | null {
  const out: Extension[] = [];
  const n = header.length;
  let i = 0;
  const skipSpace = () => {
    while (i < n && (header[i] === " " || header[i] === "\t")) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n) {
      const c = header.charCodeAt(i);
      if (c >= 128 || TCHAR[c] === 0) break;
      i++;
    }
    return header.slice(start, i).toLowerCase();
  };
  for (;;) {
    skipSpace();
    if (i === n) break;
    if (header[i] === ",") { // an empty list element (RFC 9110 §5.6.1)
      i++;
      continue;
    }
    const name = token();
    if (name === "") return null;
    const extension: Extension = { name, params: [] };
    skipSpace();
    while (i < n && header[i] === ";") {
      i++;
      skipSpace();
      const param = token();
      if (param === "") return null;
      skipSpace();
      let value: string | true = true;
      if (header[i] === "=") {
        i++;
        skipSpace();
        if (header[i] === '"') {
          i++;
          let unquoted = "";
          while (i < n && header[i] !== '"') {
            if (header[i] === "\\") i++;
            if (i < n) unquoted += header[i++];
          }
          if (i === n) return null;
          i++;
          if (!isToken(unquoted)) return null;
          value = unquoted;
        } else {
          value = token();
          if (value === "") return null;
        }
        skipSpace();
      }
      extension.params.push([param, value]);
    }
    out.push(extension);
    if (i === n) break;
    if (header[i] !== ",") return null;
    i++;
  }
  return out;
}

/** The permessage-deflate parameters of one offer or answer, checked. */
interface DeflateParamsSeen {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** 8-15, or 0 when absent. */
  serverMaxWindowBits: number;
  /** 8-15, -1 when present without a value, 0 when absent. */
  clientMaxWindowBits: number;
}

/**
 * Reads permessage-deflate parameters; null when one is unknown, repeated or has a bad
 * value (RFC 7692 §7.1: such an offer is declined, such an answer fails the connection).
 */
function readParams(extension: Extension, isOffer: boolean): DeflateParamsSeen | null {
  const seen: DeflateParamsSeen = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 0,
    clientMaxWindowBits: 0,
  };
  const names = new Set<string>();
  for (const [name, value] of extension.params) {
    if (names.has(name)) return null;
    names.add(name);
    switch (name) {
      case "server_no_context_takeover":
        if (value !== true) return null;
        seen.serverNoContextTakeover = true;
        break;
      case "client_no_context_takeover":
        if (value !== true) return null;
        seen.clientNoContextTakeover = true;
        break;
      case "server_max_window_bits": {
        const bits = windowBits(value);
        if (bits === 0) return null;
        seen.serverMaxWindowBits = bits;
        break;
      }
      case "client_max_window_bits": {
        // Only an offer may name it without a value (§7.1.2.2).
        if (value === true && isOffer) {
          seen.clientMaxWindowBits = -1;
          break;
        }
        const bits = windowBits(value);
        if (bits === 0) return null;
        seen.clientMaxWindowBits = bits;
        break;
      }
      default:
        return null;
    }
  }
  return seen;
}

/** 8..15 from "8".."15" (no sign, no leading zero), else 0. */
function windowBits(value: string | true): number {
  if (value === true || !/^(?:[89]|1[0-5])$/.test(value)) return 0;
  return Number(value);
}

/** What the server agreed to: the parameters in force and the header that says so. */
export interface DeflateAgreement {
  /** The parameters both sides use. */
  params: DeflateParams;
  /** The `Sec-WebSocket-Extensions` value of the 101. */
  header: string;
}

/**
 * The server's choice (RFC 7692 §7.1): the first permessage-deflate offer it can accept
 * with its `wishes`, or null when there is none (the connection goes on uncompressed).
 * An offer with unknown, repeated or invalid parameters is declined; so is one without
 * `client_max_window_bits` when the server wants to limit the client's window.
 *
 * @param header The request's Sec-WebSocket-Extensions, or null.
 * @param wishes The server's deflate options.
 * @returns The agreement, null for none, or "malformed" when the header does not parse.
 */
export function negotiateDeflate(
  header: string | null,
  wishes: DeflateWishes,
): DeflateAgreement | null | "malformed" {
  if (header === null) return null;
  const extensions = parseExtensions(header);
  if (extensions === null) return "malformed";
  for (const extension of extensions) {
    if (extension.name !== PERMESSAGE_DEFLATE) continue;
    const offer = readParams(extension, true);
    if (offer === null) continue;
    // The client's window: limited only if the client said it can be (§7.1.2.2).
    let clientBits = 15;
    let sendClientBits = false;
    if (wishes.clientMaxWindowBits !== 0) {
      if (offer.clientMaxWindowBits === 0) continue;
      clientBits = offer.clientMaxWindowBits > 0
        ? Math.min(offer.clientMaxWindowBits, wishes.clientMaxWindowBits)
        : wishes.clientMaxWindowBits;
      sendClientBits = true;
    } else if (offer.clientMaxWindowBits > 0) {
      clientBits = offer.clientMaxWindowBits;
      sendClientBits = true;
    }
    // The server's window: at most what the client asked, and what the server wants.
    let serverBits = 15;
    let sendServerBits = false;
    if (offer.serverMaxWindowBits !== 0 || wishes.serverMaxWindowBits !== 0) {
      serverBits = Math.min(offer.serverMaxWindowBits || 15, wishes.serverMaxWindowBits || 15);
      sendServerBits = true;
    }
    const params: DeflateParams = {
      serverNoContextTakeover: offer.serverNoContextTakeover || wishes.serverNoContextTakeover,
      clientNoContextTakeover: offer.clientNoContextTakeover || wishes.clientNoContextTakeover,
      serverMaxWindowBits: serverBits,
      clientMaxWindowBits: clientBits,
    };
    let answer = PERMESSAGE_DEFLATE;
    if (params.serverNoContextTakeover) answer += "; server_no_context_takeover";
    if (params.clientNoContextTakeover) answer += "; client_no_context_takeover";
    if (sendServerBits) answer += `; server_max_window_bits=${serverBits}`;
    if (sendClientBits) answer += `; client_max_window_bits=${clientBits}`;
    return { params, header: answer };
  }
  return null;
}

/**
 * The client's offer: permessage-deflate with `client_max_window_bits` (so the server
 * may limit our window) and the parameters the client wants.
 *
 * @param wishes The client's deflate options.
 * @returns The Sec-WebSocket-Extensions value.
 */
export function deflateOffer(wishes: DeflateWishes): string {
  let offer = PERMESSAGE_DEFLATE;
  if (wishes.serverNoContextTakeover) offer += "; server_no_context_takeover";
  if (wishes.clientNoContextTakeover) offer += "; client_no_context_takeover";
  if (wishes.serverMaxWindowBits !== 0) {
    offer += `; server_max_window_bits=${wishes.serverMaxWindowBits}`;
  }
  offer += wishes.clientMaxWindowBits !== 0
    ? `; client_max_window_bits=${wishes.clientMaxWindowBits}`
    : "; client_max_window_bits";
  return offer;
}

/**
 * Checks the server's answer against the client's offer (RFC 7692 §7.1): at most one
 * extension, ours, with known parameters, each once, within what was offered.
 *
 * @param header The 101's Sec-WebSocket-Extensions, or null.
 * @param wishes What the client offered, or null when it offered nothing.
 * @returns The parameters in force, null for no extension, or an error message.
 */
export function acceptDeflateAnswer(
  header: string | null,
  wishes: DeflateWishes | null,
): DeflateParams | null | string {
  if (header === null) return null;
  const extensions = parseExtensions(header);
  if (extensions === null) return "Invalid Sec-WebSocket-Extensions header";
  if (extensions.length === 0) return null;
  if (wishes === null) return "Server accepted an extension that was not offered";
  if (extensions.length > 1 || extensions[0].name !== PERMESSAGE_DEFLATE) {
    return "Server accepted an extension that was not offered";
  }
  const answer = readParams(extensions[0], false);
  if (answer === null) return "Invalid permessage-deflate parameters in the server's answer";
  if (wishes.serverNoContextTakeover && !answer.serverNoContextTakeover) {
    return "Server ignored server_no_context_takeover";
  }
  if (wishes.serverMaxWindowBits !== 0) {
    if (
      answer.serverMaxWindowBits === 0 || answer.serverMaxWindowBits > wishes.serverMaxWindowBits
    ) {
      return "Server's server_max_window_bits is above the offer";
    }
  }
  if (
    wishes.clientMaxWindowBits !== 0 && answer.clientMaxWindowBits > wishes.clientMaxWindowBits
  ) {
    return "Server's client_max_window_bits is above the offer";
  }
  return {
    serverNoContextTakeover: answer.serverNoContextTakeover,
    clientNoContextTakeover: answer.clientNoContextTakeover || wishes.clientNoContextTakeover,
    serverMaxWindowBits: answer.serverMaxWindowBits || 15,
    clientMaxWindowBits: Math.min(
      answer.clientMaxWindowBits || 15,
      wishes.clientMaxWindowBits || 15,
    ),
  };
}
