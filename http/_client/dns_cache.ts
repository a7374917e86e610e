/**
 * Resolving host names for the client when it dials addresses itself (a `lookup`
 * option, happy eyeballs or the DNS cache): the resolver's answers normalized, and kept
 * for a TTL when the cache is on.
 *
 * @module
 */
import { lookup as systemLookup } from "node:dns/promises";
import { ConnectError } from "../../net/connect_error.ts";
import type { ClientLookup, LookupAddress } from "../client_options.ts";
import { errorText } from "../_codec/error_text.ts";
import { ipFamily } from "./proxy_config.ts";
import { untilAborted } from "./abortable.ts";

/** Most names the cache holds; the oldest entry goes first past it. */
const MAX_ENTRIES = 1024;

/** The system's resolver: `getaddrinfo`, which reads /etc/hosts, in its own order. */
export async function defaultLookup(hostname: string): Promise<LookupAddress[]> {
  const answers = await systemLookup(hostname, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

/** Host names to addresses, each kept until its deadline. */
export class DnsCache {
  #entries = new Map<string, { addresses: string[]; expires: number }>();
  #ttl: number;

  /**
   * Makes an empty cache.
   *
   * @param ttl The longest time an answer is kept, in milliseconds.
   */
  constructor(ttl: number) {
    this.#ttl = ttl;
  }

  /**
   * The cached addresses of `hostname`, or null.
   *
   * @param hostname The name.
   * @returns Addresses, or null when none are cached or they expired.
   */
  get(hostname: string): string[] | null {
    const entry = this.#entries.get(hostname);
    if (entry === undefined) return null;
    if (entry.expires <= Date.now()) {
      this.#entries.delete(hostname);
      return null;
    }
    return entry.addresses;
  }

  /**
   * Keeps `addresses` for the cache's TTL, or `ttlSeconds` when that is shorter.
   *
   * @param hostname The name.
   * @param addresses Its addresses.
   * @param ttlSeconds The shortest record TTL, or Infinity.
   */
  set(hostname: string, addresses: string[], ttlSeconds: number): void {
    const ttl = Math.min(this.#ttl, ttlSeconds * 1000);
    if (!(ttl > 0)) return;
    this.#entries.delete(hostname);
    if (this.#entries.size >= MAX_ENTRIES) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(hostname, { addresses, expires: Date.now() + ttl });
  }

  /**
   * Forgets `hostname` (none of its addresses answered).
   *
   * @param hostname The name.
   */
  delete(hostname: string): void {
    this.#entries.delete(hostname);
  }
}

/**
 * The addresses of `hostname`: itself for an address literal, else the cache's or the
 * resolver's answer.
 *
 * @param hostname The name, without IPv6 brackets.
 * @param port The port, for error messages.
 * @param lookup The resolver, or null for the system's.
 * @param cache The cache, or null.
 * @param signal Gives up when it aborts.
 * @returns At least one address literal.
 * @throws {ConnectError} ENOTFOUND when the name has no address.
 */
export async function resolveHost(
  hostname: string,
  port: number,
  lookup: ClientLookup | null,
  cache: DnsCache | null,
  signal: AbortSignal,
): Promise<string[]> {
  if (ipFamily(hostname) !== 0) return [hostname];
  const cached = cache?.get(hostname);
  if (cached) return cached;
  const address = `${hostname}:${port}`;
  let answers: (LookupAddress | string)[];
  try {
    const pending = Promise.resolve((lookup ?? defaultLookup)(hostname, { signal }));
    answers = await untilAborted(pending, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new ConnectError(
      address,
      "ENOTFOUND",
      `cannot resolve the host name: ${errorText(error)}`,
      {
        cause: error,
      },
    );
  }
  const addresses: string[] = [];
  let ttl = Infinity;
  for (const answer of Array.isArray(answers) ? answers : []) {
    const literal = typeof answer === "string" ? answer : answer?.address;
    if (typeof literal !== "string" || ipFamily(literal) === 0) continue;
    addresses.push(literal);
    const seconds = typeof answer === "string" ? undefined : answer.ttl;
    if (typeof seconds === "number" && seconds >= 0) ttl = Math.min(ttl, seconds);
  }
  if (addresses.length === 0) {
    throw new ConnectError(address, "ENOTFOUND", "the host name has no address");
  }
  cache?.set(hostname, addresses, ttl);
  return addresses;
}
