/**
 * Cookie syntax (internal): parsing a `Cookie` field, checking names, values and
 * attributes, and writing one `Set-Cookie` line (RFC 6265bis-20 §4.1 and §5.6).
 *
 * Values are written with the smallest escaping that keeps them valid cookie-octets:
 * every cookie-octet except `%` goes out as is (so base64 and JWT values are not
 * touched), anything else is percent-encoded as UTF-8; a value read back that holds a
 * `%` is percent-decoded (left as it came when the escape is malformed), as Hono does.
 *
 * @module
 */

/** The default `Path` of a cookie set by Wire: the whole site, as Koa and Hono set it. */
export const DEFAULT_COOKIE_PATH = "/";
/** Cookies are `HttpOnly` unless told otherwise, as Koa sets them. */
export const DEFAULT_COOKIE_HTTP_ONLY = true;

/** Largest `name=value` a user agent keeps (RFC 6265bis §5.6 step 4). */
export const MAX_COOKIE_PAIR_BYTES = 4096;
/** Largest attribute value a user agent keeps (RFC 6265bis §5.6 step 5). */
export const MAX_COOKIE_ATTRIBUTE_BYTES = 1024;
/** Largest Max-Age a user agent honours: 400 days (RFC 6265bis §5.6.2). */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

// tchar (RFC 9110 §5.6.2): what a cookie-name may hold.
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

// cookie-octet (RFC 6265bis §4.1.1): %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
const OCTET = new Uint8Array(128);
for (let c = 0x21; c <= 0x7e; c++) OCTET[c] = 1;
for (const c of '",;\\') OCTET[c.charCodeAt(0)] = 0;

/** True when `name` is a non-empty token. */
export function isCookieName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** `value` as cookie-octets: `%` and every byte outside them percent-encoded (UTF-8). */
export function encodeCookieValue(value: string): string {
  let i = 0;
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || OCTET[c] === 0 || c === 0x25) break;
  }
  if (i === value.length) return value;
  let out = value.slice(0, i);
  for (const ch of value.slice(i)) {
    const c = ch.charCodeAt(0);
    out += c < 128 && OCTET[c] === 1 && c !== 0x25 ? ch : encodeURIComponent(ch);
  }
  return out;
}

/** A value read from a `Cookie` field: quotes removed, percent-escapes decoded. */
export function decodeCookieValue(raw: string): string {
  let value = raw;
  if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.endsWith('"')) {
    value = value.slice(1, -1);
  }
  if (value.indexOf("%") === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The pairs of a `Cookie` field (RFC 6265bis §5.7.2 reversed: pairs split at `;`,
 * trimmed), the first of a repeated name winning, as user agents put the most specific
 * cookie first (§5.8.3 step 2). Pairs without `=` or with an empty name are skipped.
 */
export function parseCookieHeader(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  const len = header.length;
  let start = 0;
  while (start < len) {
    let end = header.indexOf(";", start);
    if (end === -1) end = len;
    const eq = header.indexOf("=", start);
    if (eq !== -1 && eq < end) {
      const name = trim(header, start, eq);
      if (name !== "" && !cookies.has(name)) {
        cookies.set(name, decodeCookieValue(trim(header, eq + 1, end)));
      }
    }
    start = end + 1;
  }
  return cookies;
}

function trim(text: string, start: number, end: number): string {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** What a `Set-Cookie` line says besides the name and value. */
export interface SetCookieAttributes {
  expires?: Date | number;
  maxAge?: number;
  domain?: string;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: "Strict" | "Lax" | "None";
  partitioned?: boolean;
  priority?: "Low" | "Medium" | "High";
}

const SAME_SITE: Record<string, "Strict" | "Lax" | "None"> = {
  strict: "Strict",
  lax: "Lax",
  none: "None",
};
const PRIORITY: Record<string, "Low" | "Medium" | "High"> = {
  low: "Low",
  medium: "Medium",
  high: "High",
};

/** Which prefix (RFC 6265bis §4.1.3) a cookie name carries, matched case-insensitively. */
export function cookiePrefix(name: string): "__Host-" | "__Secure-" | "" {
  if (name.charCodeAt(0) !== 0x5f || name.charCodeAt(1) !== 0x5f) return "";
  const head = name.slice(0, 9).toLowerCase();
  if (head.startsWith("__host-")) return "__Host-";
  if (head === "__secure-") return "__Secure-";
  return "";
}

/**
 * One `Set-Cookie` field value, every argument checked: a TypeError for a bad name,
 * domain or path and for attribute combinations user agents reject (a prefix's rules,
 * SameSite=None or Partitioned without Secure), a RangeError for sizes and ages out of
 * range.
 */
export function serializeSetCookie(
  name: string,
  value: string,
  attributes: SetCookieAttributes,
): string {
  if (typeof name !== "string" || !isCookieName(name)) {
    throw new TypeError(`Cannot set cookie: name ${JSON.stringify(name)} is not a token`);
  }
  if (typeof value !== "string") {
    throw new TypeError(`Cannot set cookie "${name}": value must be a string, got ${typeof value}`);
  }
  let encoded: string;
  try {
    encoded = encodeCookieValue(value);
  } catch {
    throw new TypeError(`Cannot set cookie "${name}": value holds a lone surrogate`);
  }
  if (name.length + encoded.length > MAX_COOKIE_PAIR_BYTES) {
    throw new RangeError(
      `Cannot set cookie "${name}": name and value are ${
        name.length + encoded.length
      } bytes, more than ${MAX_COOKIE_PAIR_BYTES}`,
    );
  }
  let line = name + "=" + encoded;
  const { expires, maxAge, domain, path, secure, httpOnly, partitioned } = attributes;
  if (maxAge !== undefined) {
    if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > MAX_COOKIE_AGE_SECONDS) {
      throw new RangeError(
        `Cannot set cookie "${name}": maxAge ${maxAge} is not an integer from 0 to ${MAX_COOKIE_AGE_SECONDS} (400 days)`,
      );
    }
    line += "; Max-Age=" + maxAge;
  }
  if (expires !== undefined) {
    const date = typeof expires === "number" ? new Date(expires) : expires;
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw new RangeError(`Cannot set cookie "${name}": expires is not a valid date`);
    }
    line += "; Expires=" + date.toUTCString();
  }
  if (domain !== undefined) {
    if (!isDomain(domain)) {
      throw new TypeError(
        `Cannot set cookie "${name}": domain ${JSON.stringify(domain)} is not a host name`,
      );
    }
    line += "; Domain=" + domain;
  }
  if (path !== undefined) {
    if (!isPath(path)) {
      throw new TypeError(
        `Cannot set cookie "${name}": path ${
          JSON.stringify(path)
        } must start with "/" and hold no ";" or control characters`,
      );
    }
    line += "; Path=" + path;
  }
  if (secure) line += "; Secure";
  if (httpOnly) line += "; HttpOnly";
  if (attributes.sameSite !== undefined) {
    const sameSite = SAME_SITE[String(attributes.sameSite).toLowerCase()];
    if (sameSite === undefined) {
      throw new TypeError(
        `Cannot set cookie "${name}": sameSite must be "Strict", "Lax" or "None", got ${
          JSON.stringify(attributes.sameSite)
        }`,
      );
    }
    // RFC 6265bis §5.6.7 / browsers: SameSite=None without Secure is rejected.
    if (sameSite === "None" && !secure) {
      throw new TypeError(`Cannot set cookie "${name}": SameSite=None needs secure: true`);
    }
    line += "; SameSite=" + sameSite;
  }
  if (partitioned) {
    // CHIPS: a partitioned cookie without Secure is rejected by the user agent.
    if (!secure) throw new TypeError(`Cannot set cookie "${name}": Partitioned needs secure: true`);
    line += "; Partitioned";
  }
  if (attributes.priority !== undefined) {
    const priority = PRIORITY[String(attributes.priority).toLowerCase()];
    if (priority === undefined) {
      throw new TypeError(
        `Cannot set cookie "${name}": priority must be "Low", "Medium" or "High"`,
      );
    }
    line += "; Priority=" + priority;
  }
  const prefix = cookiePrefix(name);
  if (prefix !== "") checkPrefix(name, prefix, attributes);
  return line;
}

// RFC 6265bis §4.1.3: __Secure- needs Secure; __Host- also Path=/ and no Domain.
function checkPrefix(name: string, prefix: string, attributes: SetCookieAttributes): void {
  if (!attributes.secure) {
    throw new TypeError(`Cannot set cookie "${name}": a ${prefix} cookie needs secure: true`);
  }
  if (prefix === "__Host-") {
    if (attributes.domain !== undefined) {
      throw new TypeError(`Cannot set cookie "${name}": a __Host- cookie cannot have a domain`);
    }
    if (attributes.path !== "/") {
      throw new TypeError(`Cannot set cookie "${name}": a __Host- cookie needs path "/"`);
    }
  }
}

function isDomain(domain: unknown): boolean {
  if (typeof domain !== "string" || domain === "" || domain.length > MAX_COOKIE_ATTRIBUTE_BYTES) {
    return false;
  }
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
    if (!ok) return false;
  }
  return true;
}

function isPath(path: unknown): boolean {
  if (typeof path !== "string" || path.charCodeAt(0) !== 0x2f) return false;
  if (path.length > MAX_COOKIE_ATTRIBUTE_BYTES) return false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x3b) return false;
  }
  return true;
}

/** The attributes with Wire's defaults filled in (path "/", HttpOnly). */
export function withDefaults(attributes: SetCookieAttributes | undefined): SetCookieAttributes {
  return {
    ...attributes,
    path: attributes?.path ?? DEFAULT_COOKIE_PATH,
    httpOnly: attributes?.httpOnly ?? DEFAULT_COOKIE_HTTP_ONLY,
  };
}

/**
 * The `Set-Cookie` field value that deletes `name`: empty, `Max-Age=0`, an `Expires`
 * in 1970, and `Secure` (and `Path=/`) when a prefix requires them.
 */
export function serializeDeletion(name: string, attributes?: SetCookieAttributes): string {
  const prefix = typeof name === "string" ? cookiePrefix(name) : "";
  const base = withDefaults(attributes);
  return serializeSetCookie(name, "", {
    ...base,
    maxAge: 0,
    expires: 0,
    secure: base.secure || prefix !== "",
    path: prefix === "__Host-" ? "/" : base.path,
  });
}
