import { Client } from "./client.ts";
import { proxyFromEnv } from "./client_proxy.ts";

let shared: Client | undefined;

/**
 * WHATWG `fetch` over Wire's HTTP/1.1 client: every call shares one default
 * {@linkcode Client} (created on first use, default options), so connections to an
 * origin are kept alive and reused across calls. Idle connections do not keep the
 * program running. Like Deno's own `fetch`, it goes through the proxies that
 * `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` name (read when the shared
 * Client is made; see {@linkcode proxyFromEnv}).
 *
 * @param input The URL (http: or https:) or a `Request`.
 * @param init Method, headers, body, signal and redirect mode, as for `fetch`.
 * @returns The response, once its head has arrived.
 * @throws {ClientError} (rejects) When the request fails; `code` says why.
 * @throws {TypeError} (rejects) When the arguments are not a valid request.
 *
 * @example GET JSON
 * ```ts ignore
 * import { fetch } from "@wire/http/http";
 *
 * const response = await fetch("http://127.0.0.1:8000/users/1");
 * console.log(await response.json());
 * ```
 *
 * @example Bad URLs reject
 * ```ts
 * import { fetch } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(fetch("ftp://example.com/"), TypeError);
 * ```
 */
export function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  shared ??= new Client({ proxy: proxyFromEnv() });
  return shared.fetch(input, init);
}

/**
 * Closes the shared client behind {@linkcode fetch} and its pooled connections (for
 * tests with resource checks, or before exit); the next `fetch` makes a new one.
 *
 * @returns A promise that resolves when every socket is closed.
 *
 * @example Release pooled connections
 * ```ts
 * import { closeDefaultClient } from "@wire/http/http";
 *
 * await closeDefaultClient();
 * ```
 */
export function closeDefaultClient(): Promise<void> {
  const client = shared;
  shared = undefined;
  return client === undefined ? Promise.resolve() : client.close();
}
