/**
 * Who may tell the server who the client is: the `trustProxy` option of `serve` and
 * `inject`. Behind a reverse proxy every connection comes from the proxy; the proxy says
 * who its client was in `X-Forwarded-For` (and `-Proto`, `-Host`) or in `Forwarded`
 * (RFC 7239). Those headers are only believed from a peer you trust: anyone else can
 * write them.
 *
 * @module
 */

/**
 * Decides whether the address of one hop is a proxy of yours.
 *
 * @param address The hop's IP address (as written: `"10.0.0.7"`, `"::1"`), or `"unix"`
 * for a peer on a Unix socket.
 * @param hop 0 for the connection's peer (or the PROXY protocol's source), 1 for the
 * last address in the forwarded header, 2 for the one before it, and so on.
 * @returns True when that hop is trusted to report the one before it.
 *
 * @example Trust one proxy, only as the direct peer
 * ```ts
 * import type { TrustProxyFunction } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const trust: TrustProxyFunction = (address, hop) => hop === 0 && address === "10.0.0.7";
 * assert.equal(trust("10.0.0.7", 0), true);
 * assert.equal(trust("10.0.0.7", 1), false);
 * ```
 */
export type TrustProxyFunction = (address: string, hop: number) => boolean;

/**
 * Trusted addresses: an IP address (`"10.0.0.7"`, `"::1"`), a CIDR range
 * (`"10.0.0.0/8"`, `"fd00::/8"`), one of the names `"loopback"` (127.0.0.0/8, ::1),
 * `"linklocal"` (169.254.0.0/16, fe80::/10), `"uniquelocal"` (10.0.0.0/8, 172.16.0.0/12,
 * 192.168.0.0/16, fc00::/7) and `"unix"` (peers on a Unix socket), a list of those, or a
 * {@linkcode TrustProxyFunction}. IPv4 ranges also match IPv4-mapped IPv6 peers
 * (`::ffff:10.0.0.7`).
 *
 * @example A list of ranges
 * ```ts
 * import type { TrustedAddresses } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const trusted: TrustedAddresses = ["loopback", "10.0.0.0/8", "fd00::/8"];
 * assert.equal(trusted.length, 3);
 * ```
 */
export type TrustedAddresses = string | readonly string[] | TrustProxyFunction;

/**
 * Which forwarding headers a trusted proxy's requests are read from.
 *
 * - `"x-forwarded"`: `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host` (what
 *   nginx, HAProxy, AWS, GCP and Cloudflare set; express and fastify read these).
 * - `"forwarded"`: `Forwarded` (RFC 7239), each element giving `for`, `proto`, `host`.
 *
 * Only one family is read: a proxy that sets one usually passes the other through from
 * the client untouched, so reading both would let a client forge the one it ignores.
 *
 * @example Pick RFC 7239
 * ```ts
 * import type { ForwardedHeaders } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const headers: ForwardedHeaders = "forwarded";
 * assert.equal(headers, "forwarded");
 * ```
 */
export type ForwardedHeaders = "x-forwarded" | "forwarded";

/**
 * The headers trusted proxies are read from when `trustProxy` does not say.
 *
 * @example The default
 * ```ts
 * import { DEFAULT_FORWARDED_HEADERS } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_FORWARDED_HEADERS, "x-forwarded");
 * ```
 */
export const DEFAULT_FORWARDED_HEADERS: ForwardedHeaders = "x-forwarded";

/**
 * `trustProxy` with the header family named.
 *
 * @example Trust a local proxy that sends `Forwarded`
 * ```ts
 * import { inject, type TrustProxyOptions } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const trustProxy: TrustProxyOptions = { trust: "loopback", headers: "forwarded" };
 * const { response } = await inject(
 *   (request, info) => new Response(`${(info.remoteAddr as Deno.NetAddr).hostname} ${request.url}`),
 *   "GET /a HTTP/1.1\r\nHost: internal:8000\r\n" +
 *     'Forwarded: for="[2001:db8::7]:4711";proto=https;host=example.com\r\n\r\n',
 *   { trustProxy },
 * );
 * assert.equal(await response.text(), "2001:db8::7 https://example.com/a");
 * ```
 */
export interface TrustProxyOptions {
  /** The proxies whose forwarding headers are believed. */
  trust: TrustedAddresses;
  /**
   * The header family read.
   *
   * @default {"x-forwarded"}
   */
  headers?: ForwardedHeaders;
}

/**
 * The `trustProxy` option: the trusted addresses alone (read `X-Forwarded-*`), or
 * {@linkcode TrustProxyOptions}.
 *
 * From a trusted peer, the hops of the forwarding header are walked from the right (the
 * nearest proxy) to the left; the first address that is not trusted is the client (as
 * express and fastify do), and it becomes `info.remoteAddr` (the socket's peer stays in
 * `info.peerAddr`). A hop that is not an IP address (`unknown`, an obfuscated name,
 * garbage) ends the walk at the last address known. The scheme and host of `request.url`
 * come from that hop's `Forwarded` element (`proto`, `host`), or from the last value of
 * `X-Forwarded-Proto` and `X-Forwarded-Host`; only `http` and `https` are taken, and a
 * host that could not be a URL's is ignored. A malformed `Forwarded` header is ignored
 * as a whole. From any other peer, every forwarding header is ignored (and passed to the
 * handler as it came).
 *
 * @example Behind nginx on the same machine
 * ```ts
 * import { inject, type TrustProxy } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const trustProxy: TrustProxy = "loopback";
 * const { response } = await inject(
 *   (request, info) => new Response(`${(info.remoteAddr as Deno.NetAddr).hostname} ${request.url}`),
 *   "GET /a HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nX-Forwarded-For: 203.0.113.9\r\n" +
 *     "X-Forwarded-Proto: https\r\nX-Forwarded-Host: example.com\r\n\r\n",
 *   { trustProxy },
 * );
 * assert.equal(await response.text(), "203.0.113.9 https://example.com/a");
 * ```
 */
export type TrustProxy = TrustedAddresses | TrustProxyOptions;
