/**
 * Reads who the client is from a trusted proxy's forwarding headers: `Forwarded`
 * (RFC 7239) or `X-Forwarded-For`, `-Proto` and `-Host`. The rules are documented with
 * the option (http/trust_proxy.ts); this file holds the grammar and the hop walk.
 *
 * @module
 */

import { isIpv4, parseIp } from "./ip_address.ts";
import { type ProxyTrust, UNIX_PEER } from "./proxy_trust.ts";
import { requestUrl, validHost } from "./request.ts";

/** What a trusted proxy said about the request it forwarded. */
export interface Forwarding {
  /** The client, or null when no forwarded hop gave an address. */
  client: Deno.NetAddr | null;
  /** "http" or "https", or null when not said (or not one of those). */
  scheme: string | null;
  /** The Host the client asked for (not yet validated), or null. */
  host: string | null;
}

/** One `Forwarded` element's parameters (RFC 7239 §4), null where absent. */
interface Element {
  for: string | null;
  proto: string | null;
  host: string | null;
}

/** An IP address with an optional port, as a hop names it. */
interface Node {
  hostname: string;
  port: number;
}

// tchar (RFC 9110 §5.6.2).
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

function isToken(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

function skipOws(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

/**
 * Parses a `Forwarded` value into its elements, or null when it is malformed: a pair
 * without "=", a value neither token nor quoted-string, an unterminated quote, a
 * parameter twice in one element (RFC 7239 §4). Empty list elements are skipped (RFC
 * 9110 §5.6.1); whitespace is allowed around "," and ";".
 *
 * @param text The field value (several field lines joined with ",").
 * @returns The elements, left to right.
 */
export function parseForwarded(text: string): Element[] | null {
  const elements: Element[] = [];
  let element: Element = { for: null, proto: null, host: null };
  let pairs = 0;
  let i = skipOws(text, 0);
  const end = text.length;
  for (;;) {
    if (i >= end || text.charCodeAt(i) === 44 /* , */) {
      if (pairs > 0) elements.push(element);
      if (i >= end) return elements;
      element = { for: null, proto: null, host: null };
      pairs = 0;
      i = skipOws(text, i + 1);
      continue;
    }
    if (text.charCodeAt(i) === 59 /* ; */) {
      i = skipOws(text, i + 1);
      continue;
    }
    // token "=" value
    const nameStart = i;
    while (i < end && isToken(text.charCodeAt(i))) i++;
    if (i === nameStart || text.charCodeAt(i) !== 61 /* = */) return null;
    const name = text.slice(nameStart, i).toLowerCase();
    i++;
    let value: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      let out = "";
      let from = ++i;
      for (;;) {
        if (i >= end) return null;
        const c = text.charCodeAt(i);
        if (c === 34) break;
        if (c === 92 /* \ */) {
          if (i + 1 >= end) return null;
          out += text.slice(from, i);
          from = ++i;
        }
        i++;
      }
      value = out + text.slice(from, i);
      i++;
    } else {
      const valueStart = i;
      while (i < end && isToken(text.charCodeAt(i))) i++;
      if (i === valueStart) return null;
      value = text.slice(valueStart, i);
    }
    pairs++;
    if (name === "for" || name === "proto" || name === "host") {
      if (element[name] !== null) return null;
      element[name] = value;
    }
    i = skipOws(text, i);
    const c = text.charCodeAt(i);
    if (i < end && c !== 44 && c !== 59) return null;
  }
}

/**
 * Parses a hop's node: an IPv4 address, an IPv6 address (bare in X-Forwarded-For, or in
 * brackets), either with an optional `:port`. Null for anything else (`unknown`, an
 * obfuscated name, garbage). An obfuscated port counts as none (0).
 *
 * @param text The node (trimmed).
 * @returns The address and port (0 when none), or null.
 */
export function parseNode(text: string): Node | null {
  if (text.charCodeAt(0) === 91 /* [ */) {
    const close = text.indexOf("]");
    if (close === -1) return null;
    const hostname = text.slice(1, close);
    if (hostname.indexOf(":") === -1 || parseIp(hostname) === null) return null;
    const port = close + 1 === text.length ? 0 : portAfter(text, close + 1);
    return port < 0 ? null : { hostname: hostname.toLowerCase(), port };
  }
  const colon = text.indexOf(":");
  if (colon !== -1 && text.indexOf(":", colon + 1) === -1) {
    // IPv4 with a port.
    const hostname = text.slice(0, colon);
    if (!isIpv4(hostname)) return null;
    const port = portAfter(text, colon);
    return port < 0 ? null : { hostname, port };
  }
  return parseIp(text) === null ? null : { hostname: text.toLowerCase(), port: 0 };
}

/**
 * The port after the ":" at `colon` (1-5 digits, at most 65535; 0 for an obfuscated one,
 * RFC 7239 §6.3), or -1.
 */
function portAfter(text: string, colon: number): number {
  if (text.charCodeAt(colon) !== 58) return -1;
  if (text.charCodeAt(colon + 1) === 95 /* _ */ && text.length > colon + 2) return 0;
  const digits = text.length - colon - 1;
  if (digits < 1 || digits > 5) return -1;
  let port = 0;
  for (let i = colon + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    port = port * 10 + c - 48;
  }
  return port > 65535 ? -1 : port;
}

/** The value of every field line named `name` (lower case), joined with ",", or null. */
function fieldValue(fields: string[], name: string): string | null {
  let value: string | null = null;
  const length = name.length;
  for (let i = 0; i < fields.length; i += 2) {
    const field = fields[i];
    if (field.length !== length || field.toLowerCase() !== name) continue;
    value = value === null ? fields[i + 1] : value + "," + fields[i + 1];
  }
  return value;
}

/** The last comma-separated entry of a list value, trimmed. */
function lastEntry(value: string): string {
  return value.slice(value.lastIndexOf(",") + 1).trim();
}

function schemeOf(proto: string | null): string | null {
  if (proto === null) return null;
  const lower = proto.toLowerCase();
  return lower === "http" || lower === "https" ? lower : null;
}

function netAddr(node: Node): Deno.NetAddr {
  return { transport: "tcp", hostname: node.hostname, port: node.port };
}

/**
 * The address a trust function sees for a peer.
 *
 * @param addr The connection's peer.
 * @returns Its IP address, or "unix".
 */
export function peerAddress(addr: Deno.Addr): string {
  return addr.transport === "unix" || addr.transport === "unixpacket"
    ? UNIX_PEER
    : (addr as Deno.NetAddr).hostname;
}

/**
 * What a request's forwarding headers say, when its peer is trusted.
 *
 * @param proxy The resolved `trustProxy`.
 * @param fields The request's header fields, flat `[name, value, ...]`.
 * @param peer The connection's peer (or the PROXY protocol's source).
 * @returns The client, scheme and host said, or null when the peer is not trusted or
 * said nothing usable.
 */
export function readForwarding(
  proxy: ProxyTrust,
  fields: string[],
  peer: Deno.Addr,
): Forwarding | null {
  const trust = proxy.trust;
  if (!trust(peerAddress(peer), 0)) return null;
  let client: Deno.NetAddr | null = null;
  let scheme: string | null = null;
  let host: string | null = null;
  if (proxy.rfc7239) {
    const value = fieldValue(fields, "forwarded");
    const elements = value === null ? null : parseForwarded(value);
    if (elements === null) return null;
    // Right to left: each element was written by a proxy trusted so far, about the
    // request it received; the walk stops at the first client that is not a proxy.
    for (let i = elements.length - 1, hop = 1; i >= 0; i--, hop++) {
      const element = elements[i];
      scheme = schemeOf(element.proto) ?? scheme;
      if (element.host !== null) host = element.host;
      const node = element.for === null ? null : parseNode(element.for);
      if (node === null) break;
      client = netAddr(node);
      if (!trust(node.hostname, hop)) break;
    }
  } else {
    const forwardedFor = fieldValue(fields, "x-forwarded-for");
    if (forwardedFor !== null) {
      const hops = forwardedFor.split(",");
      for (let i = hops.length - 1, hop = 1; i >= 0; i--, hop++) {
        const node = parseNode(hops[i].trim());
        if (node === null) break;
        client = netAddr(node);
        if (!trust(node.hostname, hop)) break;
      }
    }
    const proto = fieldValue(fields, "x-forwarded-proto");
    if (proto !== null) scheme = schemeOf(lastEntry(proto));
    const forwardedHost = fieldValue(fields, "x-forwarded-host");
    if (forwardedHost !== null) {
      const last = lastEntry(forwardedHost);
      if (last !== "") host = last;
    }
  }
  if (client === null && scheme === null && host === null) return null;
  return { client, scheme, host };
}

/**
 * The request URL with the scheme and host a trusted proxy reported (each ignored when
 * it cannot make a valid URL).
 *
 * @param forwarding What the proxy said.
 * @param scheme The connection's scheme.
 * @param host The Host the request carried (or the server's default).
 * @param target The request-target.
 * @param normalize `lenient.normalizePath`.
 * @param url The URL built without the proxy's word.
 * @returns The URL to use.
 */
export function forwardedUrl(
  forwarding: Forwarding,
  scheme: string,
  host: string,
  target: string,
  normalize: boolean,
  url: string,
): string {
  const wantScheme = forwarding.scheme ?? scheme;
  const wantHost = forwarding.host;
  if (wantHost !== null && validHost(wantHost)) {
    const forwarded = requestUrl(wantScheme, wantHost, target, normalize);
    if (forwarded !== null) return forwarded;
  }
  if (wantScheme === scheme) return url;
  return requestUrl(wantScheme, host, target, normalize) ?? url;
}
