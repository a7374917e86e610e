/**
 * Subresource Integrity for fetch's `integrity` option (Fetch §4.1 step 22, SRI §3.3.5):
 * the whole body is read and hashed before the Response is handed over, and a mismatch
 * is a network error.
 *
 * @module
 */
import { integrityMismatch } from "./errors.ts";

/** The SRI algorithms, weakest first (SRI §3.2). */
const ALGORITHMS = ["sha256", "sha384", "sha512"] as const;
const DIGESTS = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" } as const;

/** Base64 and base64url forms compared alike, padding ignored. */
function normalize(digest: string): string {
  return digest.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
}

/**
 * The expected digests of the strongest algorithm `metadata` names (SRI §3.3.3-4), or
 * null when it names no algorithm we know (then any body matches).
 *
 * @param metadata The `integrity` value: `alg-base64[?options]` tokens.
 * @returns The algorithm and its expected digests, or null.
 */
export function parseIntegrity(
  metadata: string,
): { algorithm: keyof typeof DIGESTS; digests: string[] } | null {
  let strongest = -1;
  let digests: string[] = [];
  for (const token of metadata.split(/[\t\n\f\r ]+/)) {
    const dash = token.indexOf("-");
    if (dash === -1) continue;
    const rank = ALGORITHMS.indexOf(
      token.slice(0, dash).toLowerCase() as typeof ALGORITHMS[number],
    );
    if (rank === -1) continue;
    const query = token.indexOf("?", dash);
    const digest = normalize(token.slice(dash + 1, query === -1 ? undefined : query));
    if (rank > strongest) {
      strongest = rank;
      digests = [digest];
    } else if (rank === strongest) {
      digests.push(digest);
    }
  }
  return strongest === -1 ? null : { algorithm: ALGORITHMS[strongest], digests };
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Reads `response`'s body and checks it against `metadata`.
 *
 * @param response The response, its url and redirected already set.
 * @param metadata The request's `integrity`.
 * @param method The request method, for the error.
 * @returns A response with the same status, headers, url and body bytes.
 * @throws {ClientError} INTEGRITY_MISMATCH when no expected digest matches.
 */
export async function checkIntegrity(
  response: Response,
  metadata: string,
  method: string,
): Promise<Response> {
  const expected = parseIntegrity(metadata);
  if (expected === null) return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest(DIGESTS[expected.algorithm], bytes));
  const actual = normalize(base64(digest));
  if (!expected.digests.includes(actual)) throw integrityMismatch(response.url, method);
  const checked = new Response(response.body === null ? null : bytes, response);
  Object.defineProperty(checked, "url", { value: response.url });
  if (response.redirected) Object.defineProperty(checked, "redirected", { value: true });
  return checked;
}
