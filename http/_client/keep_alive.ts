/**
 * How long a pooled connection may idle: our keep-alive timeout, shortened by the
 * server's `Keep-Alive: timeout=N` response header (RFC 2068 §19.7.1.1) so the client
 * retires a connection before the server closes it under a request.
 *
 * @module
 */
import type { ConnectionSettings } from "./config.ts";

/**
 * Reads the `timeout=N` seconds of a Keep-Alive header value.
 *
 * @param value The Keep-Alive field value, as `"timeout=5, max=100"`.
 * @returns The seconds (at most nine digits are read), or -1 when there are none.
 */
export function keepAliveHint(value: string): number {
  const lower = value.toLowerCase();
  const at = lower.indexOf("timeout=");
  if (at === -1) return -1;
  let seconds = 0;
  let digits = 0;
  for (let i = at + 8; i < lower.length && digits < 9; i++, digits++) {
    const digit = lower.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    seconds = seconds * 10 + digit;
  }
  return digits === 0 ? -1 : seconds;
}

/**
 * The idle time left to a connection whose last response hinted `hintSeconds`:
 * `keepAliveTimeout`, or the hint less `keepAliveTimeoutThreshold` (capped at
 * `keepAliveMaxTimeout`) when that is shorter.
 *
 * @param settings The connection's settings.
 * @param hintSeconds From {@linkcode keepAliveHint}; -1 for none.
 * @returns Milliseconds; 0 or less means close the connection now.
 */
export function idleTime(settings: ConnectionSettings, hintSeconds: number): number {
  let idle = settings.keepAliveTimeout;
  if (hintSeconds >= 0) {
    const hinted = Math.min(
      hintSeconds * 1000 - settings.keepAliveTimeoutThreshold,
      settings.keepAliveMaxTimeout,
    );
    if (hinted < idle) idle = hinted;
  }
  return idle;
}
