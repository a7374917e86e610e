import { kindOf } from "./_codec/error_text.ts";

/**
 * The rest of the chain after an interceptor: the next interceptor, and at the end the
 * Client's own fetch (connection pool, redirects and decoding unless interceptors took
 * them over). Called with no argument it sends the same Request. It may be called more
 * than once (a retry), each time with a Request whose body is unused.
 */
export type ClientNext = (request?: Request) => Promise<Response>;

/**
 * A step around every request of a {@linkcode Client}: the server's onion model on the
 * client side. It gets the Web `Request` and `next`, and returns a `Response`, its own or
 * the one `next` resolved (undici's dispatcher interceptors, as functions of fetch's
 * types). Code before `next` runs on the way out, code after it on the way back: add
 * auth, log, time, retry, cache or answer from memory.
 *
 * @example Bearer auth and a log line
 * ```ts ignore
 * import { Client, type ClientInterceptor } from "@wire/http";
 *
 * const auth: ClientInterceptor = (request, next) => {
 *   const headers = new Headers(request.headers);
 *   headers.set("authorization", `Bearer ${Deno.env.get("TOKEN")}`);
 *   return next(new Request(request, { headers }));
 * };
 * const log: ClientInterceptor = async (request, next) => {
 *   const start = performance.now();
 *   const response = await next();
 *   console.log(request.method, request.url, response.status, performance.now() - start);
 *   return response;
 * };
 * await using client = new Client({ interceptors: [log, auth] });
 * ```
 */
export type ClientInterceptor = (
  request: Request,
  next: ClientNext,
) => Response | Promise<Response>;

/**
 * Composes interceptors around `last` (outermost first), as koa-compose does for
 * middleware: each is checked once, here, and every call of the result runs the chain.
 * The Client does this with its `interceptors`; it also wraps any other fetch.
 *
 * @param interceptors The interceptors, outermost first.
 * @param last What the innermost `next` calls.
 * @returns A fetch of Requests through the chain.
 * @throws {TypeError} When an interceptor is not a function.
 *
 * @example Wrap Deno's own fetch
 * ```ts
 * import { composeInterceptors } from "@wire/http/http";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const send = composeInterceptors(
 *   [(request, next) => {
 *     seen.push(request.url);
 *     return next();
 *   }],
 *   (request) => Promise.resolve(new Response(`fetched ${new URL(request.url).pathname}`)),
 * );
 * const response = await send(new Request("http://localhost/a"));
 * assert.equal(await response.text(), "fetched /a");
 * assert.deepEqual(seen, ["http://localhost/a"]);
 * ```
 */
export function composeInterceptors(
  interceptors: readonly ClientInterceptor[],
  last: (request: Request) => Promise<Response>,
): (request: Request) => Promise<Response> {
  const chain = [...interceptors];
  chain.forEach((interceptor, index) => {
    if (typeof interceptor !== "function") {
      throw new TypeError(
        `Cannot compose interceptors: interceptor ${index} must be a function, got ${
          kindOf(interceptor)
        }`,
      );
    }
  });
  const dispatch = (index: number, request: Request): Promise<Response> => {
    if (index === chain.length) return last(request);
    try {
      const result = chain[index](
        request,
        (next?: Request) => dispatch(index + 1, next ?? request),
      );
      return Promise.resolve(result).then((response) => {
        if (response instanceof Response) return response;
        throw new TypeError(
          `Cannot fetch ${request.url}: interceptor ${index} returned ${
            kindOf(response)
          }, not a Response`,
        );
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return (request) => dispatch(0, request);
}
