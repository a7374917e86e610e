/**
 * Koa-style middleware (`compose`) and a `Router` with a matching tree.
 *
 * @example Route requests
 * ```ts ignore
 * import { compose, Router } from "@wire/http/router";
 *
 * const router = new Router().get("/hello/:name", (ctx) => new Response(ctx.params.name));
 * const handler = compose(router.routes(), router.allowedMethods());
 * ```
 *
 * @module
 */
