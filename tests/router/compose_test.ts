import { assert } from "../_assert.ts";
import { HttpError, httpError } from "../../http/http_error.ts";
import { compose, composeWith, Context, type Middleware } from "../../router/mod.ts";
import { INFO, req } from "./_info.ts";

Deno.test("compose runs middleware in onion order: in before next(), out after", async () => {
  const trace: string[] = [];
  const layer = (name: string): Middleware => async (_ctx, next) => {
    trace.push(`${name} in`);
    const response = await next();
    trace.push(`${name} out`);
    return response;
  };
  const handler = compose(layer("a"), layer("b"), layer("c"), () => {
    trace.push("core");
    return new Response("ok");
  });
  const response = await handler(req("/"), INFO);
  assert.equal(await response.text(), "ok");
  assert.deepEqual(trace, ["a in", "b in", "c in", "core", "c out", "b out", "a out"]);
});

Deno.test("compose answers 404 Not Found when the chain ends without a response", async () => {
  for (
    const handler of [
      compose(),
      compose((_ctx, next) => next()),
      compose((_c, n) => n(), (_c, n) => n()),
    ]
  ) {
    const response = await handler(req("/x"), INFO);
    assert.equal(response.status, 404);
    assert.equal(response.statusText, "Not Found");
    assert.equal(await response.text(), "Not Found");
  }
});

Deno.test("compose rejects a second next() call with 'next() called multiple times'", async () => {
  for (const count of [1, 3]) {
    let second: unknown;
    const twice: Middleware = async (_ctx, next) => {
      await next();
      try {
        await next();
      } catch (error) {
        second = error;
      }
      return new Response("done");
    };
    const rest: Middleware[] = Array.from({ length: count - 1 }, () => (_c, n) => n());
    const response = await compose(twice, ...rest)(req("/"), INFO);
    assert.equal(await response.text(), "done");
    assert.ok(second instanceof Error);
    assert.equal((second as Error).message, "next() called multiple times");
  }
  // Not caught: the chain answers 500.
  const response = await composeWith({ onError: () => {} }, async (_ctx, next) => {
    await next();
    return next();
  }, () => new Response("inner"))(req("/"), INFO);
  assert.equal(response.status, 500);
});

Deno.test("compose turns a thrown HttpError into its status, headers and exposed message", async () => {
  const handler = compose(() => {
    throw new HttpError(401, "Log in first", { headers: { "WWW-Authenticate": "Basic" } });
  });
  const response = await handler(req("/"), INFO);
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("www-authenticate"), "Basic");
  assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await response.text(), "Log in first");
});

Deno.test("compose hides the message of a 5xx HttpError unless expose is set", async () => {
  const hidden = await compose(async () => {
    await Promise.resolve();
    throw new HttpError(503, "db password is hunter2");
  })(req("/"), INFO);
  assert.equal(hidden.status, 503);
  assert.equal(await hidden.text(), "Service Unavailable");
  const shown = await compose(() => httpError(502, "Upstream timed out", { expose: true }))(
    req("/"),
    INFO,
  );
  assert.equal(await shown.text(), "Upstream timed out");
  const quiet = await compose(() => httpError(403, "secret", { expose: false }))(req("/"), INFO);
  assert.equal(await quiet.text(), "Forbidden");
});

Deno.test("compose turns other errors into a plain 500 and passes them to onError", async () => {
  const seen: [unknown, Context][] = [];
  const failure = new Error("boom");
  const handler = composeWith({ onError: (error, ctx) => void seen.push([error, ctx]) }, () => {
    throw failure;
  });
  const response = await handler(req("/p"), INFO);
  assert.equal(response.status, 500);
  assert.equal(await response.text(), "Internal Server Error");
  assert.equal(seen.length, 1);
  assert.equal(seen[0][0], failure);
  assert.equal(seen[0][1].path, "/p");
  // HttpErrors are answers, not failures: onError does not see them.
  await composeWith({ onError: (e) => void seen.push([e, null!]) }, () => httpError(404))(
    req("/"),
    INFO,
  );
  assert.equal(seen.length, 1);
});

Deno.test("compose sends onError's Response, and a plain 500 when onError throws or rejects", async () => {
  const custom = await composeWith(
    { onError: () => Promise.resolve(new Response("custom", { status: 503 })) },
    () => Promise.reject(new Error("x")),
  )(req("/"), INFO);
  assert.equal(custom.status, 503);
  assert.equal(await custom.text(), "custom");
  for (
    const onError of [
      () => {
        throw new Error("hook broke");
      },
      () => Promise.reject(new Error("hook broke")),
    ]
  ) {
    const response = await composeWith({ onError }, () => {
      throw new Error("x");
    })(req("/"), INFO);
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "Internal Server Error");
  }
});

Deno.test("compose answers 500 when the chain resolves to something that is not a Response", async () => {
  const seen: unknown[] = [];
  const handler = composeWith(
    { onError: (error) => void seen.push(error) },
    // deno-lint-ignore no-explicit-any
    (() => undefined) as any,
  );
  const response = await handler(req("/"), INFO);
  assert.equal(response.status, 500);
  assert.ok(seen[0] instanceof TypeError);
  assert.match((seen[0] as Error).message, /returned undefined instead of a Response/);
});

Deno.test("compose lets outer middleware catch inner errors around await next()", async () => {
  const handler = compose(async (_ctx, next) => {
    try {
      return await next();
    } catch (error) {
      return new Response(`caught ${(error as Error).message}`, { status: 422 });
    }
  }, () => {
    throw new Error("inner");
  });
  const response = await handler(req("/"), INFO);
  assert.equal(response.status, 422);
  assert.equal(await response.text(), "caught inner");
});

Deno.test("A composed chain nests as one middleware: shared ctx, outer next, errors propagate", async () => {
  const trace: string[] = [];
  const inner = compose(async (ctx, next) => {
    trace.push(`inner sees ${ctx.state.tag}`);
    const response = await next();
    trace.push("inner out");
    return response;
  });
  const failing = compose(() => {
    throw new Error("deep");
  });
  const handler = compose(
    async (ctx, next) => {
      ctx.state.tag = "outer";
      try {
        return await next();
      } catch (error) {
        return new Response(`outer caught ${(error as Error).message}`);
      }
    },
    inner,
    (ctx) => (ctx.path === "/fail" ? failing(ctx, () => Promise.reject()) : new Response("end")),
  );
  assert.equal(await (await handler(req("/"), INFO)).text(), "end");
  assert.deepEqual(trace, ["inner sees outer", "inner out"]);
  assert.equal(await (await handler(req("/fail"), INFO)).text(), "outer caught deep");
  // With nothing after it, a nested chain falls through to the outer 404.
  assert.equal((await compose(compose((_c, n) => n()))(req("/"), INFO)).status, 404);
});

Deno.test("compose with one middleware returns its synchronous Response as is", () => {
  const body = new Response("sync");
  const result = compose(() => body)(req("/"), INFO);
  assert.equal(result, body);
});

Deno.test("compose rejects a middleware that is not a function, naming its index", () => {
  // deno-lint-ignore no-explicit-any
  assert.throws(() => compose(() => new Response(), "nope" as any), {
    name: "TypeError",
    message: "Cannot compose: middleware 1 is string, not a function",
  });
  // deno-lint-ignore no-explicit-any
  assert.throws(() => composeWith(null as any), /options must be an object, got null/);
});

Deno.test("Context parses the URL once, lazily, and reads the path without parsing", () => {
  const ctx = new Context(req("/a%20b/c?x=1#frag"), INFO);
  assert.equal(ctx.path, "/a%20b/c");
  assert.equal(ctx.url, ctx.url);
  assert.equal(ctx.url.searchParams.get("x"), "1");
  assert.deepEqual(ctx.params, {});
  assert.deepEqual(ctx.state, {});
  assert.equal(ctx.info, INFO);
  assert.equal(new Context(new Request("http://h:8080"), INFO).path, "/");
  assert.equal(new Context(new Request("http://h/?q"), INFO).path, "/");
  const state = { user: "ada" };
  assert.equal(new Context(req("/"), INFO, state).state, state);
});

Deno.test("A composed chain that throws synchronously returns a rejected Promise (koa-compose's guarantee)", async () => {
  const boom = new Error("sync");
  const chain = compose(() => {
    throw boom;
  });
  const ctx = new Context(req("/"), INFO);
  let result: unknown;
  assert.doesNotThrow(() => result = chain(ctx, () => Promise.resolve(new Response())));
  assert.ok(result instanceof Promise);
  await assert.rejects(result as Promise<Response>, (e: unknown) => e === boom);
  // Deeper in the chain too, and through a Router's routes().
  const nested = compose((_c, n) => n(), () => {
    throw boom;
  });
  await assert.rejects(
    Promise.resolve(nested(ctx, () => Promise.resolve(new Response()))),
    (e: unknown) => e === boom,
  );
  // As a handler, the rejection becomes the usual 500.
  const response = await composeWith({ onError: () => {} }, () => {
    throw boom;
  })(req("/"), INFO);
  assert.equal(response.status, 500);
});

Deno.test("A middleware that returns nothing is a 500 whose error names it", async () => {
  const seen: unknown[] = [];
  const auth: Middleware = async (_ctx, next) => {
    await next(); // forgot to return it
    return undefined as unknown as Response;
  };
  const handler = composeWith(
    { onError: (error) => void seen.push(error) },
    (_ctx, next) => next(),
    auth,
    () => new Response("inner"),
  );
  const response = await handler(req("/"), INFO);
  assert.equal(response.status, 500);
  assert.ok(seen[0] instanceof TypeError);
  assert.equal(
    (seen[0] as Error).message,
    'Cannot respond: middleware 1 ("auth") of compose() returned undefined instead of a Response; ' +
      "return a Response or next()",
  );
  // A route's middleware is named with its route.
  const { Router } = await import("../../router/mod.ts");
  const router = new Router().get("/x", function show() {
    return null as unknown as Response;
  });
  await composeWith({ onError: (error) => void seen.push(error) }, router.routes())(
    req("/x"),
    INFO,
  );
  assert.match(
    (seen[1] as Error).message,
    /^Cannot respond: middleware 0 \("show"\) of GET \/x returned null/,
  );
});
