/**
 * @koa/router's own test suite (v15.1.0: test/router.test.ts, test/layer.test.ts,
 * test/index.test.ts), translated case by case to Wire's public API, in the same order.
 *
 * Koa's `ctx.body = x` / `ctx.status = n` become `ctx.state.body` / `ctx.state.status`,
 * which `respond()` turns into the Response (as Koa does once the chain unwinds), and
 * `app.use(a).use(b)` becomes `compose(a, b, respond)`. Supertest's requests become
 * direct calls of the handler (and `inject()` where only the wire shows it).
 *
 * Cases that assert koa-router behaviour Wire deliberately does not have are marked with
 * `differs`, naming the README's "Coming from Koa" row; they are skipped unless
 * PARITY_ALL=1, which runs every case to count parity:
 *   PARITY_ALL=1 deno test -A tests/router/koa_router_parity_test.ts
 *
 * Cases with no Wire analogue at all are listed at the end of the file with the reason.
 */
import { assert } from "../_assert.ts";
import { HttpError } from "../../http/http_error.ts";
import { inject } from "../../http/inject.ts";
import { compose, type Context, type Middleware, Router } from "../../router/mod.ts";
import { INFO } from "./_info.ts";

type State = Record<string, unknown>;
type Ctx = Context<State>;

const ALL = Deno.env.get("PARITY_ALL") === "1";

function parity(name: string, fn: () => void | Promise<void>, differs?: string): void {
  Deno.test({ name: `koa-router › ${name}`, ignore: differs !== undefined && !ALL, fn });
}

/** Koa's response from ctx.body and ctx.status: 404 when neither was set. */
function respond(ctx: Ctx): Response {
  const { body, status } = ctx.state as { body?: unknown; status?: number };
  if (body === undefined) {
    return new Response(status === undefined ? "Not Found" : null, { status: status ?? 404 });
  }
  if (typeof body === "string") return new Response(body, { status: status ?? 200 });
  return Response.json(body, { status: status ?? 200 });
}

/** A Koa app: the middleware, then Koa's response. */
// deno-lint-ignore no-explicit-any
function app(...middleware: Middleware<any, any>[]) {
  return compose<State>(...middleware, respond as Middleware<State>);
}

/** Sets the body and ends (a Koa handler that does not call next). */
function body(value: unknown, status?: number): Middleware<State> {
  return (ctx) => {
    ctx.state.body = value;
    if (status !== undefined) ctx.state.status = status;
    return respond(ctx);
  };
}

function status(code: number): Middleware<State> {
  return (ctx) => {
    ctx.state.status = code;
    return respond(ctx);
  };
}

type Handler = ReturnType<typeof app>;

/** ctx.params without the path literal's typing (a prefix's params are not in it). */
// deno-lint-ignore no-explicit-any
const loose = (ctx: Context<any, any>): Record<string, string> => ctx.params;

async function request(
  handler: Handler,
  method: string,
  path: string,
  headers?: HeadersInit,
): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const host = new Headers(headers).get("host") ?? "localhost";
  const response = await handler(new Request(`http://${host}${path}`, { method, headers }), INFO);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

const get = (handler: Handler, path: string, headers?: HeadersInit) =>
  request(handler, "GET", path, headers);

// --- describe("Router") ---

parity("Router › creates new router with koa app", () => {
  assert.ok(new Router() instanceof Router);
});

parity("Router › shares context between routers (gh-205)", async () => {
  const router1 = new Router<State>().get("/", (ctx, next) => {
    ctx.state.foo = "bar";
    return next();
  });
  const router2 = new Router<State>().get("/", (ctx) => {
    ctx.state.baz = "qux";
    return body({ foo: ctx.state.foo })(ctx, () => Promise.resolve(respond(ctx)));
  });
  const res = await get(app(router1.routes(), router2.routes()), "/");
  assert.equal(res.status, 200);
  assert.equal((res.json() as State).foo, "bar");
});

parity("Router › does not register middleware more than once (gh-184)", async () => {
  const nested = new Router<State>()
    .get("/first-nested-route", (ctx) => body({ n: ctx.state.n })(ctx, null!))
    .get("/second-nested-route", (_ctx, next) => next())
    .get("/third-nested-route", (_ctx, next) => next());
  const parent = new Router<State>().use("/parent-route", (ctx, next) => {
    ctx.state.n = ctx.state.n ? (ctx.state.n as number) + 1 : 1;
    return next();
  }, nested.routes());
  const res = await get(app(parent.routes()), "/parent-route/first-nested-route");
  assert.equal(res.status, 200);
  assert.equal((res.json() as State).n, 1);
});

parity("Router › router can be accecced with ctx", async () => {
  // No ctx.router: the handler closes over its router instead.
  const router: Router<State> = new Router<State>().get(
    "home",
    "/",
    (ctx) => body({ url: router.url("home") })(ctx, null!),
  );
  const res = await get(app(router.routes()), "/");
  assert.equal((res.json() as State).url, "/");
});

parity("Router › registers multiple middleware for one route", async () => {
  const router = new Router<State>().get(
    "/double",
    async (ctx, next) => {
      await new Promise((r) => setTimeout(r, 1));
      ctx.state.body = { message: "Hello" };
      return next();
    },
    async (ctx, next) => {
      await new Promise((r) => setTimeout(r, 1));
      (ctx.state.body as { message: string }).message += " World";
      return next();
    },
    (ctx) => {
      (ctx.state.body as { message: string }).message += "!";
      return respond(ctx);
    },
  );
  const res = await get(app(router.routes()), "/double");
  assert.equal((res.json() as State).message, "Hello World!");
});

parity("Router › does not break when nested-routes use regexp paths", () => {
  const nested = new Router()
    .get(/^\/\w$/i, (_ctx, next) => next())
    .get("/first-nested-route", (_ctx, next) => next())
    .get("/second-nested-route", (_ctx, next) => next());
  const parent = new Router().use("/parent-route", (_ctx, next) => next(), nested.routes());
  assert.ok(app(parent.routes()));
});

parity("Router › exposes middleware factory", () => {
  const router = new Router();
  assert.equal(typeof router.routes, "function");
  assert.equal(typeof router.routes(), "function");
});

parity("Router › supports promises for async/await", async () => {
  const router = new Router<State>().get("/async", async (ctx) => {
    await new Promise((r) => setTimeout(r, 1));
    ctx.state.body = { msg: "promises!" };
    return respond(ctx);
  });
  const res = await get(app(router.routes(), router.allowedMethods()), "/async");
  assert.equal((res.json() as State).msg, "promises!");
});

parity("Router › matches middleware only if route was matched (gh-182)", async () => {
  const router = new Router<State>().use((ctx, next) => {
    ctx.state.body = { bar: "baz" };
    return next();
  });
  const other = new Router<State>().get("/bar", (ctx) => {
    ctx.state.body ??= { foo: "bar" };
    return respond(ctx);
  });
  const res = await get(app(router.routes(), other.routes()), "/bar");
  assert.equal((res.json() as State).foo, "bar");
  assert.equal("bar" in (res.json() as State), false);
});

parity("Router › matches first to last", async () => {
  // "{*any}.jsx" must start with "/" in Wire: "/{*any}.jsx".
  const router = new Router<State>()
    .get("user_page", "/user/{*any}.jsx", body({ order: 1 }))
    .all("app", "/app/{*any}.jsx", body({ order: 2 }))
    .all("view", "/{*any}.jsx", body({ order: 3 }));
  const res = await get(app(router.routes()), "/user/account.jsx");
  assert.equal((res.json() as State).order, 1);
});

parity("Router › runs multiple controllers when there are multiple matches", async () => {
  const router = new Router<State>({ exclusive: false })
    .get("users_single", "/users/:id{/*path}", (ctx, next) => {
      ctx.state.body = { single: true };
      return next();
    })
    .get("users_all", "/users/all", (ctx, next) => {
      ctx.state.body = { ...(ctx.state.body as object), all: true };
      return next();
    });
  const res = await get(app(router.routes()), "/users/all");
  assert.ok("single" in (res.json() as State));
  assert.ok("all" in (res.json() as State));
});

parity("Router › runs only the last match when the 'exclusive' option is enabled", async () => {
  const router = new Router<State>({ exclusive: true })
    .get("users_single", new RegExp("/users/:id(.*)"), (ctx, next) => {
      ctx.state.body = { single: true };
      return next();
    })
    .get("users_all", "/users/all", (ctx, next) => {
      ctx.state.body = { ...(ctx.state.body as object), all: true };
      return next();
    });
  const res = await get(app(router.routes()), "/users/all");
  assert.equal("single" in (res.json() as State), false);
  assert.ok("all" in (res.json() as State));
});

parity(
  "Router › does not run subsequent middleware without calling next",
  async () => {
    const router = new Router<State>().get(
      "user_page",
      "/user/{*any}.jsx",
      (() => {}) as unknown as Middleware<State>,
      body({ order: 1 }),
    );
    assert.equal((await get(app(router.routes()), "/user/account.jsx")).status, 404);
  },
  "a middleware that returns nothing: 500 naming it, not 404",
);

parity("Router › nests routers with prefixes at root", async () => {
  const forums = new Router<State>({ prefix: "/forums" });
  const posts = new Router<State>({ prefix: "/:fid/posts" })
    .get("/", status(204))
    .get("/:pid", (ctx) => body(ctx.params)(ctx, null!));
  forums.use(posts.routes());
  const handler = app(forums.routes());
  assert.equal((await get(handler, "/forums/1/posts")).status, 204);
  assert.equal((await get(handler, "/forums/1")).status, 404);
  const res = await get(handler, "/forums/1/posts/2");
  assert.deepEqual(res.json(), { fid: "1", pid: "2" });
});

parity("nests routers with prefixes at path", async () => {
  const forums = new Router<State>({ prefix: "/api" });
  const posts = new Router<State>({ prefix: "/posts" })
    .get("/", status(204))
    .get("/:pid", (ctx) => body(ctx.params)(ctx, null!));
  forums.use("/forums/:fid", posts.routes());
  const handler = app(forums.routes());
  assert.equal((await get(handler, "/api/forums/1/posts")).status, 204);
  assert.equal((await get(handler, "/api/forums/1")).status, 404);
  assert.deepEqual((await get(handler, "/api/forums/1/posts/2")).json(), { fid: "1", pid: "2" });
});

parity("runs subrouter middleware after parent", async () => {
  const subrouter = new Router<State>()
    .use((ctx, next) => {
      ctx.state.msg = "subrouter";
      return next();
    })
    .get("/", (ctx) => body({ msg: ctx.state.msg })(ctx, null!));
  const router = new Router<State>()
    .use((ctx, next) => {
      ctx.state.msg = "router";
      return next();
    })
    .use(subrouter.routes());
  assert.equal(((await get(app(router.routes()), "/")).json() as State).msg, "subrouter");
});

parity("runs parent middleware for subrouter routes", async () => {
  const subrouter = new Router<State>().get(
    "/sub",
    (ctx) => body({ msg: ctx.state.msg })(ctx, null!),
  );
  const router = new Router<State>()
    .use((ctx, next) => {
      ctx.state.msg = "router";
      return next();
    })
    .use("/parent", subrouter.routes());
  assert.equal(((await get(app(router.routes()), "/parent/sub")).json() as State).msg, "router");
});

parity("matches corresponding requests", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router.get("/:category/:title", (ctx) => {
    assert.equal(ctx.params.category, "programming");
    assert.equal(ctx.params.title, "how-to-node");
    return status(204)(ctx, null!);
  });
  router.post("/:category", (ctx) => {
    assert.equal(ctx.params.category, "programming");
    return status(204)(ctx, null!);
  });
  router.put("/:category/not-a-title", (ctx) => {
    assert.equal(ctx.params.category, "programming");
    assert.equal("title" in ctx.params, false);
    return status(204)(ctx, null!);
  });
  assert.equal((await get(handler, "/programming/how-to-node")).status, 204);
  assert.equal((await request(handler, "POST", "/programming")).status, 204);
  assert.equal((await request(handler, "PUT", "/programming/not-a-title")).status, 204);
});

parity("matches corresponding requests with optional route parameter", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router.get("/resources", (ctx) => {
    assert.deepEqual({ ...ctx.params }, {});
    return status(204)(ctx, null!);
  });
  router.get("/resources/:id{.:ext}", (ctx) => {
    assert.equal(ctx.params.id, "10");
    if (ctx.params.ext) assert.equal(ctx.params.ext, "json");
    return status(204)(ctx, null!);
  });
  assert.equal((await get(handler, "/resources")).status, 204);
  assert.equal((await get(handler, "/resources/10")).status, 204);
  assert.equal((await get(handler, "/resources/10.json")).status, 204);
});

parity("executes route middleware using `app.context`", async () => {
  // Wire has no app/req/res on the Context; the use() and route middleware part holds.
  const router = new Router<State>();
  const handler = app(router.routes());
  router.use((ctx, next) => {
    ctx.state.bar = "baz";
    return next();
  });
  router.get("/:category/:title", (ctx, next) => {
    ctx.state.foo = "bar";
    return next();
  }, (ctx) => {
    assert.equal(ctx.state.bar, "baz");
    assert.equal(ctx.state.foo, "bar");
    return status(204)(ctx, null!);
  });
  assert.equal((await get(handler, "/match/this")).status, 204);
});

parity("does not match after ctx.throw()", async () => {
  let counter = 0;
  // Two GET "/" routes: koa-router's run-every-match model.
  const router = new Router<State>({ exclusive: false });
  const handler = app(router.routes());
  router.get("/", () => {
    counter++;
    throw new HttpError(403);
  });
  router.get("/", (ctx) => {
    counter++;
    return respond(ctx);
  });
  assert.equal((await get(handler, "/")).status, 403);
  assert.equal(counter, 1);
});

parity("supports promises for route middleware", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router.get("/", (_ctx, next) => next(), async (ctx) => {
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url));
    return status(204)(ctx, null!);
  });
  assert.equal((await get(handler, "/")).status, 204);
});

// --- describe("Router#allowedMethods()") ---

parity("Router#allowedMethods() › responds to OPTIONS requests", async () => {
  const router = new Router<State>();
  const handler = app(router.routes(), router.allowedMethods());
  router.get("/users", (_ctx, next) => next());
  router.put("/users", (_ctx, next) => next());
  const res = await request(handler, "OPTIONS", "/users");
  assert.equal(res.status, 200);
  assert.equal(res.text, "");
  assert.equal(res.headers.get("allow"), "HEAD, GET, PUT");
  const wire = await inject(handler, "OPTIONS /users HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.match(new TextDecoder().decode(wire.bytes), /\r\ncontent-length: 0\r\n/i);
});

parity(
  "Router#allowedMethods() › should handle requests to non-existent routes without crashing",
  async () => {
    const router = new Router<State>().get("/exists", body("exists"));
    const res = await get(app(router.routes(), router.allowedMethods()), "/does-not-exist");
    assert.equal(res.status, 404);
  },
);

parity(
  "Router#allowedMethods() › should set Allow header with correct methods for 405 responses",
  async () => {
    const router = new Router<State>().get("/resource", body("get")).post(
      "/resource",
      body("post"),
    );
    const res = await request(app(router.routes(), router.allowedMethods()), "DELETE", "/resource");
    assert.equal(res.status, 405);
    assert.ok(res.headers.get("allow")!.includes("GET"));
    assert.ok(res.headers.get("allow")!.includes("POST"));
  },
);

parity(
  "Router#allowedMethods() › should return uppercase method names in Allow header",
  async () => {
    const router = new Router<State>().get("/test", body("get")).post("/test", body("post"));
    const res = await request(app(router.routes(), router.allowedMethods()), "OPTIONS", "/test");
    assert.equal(res.status, 200);
    for (const m of ["GET", "POST", "HEAD"]) assert.ok(res.headers.get("allow")!.includes(m));
  },
);

parity("responds with 405 Method Not Allowed", async () => {
  const router = new Router<State>();
  router.get("/users", (_c, n) => n()).put("/users", (_c, n) => n()).post(
    "/events",
    (_c, n) => n(),
  );
  const res = await request(app(router.routes(), router.allowedMethods()), "POST", "/users");
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "HEAD, GET, PUT");
});

function catcher(
  check: (err: HttpError & { body?: unknown; type?: string }) => void,
): Middleware<State> {
  return (ctx, next) =>
    next().catch((err) => {
      check(err);
      ctx.state.body = err.body ?? err.constructor.name;
      ctx.state.status = err.status;
      return respond(ctx);
    });
}

parity('responds with 405 Method Not Allowed using the "throw" option', async () => {
  const router = new Router<State>();
  const handler = app(
    router.routes(),
    catcher((err) => {
      assert.ok(err instanceof HttpError); // koa: err.name "MethodNotAllowedError"
      assert.equal(err.status, 405);
    }),
    router.allowedMethods({ throw: true }),
  );
  router.get("/users", (_c, n) => n()).put("/users", (_c, n) => n()).post(
    "/events",
    (_c, n) => n(),
  );
  const res = await request(handler, "POST", "/users");
  assert.equal(res.status, 405);
  assert.equal(res.headers.has("allow"), false);
});

parity(
  'responds with user-provided throwable using the "throw" and "methodNotAllowed" options',
  async () => {
    const router = new Router<State>();
    const error = { error: "Custom Not Allowed Error", statusCode: 405, otherStuff: true };
    const handler = app(
      router.routes(),
      catcher((err) => {
        assert.equal(err.message, "Custom Not Allowed Error");
        assert.equal(err.status, 405);
      }),
      router.allowedMethods({
        throw: true,
        methodNotAllowed: () =>
          Object.assign(new Error("Custom Not Allowed Error"), {
            type: "custom",
            status: 405,
            body: error,
          }),
      }),
    );
    router.get("/users", (_c, n) => n()).put("/users", (_c, n) => n()).post(
      "/events",
      (_c, n) => n(),
    );
    const res = await request(handler, "POST", "/users");
    assert.equal(res.status, 405);
    assert.equal(res.headers.has("allow"), false);
    assert.deepEqual(res.json(), error);
  },
);

parity("responds with 501 Not Implemented", async () => {
  const router = new Router<State>();
  const handler = app(router.routes(), router.allowedMethods());
  router.get("/users", (_c, n) => n()).put("/users", (_c, n) => n());
  assert.equal((await request(handler, "SEARCH", "/users")).status, 501);
});

parity('responds with 501 Not Implemented using the "throw" option', async () => {
  const router = new Router<State>();
  const handler = app(
    router.routes(),
    catcher((err) => {
      assert.ok(err instanceof HttpError); // koa: err.name "NotImplementedError"
      assert.equal(err.status, 501);
    }),
    router.allowedMethods({ throw: true }),
  );
  router.get("/users", (_c, n) => n()).put("/users", (_c, n) => n());
  const res = await request(handler, "SEARCH", "/users");
  assert.equal(res.status, 501);
  assert.equal(res.headers.has("allow"), false);
});

parity(
  'responds with user-provided throwable using the "throw" and "notImplemented" options',
  async () => {
    const router = new Router<State>();
    const error = { error: "Custom Not Implemented Error", statusCode: 501, otherStuff: true };
    const handler = app(
      router.routes(),
      catcher((err) => {
        assert.equal(err.message, "Custom Not Implemented Error");
        assert.equal(err.type, "custom");
        assert.equal(err.status, 501);
      }),
      router.allowedMethods({
        throw: true,
        notImplemented: () =>
          Object.assign(new Error("Custom Not Implemented Error"), {
            type: "custom",
            status: 501,
            body: error,
          }),
      }),
    );
    router.get("/users", (_c, n) => n()).put("/users", (_c, n) => n());
    const res = await request(handler, "SEARCH", "/users");
    assert.equal(res.status, 501);
    assert.equal(res.headers.has("allow"), false);
    assert.deepEqual(res.json(), error);
  },
);

parity("does not send 405 if route matched but status is 404", async () => {
  const router = new Router<State>();
  const handler = app(router.routes(), router.allowedMethods());
  router.get("/users", status(404));
  assert.equal((await get(handler, "/users")).status, 404);
});

parity("sets the allowed methods to a single Allow header #273", async () => {
  const router = new Router<State>();
  const handler = app(router.routes(), router.allowedMethods());
  router.get("/", (_c, n) => n());
  const res = await request(handler, "OPTIONS", "/");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("allow"), "HEAD, GET");
  const wire = new TextDecoder().decode(
    (await inject(handler, "OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n")).bytes,
  );
  assert.equal(wire.match(/\r\nallow:/gi)?.length, 1);
});

parity(
  "allowedMethods check if flow (allowedArr.length)",
  async () => {
    const router = new Router<State>();
    const handler = app(router.routes(), router.allowedMethods());
    (router.get as unknown as (path: string) => void)("");
    await get(handler, "/users");
  },
  "a route needs a path and middleware: Wire throws a TypeError at registration",
);

parity("parameter added to request in ctx", async () => {
  const router = new Router<State>().get("/echo/:saying", (ctx) => {
    assert.equal(ctx.params.saying, "helloWorld"); // no ctx.request.params
    return body({ echo: ctx.params.saying })(ctx, null!);
  });
  assert.deepEqual((await get(app(router.routes()), "/echo/helloWorld")).json(), {
    echo: "helloWorld",
  });
});

parity("two routes with the same path", async () => {
  const router1 = new Router<State>().get("/echo/:saying", (ctx, next) => {
    assert.equal(ctx.params.saying, "helloWorld");
    return next();
  });
  const router2 = new Router<State>().get("/echo/:saying", (ctx) => {
    assert.equal(ctx.params.saying, "helloWorld");
    return body({ echo: ctx.params.saying })(ctx, null!);
  });
  const res = await get(app(router1.routes(), router2.routes()), "/echo/helloWorld");
  assert.deepEqual(res.json(), { echo: "helloWorld" });
});

parity("parameter added to request in ctx with sub router", async () => {
  const router = new Router<State>();
  const subrouter = new Router<State>();
  router.use((ctx, next) => {
    ctx.state.foo = "boo";
    return next();
  });
  subrouter.get("/:saying", (ctx) => body({ echo: ctx.params.saying })(ctx, null!));
  router.use("/echo", subrouter.routes());
  assert.deepEqual((await get(app(router.routes()), "/echo/helloWorld")).json(), {
    echo: "helloWorld",
  });
});

// --- describe("Router#[verb]()") ---

// The `methods` package koa-router's tests use: Node's http.METHODS, lower case.
const NODE_METHODS = [
  "acl",
  "bind",
  "checkout",
  "connect",
  "copy",
  "delete",
  "get",
  "head",
  "link",
  "lock",
  "m-search",
  "merge",
  "mkactivity",
  "mkcalendar",
  "mkcol",
  "move",
  "notify",
  "options",
  "patch",
  "post",
  "propfind",
  "proppatch",
  "purge",
  "put",
  "query",
  "rebind",
  "report",
  "search",
  "source",
  "subscribe",
  "trace",
  "unbind",
  "unlink",
  "unlock",
  "unsubscribe",
]; // deno-fmt-ignore

type AnyVerb = (...args: unknown[]) => Router;
const verbOf = (router: Router, method: string) =>
  (router as unknown as Record<string, AnyVerb>)[method].bind(router);

parity("Router#[verb]() › registers route specific to HTTP verb", () => {
  const router = new Router();
  for (const method of NODE_METHODS) {
    assert.equal(method in router, true, method);
    assert.equal(typeof verbOf(router, method), "function");
    verbOf(router, method)("/", () => new Response());
  }
});

parity("Router#[verb]() › registers route with a regexp path", () => {
  const router = new Router();
  for (const method of NODE_METHODS) {
    assert.equal(verbOf(router, method)(/^\/\w$/i, () => new Response()), router);
  }
});

parity("Router#[verb]() › registers route with a given name", () => {
  const router = new Router();
  for (const method of NODE_METHODS) {
    assert.equal(verbOf(router, method)(method, "/", () => new Response()), router);
  }
});

parity("Router#[verb]() › registers route with with a given name and regexp path", () => {
  const router = new Router();
  for (const method of NODE_METHODS) {
    assert.equal(verbOf(router, method)(method, /^\/$/i, () => new Response()), router);
  }
});

parity("Router#[verb]() › enables route chaining", () => {
  const router = new Router();
  for (const method of NODE_METHODS) {
    assert.equal(verbOf(router, method)("/", () => new Response()), router);
  }
});

parity("Router#[verb]() › registers array of paths (gh-203)", async () => {
  const router = new Router<State>().get(
    ["/one", "/two"],
    (ctx) => body(ctx.routePath)(ctx, null!),
  );
  const handler = app(router.routes());
  assert.equal((await get(handler, "/one")).text, "/one");
  assert.equal((await get(handler, "/two")).text, "/two");
});

parity(
  "Router#[verb]() › resolves non-parameterized routes without attached parameters",
  async () => {
    const router = new Router<State>()
      .get("/notparameter", (ctx) => body({ param: loose(ctx).parameter })(ctx, null!))
      .get("/:parameter", (ctx) => body({ param: ctx.params.parameter })(ctx, null!));
    const res = await get(app(router.routes()), "/notparameter");
    assert.equal("param" in (res.json() as State), false);
  },
);

parity(
  "Router#[verb]() › correctly returns an error when not passed a path for verb-specific registration (gh-147)",
  () => {
    const router = new Router();
    for (const method of NODE_METHODS) {
      assert.throws(() => verbOf(router, method)(() => new Response()), TypeError);
    }
  },
);

parity(
  'Router#[verb]() › correctly returns an error when not passed a path for "all" registration (gh-147)',
  () => {
    assert.throws(() => verbOf(new Router(), "all")(() => new Response()), TypeError);
  },
);

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

parity(
  "Router#[verb]() › validates parameters in route handlers (v14 approach for custom regex)",
  async () => {
    const router = new Router<State>().get(
      "/user/:id",
      (ctx) =>
        UUID.test(ctx.params.id)
          ? body({ id: ctx.params.id, valid: true })(ctx, null!)
          : body({ error: "Invalid UUID format" }, 400)(ctx, null!),
    );
    const handler = app(router.routes());
    const ok = await get(handler, "/user/123e4567-e89b-12d3-a456-426614174000");
    assert.equal((ok.json() as State).valid, true);
    const bad = await get(handler, "/user/invalid-uuid");
    assert.equal(bad.status, 400);
    assert.equal((bad.json() as State).error, "Invalid UUID format");
  },
);

parity(
  "Router#[verb]() › validates parameters with middleware (v14 approach for custom regex)",
  async () => {
    const validate = (name: string): Middleware<State> => (ctx, next) =>
      UUID.test(ctx.params[name])
        ? next()
        : body({ error: `Invalid ${name} format` }, 400)(ctx, null!);
    const router = new Router<State>().get(
      "/role/:id",
      validate("id"),
      (ctx) => body({ id: ctx.params.id, valid: true })(ctx, null!),
    );
    const handler = app(router.routes());
    assert.equal(
      ((await get(handler, "/role/550e8400-e29b-41d4-a716-446655440000")).json() as State).valid,
      true,
    );
    const bad = await get(handler, "/role/not-a-uuid");
    assert.equal(bad.status, 400);
    assert.equal((bad.json() as State).error, "Invalid id format");
  },
);

parity("Router#[verb]() › should support del() method as alias for delete()", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router.del("/users/:id", (ctx) => body({ deleted: ctx.params.id })(ctx, null!));
  const res = await request(handler, "DELETE", "/users/123");
  assert.deepEqual(res.json(), { deleted: "123" });
});

// --- describe("Router#use()") ---

parity("Router#use() › uses router middleware without path", async () => {
  const router = new Router<State>()
    .use((ctx, next) => {
      ctx.state.foo = "baz";
      return next();
    })
    .use((ctx, next) => {
      ctx.state.foo = "foo";
      return next();
    })
    .get("/foo/bar", (ctx) => body({ foobar: `${ctx.state.foo}bar` })(ctx, null!));
  assert.equal(((await get(app(router.routes()), "/foo/bar")).json() as State).foobar, "foobar");
});

parity("Router#use() › uses router middleware at given path", async () => {
  const router = new Router<State>()
    .use("/foo/bar", (ctx, next) => {
      ctx.state.foo = "foo";
      return next();
    })
    .get("/foo/bar", (ctx) => body({ foobar: `${ctx.state.foo}bar` })(ctx, null!));
  assert.equal(((await get(app(router.routes()), "/foo/bar")).json() as State).foobar, "foobar");
});

parity("Router#use() › runs router middleware before subrouter middleware", async () => {
  const router = new Router<State>().use((ctx, next) => {
    ctx.state.foo = "boo";
    return next();
  });
  const subrouter = new Router<State>()
    .use((ctx, next) => {
      ctx.state.foo = "foo";
      return next();
    })
    .get("/bar", (ctx) => body({ foobar: `${ctx.state.foo}bar` })(ctx, null!));
  router.use("/foo", subrouter.routes());
  assert.equal(((await get(app(router.routes()), "/foo/bar")).json() as State).foobar, "foobar");
});

parity("Router#use() › assigns middleware to array of paths", async () => {
  const router = new Router<State>()
    .use(["/foo", "/bar"], (ctx, next) => {
      ctx.state.foo = "foo";
      ctx.state.bar = "bar";
      return next();
    })
    .get("/foo", (ctx) => body({ foobar: `${ctx.state.foo}bar` })(ctx, null!))
    .get("/bar", (ctx) => body({ foobar: `foo${ctx.state.bar}` })(ctx, null!));
  const handler = app(router.routes());
  assert.equal(((await get(handler, "/foo")).json() as State).foobar, "foobar");
  assert.equal(((await get(handler, "/bar")).json() as State).foobar, "foobar");
});

parity("Router#use() › uses router middleware with RegExp path", async () => {
  const router = new Router<State>()
    .use(/^\/api\//, (ctx, next) => {
      ctx.state.apiFlag = "matched";
      return next();
    })
    .get("/api/users", (ctx) => body({ flag: ctx.state.apiFlag ?? "none" })(ctx, null!))
    .get("/public/users", (ctx) => body({ flag: ctx.state.apiFlag ?? "none" })(ctx, null!));
  const handler = app(router.routes());
  assert.equal(((await get(handler, "/api/users")).json() as State).flag, "matched");
  assert.equal(((await get(handler, "/public/users")).json() as State).flag, "none");
});

parity("Router#use() › uses router middleware with RegExp matching multiple routes", async () => {
  const route = (name: string): Middleware<State> => (ctx) =>
    body({ route: name, matched: ctx.state.regexpMatched ?? false })(ctx, null!);
  const router = new Router<State>()
    .use(/^\/a/, (ctx, next) => {
      ctx.state.regexpMatched = true;
      return next();
    })
    .post("/a1", route("a1")).post("/a2", route("a2")).post("/b1", route("b1"));
  const handler = app(router.routes());
  assert.deepEqual((await request(handler, "POST", "/a1")).json(), { route: "a1", matched: true });
  assert.deepEqual((await request(handler, "POST", "/a2")).json(), { route: "a2", matched: true });
  assert.deepEqual((await request(handler, "POST", "/b1")).json(), { route: "b1", matched: false });
});

parity(
  "Router#use() › uses router middleware with RegExp and multiple middleware functions",
  async () => {
    const router = new Router<State>()
      .use(/^\/admin/, (ctx, next) => {
        ctx.state.step1 = "done";
        return next();
      }, (ctx, next) => {
        ctx.state.step2 = "done";
        return next();
      })
      .get(
        "/admin/dashboard",
        (ctx) =>
          body({ step1: ctx.state.step1 ?? "none", step2: ctx.state.step2 ?? "none" })(ctx, null!),
      );
    assert.deepEqual((await get(app(router.routes()), "/admin/dashboard")).json(), {
      step1: "done",
      step2: "done",
    });
  },
);

parity("Router#use() › uses nested router with RegExp path", async () => {
  const subrouter = new Router<State>().get(
    "/dashboard",
    (ctx) => body({ auth: ctx.state.isAuthenticated ?? false })(ctx, null!),
  );
  const router = new Router<State>()
    .use(/^\/admin/, (ctx, next) => {
      ctx.state.isAuthenticated = true;
      return next();
    })
    .use("/admin", subrouter.routes());
  assert.equal(((await get(app(router.routes()), "/admin/dashboard")).json() as State).auth, true);
});

parity("without path, does not set params.0 to the matched path - gh-247", async () => {
  const router = new Router<State>()
    .use((_ctx, next) => next())
    .get("/foo/:id", (ctx) => body({ ...ctx.params })(ctx, null!));
  const res = (await get(app(router.routes()), "/foo/815")).json() as State;
  assert.equal(res.id, "815");
  assert.equal("0" in res, false);
});

parity("does not add an erroneous (.*) to unprefiexed nested routers - gh-369 gh-410", async () => {
  let called = 0;
  const nested = new Router<State>()
    .get("/", (ctx, next) => {
      ctx.state.body = "root";
      called++;
      return next();
    })
    .get("/test", (ctx, next) => {
      ctx.state.body = "test";
      called++;
      return next();
    });
  const router = new Router<State>().use(nested.routes());
  const res = await get(app(router.routes()), "/test");
  assert.equal(res.status, 200);
  assert.equal(res.text, "test");
  assert.equal(called, 1, "too many routes matched");
});

parity(
  "assigns middleware to array of paths with function middleware and router need to nest. - gh-22",
  async () => {
    const base = new Router<State>({ prefix: "/api" });
    const nested = new Router<State>({ prefix: "/qux" }).get(
      "/baz",
      (ctx) => body({ foo: ctx.state.foo, bar: ctx.state.bar, baz: "baz" })(ctx, null!),
    );
    base.use(["/foo", "/bar"], (ctx, next) => {
      ctx.state.foo = "foo";
      ctx.state.bar = "bar";
      return next();
    }, nested.routes());
    const handler = app(base.routes());
    for (const path of ["/foo", "/bar"]) {
      assert.deepEqual((await get(handler, `/api${path}/qux/baz`)).json(), {
        foo: "foo",
        bar: "bar",
        baz: "baz",
      });
    }
  },
);

parity('middleware with "/" in path array does not match all routes (gh-46)', async () => {
  let called = false;
  const router = new Router<State>({ prefix: "/account" })
    .use(["/signout", "/", "/update"], (_ctx, next) => {
      called = true;
      return next();
    })
    .post("/signin", body("signin")).delete("/signout", body("signout")).get("/", body("profile"));
  const handler = app(router.routes());
  called = false;
  assert.equal((await request(handler, "DELETE", "/account/signout")).status, 200);
  assert.equal(called, true);
  called = false;
  assert.equal((await get(handler, "/account/")).status, 200);
  assert.equal(called, true);
  called = false;
  assert.equal((await request(handler, "POST", "/account/signin")).status, 200);
  assert.equal(called, false);
});

parity("nested router middleware does not affect unrelated routes (gh-90)", async () => {
  let checked = false;
  const ajax = new Router<State>({ prefix: "/a" }).use((_ctx, next) => {
    checked = true;
    return next();
  }).get("/1", body("route-1"));
  const index = new Router<State>().get("/", body("index")).get("/about", body("about"));
  const main = new Router<State>().use(ajax.routes()).use(index.routes());
  const handler = app(main.routes());
  checked = false;
  assert.equal((await get(handler, "/a/1")).status, 200);
  assert.equal(checked, true);
  checked = false;
  assert.equal((await get(handler, "/about")).status, 200);
  assert.equal(checked, false);
});

parity("nested router middleware has access to parent path parameters", async () => {
  let captured: unknown = null;
  const users = new Router<State>()
    .use((ctx, next) => {
      captured = ctx.params.userId;
      return next();
    })
    .get(
      "/",
      (ctx) =>
        body({ id: (ctx.params as Record<string, string>).userId, name: "John Doe" })(ctx, null!),
    );
  const main = new Router<State>().use("/users/:userId", users.routes());
  const res = await get(app(main.routes()), "/users/123");
  assert.equal(captured, "123");
  assert.equal((res.json() as State).id, "123");
});

parity(
  "uses a same router middleware at given paths continuously - ZijianHe/koa-router#gh-244 gh-18",
  async () => {
    const base = new Router<State>({ prefix: "/api" });
    const nested = new Router<State>({ prefix: "/qux" }).get(
      "/baz",
      (ctx) => body({ foo: ctx.state.foo, bar: ctx.state.bar, baz: "baz" })(ctx, null!),
    );
    const set: Middleware<State> = (ctx, next) => {
      ctx.state.foo = "foo";
      ctx.state.bar = "bar";
      return next();
    };
    base.use("/foo", set, nested.routes()).use("/bar", set, nested.routes());
    const handler = app(base.routes());
    for (const path of ["/foo", "/bar"]) {
      assert.deepEqual((await get(handler, `/api${path}/qux/baz`)).json(), {
        foo: "foo",
        bar: "bar",
        baz: "baz",
      });
    }
  },
);

parity("should throw error when called without any middleware functions", () => {
  assert.throws(() => (new Router().use as (path: string) => void)("/path"), /no middleware given/);
});

parity("should throw error when called with only path array and no middleware", () => {
  assert.throws(
    () => (new Router().use as (path: string[]) => void)(["/path1", "/path2"]),
    /no middleware given/,
  );
});

parity("should accept valid string arrays as multiple paths", async () => {
  const visited: string[] = [];
  const router = new Router<State>()
    .use(["/path1", "/path2"], (ctx, next) => {
      visited.push(ctx.path);
      return next();
    })
    .get("/path1", body("path1")).get("/path2", body("path2"));
  const handler = app(router.routes());
  await get(handler, "/path1");
  await get(handler, "/path2");
  assert.deepEqual(visited, ["/path1", "/path2"]);
});

// --- describe("Router#redirect()") ---

parity("Router#redirect() › registers redirect routes", async () => {
  const router = new Router<State>();
  assert.equal(typeof router.redirect, "function");
  router.redirect("/source", "/destination", 302);
  const res = await get(app(router.routes()), "/source");
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), "/destination");
});

parity("Router#redirect() › redirects using route names", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router.get("home", "/", (_c, n) => n());
  router.get("sign-up-form", "/sign-up-form", (_c, n) => n());
  router.redirect("home", "sign-up-form");
  const res = await request(handler, "POST", "/");
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "/sign-up-form");
});

parity("Router#redirect() › should redirect correctly when source path starts with /", async () => {
  const router = new Router<State>().redirect("/old", "/new").get("/new", body("new page"));
  const res = await get(app(router.routes()), "/old");
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "/new");
});

parity("Router#redirect() › should redirect to named route destination", async () => {
  const router = new Router<State>().get("newPage", "/new", body("new page")).redirect(
    "/old",
    "newPage",
  );
  const res = await get(app(router.routes()), "/old");
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "/new");
});

parity(
  "redirects using symbols as route names",
  () => {
    const home = Symbol("home");
    (new Router().get as unknown as (n: symbol, p: string, m: Middleware) => void)(
      home,
      "/",
      () => new Response(),
    );
  },
  "route names are strings",
);

parity("throws an error if no route is found for name", () => {
  const router = new Router();
  assert.throws(() => router.redirect("missing", "/destination"));
  assert.throws(() => router.redirect("/source", "missing"));
});

parity("redirects to external sites", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router.redirect("/", "https://www.example.com");
  const res = await request(handler, "POST", "/");
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "https://www.example.com/");
});

parity("redirects to any external protocol", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router.redirect("/", "my-custom-app-protocol://www.example.com/foo");
  const res = await request(handler, "POST", "/");
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "my-custom-app-protocol://www.example.com/foo");
});

// --- describe("Router#route()") ---

parity("Router#route() › inherits routes from nested router", () => {
  const subrouter = new Router().get("child", "/hello", () => new Response());
  const router = new Router().use(subrouter.routes());
  const route = router.route("child");
  assert.equal(route && route.name, "child");
});

parity(
  "Router#route() › supports symbols as names",
  () => {
    const child = Symbol("child");
    (new Router().get as unknown as (n: symbol, p: string, m: Middleware) => void)(
      child,
      "/hello",
      () => new Response(),
    );
  },
  "route names are strings",
);

parity("Router#route() › returns false if no name matches", () => {
  const router = new Router().get("books", "/books", () => new Response());
  assert.equal(Boolean(router.route("Picard")), false); // undefined, not false
});

// --- describe("Router#url()") ---

parity("Router#url() › generates URL for given route name", () => {
  const router = new Router().get("books", "/:category/:title", () => new Response());
  assert.equal(
    router.url("books", { category: "programming", title: "how to node" }, {
      encode: encodeURIComponent,
    }),
    "/programming/how%20to%20node",
  );
  assert.equal(
    router.url("books", "programming", "how to node", { encode: encodeURIComponent }),
    "/programming/how%20to%20node",
  );
});

parity("Router#url() › generates URL for given route name within embedded routers", () => {
  const router = new Router({ prefix: "/books" });
  const embedded = new Router({ prefix: "/chapters" }).get(
    "chapters",
    "/:chapterName/:pageNumber",
    () => new Response(),
  );
  router.use(embedded.routes());
  const params = { chapterName: "Learning ECMA6", pageNumber: 123 };
  assert.equal(
    router.url("chapters", params, { encode: encodeURIComponent }),
    "/books/chapters/Learning%20ECMA6/123",
  );
  assert.equal(
    router.url("chapters", "Learning ECMA6", 123, { encode: encodeURIComponent }),
    "/books/chapters/Learning%20ECMA6/123",
  );
});

parity("Router#url() › generates URL for given route name within two embedded routers", () => {
  const router = new Router({ prefix: "/books" });
  const embedded = new Router({ prefix: "/chapters" });
  const embedded2 = new Router({ prefix: "/:chapterName/pages" }).get(
    "chapters",
    "/:pageNumber",
    () => new Response(),
  );
  embedded.use(embedded2.routes());
  router.use(embedded.routes());
  assert.equal(
    router.url("chapters", { chapterName: "Learning ECMA6", pageNumber: 123 }, {
      encode: encodeURIComponent,
    }),
    "/books/chapters/Learning%20ECMA6/pages/123",
  );
});

parity("Router#url() › generates URL for given route name with params and query params", () => {
  const router = new Router().get("books", "/books/:category/:id", () => new Response());
  const query = { page: 3, limit: 10 };
  assert.equal(
    router.url("books", "programming", 4, { query }),
    "/books/programming/4?page=3&limit=10",
  );
  assert.equal(
    router.url("books", { category: "programming", id: 4 }, { query }),
    "/books/programming/4?page=3&limit=10",
  );
  assert.equal(
    router.url("books", { category: "programming", id: 4 }, { query: "page=3&limit=10" }),
    "/books/programming/4?page=3&limit=10",
  );
});

parity("Router#url() › generates URL for given route name without params and query params", () => {
  const router = new Router().get("books", "/books", () => new Response());
  assert.equal(router.url("books"), "/books");
  assert.equal(
    router.url("books", {}, { query: { page: 3, limit: 10 } }),
    "/books?page=3&limit=10",
  );
  assert.equal(router.url("books", {}, { query: "page=3&limit=10" }), "/books?page=3&limit=10");
});

parity(
  "Router#url() › generates URL for given route name without params and query params (query key)",
  () => {
    const router = new Router().get("category", "/category", () => new Response());
    assert.equal(
      router.url("category", { query: { page: 3, limit: 10 } }),
      "/category?page=3&limit=10",
    );
  },
);

parity(
  "Router#url() › returns an Error if no route is found for name",
  () => {
    const router = new Router().get("books", "/books", () => new Response());
    assert.ok((router.url as (name: string) => unknown)("Picard") instanceof Error);
  },
  "url() of an unknown name throws a TypeError instead of returning an Error",
);

parity("Router#url() › escapes using encodeURIComponent()", () => {
  assert.equal(
    Router.url("/:category/:title", { category: "programming", title: "how to node & js/ts" }),
    "/programming/how%20to%20node%20%26%20js%2Fts",
  );
});

parity("Router#url() › should preserve route params when query option is also provided", () => {
  const router = new Router().get("user", "/users/:id", () => new Response());
  const url = router.url("user", { id: 123, query: { page: 1 } });
  assert.ok(url.includes("/users/123") && url.includes("page=1"));
});

parity("Router#url() › should handle query-only options object without route params", () => {
  const router = new Router().get("home", "/", () => new Response());
  assert.equal(router.url("home", { query: { sort: "asc" } }), "/?sort=asc");
});

parity("Router#url() › should handle separate params object and options object with query", () => {
  const router = new Router().get("user", "/users/:id", () => new Response());
  const url = router.url("user", { id: 456 }, { query: { detail: "full" } });
  assert.ok(url.includes("/users/456") && url.includes("detail=full"));
});

parity("Router#url() › should handle positional params with query options", () => {
  const router = new Router().get("user", "/users/:id/:action", () => new Response());
  const url = router.url("user", 789, "edit", { query: { confirm: "yes" } });
  assert.ok(url.includes("/users/789/edit") && url.includes("confirm=yes"));
});

parity(
  "Router#url() › should throw error when generating URL for RegExp routes via router.url()",
  () => {
    const router = new Router().get("regexpRoute", /\/test\/\d+/, () => new Response());
    assert.throws(() => router.url("regexpRoute", { id: 1 }), /RegExp path/);
  },
);

// --- describe("Router#param()") ---

parity("Router#param() › runs parameter middleware", async () => {
  const router = new Router<State>();
  const handler = app(router.routes());
  router
    .param("user", (id, ctx, next) => {
      ctx.state.user = { name: "alex" };
      return id ? next() : status(404)(ctx, null!);
    })
    .get("/users/:user", (ctx) => body(ctx.state.user)(ctx, null!));
  assert.equal(((await get(handler, "/users/3")).json() as State).name, "alex");
});

parity("Router#param() › runs parameter middleware in order of URL appearance", async () => {
  const router = new Router<State>()
    .param("user", (id, ctx, next) => {
      const user: State = { name: "alex" };
      if (ctx.state.ranFirst) user.ordered = "parameters";
      ctx.state.user = user;
      return id ? next() : status(404)(ctx, null!);
    })
    .param("first", (id, ctx, next) => {
      ctx.state.ranFirst = !ctx.state.user;
      return id ? next() : status(404)(ctx, null!);
    })
    .get("/:first/users/:user", (ctx) => body(ctx.state.user)(ctx, null!));
  const res = await get(app(router.routes()), "/first/users/3");
  assert.deepEqual(res.json(), { name: "alex", ordered: "parameters" });
});

parity(
  "Router#param() › runs parameter middleware in order of URL appearance even when added in random order",
  async () => {
    const push = (id: string, ctx: Ctx, next: () => Promise<Response>) => {
      (ctx.state.loaded as string[]).push(id);
      return next();
    };
    const router = new Router<State>()
      .param("a", (id, ctx, next) => {
        ctx.state.loaded = [id];
        return next();
      })
      .param("d", push).param("c", push).param("b", push)
      .get("/:a/:b/:c/:d", (ctx) => body(ctx.state.loaded)(ctx, null!));
    assert.deepEqual((await get(app(router.routes()), "/1/2/3/4")).json(), ["1", "2", "3", "4"]);
  },
);

parity("Router#param() › runs parent parameter middleware for subrouter", async () => {
  const subrouter = new Router<State>().get(
    "/:cid",
    (ctx) =>
      body({ id: (ctx.params as Record<string, string>).id, cid: ctx.params.cid })(ctx, null!),
  );
  const router = new Router<State>()
    .param("id", (id, ctx, next) => {
      ctx.params.id = "ran";
      return id ? next() : status(404)(ctx, null!);
    })
    .use("/:id/children", subrouter.routes());
  assert.deepEqual((await get(app(router.routes()), "/did-not-run/children/2")).json(), {
    id: "ran",
    cid: "2",
  });
});

parity("Router#param() › supports multiple param handlers for the same parameter", async () => {
  const calls: string[] = [];
  const handler = (n: number) => (_id: string, ctx: Ctx, next: () => Promise<Response>) => {
    calls.push(`param${n}`);
    ctx.state[`param${n}`] = true;
    return next();
  };
  const router = new Router<State>()
    .param("id", handler(1)).param("id", handler(2)).param("id", handler(3))
    .get("/:id", (ctx) => {
      calls.push("get");
      return body({ param1: ctx.state.param1, param2: ctx.state.param2, param3: ctx.state.param3 })(
        ctx,
        null!,
      );
    });
  const res = await get(app(router.routes()), "/test");
  assert.deepEqual(calls, ["param1", "param2", "param3", "get"]);
  assert.deepEqual(res.json(), { param1: true, param2: true, param3: true });
});

parity(
  "Router#param() › does not call param handlers multiple times with multiple matching routes",
  async () => {
    const calls: string[] = [];
    const router = new Router<State>({ exclusive: false })
      .param("id", (_id, _ctx, next) => {
        calls.push("param1");
        return next();
      })
      .get("/:id", (_ctx, next) => {
        calls.push("get1");
        return next();
      })
      .param("id", (_id, _ctx, next) => {
        calls.push("param2");
        return next();
      })
      .get("/:id", (ctx) => {
        calls.push("get2");
        return body({ calls: [...calls] })(ctx, null!);
      });
    assert.equal((await get(app(router.routes()), "/test")).status, 200);
    assert.deepEqual(calls, ["param1", "param2", "get1", "get2"]);
  },
);

parity(
  "Router#param() › does not call param handler multiple times with use middleware",
  async () => {
    const calls: string[] = [];
    const router = new Router<State>()
      .use("/:id", (_ctx, next) => {
        calls.push("use1");
        return next();
      })
      .param("id", (_id, _ctx, next) => {
        calls.push("param1");
        return next();
      })
      .get("/:id", (ctx) => {
        calls.push("get1");
        return body({ calls: [...calls] })(ctx, null!);
      });
    await get(app(router.routes()), "/test");
    assert.deepEqual(calls, ["use1", "param1", "get1"]);
  },
);

parity(
  "Router#param() › calls param handlers for routes added after param() is called",
  async () => {
    const calls: string[] = [];
    const router = new Router<State>()
      .param("id", (id, ctx, next) => {
        calls.push("param1");
        ctx.state.id = id;
        return next();
      })
      .get("/:id/first", (ctx) => {
        calls.push("get1");
        return body({ route: "first", id: ctx.state.id })(ctx, null!);
      });
    router.get("/:id/second", (ctx) => {
      calls.push("get2");
      return body({ route: "second", id: ctx.state.id })(ctx, null!);
    });
    const handler = app(router.routes());
    assert.equal(((await get(handler, "/123/first")).json() as State).id, "123");
    assert.deepEqual(calls, ["param1", "get1"]);
    calls.length = 0;
    assert.equal(((await get(handler, "/456/second")).json() as State).id, "456");
    assert.deepEqual(calls, ["param1", "get2"]);
  },
);

parity(
  "Router#param() › should insert param middleware when all existing middleware have .param property",
  async () => {
    const order: string[] = [];
    const router = new Router<State>()
      .param("id", (id, _ctx, next) => {
        order.push(`param-id:${id}`);
        return next();
      })
      .param("subId", (subId, _ctx, next) => {
        order.push(`param-subId:${subId}`);
        return next();
      })
      .get("/:id/:subId", (ctx) => {
        order.push("handler");
        return body("ok")(ctx, null!);
      });
    assert.equal((await get(app(router.routes()), "/123/456")).status, 200);
    assert.deepEqual(order, ["param-id:123", "param-subId:456", "handler"]);
  },
);

parity(
  "Router#param() › should call param middleware in URL parameter order regardless of registration order",
  async () => {
    const order: string[] = [];
    const log = (name: string) => (value: string, _ctx: Ctx, next: () => Promise<Response>) => {
      order.push(`${name}:${value}`);
      return next();
    };
    const router = new Router<State>().param("c", log("c")).param("a", log("a")).param(
      "b",
      log("b"),
    )
      .get("/:a/:b/:c", (ctx) => {
        order.push("handler");
        return body("ok")(ctx, null!);
      });
    await get(app(router.routes()), "/1/2/3");
    assert.deepEqual(order, ["a:1", "b:2", "c:3", "handler"]);
  },
);

// --- describe("Router#opts") and ("use middleware with opts") ---

for (const describe of ["Router#opts", "use middleware with opts"]) {
  parity(`${describe} › responds with 200`, async () => {
    const router = new Router<State>({ strict: true }).get("/info", body("hello"));
    const res = await get(app(router.routes()), "/info");
    assert.equal(res.text, "hello");
  });
  parity(`${describe} › responds with 404 when has a trailing slash`, async () => {
    const router = new Router<State>({ strict: true }).get("/info", body("hello"));
    assert.equal((await get(app(router.routes()), "/info/")).status, 404);
  });
}

parity("Router#opts › should allow setting a prefix", async () => {
  const routes = new Router<State>({ prefix: "/things/:thing_id" }).get(
    "/list",
    (ctx) => body({ ...ctx.params })(ctx, null!),
  );
  assert.equal(((await get(app(routes.routes()), "/things/1/list")).json() as State).thing_id, "1");
});

// --- describe("router.routes()") ---

parity("router.routes() › should return composed middleware", async () => {
  let count = 0;
  const router = new Router<State>()
    .use((_ctx, next) => {
      count++;
      return next();
    }, (_ctx, next) => {
      count++;
      return next();
    })
    .get("/users/:id", (ctx) => {
      assert.ok(ctx.params.id);
      return body({ hello: "world" })(ctx, null!);
    });
  const res = await get(app(router.routes()), "/users/1");
  assert.equal((res.json() as State).hello, "world");
  assert.equal(count, 2);
});

parity("router.routes() › places a `_matchedRoute` value on context", async () => {
  const router = new Router<State>()
    .use(async (ctx, next) => {
      const response = await next();
      assert.equal(ctx._matchedRoute, "/users/:id");
      return response;
    })
    .get("/users/:id", (ctx) => {
      assert.equal(ctx._matchedRoute, "/users/:id");
      return body({ hello: "world" })(ctx, null!);
    });
  assert.equal((await get(app(router.routes()), "/users/1")).status, 200);
});

parity(
  "router.routes() › places a `_matchedRouteName` value on the context for a named route",
  async () => {
    const router = new Router<State>().get("users#show", "/users/:id", (ctx) => {
      assert.equal(ctx._matchedRouteName, "users#show");
      return status(200)(ctx, null!);
    });
    assert.equal((await get(app(router.routes()), "/users/1")).status, 200);
  },
);

parity(
  "router.routes() › does not place a `_matchedRouteName` value on the context for unnamed routes",
  async () => {
    const router = new Router<State>().get("/users/:id", (ctx) => {
      assert.equal(ctx._matchedRouteName, undefined);
      return status(200)(ctx, null!);
    });
    assert.equal((await get(app(router.routes()), "/users/1")).status, 200);
  },
);

parity(
  "router.routes() › sets correct `_matchedRouteName` with nested routers and middleware (gh-105)",
  async () => {
    const router = new Router<State>().get("main#info", "/info", (ctx) => {
      assert.equal(ctx._matchedRouteName, "main#info");
      return body({ route: "main" })(ctx, null!);
    });
    const nested = new Router<State>().get("nested#updates", "/updates", (ctx) => {
      assert.equal(ctx._matchedRouteName, "nested#updates");
      return body({ route: "nested" })(ctx, null!);
    });
    router.use("/v1/api", nested.routes());
    assert.equal((await get(app(router.routes()), "/v1/api/updates")).status, 200);
  },
);

parity(
  "router.routes() › places a `routerPath` value on the context for current route",
  async () => {
    const router = new Router<State>().get("/users/:id", (ctx) => {
      assert.equal(ctx.routePath, "/users/:id"); // koa-router: ctx.routerPath
      return status(200)(ctx, null!);
    });
    assert.equal((await get(app(router.routes()), "/users/1")).status, 200);
  },
);

parity(
  "router.routes() › places a `_matchedRoute` value on the context for current route",
  async () => {
    const router = new Router<State>()
      .get("/users/list", (ctx) => {
        assert.equal(ctx._matchedRoute, "/users/list");
        return status(200)(ctx, null!);
      })
      .get("/users/:id", (ctx) => {
        assert.equal(ctx._matchedRoute, "/users/:id");
        return status(200)(ctx, null!);
      });
    assert.equal((await get(app(router.routes()), "/users/list")).status, 200);
  },
);

// --- describe("If no HEAD method, default to GET") ---

parity("If no HEAD method, default to GET › should default to GET", async () => {
  const router = new Router<State>().get("/users/:id", (ctx) => {
    assert.ok(ctx.params.id);
    return body("hello")(ctx, null!);
  });
  const handler = app(router.routes());
  assert.equal((await request(handler, "HEAD", "/users/1")).status, 200);
  const wire = new TextDecoder().decode(
    (await inject(handler, "HEAD /users/1 HTTP/1.1\r\nHost: x\r\n\r\n")).bytes,
  );
  assert.ok(wire.endsWith("\r\n\r\n"), "no body");
});

parity("If no HEAD method, default to GET › should work with middleware", async () => {
  const router = new Router<State>().get("/users/:id", (ctx) => body("hello")(ctx, null!));
  assert.equal((await request(app(router.routes()), "HEAD", "/users/1")).status, 200);
});

parity(
  "If no HEAD method, default to GET › should return empty body for HEAD requests on GET routes",
  async () => {
    const router = new Router<State>().get(
      "/api/data",
      body({ message: "This is a large response", data: [1, 2, 3, 4, 5] }),
    );
    const handler = app(router.routes());
    assert.equal(
      ((await get(handler, "/api/data")).json() as State).message,
      "This is a large response",
    );
    const wire = new TextDecoder().decode(
      (await inject(handler, "HEAD /api/data HTTP/1.1\r\nHost: x\r\n\r\n")).bytes,
    );
    assert.match(wire, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(wire, /\r\ncontent-type: application\/json\r\n/i); // koa adds "; charset=utf-8"
    assert.ok(wire.endsWith("\r\n\r\n"));
  },
);

parity(
  "If no HEAD method, default to GET › should preserve headers for HEAD requests",
  async () => {
    const router = new Router<State>().get("/api/resource", () =>
      new Response("Response body", {
        headers: { "x-custom-header": "custom-value", "x-resource-count": "42" },
      }));
    const res = await request(app(router.routes()), "HEAD", "/api/resource");
    assert.equal(res.headers.get("x-custom-header"), "custom-value");
    assert.equal(res.headers.get("x-resource-count"), "42");
  },
);

parity(
  "If no HEAD method, default to GET › should work with allowedMethods middleware",
  async () => {
    const router = new Router<State>().get("/resource", body("success"));
    assert.equal(
      (await request(app(router.routes(), router.allowedMethods()), "HEAD", "/resource")).status,
      200,
    );
  },
);

parity(
  "If no HEAD method, default to GET › should not automatically support HEAD for POST routes",
  async () => {
    const router = new Router<State>().post("/users", body({ created: true }));
    assert.equal(
      (await request(app(router.routes(), router.allowedMethods()), "HEAD", "/users")).status,
      405,
    );
  },
);

parity(
  "If no HEAD method, default to GET › should not automatically support HEAD for PUT routes",
  async () => {
    const router = new Router<State>().put("/users/:id", body({ updated: true }));
    assert.equal(
      (await request(app(router.routes(), router.allowedMethods()), "HEAD", "/users/123")).status,
      405,
    );
  },
);

parity("If no HEAD method, default to GET › should support explicit HEAD routes", async () => {
  let headCalled = false;
  const router = new Router<State>()
    .head("/check", (ctx) => {
      headCalled = true;
      return status(200)(ctx, null!);
    })
    .get("/check", body({ message: "GET handler" }));
  assert.equal((await request(app(router.routes()), "HEAD", "/check")).status, 200);
  assert.equal(headCalled, true);
});

parity(
  "If no HEAD method, default to GET › should handle HEAD requests with route parameters",
  async () => {
    const router = new Router<State>().get(
      "/users/:id/posts/:postId",
      (ctx) => body({ userId: ctx.params.id, postId: ctx.params.postId })(ctx, null!),
    );
    assert.equal((await request(app(router.routes()), "HEAD", "/users/123/posts/456")).status, 200);
  },
);

parity(
  "If no HEAD method, default to GET › should handle HEAD requests with query parameters",
  async () => {
    const router = new Router<State>().get(
      "/search",
      (ctx) => body({ query: ctx.url.searchParams.get("q"), results: [] })(ctx, null!),
    );
    assert.equal((await request(app(router.routes()), "HEAD", "/search?q=test")).status, 200);
  },
);

// --- describe("Router#prefix") ---

parity("Router#prefix › should set opts.prefix", () => {
  const router = new Router();
  assert.equal(router.prefix(), "");
  router.prefix("/things/:thing_id");
  assert.equal(router.prefix(), "/things/:thing_id");
});

parity("Router#prefix › should prefix existing routes", () => {
  const router = new Router().get("r", "/users/:id", () => new Response());
  router.prefix("/things/:thing_id");
  const route = router.route("r")!;
  assert.equal(route.path, "/things/:thing_id/users/:id");
  assert.deepEqual(route.paramNames, ["thing_id", "id"]);
});

parity(
  "Router#prefix › populates ctx.params correctly for router prefix (including use)",
  async () => {
    const router = new Router<State>({ prefix: "/:category" });
    const handler = app(router.routes());
    router
      .use((ctx, next) => {
        assert.equal(ctx.params.category, "cats");
        return next();
      })
      .get("/suffixHere", (ctx) => {
        assert.equal(loose(ctx).category, "cats");
        return status(204)(ctx, null!);
      });
    assert.equal((await get(handler, "/cats/suffixHere")).status, 204);
  },
);

parity(
  "Router#prefix › populates ctx.params correctly for more complex router prefix (including use)",
  async () => {
    const router = new Router<State>({ prefix: "/:category/:color" });
    const handler = app(router.routes());
    router
      .use((ctx, next) => {
        assert.equal(ctx.params.category, "cats");
        assert.equal(ctx.params.color, "gray");
        return next();
      })
      .get("/:active/suffixHere", (ctx) => {
        assert.deepEqual({ ...ctx.params }, { category: "cats", color: "gray", active: "true" });
        return status(204)(ctx, null!);
      });
    assert.equal((await get(handler, "/cats/gray/true/suffixHere")).status, 204);
  },
);

parity(
  "Router#prefix › populates ctx.params correctly for dynamic and static prefix (including async use)",
  async () => {
    const router = new Router<State>({ prefix: "/:ping/pong" });
    const handler = app(router.routes());
    router
      .use(async (ctx, next) => {
        assert.equal(ctx.params.ping, "pingKey");
        return await next();
      })
      .get("/", (ctx) => body({ ...ctx.params })(ctx, null!));
    assert.match((await get(handler, "/pingKey/pong")).text, /{"ping":"pingKey"}/);
  },
);

parity(
  "Router#prefix › executes middleware for routes when prefix contains path parameters (complex)",
  async () => {
    let ran = false;
    const router = new Router<State>({ prefix: "/api/apps/:appId/settings" })
      .use((ctx, next) => {
        ran = true;
        ctx.state.authorized = "AUTHORIZED";
        return next();
      })
      .get(
        "/",
        (ctx) =>
          body({ authorized: ctx.state.authorized, middlewareRan: ran, appId: loose(ctx).appId })(
            ctx,
            null!,
          ),
      )
      .get(
        "/:settingId",
        (ctx) =>
          body({
            authorized: ctx.state.authorized,
            middlewareRan: ran,
            appId: loose(ctx).appId,
            settingId: ctx.params.settingId,
          })(
            ctx,
            null!,
          ),
      );
    const handler = app(router.routes());
    ran = false;
    assert.deepEqual((await get(handler, "/api/apps/123/settings")).json(), {
      authorized: "AUTHORIZED",
      middlewareRan: true,
      appId: "123",
    });
    ran = false;
    assert.deepEqual((await get(handler, "/api/apps/456/settings/theme")).json(), {
      authorized: "AUTHORIZED",
      middlewareRan: true,
      appId: "456",
      settingId: "theme",
    });
  },
);

parity(
  "Router#prefix › populates ctx.params correctly for static prefix",
  async () => {
    const router = new Router<State>({ prefix: "/all" });
    const handler = app(router.routes());
    router
      .use((ctx, next) => {
        assert.deepEqual({ ...ctx.params }, {});
        return next();
      })
      .get("/:active/suffixHere", (ctx) => {
        assert.equal(ctx.params.active, "true");
        return status(204)(ctx, null!);
      });
    assert.equal((await get(handler, "/all/true/suffixHere")).status, 204);
  },
  "use() middleware already sees the matched route's params",
);

parity(
  "Router#prefix › when used with .use(fn) - gh-247 › does not set params.0 to the matched path",
  async () => {
    const router = new Router<State>().use((_ctx, next) => next()).get(
      "/foo/:id",
      (ctx) => body({ ...ctx.params })(ctx, null!),
    );
    router.prefix("/things");
    const res = (await get(app(router.routes()), "/things/foo/108")).json() as State;
    assert.equal(res.id, "108");
    assert.equal("0" in res, false);
  },
);

parity(
  "Router#prefix › should replace prefix instead of stacking when called multiple times",
  async () => {
    const router = new Router<State>().get("/test", (ctx) => body({ path: ctx.path })(ctx, null!));
    router.prefix("/api/v1");
    router.prefix("/api/v2");
    const handler = app(router.routes());
    assert.equal(((await get(handler, "/api/v2/test")).json() as State).path, "/api/v2/test");
    assert.equal((await get(handler, "/api/v1/test")).status, 404);
    assert.equal((await get(handler, "/api/v2/api/v1/test")).status, 404);
  },
);

parity(
  "Router#prefix › should handle raw regex middleware patterns with parameterized prefix",
  async () => {
    const router = new Router<State>({ prefix: "/:version" })
      .use((ctx, next) => {
        ctx.state.middlewareRan = true;
        return next();
      })
      .get("/test", (ctx) => body({ middlewareRan: ctx.state.middlewareRan })(ctx, null!));
    assert.equal(
      ((await get(app(router.routes()), "/v1/test")).json() as State).middlewareRan,
      true,
    );
  },
);

for (
  const [describe, prefix] of [["with trailing slash", "/admin/"], [
    "without trailing slash",
    "/admin",
  ]]
) {
  const setup = () => {
    let count = 0;
    const router = new Router<State>()
      .use((ctx, next) => {
        count++;
        ctx.state.thing = "worked";
        return next();
      })
      .get("/", (ctx) => {
        count++;
        return body({ name: ctx.state.thing })(ctx, null!);
      });
    router.prefix(prefix);
    return { handler: app(router.routes()), count: () => count };
  };
  for (
    const [it, path] of [
      ["should support root level router middleware", prefix],
      ["should support requests with a trailing path slash", "/admin/"],
      ["should support requests without a trailing path slash", "/admin"],
    ]
  ) {
    parity(`Router#prefix › ${describe} › ${it}`, async () => {
      const { handler, count } = setup();
      const res = await get(handler, path);
      assert.equal(res.status, 200);
      assert.equal(count(), 2);
      assert.equal((res.json() as State).name, "worked");
    });
  }
}

parity("Router#prefix › prefix and '/' route behavior", async () => {
  const router = new Router<State>({ strict: false, prefix: "/foo" }).get("/", body(""));
  const strict = new Router<State>({ strict: true, prefix: "/bar" }).get("/", body(""));
  const handler = app(router.routes(), strict.routes());
  assert.equal((await get(handler, "/foo")).status, 200);
  assert.equal((await get(handler, "/foo/")).status, 200);
  assert.equal((await get(handler, "/bar")).status, 404);
  assert.equal((await get(handler, "/bar/")).status, 200);
});

// --- describe("Static Router#url()") ---

parity("Static Router#url() › generates route URL", () => {
  assert.equal(
    Router.url("/:category/:title", { category: "programming", title: "how-to-node" }),
    "/programming/how-to-node",
  );
});

parity("Static Router#url() › escapes using encodeURIComponent()", () => {
  assert.equal(
    Router.url("/:category/:title", { category: "programming", title: "how to node" }, {
      encode: encodeURIComponent,
    }),
    "/programming/how%20to%20node",
  );
});

parity("Static Router#url() › generates route URL with params and query params", () => {
  const query = { page: 3, limit: 10 };
  assert.equal(
    Router.url("/books/:category/:id", "programming", 4, { query }),
    "/books/programming/4?page=3&limit=10",
  );
  assert.equal(
    Router.url("/books/:category/:id", { category: "programming", id: 4 }, { query }),
    "/books/programming/4?page=3&limit=10",
  );
  assert.equal(
    Router.url("/books/:category/:id", { category: "programming", id: 4 }, {
      query: "page=3&limit=10",
    }),
    "/books/programming/4?page=3&limit=10",
  );
});

parity(
  "Static Router#url() › generates router URL without params and with with query params",
  () => {
    assert.equal(
      Router.url("/category", { query: { page: 3, limit: 10 } }),
      "/category?page=3&limit=10",
    );
  },
);

// --- describe("Support host") ---

parity("Support host › should support host match", async () => {
  const router = new Router<State>({ host: "test.domain" }).get("/", body({ url: "/" }));
  const handler = app(router.routes());
  assert.equal((await get(handler, "/", { host: "test.domain" })).status, 200);
  assert.equal((await get(handler, "/", { host: "a.domain" })).status, 404);
});

parity("Support host › should support host match regexp", async () => {
  const router = new Router<State>({ host: /^(.*\.)?test\.domain/ }).get("/", body({ url: "/" }));
  const handler = app(router.routes());
  for (const host of ["test.domain", "www.test.domain", "any.sub.test.domain"]) {
    assert.equal((await get(handler, "/", { host })).status, 200, host);
  }
  assert.equal((await get(handler, "/", { host: "sub.anytest.domain" })).status, 404);
});

parity("Support host › should support host match with array of strings", async () => {
  const router = new Router<State>({
    host: ["some-domain.com", "www.some-domain.com", "some.other-domain.com"],
  })
    .get("/", (ctx) => body({ host: ctx.host })(ctx, null!));
  const handler = app(router.routes());
  for (const host of ["some-domain.com", "www.some-domain.com", "some.other-domain.com"]) {
    assert.equal((await get(handler, "/", { host })).status, 200, host);
  }
  assert.equal((await get(handler, "/", { host: "other-domain.com" })).status, 404);
});

parity(
  "Support host › should return false for invalid host type (neither string, array, nor RegExp)",
  () => {
    const router = new Router({ host: 123 as unknown as string });
    assert.equal(router.matchHost("test.domain"), false);
  },
  "an invalid host option is a TypeError when the router is created",
);

parity("Support host › should return false when input is empty or falsy", () => {
  const router = new Router({ host: "test.domain" });
  assert.equal(router.matchHost(""), false);
  assert.equal(router.matchHost(null as unknown as string), false);
  assert.equal(router.matchHost(undefined), false);
});

parity("Support host › should handle empty array for host", () => {
  assert.equal(new Router({ host: [] }).matchHost("test.domain"), false);
});

parity("Support host › should handle array host matching with matchHost method", () => {
  const router = new Router({ host: ["example.com", "www.example.com", "api.example.com"] });
  for (const host of ["example.com", "www.example.com", "api.example.com"]) {
    assert.equal(router.matchHost(host), true);
  }
  assert.equal(router.matchHost("other.com"), false);
  assert.equal(router.matchHost(""), false);
});

// --- describe("Less Common HTTP Methods") ---

parity("Less Common HTTP Methods › should support PATCH method", async () => {
  const router = new Router<State>().patch(
    "/users/:id",
    (ctx) =>
      body({ id: ctx.params.id, message: "User partially updated", method: "PATCH" })(ctx, null!),
  );
  const res = await request(app(router.routes(), router.allowedMethods()), "PATCH", "/users/123");
  assert.deepEqual(res.json(), { id: "123", message: "User partially updated", method: "PATCH" });
});

parity("Less Common HTTP Methods › should support PURGE method", async () => {
  let cleared = false;
  const router = new Router<State>({ methods: ["GET", "PURGE"] }).purge("/cache/:key", (ctx) => {
    cleared = true;
    return body({ key: ctx.params.key, message: "Cache cleared", method: "PURGE" })(ctx, null!);
  });
  const res = await request(app(router.routes(), router.allowedMethods()), "PURGE", "/cache/mykey");
  assert.equal(cleared, true);
  assert.equal((res.json() as State).key, "mykey");
});

parity("Less Common HTTP Methods › should support COPY method", async () => {
  const router = new Router<State>({ methods: ["GET", "COPY"] }).copy(
    "/files/:source",
    (ctx) =>
      body({ source: ctx.params.source, message: "File copied", method: "COPY" })(ctx, null!),
  );
  const res = await request(
    app(router.routes(), router.allowedMethods()),
    "COPY",
    "/files/document.pdf",
  );
  assert.equal((res.json() as State).source, "document.pdf");
});

parity("Less Common HTTP Methods › should support CONNECT method", () => {
  const router = new Router<State>({ methods: ["GET", "CONNECT"] }).connect(
    "/proxy/:host",
    (ctx) => body({ host: ctx.params.host })(ctx, null!),
  );
  assert.equal(typeof router.connect, "function");
});

parity(
  "Less Common HTTP Methods › should support TRACE method",
  async () => {
    const router = new Router<State>({ methods: ["GET", "TRACE"] }).trace(
      "/debug/:path",
      (ctx) => body({ path: ctx.params.path, method: "TRACE" })(ctx, null!),
    );
    const wire = new TextDecoder().decode(
      (await inject(app(router.routes()), "TRACE /debug/test HTTP/1.1\r\nHost: x\r\n\r\n")).bytes,
    );
    assert.match(wire, /^HTTP\/1\.1 200 /);
  },
  "the server answers TRACE 501 itself: Deno's Request cannot carry it",
);

// --- describe("RouterOptions: methods") ---

parity("RouterOptions: methods › should limit router to specified methods only", async () => {
  const router = new Router<State>({ methods: ["GET", "POST", "PATCH"] })
    .get("/users", body({ method: "GET" }))
    .post("/users", body({ method: "POST" }))
    .patch("/users/:id", (ctx) => body({ method: "PATCH", id: ctx.params.id })(ctx, null!));
  const handler = app(router.routes(), router.allowedMethods());
  assert.equal(((await get(handler, "/users")).json() as State).method, "GET");
  assert.equal(((await request(handler, "POST", "/users")).json() as State).method, "POST");
  assert.equal(((await request(handler, "PATCH", "/users/123")).json() as State).method, "PATCH");
  assert.equal((await request(handler, "PUT", "/users/123")).status, 501);
  assert.equal((await request(handler, "DELETE", "/users/123")).status, 501);
});

parity("RouterOptions: methods › should allow PURGE when included in methods array", async () => {
  const router = new Router<State>({ methods: ["GET", "POST", "PURGE"] }).purge(
    "/cache/:key",
    (ctx) => body({ key: ctx.params.key, cleared: true })(ctx, null!),
  );
  const res = await request(app(router.routes(), router.allowedMethods()), "PURGE", "/cache/test");
  assert.deepEqual(res.json(), { key: "test", cleared: true });
});

parity("RouterOptions: methods › should return 501 when method not in methods array", async () => {
  const router = new Router<State>({ methods: ["GET", "POST", "PUT", "DELETE"] })
    .get("/cache/:key", (ctx) => body({ key: ctx.params.key, method: "GET" })(ctx, null!))
    .purge("/cache/:key", (ctx) => body({ key: ctx.params.key, method: "PURGE" })(ctx, null!));
  const handler = app(router.routes(), router.allowedMethods());
  assert.equal(((await get(handler, "/cache/test")).json() as State).method, "GET");
  assert.equal((await request(handler, "PURGE", "/nonexistent")).status, 501);
});

// --- describe("RouterOptions: sensitive") ---

parity(
  "RouterOptions: sensitive › should enable case-sensitive routing when sensitive is true",
  async () => {
    const router = new Router<State>({ sensitive: true })
      .get("/Users", body({ path: "/Users", caseSensitive: true }))
      .get("/users", body({ path: "/users", caseSensitive: true }));
    const handler = app(router.routes());
    assert.equal(((await get(handler, "/Users")).json() as State).path, "/Users");
    assert.equal(((await get(handler, "/users")).json() as State).path, "/users");
    assert.equal((await get(handler, "/USERS")).status, 404);
  },
);

parity(
  "RouterOptions: sensitive › should use case-insensitive routing by default",
  async () => {
    const router = new Router<State>().get("/Users", body({ path: "/Users" }));
    const handler = app(router.routes());
    for (const path of ["/Users", "/users", "/USERS"]) {
      assert.equal((await get(handler, path)).status, 200, path);
    }
  },
  "routes are case-sensitive by default (RFC 3986); caseSensitive: false or sensitive: false for koa's",
);

parity("RouterOptions: sensitive › should apply sensitive option to nested routers", async () => {
  const parent = new Router<State>({ sensitive: true });
  const nested = new Router<State>({ sensitive: true }).get("/Items", body({ path: "/Items" }));
  parent.use("/Api", nested.routes());
  const handler = app(parent.routes());
  assert.equal((await get(handler, "/Api/Items")).status, 200);
  assert.equal((await get(handler, "/api/items")).status, 404);
});

// --- describe("RouterOptions: strict (comprehensive)") ---

parity("RouterOptions: strict › should require trailing slash when strict is true", async () => {
  const router = new Router<State>({ strict: true }).get(
    "/info",
    body({ path: "/info", strict: true }),
  );
  const handler = app(router.routes());
  assert.equal(((await get(handler, "/info")).json() as State).path, "/info");
  assert.equal((await get(handler, "/info/")).status, 404);
});

parity("RouterOptions: strict › should allow trailing slash when strict is false", async () => {
  const router = new Router<State>({ strict: false }).get(
    "/info",
    body({ path: "/info", strict: false }),
  );
  const handler = app(router.routes());
  assert.equal(((await get(handler, "/info")).json() as State).path, "/info");
  assert.equal(((await get(handler, "/info/")).json() as State).path, "/info");
});

parity("RouterOptions: strict › should apply strict option to routes with parameters", async () => {
  const router = new Router<State>({ strict: true }).get(
    "/users/:id",
    (ctx) => body({ id: ctx.params.id })(ctx, null!),
  );
  const handler = app(router.routes());
  assert.equal(((await get(handler, "/users/123")).json() as State).id, "123");
  assert.equal((await get(handler, "/users/123/")).status, 404);
});

parity("RouterOptions: strict › should apply strict option to nested routers", async () => {
  const parent = new Router<State>({ strict: true });
  const nested = new Router<State>({ strict: true }).get("/items", body({ path: "/items" }));
  parent.use("/api", nested.routes());
  const handler = app(parent.routes());
  assert.equal((await get(handler, "/api/items")).status, 200);
  assert.equal((await get(handler, "/api/items/")).status, 404);
});

parity("RouterOptions: strict › should handle strict option with prefix", async () => {
  const router = new Router<State>({ prefix: "/v1", strict: true }).get(
    "/users",
    body({ path: "/v1/users" }),
  );
  const handler = app(router.routes());
  assert.equal(((await get(handler, "/v1/users")).json() as State).path, "/v1/users");
  assert.equal((await get(handler, "/v1/users/")).status, 404);
});

parity(
  "RouterOptions: strict › middleware prefix matching › should not match middleware from other routers with same prefix in path",
  async () => {
    const accounts = new Router<State>({ prefix: "/accounts" })
      .use((ctx, next) => {
        ctx.state.isAccount = true;
        return next();
      })
      .get("/", (ctx) => body({ route: "accounts", isAccount: ctx.state.isAccount })(ctx, null!));
    const users = new Router<State>({ prefix: "/users" })
      .get("/", (ctx) => body({ route: "users", isAccount: ctx.state.isAccount })(ctx, null!))
      .get(
        "/:userId/accounts",
        (ctx) =>
          body({
            route: "user-accounts",
            isAccount: ctx.state.isAccount,
            userId: ctx.params.userId,
          })(ctx, null!),
      );
    const handler = app(accounts.routes(), users.routes());
    assert.deepEqual((await get(handler, "/accounts")).json(), {
      route: "accounts",
      isAccount: true,
    });
    assert.deepEqual((await get(handler, "/users")).json(), { route: "users" });
    assert.deepEqual((await get(handler, "/users/12345/accounts")).json(), {
      route: "user-accounts",
      userId: "12345",
    });
  },
);

parity(
  "RouterOptions: strict › middleware prefix matching › should match middleware with explicit empty path",
  async () => {
    const accounts = new Router<State>({ prefix: "/accounts" })
      .use("", (ctx, next) => {
        ctx.state.isAccount = true;
        return next();
      })
      .get("/", (ctx) => body({ isAccount: ctx.state.isAccount })(ctx, null!))
      .get(
        "/:id",
        (ctx) => body({ isAccount: ctx.state.isAccount, id: ctx.params.id })(ctx, null!),
      );
    const handler = app(accounts.routes());
    assert.equal(((await get(handler, "/accounts")).json() as State).isAccount, true);
    assert.deepEqual((await get(handler, "/accounts/123")).json(), { isAccount: true, id: "123" });
  },
);

parity(
  'RouterOptions: strict › middleware prefix matching › should match middleware with explicit "/" path only on root',
  async () => {
    const accounts = new Router<State>({ prefix: "/accounts" })
      .use("/", (ctx, next) => {
        ctx.state.isAccount = true;
        return next();
      })
      .get("/", (ctx) => body({ isAccount: ctx.state.isAccount })(ctx, null!))
      .get(
        "/:id",
        (ctx) => body({ isAccount: ctx.state.isAccount, id: ctx.params.id })(ctx, null!),
      );
    const handler = app(accounts.routes());
    assert.equal(((await get(handler, "/accounts")).json() as State).isAccount, true);
    assert.deepEqual((await get(handler, "/accounts/123")).json(), { id: "123" });
  },
);

parity(
  "RouterOptions: strict › middleware prefix matching › should work correctly with nested subrouters",
  async () => {
    const accounts = new Router<State>({ prefix: "/accounts" })
      .use((ctx, next) => {
        ctx.state.isAccount = true;
        return next();
      })
      .get("/", (ctx) => body({ route: "accounts", isAccount: ctx.state.isAccount })(ctx, null!));
    const users = new Router<State>({ prefix: "/users" }).get(
      "/:userId/accounts",
      (ctx) =>
        body({ route: "user-accounts", isAccount: ctx.state.isAccount, userId: ctx.params.userId })(
          ctx,
          null!,
        ),
    );
    const api = new Router<State>({ prefix: "/api" }).use(accounts.routes()).use(users.routes());
    const handler = app(api.routes());
    assert.deepEqual((await get(handler, "/api/accounts")).json(), {
      route: "accounts",
      isAccount: true,
    });
    assert.equal(
      ((await get(handler, "/api/users/12345/accounts")).json() as State).isAccount,
      undefined,
    );
  },
);

// --- test/layer.test.ts: describe("Layer") ---

parity("Layer › composes multiple callbacks/middleware", async () => {
  const router = new Router<State>().get("/:category/:title", (ctx, next) => {
    ctx.state.status = 500;
    return next();
  }, (ctx, next) => {
    ctx.state.status = 204;
    return next();
  });
  assert.equal((await get(app(router.routes()), "/programming/how-to-node")).status, 204);
});

parity("Layer › Layer#match() › captures URL path parameters", async () => {
  const router = new Router<State>().get("/:category/:title", (ctx) => {
    assert.equal(ctx.params.category, "match");
    assert.equal(ctx.params.title, "this");
    return status(204)(ctx, null!);
  });
  assert.equal((await get(app(router.routes()), "/match/this")).status, 204);
});

parity(
  "Layer › Layer#match() › return original path parameters when decodeURIComponent throw error",
  async () => {
    const router = new Router<State>().get("/:category/:title", (ctx) => {
      assert.equal(ctx.params.category, "100%");
      return status(204)(ctx, null!);
    });
    assert.equal((await get(app(router.routes()), "/100%/101%")).status, 204);
  },
  "a malformed percent-escape in a parameter answers 400",
);

parity("Layer › Layer#match() › preserves plus signs in URL path parameters", async () => {
  const router = new Router<State>().get(
    "/users/:username",
    (ctx) => body({ username: ctx.params.username })(ctx, null!),
  );
  assert.equal(
    ((await get(app(router.routes()), "/users/john%2Bdoe")).json() as State).username,
    "john+doe",
  );
});

parity("Layer › Layer#match() › populates ctx.captures with regexp captures", async () => {
  const router = new Router<State>().get(/^\/api\/([^/]+)\/?/i, (ctx, next) => {
    assert.deepEqual(ctx.captures, ["1"]);
    return next();
  }, (ctx) => {
    assert.equal(ctx.captures[0], "1");
    return status(204)(ctx, null!);
  });
  assert.equal((await get(app(router.routes()), "/api/1")).status, 204);
});

parity(
  "Layer › Layer#match() › return original ctx.captures when decodeURIComponent throw error",
  async () => {
    const router = new Router<State>().get(/^\/api\/([^/]+)\/?/i, (ctx) => {
      assert.equal(ctx.captures[0], "101%");
      return status(204)(ctx, null!);
    });
    assert.equal((await get(app(router.routes()), "/api/101%")).status, 204);
  },
  "a malformed percent-escape in a capture answers 400",
);

parity(
  "Layer › Layer#match() › populates ctx.captures with regexp captures include undefined",
  async () => {
    const router = new Router<State>().get(/^\/api(\/.+)?/i, (ctx) => {
      assert.equal(ctx.captures[0], undefined);
      return status(204)(ctx, null!);
    });
    assert.equal((await get(app(router.routes()), "/api")).status, 204);
  },
);

parity("Layer › Layer#match() › should throw friendly error message when handle not exists", () => {
  const router = new Router();
  const loose = router as unknown as Record<string, (...args: unknown[]) => unknown>;
  assert.throws(() => loose.get("/foo", undefined), /middleware 0 is undefined/);
  assert.throws(() => loose.get("foo router", "/foo", undefined), /middleware 0 is undefined/);
  assert.throws(
    () => loose.post("/foo", () => new Response(), undefined),
    /middleware 1 is undefined/,
  );
});

parity("Layer › Layer#url() › generates route URL", () => {
  assert.equal(
    Router.url("/:category/:title", { category: "programming", title: "how-to-node" }),
    "/programming/how-to-node",
  );
  assert.equal(
    Router.url("/:category/:title", "programming", "how-to-node"),
    "/programming/how-to-node",
  );
});

parity("Layer › Layer#url() › escapes using encodeURIComponent()", () => {
  assert.equal(
    Router.url("/:category/:title", { category: "programming", title: "how to node & js/ts" }),
    "/programming/how%20to%20node%20%26%20js%2Fts",
  );
});

parity(
  "Layer › Layer#url() › should throw TypeError when attempting to generate URL for RegExp path",
  () => {
    const router = new Router().get("r", /\/users\/\d+/, () => new Response());
    assert.throws(() => router.url("r", { id: 123 }), TypeError);
  },
);

parity(
  "Layer › Layer#url() › should generate URL correctly for string path with named parameters",
  () => {
    assert.equal(Router.url("/users/:id", { id: 123 }), "/users/123");
  },
);

// --- test/index.test.ts ---

for (const describe of ["CommonJS exports", "ESM exports"]) {
  parity(`Module Exports (CJS/ESM) › ${describe} › should expose static url() method`, () => {
    assert.equal(typeof Router.url, "function");
  });
}

/*
 * Cases with no Wire analogue (not counted):
 * - router.test.ts "should": logs router.params (an internal field).
 * - "supports custom routing detect path: ctx.routerPath": Wire routes ctx.path (the
 *   request URL); rewriting means making a new Request.
 * - "should not share middleware stack / methods array / opts between original and
 *   nested router layers" (3): koa-router's Layer objects and router.stack are internal.
 * - "Router#register() › registers new routes": register() is koa-router's internal
 *   helper; the verbs (and all()) cover it.
 * - layer.test.ts: "Layer#param()" (2), "Layer#params()" (7), "setPrefix method checks
 *   Layer for path", "Layer#prefix" (2), "Layer#_reconfigurePathMatching()" (2),
 *   "Layer#captures()" (1): the Layer class and its methods are internal.
 * - index.test.ts: the CommonJS/ESM export shapes (7): Wire is one ES module.
 */
