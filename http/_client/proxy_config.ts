/**
 * The `proxy` option resolved once: which proxy serves a URL, what it is sent, and the
 * `NO_PROXY` rules that bypass it.
 *
 * @module
 */
import type { ProxyOptions } from "../client_proxy.ts";
import { kindOf } from "../_codec/error_text.ts";

/** One proxy to dial. */
export interface ProxyEndpoint {
  /** The proxy's URL, without credentials. */
  url: URL;
  /** Host name or address to dial, without brackets. */
  hostname: string;
  /** Port to dial. */
  port: number;
  /** `host:port`, for messages and pool keys. */
  address: string;
  /** Header lines sent to the proxy (`Proxy-Authorization` and the extra headers). */
  lines: string;
}

/** One `NO_PROXY` entry. */
interface NoProxyRule {
  /** A lower-case name (matching itself and its subdomains), or an address. */
  host: string;
  /** For a CIDR block: the address bits as a bigint, and the prefix length. */
  network: bigint | null;
  prefix: number;
  /** 4 or 6 for an address or block, 0 for a name. */
  family: number;
  /** The port, or 0 for any. */
  port: number;
}

/** The resolved `proxy` option. */
export interface ProxyConfig {
  /** Proxy for `http:` URLs, or null. */
  http: ProxyEndpoint | null;
  /** Proxy for `https:` URLs, or null. */
  https: ProxyEndpoint | null;
  /** `*` in `noProxy`: nothing is proxied. */
  bypassAll: boolean;
  /** The other `noProxy` entries. */
  noProxy: NoProxyRule[];
}

const encoder = new TextEncoder();

function endpoint(value: string | URL, extra: string): ProxyEndpoint {
  let text = String(value).trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = "http://" + text;
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new TypeError(`Cannot create Client: proxy "${value}" is not a valid URL`, {
      cause: error,
    });
  }
  if (url.protocol !== "http:") {
    throw new TypeError(
      `Cannot create Client: proxy ${url.protocol}// is not supported (only http:// proxies)`,
    );
  }
  let lines = extra;
  if (url.username !== "" || url.password !== "") {
    const pair = decodeURIComponent(url.username) + ":" + decodeURIComponent(url.password);
    let binary = "";
    for (const byte of encoder.encode(pair)) binary += String.fromCharCode(byte);
    lines = "proxy-authorization: Basic " + btoa(binary) + "\r\n" + lines;
    url.username = "";
    url.password = "";
  }
  let hostname = url.hostname;
  if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
  const port = url.port === "" ? 80 : Number(url.port);
  return { url, hostname, port, address: url.host || `${hostname}:${port}`, lines };
}

/**
 * Checks and resolves the `proxy` option.
 *
 * @param option A URL for both schemes, or {@linkcode ProxyOptions}.
 * @returns The resolved settings.
 */
export function resolveProxy(option: string | URL | ProxyOptions): ProxyConfig {
  if (typeof option === "string" || option instanceof URL) {
    const both = endpoint(option, "");
    return { http: both, https: both, bypassAll: false, noProxy: [] };
  }
  if (typeof option !== "object" || option === null) {
    throw new TypeError(
      `Cannot create Client: proxy must be a URL or ProxyOptions, got ${kindOf(option)}`,
    );
  }
  let extra = "";
  if (option.headers !== undefined) {
    for (const [name, value] of new Headers(option.headers)) extra += `${name}: ${value}\r\n`;
  }
  const noProxy = option.noProxy ?? "";
  if (typeof noProxy !== "string") {
    throw new TypeError("Cannot create Client: proxy.noProxy must be a string");
  }
  const rules = parseNoProxy(noProxy);
  return {
    http: option.http === undefined ? null : endpoint(option.http, extra),
    https: option.https === undefined ? null : endpoint(option.https, extra),
    bypassAll: rules === null,
    noProxy: rules ?? [],
  };
}

/** `NO_PROXY` entries, or null for `*`. */
function parseNoProxy(list: string): NoProxyRule[] | null {
  const rules: NoProxyRule[] = [];
  for (let entry of list.split(",")) {
    entry = entry.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return null;
    let port = 0;
    if (entry.startsWith("[")) {
      // "[v6]", "[v6]:port", "[v6]/prefix".
      const end = entry.indexOf("]");
      const rest = entry.slice(end + 1);
      entry = entry.slice(1, end === -1 ? undefined : end);
      if (/^:\d+$/.test(rest)) port = Number(rest.slice(1));
      else if (/^\/\d+$/.test(rest)) entry += rest;
    } else {
      // "host:port"; a bare IPv6 address has several colons.
      const colon = entry.indexOf(":");
      if (
        colon !== -1 && colon === entry.lastIndexOf(":") && /^\d+$/.test(entry.slice(colon + 1))
      ) {
        port = Number(entry.slice(colon + 1));
        entry = entry.slice(0, colon);
      }
    }
    const slash = entry.indexOf("/");
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = ipFamily(address);
    if (family !== 0 && slash !== -1) {
      const prefix = Number(entry.slice(slash + 1));
      const bits = family === 4 ? 32 : 128;
      if (Number.isInteger(prefix) && prefix >= 0 && prefix <= bits) {
        rules.push({ host: address, network: ipBits(address, family), prefix, family, port });
      }
      continue;
    }
    if (entry.startsWith("*.")) entry = entry.slice(2);
    else if (entry.startsWith(".")) entry = entry.slice(1);
    rules.push({ host: entry, network: null, prefix: 0, family, port });
  }
  return rules;
}

/** 4 or 6 for an address literal (no brackets), 0 for a name. */
export function ipFamily(host: string): 0 | 4 | 6 {
  if (host.includes(":")) return 6;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 4 : 0;
}

/** An address as a number (the URL parser has already normalized it). */
function ipBits(address: string, family: number): bigint {
  if (family === 4) {
    return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  const normalized = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail = ""] = normalized.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = normalized.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16) || 0), 0n);
}

function bypassed(config: ProxyConfig, url: URL): boolean {
  if (config.bypassAll) return true;
  if (config.noProxy.length === 0) return false;
  let host = url.hostname.toLowerCase();
  if (host.startsWith("[")) host = host.slice(1, -1);
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const family = ipFamily(host);
  for (const rule of config.noProxy) {
    if (rule.port !== 0 && rule.port !== port) continue;
    if (rule.network !== null) {
      if (family !== rule.family) continue;
      const bits = family === 4 ? 32 : 128;
      const shift = BigInt(bits - rule.prefix);
      if ((ipBits(host, family) >> shift) === (rule.network >> shift)) return true;
      continue;
    }
    if (host === rule.host) return true;
    if (rule.family === 0 && host.endsWith("." + rule.host)) return true;
    if (rule.family === 6 && family === 6 && ipBits(host, 6) === ipBits(rule.host, 6)) return true;
  }
  return false;
}

/**
 * The proxy that serves `url`, or null to connect directly.
 *
 * @param config The resolved option.
 * @param url The request URL.
 * @returns The proxy, or null.
 */
export function proxyFor(config: ProxyConfig, url: URL): ProxyEndpoint | null {
  const proxy = url.protocol === "https:" ? config.https : config.http;
  if (proxy === null || bypassed(config, url)) return null;
  return proxy;
}
