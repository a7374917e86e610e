/**
 * `Set-Cookie` parsing (RFC 6265bis §5.6): the name-value pair, the attributes a jar
 * keeps, and the cookie-date algorithm (§5.1.1), with the RFC's size limits.
 *
 * @module
 */

/** Longest name plus value (§5.6 step 5). */
export const MAX_NAME_VALUE_BYTES = 4096;
/** Longest attribute value kept (§5.6 step "attribute-value"): longer ones are ignored. */
export const MAX_ATTRIBUTE_BYTES = 1024;
/** Latest expiry: 400 days ahead (§5.6.1, §5.6.2). */
export const MAX_AGE_MS = 400 * 24 * 60 * 60 * 1000;

/** A parsed Set-Cookie line, before the jar checks it against the request. */
export interface SetCookie {
  name: string;
  value: string;
  /** Lower-cased, without a leading dot; null when absent. */
  domain: string | null;
  /** null when absent or not starting with "/". */
  path: string | null;
  /** Epoch milliseconds; null for a session cookie. Max-Age wins over Expires. */
  expires: number | null;
  secure: boolean;
  httpOnly: boolean;
  /** "strict", "lax", "none", or "default" when absent or unknown. */
  sameSite: "strict" | "lax" | "none" | "default";
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Delimiters of cookie-date (§5.1.1): every byte but digits, letters, ":" and a few. */
function isDelimiter(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
    (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/**
 * The cookie-date algorithm (RFC 6265bis §5.1.1).
 *
 * @param text An Expires value.
 * @returns Epoch milliseconds, or NaN when it is not a date.
 */
export function parseCookieDate(text: string): number {
  let time: number[] | null = null;
  let day = -1;
  let month = -1;
  let year = -1;
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const delimiter = i === text.length || isDelimiter(text.charCodeAt(i));
    if (!delimiter && start === -1) start = i;
    else if (delimiter && start !== -1) {
      tokens.push(text.slice(start, i));
      start = -1;
    }
  }
  for (const token of tokens) {
    if (time === null) {
      const m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D.*)?$/.exec(token);
      if (m !== null) {
        time = [Number(m[1]), Number(m[2]), Number(m[3])];
        continue;
      }
    }
    if (day === -1) {
      const m = /^(\d{1,2})(?:\D.*)?$/.exec(token);
      if (m !== null) {
        day = Number(m[1]);
        continue;
      }
    }
    if (month === -1) {
      const at = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
      if (at !== -1) {
        month = at;
        continue;
      }
    }
    if (year === -1) {
      const m = /^(\d{2,4})(?:\D.*)?$/.exec(token);
      if (m !== null) {
        year = Number(m[1]);
        if (year >= 70 && year <= 99) year += 1900;
        else if (year >= 0 && year <= 69) year += 2000;
      }
    }
  }
  if (
    time === null || day < 1 || day > 31 || month === -1 || year < 1601 || time[0] > 23 ||
    time[1] > 59 || time[2] > 59
  ) {
    return NaN;
  }
  const date = Date.UTC(year, month, day, time[0], time[1], time[2]);
  // Day 31 of a 30-day month rolls over: not a date.
  return new Date(date).getUTCDate() === day ? date : NaN;
}

/**
 * Parses one Set-Cookie value.
 *
 * @param line The field value.
 * @param now The current time, epoch milliseconds.
 * @returns The cookie, or null when the line must be ignored.
 */
export function parseSetCookie(line: string, now: number): SetCookie | null {
  // A control character (other than tab) voids the whole line (§5.6 step 1).
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return null;
  }
  const semicolon = line.indexOf(";");
  const pair = semicolon === -1 ? line : line.slice(0, semicolon);
  const equals = pair.indexOf("=");
  const name = equals === -1 ? "" : pair.slice(0, equals).trim();
  const value = (equals === -1 ? pair : pair.slice(equals + 1)).trim();
  if (name === "" && value === "") return null;
  if (name.length + value.length > MAX_NAME_VALUE_BYTES) return null;
  const cookie: SetCookie = {
    name,
    value,
    domain: null,
    path: null,
    expires: null,
    secure: false,
    httpOnly: false,
    sameSite: "default",
  };
  let maxAge: number | null = null;
  let expires: number | null = null;
  const attributes = semicolon === -1 ? [] : line.slice(semicolon + 1).split(";");
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at === -1 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const val = at === -1 ? "" : attribute.slice(at + 1).trim();
    if (val.length > MAX_ATTRIBUTE_BYTES) continue;
    switch (key) {
      case "expires": {
        const date = parseCookieDate(val);
        if (!Number.isNaN(date)) expires = date;
        break;
      }
      case "max-age": {
        if (!/^-?\d+$/.test(val)) break;
        const seconds = Number(val);
        maxAge = seconds <= 0 ? -Infinity : seconds * 1000;
        break;
      }
      case "domain": {
        const domain = (val.startsWith(".") ? val.slice(1) : val).toLowerCase();
        if (domain !== "") cookie.domain = domain;
        break;
      }
      case "path":
        cookie.path = val.startsWith("/") ? val : null;
        break;
      case "secure":
        cookie.secure = true;
        break;
      case "httponly":
        cookie.httpOnly = true;
        break;
      case "samesite": {
        const mode = val.toLowerCase();
        cookie.sameSite = mode === "strict" || mode === "lax" || mode === "none" ? mode : "default";
        break;
      }
    }
  }
  if (maxAge !== null) {
    cookie.expires = maxAge === -Infinity ? 0 : now + Math.min(maxAge, MAX_AGE_MS);
  } else if (expires !== null) cookie.expires = Math.min(expires, now + MAX_AGE_MS);
  return cookie;
}
