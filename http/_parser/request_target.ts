/**
 * The request-target's form (RFC 9112 §3.2), checked once per request after the byte loop
 * has found where the target ends: the loop only admits URL_CHAR bytes, this decides
 * whether they make an origin-form, absolute-form, authority-form or asterisk-form.
 *
 * @module
 */

const AUTHORITY_FORM = "Cannot parse request-target: CONNECT needs host:port (authority-form)";
const ASTERISK_ALONE = 'Cannot parse request-target: "*" must stand alone';
const NO_FORM = 'Cannot parse request-target: not origin-form, absolute-form or "*"';

/**
 * Checks the form of the request-target in `bytes[start..end)` (not empty): "" when it is
 * fine, else the message of the INVALID_URL (400) rejection. CONNECT takes only the
 * authority-form (RFC 9112 §3.2.3); other methods the origin-form, the absolute-form or
 * the asterisk-form, "*" alone (RFC 9112 §3.2.4 means it for OPTIONS; which methods may
 * use it is left to the server).
 *
 * @param bytes The head's bytes.
 * @param start First byte of the target.
 * @param end End (exclusive) of the target.
 * @param connect Whether the method is CONNECT.
 * @returns "" or the message.
 */
export function checkRequestTarget(
  bytes: Uint8Array,
  start: number,
  end: number,
  connect: boolean,
): string {
  const first = bytes[start];
  if (connect) {
    // authority-form: host ":" port, nothing else.
    let colon = false;
    for (let i = start; i < end; i++) {
      const byte = bytes[i];
      if (byte === 0x2f || byte === 0x3f || byte === 0x23 || byte === 0x40) return AUTHORITY_FORM;
      if (byte === 0x3a) colon = true;
    }
    return colon ? "" : AUTHORITY_FORM;
  }
  if (first === 0x2f) return "";
  if (first === 0x2a) return end - start === 1 ? "" : ASTERISK_ALONE;
  // absolute-form: scheme ":" ... (RFC 3986 §3.1).
  if ((first | 0x20) >= 0x61 && (first | 0x20) <= 0x7a) {
    for (let i = start + 1; i < end; i++) {
      const byte = bytes[i];
      if (byte === 0x3a) return "";
      const lower = byte | 0x20;
      const ok = (lower >= 0x61 && lower <= 0x7a) || (byte >= 0x30 && byte <= 0x39) ||
        byte === 0x2b || byte === 0x2d || byte === 0x2e;
      if (!ok) break;
    }
  }
  return NO_FORM;
}
