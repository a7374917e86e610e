/**
 * Validators (RFC 9110 §8.8): entity-tags from a file's metadata or content, HTTP-dates
 * for Last-Modified, and the two comparison functions of §8.8.3.2.
 *
 * @module
 */

/**
 * The ETag of a file from its size and modification time, the way nginx builds it
 * (`"<mtime hex>-<size hex>"`), with milliseconds rather than seconds so two writes
 * within a second differ.
 *
 * @param size The file's size.
 * @param mtime Its modification time (epoch ms), or null when unknown.
 * @returns A strong entity-tag.
 */
export function statEtag(size: number, mtime: number | null): string {
  return `"${(mtime ?? 0).toString(16)}-${size.toString(16)}"`;
}

/**
 * An entity-tag from a content hash: the first 16 bytes of a SHA-256, base64url.
 *
 * @param digest The SHA-256 digest.
 * @returns A strong entity-tag.
 */
export function hashEtag(digest: Uint8Array): string {
  let text = "";
  for (let i = 0; i < 16; i++) text += String.fromCharCode(digest[i]);
  return `"${btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Whether an If-Match / If-None-Match value lists `etag` (or is `*`). `strong` asks for
 * the strong comparison (both tags strong and equal: If-Match, If-Range); otherwise the
 * weak one (equal opaque tags, `W/` ignored: If-None-Match).
 *
 * @param list The field value.
 * @param etag The current entity-tag (with its quotes and any `W/`), or null for none.
 * @param strong Strong comparison.
 * @returns True when one entry matches.
 */
export function etagMatches(list: string, etag: string | null, strong: boolean): boolean {
  const len = list.length;
  let i = 0;
  while (i < len && isOws(list.charCodeAt(i))) i++;
  if (list.charCodeAt(i) === 0x2a) return true; // "*": any current representation
  if (etag === null) return false;
  const weakTag = etag.startsWith("W/");
  if (strong && weakTag) return false;
  const opaque = weakTag ? etag.slice(2) : etag;
  while (i < len) {
    while (i < len && (isOws(list.charCodeAt(i)) || list.charCodeAt(i) === 0x2c)) i++;
    if (i >= len) break;
    let weak = false;
    if (list.charCodeAt(i) === 0x57 && list.charCodeAt(i + 1) === 0x2f) {
      weak = true;
      i += 2;
    }
    if (list.charCodeAt(i) !== 0x22) return false; // malformed: no match
    const end = list.indexOf('"', i + 1);
    if (end === -1) return false;
    if ((!strong || !weak) && list.slice(i, end + 1) === opaque) return true;
    i = end + 1;
  }
  return false;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + c - 0x30;
  }
  return value;
}

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) in its preferred form, IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`), or the two obsolete ones recipients must accept
 * (RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`).
 *
 * @param text The field value.
 * @returns Epoch milliseconds, or NaN when it is not an HTTP-date.
 */
export function parseHttpDate(text: string): number {
  const value = text.trim();
  let day: number, month: number | undefined, year: number, time: number;
  if (value.length === 29 && value.charCodeAt(3) === 0x2c && value.endsWith(" GMT")) {
    day = digits(value, 5, 2);
    month = MONTHS[value.slice(8, 11)];
    year = digits(value, 12, 4);
    time = 17;
  } else if (value.length === 24 && value.charCodeAt(3) === 0x20) {
    month = MONTHS[value.slice(4, 7)];
    day = digits(value, 8, 2);
    if (value.charCodeAt(8) === 0x20) day = digits(value, 9, 1);
    year = digits(value, 20, 4);
    time = 11;
  } else {
    const comma = value.indexOf(", ");
    if (comma === -1 || !value.endsWith(" GMT") || value.length - comma !== 24) return NaN;
    const at = comma + 2;
    day = digits(value, at, 2);
    month = MONTHS[value.slice(at + 3, at + 6)];
    const yy = digits(value, at + 7, 2);
    // RFC 9110 §5.6.7: a two-digit year more than 50 years ahead is in the past century.
    const now = new Date().getUTCFullYear();
    year = 2000 + yy > now + 50 ? 1900 + yy : 2000 + yy;
    if (yy < 0) year = -1;
    time = at + 10;
  }
  const hour = digits(value, time, 2);
  const minute = digits(value, time + 3, 2);
  const second = digits(value, time + 6, 2);
  if (
    month === undefined || day < 1 || day > 31 || year < 0 || hour < 0 || hour > 23 ||
    minute < 0 || minute > 59 || second < 0 || second > 60 ||
    value.charCodeAt(time + 2) !== 0x3a || value.charCodeAt(time + 5) !== 0x3a
  ) return NaN;
  return Date.UTC(year, month, day, hour, minute, second);
}
