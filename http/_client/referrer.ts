/**
 * The Referer a request sends, as the Referrer Policy standard (§8.3 "Determine
 * request's referrer") computes it from the request's referrer and policy, and the
 * `Referrer-Policy` of a redirect (Fetch §4.4 step 14), which the next hop follows.
 *
 * There is no document here, so the default referrer ("about:client") sends none; a
 * referrer URL given in `init.referrer` (or a Request's) is sent as its policy allows.
 *
 * @module
 */

/** Longest referrer URL sent whole; a longer one is cut to its origin (§8.3 step 6). */
const MAX_REFERRER_LENGTH = 4096;

const POLICIES = new Set([
  "no-referrer",
  "no-referrer-when-downgrade",
  "same-origin",
  "origin",
  "strict-origin",
  "origin-when-cross-origin",
  "strict-origin-when-cross-origin",
  "unsafe-url",
]);

/**
 * The policy a `Referrer-Policy` field names: its last token that is a policy (a list
 * lets sites add new policies with a fallback before them), or "".
 *
 * @param value The field value, or null.
 * @returns The policy, or "" when it names none.
 */
export function parseReferrerPolicy(value: string | null): ReferrerPolicy {
  if (value === null) return "";
  let policy = "";
  for (const token of value.split(",")) {
    const name = token.trim().toLowerCase();
    if (POLICIES.has(name)) policy = name;
  }
  return policy as ReferrerPolicy;
}

/** A secure context's URL: https (and wss), or loopback (Secure Contexts §3.1). */
function trustworthy(url: URL): boolean {
  if (url.protocol === "https:" || url.protocol === "wss:") return true;
  const host = url.hostname;
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Referer value for a request to `url`, or null to send none.
 *
 * @param referrer "client" or "" (none), or the referrer URL.
 * @param policy The request's referrer policy ("" is strict-origin-when-cross-origin).
 * @param url The URL requested.
 * @returns The value, or null.
 */
export function refererFor(referrer: string, policy: ReferrerPolicy, url: URL): string | null {
  if (referrer === "client" || referrer === "") return null;
  let source: URL;
  try {
    source = new URL(referrer);
  } catch {
    return null;
  }
  if (source.protocol !== "http:" && source.protocol !== "https:") return null;
  source.username = "";
  source.password = "";
  source.hash = "";
  const origin = source.origin + "/";
  let full = source.href;
  if (full.length > MAX_REFERRER_LENGTH) full = origin;
  const sameOrigin = source.origin === url.origin;
  const downgrade = trustworthy(source) && !trustworthy(url);
  switch (policy) {
    case "no-referrer":
      return null;
    case "origin":
      return origin;
    case "unsafe-url":
      return full;
    case "strict-origin":
      return downgrade ? null : origin;
    case "same-origin":
      return sameOrigin ? full : null;
    case "origin-when-cross-origin":
      return sameOrigin ? full : origin;
    case "no-referrer-when-downgrade":
      return downgrade ? null : full;
  }
  // "" and strict-origin-when-cross-origin, the default.
  if (sameOrigin) return full;
  return downgrade ? null : origin;
}

const REFERRER_POLICIES = new Set([
  "",
  "no-referrer",
  "no-referrer-when-downgrade",
  "same-origin",
  "origin",
  "strict-origin",
  "origin-when-cross-origin",
  "strict-origin-when-cross-origin",
  "unsafe-url",
]);

/**
 * Checks fetch's `referrerPolicy` init.
 *
 * @param policy The value given.
 * @returns The policy.
 * @throws {TypeError} When it is not a referrer policy.
 */
export function checkReferrerPolicy(policy: string): ReferrerPolicy {
  if (REFERRER_POLICIES.has(policy)) return policy as ReferrerPolicy;
  throw new TypeError(`Cannot fetch: referrerPolicy "${policy}" is not a referrer policy`);
}

/**
 * Checks fetch's `referrer` init: "" is no referrer, "about:client" the default, else a
 * URL.
 *
 * @param referrer The value given.
 * @param href The request URL, for the message.
 * @returns "" , "client" or the URL.
 * @throws {TypeError} When it is not a URL.
 */
export function checkReferrer(referrer: string, href: string): string {
  if (referrer === "") return "";
  if (referrer === "about:client") return "client";
  try {
    return new URL(referrer).href;
  } catch (error) {
    throw new TypeError(`Cannot fetch ${href}: referrer "${referrer}" is not a valid URL`, {
      cause: error,
    });
  }
}
