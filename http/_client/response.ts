/**
 * The Web `Response` a client connection hands to `fetch`, built from a parsed head.
 *
 * @module
 */
import { errorText } from "../_codec/error_text.ts";
import { malformed } from "./errors.ts";
import type { PreparedRequest } from "./prepare_request.ts";

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
