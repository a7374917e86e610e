// Type-level checks: `deno test` type-checks this file, so a wrong inference fails it.
import { assert } from "../_assert.ts";
import { compose, type RouteParams, Router } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";

Deno.test("Router types ctx.params from the path literal with no annotation", async () => {
  const router = new Router<{ user?: string }>()
    .get("/users/:id/posts/:postId?", (ctx) => {
      const exact: { id: string; postId?: string } = ctx.params;
      const id: string = ctx.params.id;
      const postId: string | undefined = ctx.params.postId;
      // @ts-expect-error: no such parameter in the path
      ctx.params.missing;
      // @ts-expect-error: optional parameters may be undefined
      const notString: string = ctx.params.postId;
      ctx.state.user = "ada";
      return Response.json({ exact, id, postId, notString });
    })
    .get("name", "/n/:n(\\d+)/*rest", (ctx) => {
      const p: { n: string; rest: string } = ctx.params;
      return Response.json(p);
    })
    .post("/files/*", (ctx) => new Response(ctx.params["*"]))
    .query("/q/:index", (ctx) => {
      const p: { index: string } = ctx.params;
      // @ts-expect-error: no such parameter in the path
      ctx.params.other;
      return Response.json(p);
    });
  const handler = compose(router.routes());
  const response = await handler(req("/users/1/posts"), INFO);
  assert.deepEqual(await response.json(), { exact: { id: "1" }, id: "1" });
});

Deno.test("RouteParams maps each kind of segment", () => {
  const all: RouteParams<"/a/:x/:y(\\d+)?"> = { x: "1" };
  const wild: RouteParams<"/s/*"> = { "*": "a/b" };
  const none: RouteParams<"/plain/path"> = {};
  const loose: RouteParams<string> = { anything: "goes" };
  // @ts-expect-error: x is required
  const missing: RouteParams<"/a/:x"> = {};
  // @ts-expect-error: values are strings
  const wrong: RouteParams<"/a/:x"> = { x: 1 };
  assert.deepEqual([all, wild, none, loose, missing, wrong].length, 6);
});
