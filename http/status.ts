/**
 * HTTP status codes and their reason phrases (RFC 9110 §15).
 *
 * @module
 */

/**
 * The standard reason phrase for each registered status code.
 *
 * @example Look up a reason phrase
 * ```ts
 * import { STATUS_TEXT } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(STATUS_TEXT[404], "Not Found");
 * ```
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  103: "Early Hints",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a Teapot",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
});

/**
 * Whether `status` is a valid HTTP status code: an integer from 100 to 999.
 *
 * @param status The number to check.
 * @returns `true` when it can appear in a status line.
 *
 * @example Check a status
 * ```ts
 * import { isStatus } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isStatus(200), true);
 * assert.equal(isStatus(42), false);
 * ```
 */
export function isStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 999;
}

/**
 * The reason phrase for `status`, or `""` when the code is not registered.
 *
 * @param status A status code.
 * @returns Its reason phrase.
 *
 * @example Reason phrases
 * ```ts
 * import { statusText } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(statusText(201), "Created");
 * assert.equal(statusText(599), "");
 * ```
 */
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? "";
}
