import type { ClientInterceptor } from "./client_interceptor.ts";
import { NON_NEGATIVE_INTEGER, numberOption } from "./_codec/options.ts";
import { redirectRejected, tooManyRedirects } from "./_client/errors.ts";
import {
  BODY_FIELDS,
  CREDENTIAL_FIELDS,
  decodeLocation,
  isRedirect,
  MAX_REDIRECTS,
  redirectedMethod,
  redirectUrl,
} from "./_client/redirect.ts";
import { parseReferrerPolicy } from "./_client/referrer.ts";

/** Options for {@linkcode redirectInterceptor}. */
export interface RedirectOptions {
  /**
   * Most redirects followed; one more fails with `TOO_MANY_REDIRECTS`.
   *
   * @default {20}
   */
  maxRedirects?: number;
}

/**
 * Redirects as an interceptor: the Client's own rules (Fetch §4.4: at most 20, POST to
 * GET on 301/302/303, the body kept on 307/308, credentials dropped across origins,
 * http and https only, Location read as UTF-8, the redirect's `Referrer-Policy`
 * followed), hop by hop through the interceptors inside it, which the core's redirects
 * never pass through: an auth or logging interceptor after it in the list sees every
 * hop. It honours the request's `redirect` mode and sends each hop with
 * `redirect: "manual"`, so the core follows nothing itself.
 *
 * To send a body again on 307/308 it keeps a copy (`request.clone()`) while a hop sends
 * it, streams included (the core refuses to replay a stream): a large streamed upload is
 * held in memory until its response comes.
 *
 * @param options The most redirects to follow.
 * @returns The interceptor.
 * @throws {RangeError} When `maxRedirects` is out of range.
 *
 * @example Sign every hop
 * ```ts
 * import { Client, redirectInterceptor } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const hops: string[] = [];
 * await using client = new Client({
 *   handler: (request) =>
 *     new URL(request.url).pathname === "/old"
 *       ? new Response(null, { status: 301, headers: { location: "/new" } })
 *       : new Response("here"),
 *   interceptors: [
 *     redirectInterceptor(),
 *     (request, next) => {
 *       hops.push(new URL(request.url).pathname);
 *       return next();
 *     },
 *   ],
 * });
 * const response = await client.fetch("http://svc.test/old");
 * assert.equal(await response.text(), "here");
 * assert.equal(response.redirected, true);
 * assert.deepEqual(hops, ["/old", "/new"]);
 * ```
 */
export function redirectInterceptor(options: RedirectOptions = {}): ClientInterceptor {
  const max = numberOption(
    "create redirectInterceptor",
    "maxRedirects",
    options.maxRedirects,
    MAX_REDIRECTS,
    NON_NEGATIVE_INTEGER,
  );
  return async (request, next) => {
    const mode = request.redirect;
    let current = request;
    for (let hops = 0;; hops++) {
      // A body may be needed again (307/308): keep a copy while this hop sends one.
      const replay = current.body !== null ? current.clone() : null;
      const response = await next(new Request(current, { redirect: "manual" }));
      const status = response.status;
      const location = response.headers.get("location");
      if (mode === "manual" || !isRedirect(status) || location === null) {
        replay?.body?.cancel().catch(() => {});
        if (hops > 0) Object.defineProperty(response, "redirected", { value: true });
        return response;
      }
      await response.body?.cancel().catch(() => {});
      const name = { url: new URL(current.url), method: current.method };
      if (mode === "error") {
        replay?.body?.cancel().catch(() => {});
        throw redirectRejected(
          name,
          `got a ${status} redirect to ${location}, and redirect is "error"`,
          new Error("unexpected redirect"),
        );
      }
      if (hops >= max) throw tooManyRedirects(name, max);
      const url = redirectUrl(decodeLocation(location), name.url);
      if (typeof url === "string") throw redirectRejected(name, url);
      const method = redirectedMethod(status, current.method);
      const crossOrigin = url.origin !== name.url.origin;
      const headers = new Headers(current.headers);
      if (method !== null) { for (const field of BODY_FIELDS) headers.delete(field); }
      if (crossOrigin) { for (const field of CREDENTIAL_FIELDS) headers.delete(field); }
      const policy = parseReferrerPolicy(response.headers.get("referrer-policy"));
      current = new Request(url, {
        method: method ?? current.method,
        headers,
        body: method === null ? replay?.body ?? null : null,
        signal: current.signal,
        redirect: "manual",
        referrer: current.referrer,
        referrerPolicy: policy === "" ? current.referrerPolicy : policy,
        integrity: current.integrity,
        credentials: current.credentials,
      });
      if (method !== null) replay?.body?.cancel().catch(() => {});
    }
  };
}
