/**
 * IP address literals for the proxy rules (`trustProxy`, forwarded headers, the PROXY
 * protocol): parsed by hand into 16 bytes, IPv4 as its IPv4-mapped IPv6 form
 * (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2), so one comparison serves both families and a
 * dual-stack socket's `::ffff:127.0.0.1` matches `127.0.0.0/8`.
 *
 * @module
 */

/** An address range: the first `prefix` bits of `bytes` (16 bytes). */
export interface IpRange {
  bytes: Uint8Array;
  prefix: number;
}

/**
 * Parses a dotted-quad IPv4 address (four decimal octets, no leading zeros, as
 * `inet_pton` takes them) into `out[at..at+4)`.
 *
 * @param text The text.
 * @param start Where the address starts in `text`.
 * @param end Where it ends (exclusive).
 * @param out The bytes to fill.
 * @param at Where the four bytes go in `out`.
 * @returns Whether `text[start..end)` is exactly an IPv4 address.
 */
function parseIpv4Into(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): boolean {
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 46;
    if (c === 46 /* . */) {
      if (digits === 0 || parts === 4) return false;
      out[at + parts++] = octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return false; // a leading zero
      octet = octet * 10 + c - 48;
      if (octet > 255) return false;
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/**
 * Parses an IPv6 address (RFC 4291 §2.2: hex groups, one `::`, an IPv4 tail; a zone
 * such as `%eth0` is dropped) into 16 bytes.
 */
function parseIpv6(text: string, start: number, end: number): Uint8Array | null {
  const percent = text.indexOf("%", start);
  if (percent !== -1 && percent < end) {
    if (percent === end - 1) return null;
    end = percent;
  }
  const out = new Uint8Array(16);
  let n = 0; // bytes written
  let gap = -1; // where "::" stood, in bytes
  let i = start;
  if (text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return null;
    gap = 0;
    i += 2;
    if (i === end) return out;
  }
  for (;;) {
    // One group: up to four hex digits, or an IPv4 tail.
    let value = 0;
    let digits = 0;
    const groupStart = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      const h = c >= 48 && c <= 57
        ? c - 48
        : (c | 0x20) >= 97 && (c | 0x20) <= 102
        ? (c | 0x20) - 87
        : -1;
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46 /* . */) {
      if (n > 12 || !parseIpv4Into(text, groupStart, end, out, n)) return null;
      n += 4;
      break;
    }
    if (digits === 0 || digits > 4 || n > 14) return null;
    out[n++] = value >> 8;
    out[n++] = value & 0xff;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return null;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap !== -1) return null;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return null; // a trailing single ":"
    }
  }
  if (gap === -1) return n === 16 ? out : null;
  if (n === 16) return null; // "::" must stand for at least one group
  // Move what followed "::" to the end.
  const tail = n - gap;
  out.copyWithin(16 - tail, gap, n);
  out.fill(0, gap, 16 - tail);
  return out;
}

/**
 * Parses an IPv4 or IPv6 address literal (no brackets, no port) into 16 bytes, IPv4 as
 * `::ffff:a.b.c.d`.
 *
 * @param text The literal.
 * @returns The 16 bytes, or null when `text` is not an IP address.
 */
export function parseIp(text: string): Uint8Array | null {
  const length = text.length;
  if (length === 0 || length > 64) return null;
  if (text.indexOf(":") === -1) {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    return parseIpv4Into(text, 0, length, out, 12) ? out : null;
  }
  return parseIpv6(text, 0, length);
}

/**
 * Whether `text` is an IPv4 literal (so a port after it is told from IPv6's colons).
 *
 * @param text The literal.
 * @returns True for a dotted quad.
 */
export function isIpv4(text: string): boolean {
  return text.indexOf(":") === -1 && parseIp(text) !== null;
}

/**
 * Parses a range: an address alone (every bit) or `address/prefix`, the prefix counted
 * in the address's own family (0-32 for IPv4, 0-128 for IPv6).
 *
 * @param text The range.
 * @returns The range, or null when it is not one.
 */
export function parseIpRange(text: string): IpRange | null {
  const slash = text.indexOf("/");
  const address = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseIp(address);
  if (bytes === null) return null;
  const v4 = address.indexOf(":") === -1;
  const width = v4 ? 32 : 128;
  let prefix = width;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(digits)) return null;
    prefix = Number(digits);
    if (prefix > width) return null;
  }
  return { bytes, prefix: v4 ? prefix + 96 : prefix };
}

/**
 * Whether `address` (16 bytes) lies in `range`.
 *
 * @param range The range.
 * @param address The address, from {@linkcode parseIp}.
 * @returns True when its first `range.prefix` bits are the range's.
 */
export function inRange(range: IpRange, address: Uint8Array): boolean {
  const bytes = range.bytes;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (address[i] & mask)) return false;
  }
  return true;
}

/**
 * Writes the IPv4 address in `bytes[at..at+4)` as a dotted quad.
 *
 * @param bytes The bytes.
 * @param at Where the address starts.
 * @returns The text.
 */
export function formatIpv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/**
 * Writes the IPv6 address in `bytes[at..at+16)` as RFC 5952 says: lower-case hex without
 * leading zeros, the longest run of two or more zero groups as "::" (the first of equal
 * runs), and an IPv4-mapped address as `::ffff:a.b.c.d`.
 *
 * @param bytes The bytes.
 * @param at Where the address starts.
 * @returns The text.
 */
export function formatIpv6(bytes: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return "::ffff:" + formatIpv4(bytes, at + 12);
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups.slice(from, to).map((g) => g.toString(16)).join(":");
  if (bestStart === -1) return hex(0, 8);
  return hex(0, bestStart) + "::" + hex(bestStart + bestLength, 8);
}
