/**
 * Resolves the `trustProxy` option once per server into a trust function and the header
 * family to read (see http/trust_proxy.ts for the rules).
 *
 * @module
 */

import {
  DEFAULT_FORWARDED_HEADERS,
  type ForwardedHeaders,
  type TrustProxyFunction,
} from "../trust_proxy.ts";
import { inRange, type IpRange, parseIp, parseIpRange } from "./ip_address.ts";
import { kindOf } from "../_codec/error_text.ts";

/** The resolved `trustProxy`. */
export interface ProxyTrust {
  trust: TrustProxyFunction;
  /** True for `Forwarded` (RFC 7239), false for `X-Forwarded-*`. */
  rfc7239: boolean;
}

/** The named ranges of proxy-addr (express), which users of it will type. */
const NAMED: Record<string, readonly string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** The address a trust function sees for a peer on a Unix socket. */
export const UNIX_PEER = "unix";

/**
 * A trust function over address ranges. The last address asked about is remembered: a
 * server asks about its peer on every request, and a connection keeps one peer.
 */
function rangeTrust(ranges: IpRange[], unix: boolean): TrustProxyFunction {
  let lastAddress = "";
  let lastResult = false;
  return (address: string) => {
    if (address === lastAddress) return lastResult;
    let result = false;
    if (address === UNIX_PEER) result = unix;
    else {
      const bytes = parseIp(address);
      if (bytes !== null) {
        for (const range of ranges) {
          if (inRange(range, bytes)) {
            result = true;
            break;
          }
        }
      }
    }
    lastAddress = address;
    lastResult = result;
    return result;
  };
}

function addressesTrust(value: unknown, name: string): TrustProxyFunction {
  if (typeof value === "function") return value as TrustProxyFunction;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) {
    throw new TypeError(
      `Cannot serve: ${name} must be an address, a CIDR range, a list of them or a function, got ${
        kindOf(value)
      }`,
    );
  }
  const ranges: IpRange[] = [];
  let unix = false;
  for (const entry of list) {
    if (typeof entry !== "string") {
      throw new TypeError(`Cannot serve: ${name} entries must be strings, got ${kindOf(entry)}`);
    }
    const text = entry.trim();
    if (text === UNIX_PEER) {
      unix = true;
      continue;
    }
    for (const item of NAMED[text] ?? [text]) {
      const range = parseIpRange(item);
      if (range === null) {
        throw new TypeError(
          `Cannot serve: ${name} entry ${
            JSON.stringify(entry)
          } is not an IP address, a CIDR range, "loopback", "linklocal", "uniquelocal" or "unix"`,
        );
      }
      ranges.push(range);
    }
  }
  return rangeTrust(ranges, unix);
}

/**
 * Checks `trustProxy` and compiles it.
 *
 * @param value The option as given.
 * @returns The trust function and header family, or null when the option is off.
 */
export function resolveTrustProxy(value: unknown): ProxyTrust | null {
  if (value === undefined || value === null || value === false) return null;
  if (typeof value === "object" && !Array.isArray(value)) {
    const options = value as { trust?: unknown; headers?: unknown };
    const headers = options.headers ?? DEFAULT_FORWARDED_HEADERS;
    if (headers !== "x-forwarded" && headers !== "forwarded") {
      throw new TypeError(
        `Cannot serve: trustProxy.headers must be "x-forwarded" or "forwarded", got ${
          typeof headers === "string" ? JSON.stringify(headers) : kindOf(headers)
        }`,
      );
    }
    return {
      trust: addressesTrust(options.trust, "trustProxy.trust"),
      rfc7239: (headers as ForwardedHeaders) === "forwarded",
    };
  }
  return { trust: addressesTrust(value, "trustProxy"), rfc7239: false };
}
