import { assert, textOf } from "../../_assert.ts";
import { parseResponses, rawExchange, readAll, TEST_TIMEOUT, withServer } from "../../_server.ts";
import { serve } from "../../../http/serve.ts";
import { HttpError } from "../../../http/http_error.ts";
import { inject } from "../../../http/inject.ts";
import type { ServeInfo } from "../../../http/handler.ts";
import { setFastRequest } from "../../../http/_server/request.ts";
import { setFastResponse } from "../../../http/_server/response_parts.ts";
import { setRawConn } from "../../../net/_raw_conn.ts";
import { setNodeListen } from "../../../http/_server/node_listener.ts";
import { generateTlsCert } from "../../_tls.ts";

const GET = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

function bounded(): AbortSignal {
  return AbortSignal.timeout(TEST_TIMEOUT);
}

// Every rule below runs on both routes: Deno's internal fast fields with the node:net
// transport for plain TCP (`transport: "node"`, and Deno's socket ops for TLS), and the
// public API with Deno.listen's Deno.Conn. The default plain TCP route (Deno's socket
// ops) runs every other server test.
for (const fast of [true, false]) {
  const route = fast ? "fast route" : "public route";
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test(`${name} (${route})`, async () => {
      const wasRequest = setFastRequest(fast);
      const wasResponse = setFastResponse(fast);
      const wasRaw = setRawConn(fast);
      const wasNode = setNodeListen(fast);
      assert.equal(wasRequest, fast, "the request fast route probe passes on this Deno");
      assert.equal(wasResponse, fast, "the response fast route probe passes on this Deno");
      assert.equal(wasRaw, fast, "Deno's socket ops are reachable on this Deno");
      assert.equal(wasNode, fast, "node:net binds an address synchronously on this Deno");
      try {
        await fn();
      } finally {
        setFastRequest(true);
        setFastResponse(true);
        setRawConn(true);
        setNodeListen(false);
      }
    });

  t("serve answers over TCP with status, headers, body, Content-Length and Date", async () => {
    await withServer(
      () => new Response("hi there", { status: 201, headers: { "x-a": "1" } }),
      {},
      async (_server, addr) => {
        const { text, closed } = await rawExchange(addr, GET);
        assert.equal(closed, true);
        const [res] = parseResponses(text);
        assert.equal(res.status, 201);
        assert.equal(res.reason, "Created");
        assert.equal(res.header("x-a"), "1");
        assert.equal(res.header("content-length"), "8");
        assert.equal(res.header("connection"), "close");
        assert.match(res.header("date")!, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
        assert.equal(res.body, "hi there");
      },
    );
  });

  t("serve sends a Content-Type given only in the Response init", async () => {
    // Deno keeps such a type beside the header list (a static 200 body): it must go out.
    await withServer(
      () => new Response("Hello", { headers: { "content-type": "text/plain" } }),
      {},
      async (_server, addr) => {
        const { text } = await rawExchange(addr, GET);
        const [res] = parseResponses(text);
        assert.equal(res.header("content-type"), "text/plain");
        assert.equal(res.body, "Hello");
      },
    );
  });

  t("handler gets a Request with absolute URL from Host, method, headers and body", async () => {
    let seen: { url: string; method: string; headers: [string, string][]; body: string } | null =
      null;
    await withServer(
      async (request) => {
        seen = {
          url: request.url,
          method: request.method,
          headers: [...request.headers],
          body: await request.text(),
        };
        return new Response("ok");
      },
      {},
      async (_server, addr) => {
        await rawExchange(
          addr,
          "PUT /a/b?x=1&y=%20 HTTP/1.1\r\nHost: Example.TEST:8080\r\nX-Thing:  v \r\n" +
            "Content-Length: 5\r\nConnection: close\r\n\r\nhello",
        );
      },
    );
    assert.deepEqual(seen, {
      url: "http://example.test:8080/a/b?x=1&y=%20",
      method: "PUT",
      headers: [
        ["connection", "close"],
        ["content-length", "5"],
        ["host", "Example.TEST:8080"],
        ["x-thing", "v"],
      ],
      body: "hello",
    });
  });

  t("request URL is normalized as the WHATWG URL parser does", async () => {
    const urls: string[] = [];
    const handler = (request: Request) => {
      urls.push(request.url);
      return new Response("ok");
    };
    const targets = [
      "/a/./b/../c",
      "/%7e/caf%C3%A9",
      "/sp ace".replace(" ", "%20"),
      "/q?a='b'",
      "/x/.well-known",
    ];
    // Dot segments are refused by default (tests/http/server/request_target_test.ts).
    const lenient = { normalizePath: true };
    for (const target of targets) {
      await inject(handler, `GET ${target} HTTP/1.1\r\nHost: h.test:80\r\n\r\n`, { lenient });
    }
    await inject(handler, "GET http://abs.test/p HTTP/1.1\r\nHost: other.test\r\n\r\n");
    assert.deepEqual(urls, [
      "http://h.test/a/c",
      "http://h.test/%7e/caf%C3%A9",
      "http://h.test/sp%20ace",
      "http://h.test/q?a=%27b%27",
      "http://h.test/x/.well-known",
      "http://abs.test/p",
    ]);
  });

  t(
    "GET without a body has body null; a GET body is readable (fast) or drained (public)",
    async () => {
      const bodies: (string | null)[] = [];
      let calls = 0;
      const result = await inject(
        async (request) => {
          const index = calls++; // pipelined handlers run one after another, answered in order
          bodies[index] = request.body === null ? null : await request.text();
          return new Response("ok");
        },
        "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
          "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      // The Fetch standard's Request cannot carry a GET body; Deno's internal route can.
      assert.deepEqual(bodies, [null, fast ? "abc" : null, null]);
      assert.equal(result.responses.length, 3);
    },
  );

  t("a handler that throws gets 500 and the server goes on", async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      let calls = 0;
      await withServer(
        () => {
          calls++;
          if (calls === 1) throw new Error("boom");
          return new Response("fine");
        },
        {},
        async (_server, addr) => {
          const first = parseResponses((await rawExchange(addr, GET)).text)[0];
          assert.equal(first.status, 500);
          assert.equal(first.body, "Internal Server Error");
          const second = parseResponses((await rawExchange(addr, GET)).text)[0];
          assert.equal(second.status, 200);
          assert.equal(second.body, "fine");
        },
      );
    } finally {
      console.error = original;
    }
    assert.equal(errors.length, 1, "the failure is logged once");
  });

  t("a handler that rejects, or returns a non-Response, gets 500 (keep-alive kept)", async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const handler = (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path === "/reject") return Promise.reject(new TypeError("nope"));
        if (path === "/string") return "text" as unknown as Response;
        if (path === "/undefined") return Promise.resolve(undefined as unknown as Response);
        if (path === "/error") return Response.error();
        return new Response("ok");
      };
      const result = await inject(
        handler,
        ["/reject", "/string", "/undefined", "/error", "/ok"]
          .map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join(""),
      );
      assert.deepEqual(result.responses.map((r) => r.status), [500, 500, 500, 500, 200]);
      assert.equal(result.responses[0].headers.get("connection"), null);
    } finally {
      console.error = original;
    }
    assert.equal(errors.length, 4);
  });

  t("an HttpError thrown by the handler becomes its status; 5xx messages stay hidden", async () => {
    const result = await inject(
      (request) => {
        if (request.url.endsWith("/teapot")) {
          throw new HttpError(418, "short and stout", { headers: { "x-why": "tea" } });
        }
        throw new HttpError(503, "database password is hunter2");
      },
      "GET /teapot HTTP/1.1\r\nHost: x\r\n\r\nGET /down HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const [teapot, down] = result.responses;
    assert.equal(teapot.status, 418);
    assert.equal(teapot.headers.get("x-why"), "tea");
    assert.equal(await teapot.text(), "short and stout");
    assert.equal(down.status, 503);
    assert.equal(await down.text(), "Service Unavailable");
  });

  t("onError's Response replaces the 500; a throwing onError falls back to 500", async () => {
    const seen: [unknown, string | undefined][] = [];
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const result = await inject(
        () => {
          throw new Error("handler");
        },
        "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
        {
          onError(error, request) {
            seen.push([(error as Error).message, request?.url]);
            if (request?.url.endsWith("/b")) throw new Error("onError too");
            return new Response("handled", { status: 502 });
          },
        },
      );
      assert.deepEqual(result.responses.map((r) => r.status), [502, 500]);
      assert.equal(await result.responses[0].text(), "handled");
    } finally {
      console.error = original;
    }
    assert.deepEqual(seen, [["handler", "http://x/a"], ["handler", "http://x/b"]]);
    assert.equal(errors.length, 1, "the failing onError is logged");
  });

  t("HEAD gets the GET head without a body; 204 and 304 never have a body", async () => {
    const handler = (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/204") return new Response(null, { status: 204 });
      if (path === "/304") {
        return new Response(null, { status: 304, headers: { etag: '"v1"' } });
      }
      if (path === "/stream") {
        return new Response(ReadableStream.from([new TextEncoder().encode("abc")]), {
          headers: { "content-length": "3" },
        });
      }
      return new Response("hello");
    };
    const input = "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    const result = await inject(handler, input);
    const raw = parseResponses(result.bytes, ["HEAD", "HEAD", "GET", "GET", "GET"]);
    assert.deepEqual(raw.map((r) => [r.status, r.header("content-length"), r.body]), [
      [200, "5", ""],
      [200, "3", ""],
      [204, undefined, ""],
      [304, undefined, ""],
      [200, "5", "hello"],
    ]);
    assert.equal(raw[3].header("etag"), '"v1"');
    assert.equal(raw[2].header("transfer-encoding"), undefined);
  });

  t("a body of unknown length is chunked on HTTP/1.1 and close-delimited on 1.0", async () => {
    const handler = () => {
      let n = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            if (n++ < 3) controller.enqueue(new TextEncoder().encode(`part${n};`));
            else controller.close();
          },
        }),
      );
    };
    const chunked = await inject(handler, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(chunked.response.headers.get("transfer-encoding"), "chunked");
    assert.equal(await chunked.response.text(), "part1;part2;part3;");
    const old = await inject(handler, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert.equal(old.response.headers.get("transfer-encoding"), null);
    assert.equal(old.response.headers.get("content-length"), null);
    assert.equal(old.response.headers.get("connection"), "close");
    assert.equal(await old.response.text(), "part1;part2;part3;");
  });

  t(
    "a stream is chunked unless the handler set Content-Length, as Deno.serve does (the public route gives a body whole in its first read its length)",
    async () => {
      const whole = () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("queued body"));
              controller.close();
            },
          }),
        );
      const result = await inject(whole, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      if (fast) {
        assert.equal(result.response.headers.get("transfer-encoding"), "chunked");
        assert.equal(result.response.headers.get("content-length"), null);
      } else {
        assert.equal(result.response.headers.get("content-length"), "11");
      }
      assert.equal(await result.response.text(), "queued body");
      // Head and the whole body leave in one write either way.
      assert.match(
        textOf(result.bytes),
        fast ? /\r\n\r\nb\r\nqueued body\r\n0\r\n\r\n$/ : /queued body$/,
      );
      const head = await inject(whole, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.equal(head.response.headers.get("content-length"), fast ? null : "11");
      const empty = await inject(
        () => new Response(ReadableStream.from<Uint8Array>([])),
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      assert.equal(await empty.response.text(), "");
      // An iterator's stream ends a few turns later: chunked on either route.
      assert.equal(empty.response.headers.get("transfer-encoding"), "chunked");
    },
  );

  t(
    "a handler's Content-Length is honoured for streams; a mismatch cuts the connection",
    async () => {
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      try {
        const stream = (parts: string[]) =>
          ReadableStream.from(parts.map((p) => new TextEncoder().encode(p)));
        const good = await inject(
          () => new Response(stream(["ab", "cd"]), { headers: { "content-length": "4" } }),
          "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert.equal(good.response.headers.get("content-length"), "4");
        assert.equal(good.response.headers.get("transfer-encoding"), null);
        assert.equal(await good.response.text(), "abcd");
        const { injectBytes } = await import("../../../http/inject.ts");
        const short = await injectBytes(
          () => new Response(stream(["ab"]), { headers: { "content-length": "4" } }),
          new TextEncoder().encode(
            "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
          ),
        );
        const text = new TextDecoder().decode(short);
        assert.match(
          text,
          /content-length: 4\r\n(keep-alive: timeout=\d+\r\n)?\r\nab$/,
          "cut after the short body, nothing more",
        );
      } finally {
        console.error = original;
      }
      assert.equal(errors.length, 1);
    },
  );

  if (fast) {
    t("a Blob body is sent with its Content-Length", async () => {
      const result = await inject(
        () => new Response(new Blob(["blob body"])),
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      assert.equal(result.response.headers.get("content-length"), "9");
      assert.equal(await result.response.text(), "blob body");
    });
  }

  t("a handler's Date is kept; otherwise the cached Date is sent", async () => {
    const result = await inject(
      (request) =>
        request.url.endsWith("/own")
          ? new Response("x", { headers: { date: "Sun, 06 Nov 1994 08:49:37 GMT" } })
          : new Response("y"),
      "GET /own HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const raw = parseResponses(result.bytes);
    assert.deepEqual(raw[0].headers.filter(([n]) => n === "date").length, 1);
    assert.equal(raw[0].header("date"), "Sun, 06 Nov 1994 08:49:37 GMT");
    const date = Date.parse(raw[1].header("date")!);
    assert.ok(Math.abs(date - Date.now()) < 5_000);
  });

  t("Latin-1 header values go out one byte per char", async () => {
    const result = await inject(
      () => new Response("x", { headers: { "x-name": "caf\u00e9" } }),
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const text = Array.from(result.bytes, (b) => String.fromCharCode(b)).join("");
    assert.ok(text.includes("x-name: caf\u00e9\r\n"));
  });

  t("a UTF-8 text body gets its byte length", async () => {
    const result = await inject(
      () => new Response("h\u00e9llo \u{1f600}"),
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert.equal(result.response.headers.get("content-length"), "11");
    assert.equal(await result.response.text(), "h\u00e9llo \u{1f600}");
  });
}

Deno.test("ServeInfo has the remote address and completed resolves after the write", async () => {
  let info: ServeInfo | null = null;
  let completedAfter = false;
  await withServer(
    (_request, i) => {
      info = i;
      i.completed.then(() => (completedAfter = true));
      return new Response("ok");
    },
    {},
    async (_server, addr) => {
      const { closed } = await rawExchange(addr, GET);
      assert.equal(closed, true);
      await info!.completed;
    },
  );
  const remote = info!.remoteAddr as Deno.NetAddr;
  assert.equal(remote.hostname, "127.0.0.1");
  assert.equal(remote.transport, "tcp");
  assert.ok(remote.port > 0);
  assert.equal(completedAfter, true);
});

Deno.test("request.signal does not abort when the request succeeds", async () => {
  const signals: AbortSignal[] = [];
  await withServer(
    async (request) => {
      signals.push(request.signal);
      await request.text();
      return new Response("ok");
    },
    {},
    async (_server, addr) => {
      await rawExchange(addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi" + GET);
    },
  );
  assert.equal(signals.length, 2);
  for (const signal of signals) assert.equal(signal.aborted, false);
});

Deno.test("request.signal aborts with 'client closed' when the client goes away", async () => {
  let resolveSeen!: (reason: unknown) => void;
  const seen = new Promise<unknown>((resolve) => (resolveSeen = resolve));
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  await withServer(
    (request) => {
      entered();
      return new Promise<Response>((resolve) => {
        request.signal.addEventListener("abort", () => {
          resolveSeen(request.signal.reason);
          resolve(new Response("late"));
        });
      });
    },
    {},
    async (_server, addr) => {
      const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      await inHandler;
      conn.close();
      const reason = await Promise.race([seen, new Promise((r) => setTimeout(r, TEST_TIMEOUT))]);
      assert.ok(reason instanceof DOMException);
      assert.equal(reason.name, "AbortError");
      assert.match(reason.message, /client closed/);
    },
  );
});

Deno.test("a request with a bad Host is refused with 400 and a close", async () => {
  for (const host of ["a/b", "a b", "user@host", "x?y", "[::1"]) {
    const bytes = await inject(() => new Response("no"), `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    assert.equal(bytes.response.status, 400, host);
    assert.equal(bytes.response.headers.get("connection"), "close", host);
  }
});

Deno.test("HTTP/1.0 without Host gets the server's own authority in the URL", async () => {
  let url = "";
  await withServer(
    (request) => {
      url = request.url;
      return new Response("ok");
    },
    {},
    async (_server, addr) => {
      await rawExchange(addr, "GET /p HTTP/1.0\r\n\r\n");
      assert.equal(url, `http://127.0.0.1:${addr.port}/p`);
    },
  );
});

Deno.test("shutdown() closes idle keep-alive connections at once and resolves finished", async () => {
  const server = serve(() => new Response("ok"), { hostname: "127.0.0.1", port: 0, onListen() {} });
  const addr = server.addr as Deno.NetAddr;
  const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
  try {
    await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const first = await readAll(conn, { until: (t) => t.endsWith("ok") });
    assert.equal(parseResponses(first.text)[0].header("connection"), undefined);
    assert.equal(server.connections, 1);
    await server.shutdown();
    const rest = await readAll(conn);
    assert.equal(rest.closed, true);
    assert.equal(rest.bytes.length, 0);
    await server.finished;
    await assert.rejects(() => Deno.connect({ hostname: addr.hostname, port: addr.port }));
  } finally {
    conn.close();
  }
});

Deno.test("shutdown() lets in-flight requests finish with Connection: close", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  const server = serve(async () => {
    entered();
    await gate;
    return new Response("finished");
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const addr = server.addr as Deno.NetAddr;
  const exchange = rawExchange(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  await inHandler;
  const done = server.shutdown();
  release();
  const { text, closed } = await exchange;
  await done;
  const [res] = parseResponses(text);
  assert.equal(res.body, "finished");
  assert.equal(res.header("connection"), "close");
  assert.equal(closed, true);
});

Deno.test("shutdown({ deadline }) aborts requests still running past it", async () => {
  let reason: unknown = null;
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  const server = serve((request) => {
    entered();
    return new Promise<Response>((resolve) => {
      request.signal.addEventListener("abort", () => {
        reason = request.signal.reason;
        resolve(new Response("too late"));
      });
    });
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const addr = server.addr as Deno.NetAddr;
  const exchange = rawExchange(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  await inHandler;
  await server.shutdown({ deadline: 20 });
  const { closed, bytes } = await exchange;
  assert.equal(closed, true);
  assert.equal(bytes.length, 0);
  assert.ok(reason instanceof DOMException);
  assert.match((reason as DOMException).message, /shutting down/);
});

Deno.test("the signal option shuts the server down; await using does too", async () => {
  const controller = new AbortController();
  const server = serve(() => new Response("ok"), {
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    signal: controller.signal,
  });
  controller.abort();
  await server.finished;
  let addr: Deno.NetAddr;
  {
    await using scoped = serve(() => new Response("ok"), {
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
    });
    addr = scoped.addr as Deno.NetAddr;
    const { text } = await rawExchange(addr, GET);
    assert.equal(parseResponses(text)[0].body, "ok");
  }
  await assert.rejects(() => Deno.connect({ hostname: addr.hostname, port: addr.port }));
});

Deno.test("shutdown() twice is harmless and onListen gets the address", async () => {
  let listened: Deno.NetAddr | null = null;
  const server = serve(() => new Response("ok"), {
    hostname: "127.0.0.1",
    port: 0,
    onListen(addr) {
      listened = addr as Deno.NetAddr;
    },
  });
  assert.deepEqual(listened, server.addr);
  await Promise.all([server.shutdown(), server.shutdown()]);
  await server.shutdown();
});

Deno.test("serve validates its options", () => {
  assert.throws(() => serve(42 as unknown as () => Response), TypeError);
  assert.throws(
    () => serve(() => new Response(), { maxHeaderBytes: -1, onListen() {} }),
    RangeError,
  );
  assert.throws(
    () => serve(() => new Response(), { keepAliveTimeout: 0, onListen() {} }),
    RangeError,
  );
  assert.throws(
    () => serve(() => new Response(), { maxBodyBytes: 1.5, onListen() {} }),
    RangeError,
  );
  assert.throws(() => serve(() => new Response(), { port: 70000, onListen() {} }), RangeError);
});

Deno.test("serve listens on a Unix socket path", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/wire.sock`;
  let remote: Deno.Addr | null = null;
  const server = serve((request, info) => {
    remote = info.remoteAddr;
    return new Response(`unix ${new URL(request.url).pathname}`);
  }, { path, onListen() {} });
  try {
    assert.equal(server.addr.transport, "unix");
    const conn = await Deno.connect({ transport: "unix", path });
    try {
      await conn.write(
        new TextEncoder().encode("GET /u HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      );
      const { text, closed } = await readAll(conn);
      assert.equal(closed, true);
      assert.equal(parseResponses(text)[0].body, "unix /u");
    } finally {
      conn.close();
    }
    assert.equal(remote!.transport, "unix");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve speaks HTTPS with cert and key; request URLs are https", async () => {
  const tls = await generateTlsCert();
  let url = "";
  const server = serve((request) => {
    url = request.url;
    return new Response("secure");
  }, { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key, onListen() {} });
  const port = (server.addr as Deno.NetAddr).port;
  const client = Deno.createHttpClient({ caCerts: [tls.cert] });
  try {
    const response = await fetch(`https://localhost:${port}/s`, { client, signal: bounded() });
    assert.equal(await response.text(), "secure");
    assert.equal(url, `https://localhost:${port}/s`);
  } finally {
    client.close();
    await server.shutdown();
  }
});
