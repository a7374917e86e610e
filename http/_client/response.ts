/**
 * The Web `Response` a client connection hands to `fetch`, built from a parsed head.
 *
 * @module
 */
import { errorText } from "../_codec/error_text.ts";
import { malformed } from "./errors.ts";
import type { ClientExchange } from "./exchange.ts";
import { keepAliveHint } from "./keep_alive.ts";
import type { PreparedRequest } from "./prepare_request.ts";
import type { ConnectionSettings } from "./config.ts";

/** The body of an empty response (not a null one: a 200 with `Content-Length: 0`). */
export const EMPTY: Uint8Array<ArrayBuffer> = new Uint8Array(0);

/**
 * Builds the Response, then adds the fields to its headers: appending to
 * `response.headers` is about 4x cheaper in Deno than passing `init.headers`.
 *
 * @param request The request answered (named in a MALFORMED_RESPONSE error).
 * @param body The body: null, bytes or a stream.
 * @param init Status and reason phrase.
 * @param fields The parser's header fields as flat `[name, value, ...]`.
 * @returns The Response.
 * @throws {ClientError} MALFORMED_RESPONSE when `Headers` refuses a field.
 */
export function buildResponse(
  request: PreparedRequest,
  body: BodyInit | null,
  init: ResponseInit,
  fields: string[],
): Response {
  const response = new Response(body, init);
  const headers = response.headers;
  for (let i = 0; i < fields.length; i += 2) {
    try {
      headers.append(fields[i], fields[i + 1]);
    } catch (error) {
      throw malformed(request, `header "${fields[i]}" is not valid: ${errorText(error)}`, error);
    }
  }
  return response;
}

/**
 * Reads the head fields the connection acts on: the `Keep-Alive` hint goes on the
 * exchange, and the `Content-Encoding` list (repeated fields joined) is returned. Names
 * are compared by length first: most fields are neither.
 *
 * @param exchange The exchange whose response head this is.
 * @param fields The parser's header fields as flat `[name, value, ...]`.
 * @returns The Content-Encoding value, or null.
 */
export function readHeadFields(exchange: ClientExchange, fields: string[]): string | null {
  let encoding: string | null = null;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    if (name.length === 10) {
      if (name.toLowerCase() === "keep-alive") {
        exchange.keepAliveHint = keepAliveHint(fields[i + 1]);
      }
    } else if (name.length === 16 && name.toLowerCase() === "content-encoding") {
      encoding = encoding === null ? fields[i + 1] : encoding + ", " + fields[i + 1];
    }
  }
  return encoding;
}

/**
 * Bounds a flood of interim (1xx) responses by count and by bytes, as one head is
 * bounded (200 MB of 100 Continue once took 1.2 s to parse; node and browsers stop them).
 *
 * @param request The request answered.
 * @param settings The connection's limits.
 * @param count Interim responses so far.
 * @param bytes Bytes of them so far.
 * @throws {ClientError} MALFORMED_RESPONSE past a limit.
 */
export function checkInterim(
  request: PreparedRequest,
  settings: ConnectionSettings,
  count: number,
  bytes: number,
): void {
  if (count > settings.maxInterimResponses) {
    throw malformed(request, `more than ${settings.maxInterimResponses} interim (1xx) responses`);
  }
  if (bytes > settings.maxHeaderBytes) {
    throw malformed(
      request,
      `interim (1xx) responses longer than ${settings.maxHeaderBytes} bytes together`,
    );
  }
}
