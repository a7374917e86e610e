/**
 * Content negotiation on Accept-Encoding (RFC 9110 §12.5.3), in the shape of Deno std's
 * `acceptsEncodings`.
 *
 * @module
 */

import { chooseCoding, parseAcceptEncoding } from "./_compression/accept_encoding.ts";

/**
 * The codings a request's Accept-Encoding lists with a weight above 0, most preferred
 * first (ties keep the client's order); empty without the field.
 *
 * @param request The request.
 * @returns The client's codings, lower case.
 *
 * @example List what a client accepts
 * ```ts
 * import { acceptsEncodings } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", {
 *   headers: { "accept-encoding": "gzip;q=0.8, br, identity;q=0.1" },
 * });
 * assert.deepEqual(acceptsEncodings(request), ["br", "gzip", "identity"]);
 * ```
 */
export function acceptsEncodings(request: Request): string[];
/**
 * The coding to use among `encodings` (the server's, most preferred first): each is
 * weighed by its own entry in Accept-Encoding or by `*`, and the server's order breaks
 * ties; `"identity"` may be offered and is acceptable unless excluded. Undefined when
 * none is acceptable, and for a request without Accept-Encoding unless `"identity"` is
 * offered (a server compresses only for a client that asks).
 *
 * @param request The request.
 * @param encodings Codings the server can send, most preferred first.
 * @returns The coding to use, as spelled in `encodings`, or undefined.
 *
 * @example Pick a coding
 * ```ts
 * import { acceptsEncodings } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", {
 *   headers: { "accept-encoding": "gzip;q=0.8, br, identity;q=0.1" },
 * });
 * assert.equal(acceptsEncodings(request, "gzip", "br"), "br");
 * assert.equal(acceptsEncodings(request, "zstd"), undefined);
 * assert.equal(acceptsEncodings(request, "zstd", "identity"), "identity");
 * ```
 */
export function acceptsEncodings(request: Request, ...encodings: string[]): string | undefined;
export function acceptsEncodings(
  request: Request,
  ...encodings: string[]
): string[] | string | undefined {
  const value = request.headers.get("accept-encoding");
  if (encodings.length === 0) {
    if (value === null) return [];
    return parseAcceptEncoding(value)
      .filter((entry) => entry.q > 0)
      .map((entry, index) => ({ ...entry, index }))
      .sort((a, b) => b.q - a.q || a.index - b.index)
      .map((entry) => entry.coding);
  }
  const lower = encodings.map((coding) => coding.toLowerCase());
  const codings = lower.filter((coding) => coding !== "identity");
  const chosen = chooseCoding(value, codings);
  if (chosen !== null) return encodings[lower.indexOf(chosen)];
  if (!lower.includes("identity")) return undefined;
  if (value === null || value === "") return encodings[lower.indexOf("identity")];
  // Identity is refused only by `identity;q=0`, or by `*;q=0` without an identity entry.
  const entries = parseAcceptEncoding(value);
  const own = entries.find((entry) => entry.coding === "identity");
  const star = entries.find((entry) => entry.coding === "*");
  const q = own?.q ?? star?.q ?? 1;
  return q > 0 ? encodings[lower.indexOf("identity")] : undefined;
}
