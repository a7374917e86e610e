/**
 * The `Date` header (RFC 9110 §6.6.1), formatted at most once per second and shared by
 * every connection: a response only compares the clock with the cached second.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

let cachedSecond = -1;
let cachedLine = "";

function pad2(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

/** Formats `ms` (epoch milliseconds) as an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function formatHttpDate(ms: number): string {
  const d = new Date(ms);
  return DAYS[d.getUTCDay()] + ", " + pad2(d.getUTCDate()) + " " + MONTHS[d.getUTCMonth()] + " " +
    d.getUTCFullYear() + " " + pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes()) + ":" +
    pad2(d.getUTCSeconds()) + " GMT";
}

/**
 * The whole header line `date: <IMF-fixdate>\r\n` for the time `now` (epoch ms),
 * reformatted only when the second changes.
 */
export function dateLine(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedLine = "date: " + formatHttpDate(second * 1000) + "\r\n";
  }
  return cachedLine;
}
