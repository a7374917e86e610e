/**
 * The PROXY protocol header (HAProxy's specification, "The PROXY protocol", versions 1
 * and 2), read at the start of a connection before any HTTP byte: a pure parser over
 * the bytes read so far, and the reader a connection runs once.
 *
 * @module
 */

import type { Transport } from "./transport.ts";
import { formatIpv4, formatIpv6, parseIp } from "./ip_address.ts";
import { DEFAULT_PROXY_HEADER_MAX_BYTES, DEFAULT_PROXY_HEADER_TIMEOUT } from "../proxy_protocol.ts";
import { numberOption } from "../_codec/options.ts";
import { kindOf } from "../_codec/error_text.ts";

/** A v1 header is at most this long, CRLF included (specification §2.1). */
export const PROXY_V1_MAX_BYTES = 107;
/** The fixed part of a v2 header: signature, version and command, family, length. */
export const PROXY_V2_FIXED_BYTES = 16;
/** The v2 signature (specification §2.2). */
const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
/** "PROXY " */
const V1_SIGNATURE = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20];
/** Bytes read at once while the header is incomplete (a v1 header fits; most v2 do). */
const FIRST_READ_BYTES = 256;

/** The settings a connection reads the header with (resolved from the option). */
export interface ProxyHeaderConfig {
  timeout: number;
  maxBytes: number;
}

/**
 * Checks the `proxyProtocol` option.
 *
 * @param value The option as given.
 * @param scheme The server's scheme: a TLS server cannot read a header before TLS.
 * @returns The settings, or null when the option is off.
 */
export function resolveProxyProtocol(value: unknown, scheme: string): ProxyHeaderConfig | null {
  if (value === undefined || value === false) return null;
  if (value !== true && (value === null || typeof value !== "object")) {
    throw new TypeError(
      `Cannot serve: proxyProtocol must be a boolean or an object, got ${kindOf(value)}`,
    );
  }
  if (scheme === "https") {
    throw new TypeError(
      "Cannot serve: proxyProtocol needs a plain listener (the header comes before TLS)",
    );
  }
  const options = value === true ? {} : value as { timeout?: unknown; maxBytes?: unknown };
  return {
    timeout: numberOption(
      "serve",
      "proxyProtocol.timeout",
      options.timeout,
      DEFAULT_PROXY_HEADER_TIMEOUT,
      { min: 1, max: 2 ** 31 - 1, integer: true },
    ),
    maxBytes: numberOption(
      "serve",
      "proxyProtocol.maxBytes",
      options.maxBytes,
      DEFAULT_PROXY_HEADER_MAX_BYTES,
      { min: PROXY_V2_FIXED_BYTES, max: PROXY_V2_FIXED_BYTES + 0xffff, integer: true },
    ),
  };
}

/** What parsing the bytes read so far found. */
export interface ProxyHeaderParse {
  /** Bytes of the header (CRLF or TLVs included) once complete; 0 while not. */
  length: number;
  /** The client the header names; null for LOCAL, UNKNOWN, unspecified or UDP. */
  source: Deno.Addr | null;
  /** Why the bytes are not a PROXY header; "" when they are (or may yet be). */
  error: string;
  /** The v2 header's whole length once its fixed part is read; 0 otherwise. */
  needed: number;
}

function result(length: number, source: Deno.Addr | null, error: string, needed = 0) {
  return { length, source, error, needed };
}

function startsWith(bytes: Uint8Array, end: number, signature: number[]): boolean {
  const n = end < signature.length ? end : signature.length;
  for (let i = 0; i < n; i++) if (bytes[i] !== signature[i]) return false;
  return true;
}

/**
 * Parses the PROXY header at the start of `bytes[0..end)`.
 *
 * @param bytes The bytes read so far.
 * @param end How many there are.
 * @param maxBytes The largest v2 header accepted.
 * @returns The header's length and source once complete; an error; or neither (read on).
 */
export function parseProxyHeader(
  bytes: Uint8Array,
  end: number,
  maxBytes: number,
): ProxyHeaderParse {
  if (startsWith(bytes, end, V1_SIGNATURE)) return parseV1(bytes, end);
  if (startsWith(bytes, end, V2_SIGNATURE)) return parseV2(bytes, end, maxBytes);
  return result(0, null, "Cannot read the PROXY header: no v1 or v2 signature");
}

function parseV1(bytes: Uint8Array, end: number): ProxyHeaderParse {
  let lineEnd = -1;
  const limit = end < PROXY_V1_MAX_BYTES ? end : PROXY_V1_MAX_BYTES;
  for (let i = 0; i < limit; i++) {
    const c = bytes[i];
    if (c === 0x0d) {
      if (i + 2 > PROXY_V1_MAX_BYTES) break; // its LF would be byte 108
      if (i + 1 >= end) return result(0, null, "");
      if (bytes[i + 1] !== 0x0a) return result(0, null, "Cannot read the PROXY v1 header: bare CR");
      lineEnd = i;
      break;
    }
    if (c < 0x20 || c > 0x7e) {
      return result(0, null, `Cannot read the PROXY v1 header: byte 0x${c.toString(16)}`);
    }
  }
  if (lineEnd === -1) {
    return end >= PROXY_V1_MAX_BYTES
      ? result(0, null, "Cannot read the PROXY v1 header: no CRLF in 107 bytes")
      : result(0, null, "");
  }
  let line = "";
  for (let i = 0; i < lineEnd; i++) line += String.fromCharCode(bytes[i]);
  const parts = line.split(" ");
  const length = lineEnd + 2;
  // "PROXY UNKNOWN" may be followed by anything: the receiver ignores it (§2.1).
  if (parts[1] === "UNKNOWN") return result(length, null, "");
  if (parts.length !== 6 || (parts[1] !== "TCP4" && parts[1] !== "TCP6")) {
    return result(0, null, `Cannot read the PROXY v1 header: ${JSON.stringify(line)}`);
  }
  const v6 = parts[1] === "TCP6";
  const [, , source, destination, sourcePort, destinationPort] = parts;
  const port = v1Port(sourcePort);
  if (
    !v1Address(source, v6) || !v1Address(destination, v6) || port < 0 ||
    v1Port(destinationPort) < 0
  ) {
    return result(0, null, `Cannot read the PROXY v1 header: ${JSON.stringify(line)}`);
  }
  return result(length, { transport: "tcp", hostname: source.toLowerCase(), port }, "");
}

function v1Address(text: string, v6: boolean): boolean {
  return (text.indexOf(":") !== -1) === v6 && parseIp(text) !== null;
}

/** A v1 port: 1-5 decimal digits, at most 65535; -1 otherwise. */
function v1Port(text: string): number {
  if (text.length < 1 || text.length > 5) return -1;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    port = port * 10 + c - 48;
  }
  return port > 65535 ? -1 : port;
}

function parseV2(bytes: Uint8Array, end: number, maxBytes: number): ProxyHeaderParse {
  if (end < PROXY_V2_FIXED_BYTES) return result(0, null, "");
  const versionCommand = bytes[12];
  if (versionCommand >> 4 !== 2) {
    return result(0, null, `Cannot read the PROXY v2 header: version ${versionCommand >> 4}`);
  }
  const command = versionCommand & 0x0f;
  if (command > 1) return result(0, null, `Cannot read the PROXY v2 header: command ${command}`);
  const family = bytes[13];
  const total = PROXY_V2_FIXED_BYTES + ((bytes[14] << 8) | bytes[15]);
  if (total > maxBytes) {
    return result(
      0,
      null,
      `Cannot read the PROXY v2 header: ${total} bytes, more than maxBytes (${maxBytes})`,
    );
  }
  if (end < total) return result(0, null, "", total);
  // LOCAL: the proxy speaks for itself (health checks); the block is ignored (§2.2).
  if (command === 0) return result(total, null, "");
  const size = total - PROXY_V2_FIXED_BYTES;
  const at = PROXY_V2_FIXED_BYTES;
  const short = (need: number) =>
    result(0, null, `Cannot read the PROXY v2 header: ${size} address bytes, ${need} needed`);
  switch (family) {
    case 0x00: // UNSPEC: the real connection endpoints are used.
      return result(total, null, "");
    case 0x11: // TCP over IPv4: source, destination, source port, destination port.
      if (size < 12) return short(12);
      return result(total, {
        transport: "tcp",
        hostname: formatIpv4(bytes, at),
        port: (bytes[at + 8] << 8) | bytes[at + 9],
      }, "");
    case 0x21: // TCP over IPv6.
      if (size < 36) return short(36);
      return result(total, {
        transport: "tcp",
        hostname: formatIpv6(bytes, at),
        port: (bytes[at + 32] << 8) | bytes[at + 33],
      }, "");
    case 0x31: { // Unix stream: two 108-byte paths, NUL-padded.
      if (size < 216) return short(216);
      let pathEnd = at;
      while (pathEnd < at + 108 && bytes[pathEnd] !== 0) pathEnd++;
      const path = new TextDecoder().decode(bytes.subarray(at, pathEnd));
      return result(total, { transport: "unix", path }, "");
    }
    case 0x12: // UDP: HTTP/1.1 never runs over it; keep the socket's address, as HAProxy.
      return size < 12 ? short(12) : result(total, null, "");
    case 0x22:
      return size < 36 ? short(36) : result(total, null, "");
    case 0x32:
      return size < 216 ? short(216) : result(total, null, "");
    default:
      return result(
        0,
        null,
        `Cannot read the PROXY v2 header: family and protocol 0x${family.toString(16)}`,
      );
  }
}

/**
 * The transport after the header: the bytes read behind it come first, then the
 * socket's own. Everything else is the socket's.
 */
class PrefixedTransport implements Transport {
  #inner: Transport;
  #rest: Uint8Array | null;
  closeWrite?: () => Promise<void>;

  constructor(inner: Transport, rest: Uint8Array) {
    this.#inner = inner;
    this.#rest = rest;
    if (inner.closeWrite !== undefined) this.closeWrite = () => inner.closeWrite!();
  }

  read(buffer: Uint8Array): Promise<number | null> {
    const rest = this.#rest;
    if (rest === null) return this.#inner.read(buffer);
    const n = rest.length < buffer.length ? rest.length : buffer.length;
    buffer.set(rest.subarray(0, n));
    this.#rest = n < rest.length ? rest.subarray(n) : null;
    return Promise.resolve(n);
  }

  write(buffer: Uint8Array): Promise<number> {
    return this.#inner.write(buffer);
  }

  close(): void {
    this.#inner.close();
  }

  ref(): void {
    this.#inner.ref?.();
  }

  unref(): void {
    this.#inner.unref?.();
  }
}

/** A header read: the client it names (null: keep the socket's), and the transport on. */
export interface ProxyHeaderRead {
  source: Deno.Addr | null;
  transport: Transport;
}

/**
 * Reads the PROXY header at the start of `transport`, within `config.timeout` (after
 * which the transport is closed). Never rejects: null when the connection is to be
 * closed (no header, a malformed or too large one, the end of the stream, the timeout,
 * the transport closed under it).
 *
 * @param transport The new connection.
 * @param config Timeout and size limit.
 * @returns The source and the transport to read HTTP from, or null.
 */
export async function readProxyHeader(
  transport: Transport,
  config: ProxyHeaderConfig,
): Promise<ProxyHeaderRead | null> {
  let buffer = new Uint8Array(FIRST_READ_BYTES);
  let end = 0;
  const timer = setTimeout(() => {
    try {
      transport.close();
    } catch {
      // Closed already.
    }
  }, config.timeout);
  try {
    for (;;) {
      const n = await transport.read(buffer.subarray(end));
      if (n === null || n === 0) return null;
      end += n;
      const parsed = parseProxyHeader(buffer, end, config.maxBytes);
      if (parsed.error !== "") return null;
      if (parsed.length > 0) {
        const next = end > parsed.length
          ? new PrefixedTransport(transport, buffer.subarray(parsed.length, end))
          : transport;
        return { source: parsed.source, transport: next };
      }
      if (parsed.needed > buffer.length) {
        // A v2 header with more TLVs than the first read holds: read exactly the rest.
        const grown = new Uint8Array(parsed.needed);
        grown.set(buffer.subarray(0, end));
        buffer = grown;
      }
    }
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
