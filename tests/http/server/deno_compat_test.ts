// serve() as a drop-in for Deno.serve: each rule here is a behaviour a Deno.serve app
// relies on (README, "Differences from Deno.serve", lists what Wire does differently on
// purpose). Over TCP on 127.0.0.1, and through inject() where it applies.

import { gzipSync } from "node:zlib";
import { assert, bytesOf, textOf } from "../../_assert.ts";
import {
  parseResponses,
  rawExchange,
  type RawResponse,
  readAll,
  TEST_TIMEOUT,
  withServer,
} from "../../_server.ts";
import { serve } from "../../../http/serve.ts";
import { inject, injectBytes } from "../../../http/inject.ts";
import type { ConnectionOptions, ServeOptions } from "../../../http/server_options.ts";
import type { Handler, HandlerObject, ServeInfo } from "../../../http/handler.ts";
import { Client } from "../../../http/client.ts";

const encoder = new TextEncoder();

/** A promise with its resolver, for handing control between a handler and a test. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Reads from `conn` until `text` holds `pattern` (bounded). */
async function readUntil(conn: Deno.Conn, pattern: string | RegExp): Promise<string> {
  const result = await readAll(conn, {
    timeout: TEST_TIMEOUT,
    until: (text) => typeof pattern === "string" ? text.includes(pattern) : pattern.test(text),
  });
  return result.text;
}

/** Sends raw `input` to `handler` and returns the responses read back. */
type Send = (
  handler: Handler,
  input: string,
  options?: ConnectionOptions,
  expected?: number,
) => Promise<RawResponse[]>;

function responsesIn(text: string): number {
  try {
    return parseResponses(text).length;
  } catch {
    return 0; // the last one is not complete yet
  }
}

/** The same exchange in memory (inject) and over TCP on 127.0.0.1. */
const TRANSPORTS: [string, Send][] = [
  [
    "inject",
    async (handler, input, options) =>
      parseResponses(await injectBytes(handler, bytesOf(input), options)),
  ],
  ["TCP", async (handler, input, options = {}, expected = 1) => {
    let out: RawResponse[] = [];
    await withServer(handler, options as ServeOptions, async (_server, addr) => {
      const result = await rawExchange(addr, input, {
        timeout: TEST_TIMEOUT,
        until: (text) => responsesIn(text) >= expected,
      });
      out = parseResponses(result.bytes);
    });
    return out;
  }],
];

/** Registers `fn` once per transport. */
function both(name: string, fn: (send: Send) => Promise<void>): void {
  for (const [transport, send] of TRANSPORTS) {
    Deno.test(`${name} (${transport})`, () => fn(send));
  }
}

// ---- streaming responses ------------------------------------------------------------------

Deno.test("a streamed response's head goes out before its first chunk (SSE, long poll)", async () => {
  const first = gate();
  const handler = () =>
    new Response(
      new ReadableStream({
        async pull(controller) {
          await first.promise;
          controller.enqueue(encoder.encode("data: 1\n\n"));
          controller.close();
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  await withServer(handler, {}, async (_server, addr) => {
    using conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    await conn.write(bytesOf("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
    const head = await readUntil(conn, "\r\n\r\n");
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head, /content-type: text\/event-stream\r\n/);
    assert.match(head, /transfer-encoding: chunked\r\n/);
    assert.ok(!head.includes("data: 1"), "no event was sent yet");
    first.open();
    const rest = await readUntil(conn, "0\r\n\r\n");
    assert.ok(rest.includes("9\r\ndata: 1\n\n\r\n0\r\n\r\n"));
  });
});

Deno.test("a duplex echo streams the request body back while it arrives", async () => {
  await withServer((request) => new Response(request.body), {}, async (_server, addr) => {
    using conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
    await conn.write(
      bytesOf("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
    );
    // The client waits for the echo of its first piece before sending the rest.
    const echoed = await readUntil(conn, "hello");
    assert.match(echoed, /^HTTP\/1\.1 200 OK\r\n/);
    await conn.write(bytesOf("6\r\n world\r\n0\r\n\r\n"));
    const rest = await readUntil(conn, "0\r\n\r\n");
    assert.ok(rest.includes(" world"));
  });
});

Deno.test("a stream longer than its Content-Length: exactly that many bytes, then a close, and onError hears of it", async () => {
  const reported: unknown[] = [];
  const handler = () =>
    new Response(ReadableStream.from([encoder.encode("abc"), encoder.encode("defgh")]), {
      headers: { "content-length": "5" },
    });
  const onError = (error: unknown) => {
    reported.push(error);
    return new Response("unused", { status: 500 });
  };
  await withServer(handler, { onError }, async (_server, addr) => {
    const result = await rawExchange(
      addr,
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
      { timeout: TEST_TIMEOUT },
    );
    assert.equal(result.closed, true);
    assert.match(result.text, /content-length: 5\r\n/);
    assert.ok(result.text.endsWith("\r\n\r\nabcde"), "five bytes, then nothing");
    assert.equal(result.text.split("HTTP/1.1 ").length, 2, "one response only");
  });
  assert.equal(reported.length, 1);
  assert.match(String(reported[0]), /longer than its Content-Length 5/);
});

both(
  "a stream shorter than its Content-Length closes the connection, reported to onError",
  async (send) => {
    const reported: unknown[] = [];
    const responses = await send(
      () =>
        new Response(ReadableStream.from([encoder.encode("ab")]), {
          headers: { "content-length": "4" },
        }),
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
      { onError: (error) => (reported.push(error), new Response(null, { status: 500 })) },
    ).catch((error) => error);
    // The client sees a cut: the response cannot be read back complete, and nothing follows.
    assert.ok(responses instanceof Error, "no complete response");
    assert.equal(reported.length, 1);
    assert.match(String(reported[0]), /ended after 2 of its Content-Length 4/);
  },
);
Deno.test("a stream that errors after its head is reported to onError and cut", async () => {
  const reported: unknown[] = [];
  const handler = () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode("x"));
        },
        pull(controller) {
          controller.error(new Error("upstream broke"));
        },
      }),
    );
  await withServer(
    handler,
    { onError: (error) => (reported.push(error), new Response(null, { status: 500 })) },
    async (_server, addr) => {
      const result = await rawExchange(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", {
        timeout: TEST_TIMEOUT,
      });
      assert.equal(result.closed, true);
      assert.ok(!result.text.endsWith("0\r\n\r\n"), "no last chunk: the client sees a cut");
    },
  );
  assert.equal(reported.length, 1);
  assert.match(String(reported[0]), /upstream broke/);
});

for (const how of ["closes", "half-closes"] as const) {
  Deno.test(`a client that ${how} during an idle SSE stream aborts request.signal at once, and shutdown() does not wait`, async () => {
    const aborted = gate<unknown>();
    const completed = gate<unknown>();
    const handler: Handler = (request, info) => {
      request.signal.addEventListener("abort", () => aborted.open(request.signal.reason));
      info.completed.then(() => completed.open("resolved"), (error) => completed.open(error));
      // One event, then nothing: the stream stays open between events.
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode("data: hi\n\n"));
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    };
    const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {} });
    try {
      const { hostname, port } = server.addr as Deno.NetAddr;
      const conn = await Deno.connect({ hostname, port });
      await conn.write(bytesOf("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
      await readUntil(conn, "data: hi");
      const start = performance.now();
      if (how === "closes") conn.close();
      else await conn.closeWrite();
      const reason = await aborted.promise;
      assert.ok(performance.now() - start < 1000, "within a second");
      assert.match(String(reason), /client closed/);
      const outcome = await completed.promise;
      assert.ok(outcome instanceof Deno.errors.Interrupted, "completed rejects: not delivered");
      if (how === "half-closes") {
        const rest = await readAll(conn, { timeout: TEST_TIMEOUT });
        assert.equal(rest.closed, true, "the server closed its side");
        conn.close();
      }
      const shutdownStart = performance.now();
      await server.shutdown();
      assert.ok(performance.now() - shutdownStart < 1000, "nothing held the shutdown");
    } finally {
      await server.shutdown({ deadline: 0 });
    }
  });
}

Deno.test("info.completed resolves once the response is written", async () => {
  const completed = gate<string>();
  const handler: Handler = (_request, info) => {
    info.completed.then(() => completed.open("resolved"), () => completed.open("rejected"));
    return new Response("ok");
  };
  await withServer(handler, {}, async (_server, addr) => {
    await rawExchange(addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.equal(await completed.promise, "resolved");
  });
});

Deno.test("a body decoded by a client is sent without the upstream's Content-Encoding (Wire's Client and Deno's fetch)", async () => {
  const upstream = serve(
    () =>
      new Response(new Uint8Array(gzipSync(encoder.encode("hello, decoded"))), {
        headers: { "content-encoding": "gzip", "content-type": "text/plain" },
      }),
    { hostname: "127.0.0.1", port: 0, onListen() {} },
  );
  const client = new Client();
  const origin = `http://127.0.0.1:${(upstream.addr as Deno.NetAddr).port}/`;
  const handler: Handler = async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/wire") return await client.fetch(origin);
    if (path === "/wire-copy") {
      const r = await client.fetch(origin);
      return new Response(r.body, r);
    }
    return await fetch(origin); // Deno's own fetch
  };
  try {
    await withServer(handler, {}, async (_server, addr) => {
      for (const path of ["/wire", "/wire-copy", "/deno"]) {
        const result = await rawExchange(
          addr,
          `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          { timeout: TEST_TIMEOUT },
        );
        const [response] = parseResponses(result.bytes);
        const names = response.headers.map(([name]) => name);
        assert.ok(!names.includes("content-encoding"), `${path}: no content-encoding`);
        assert.ok(names.includes("content-type"), `${path}: other fields kept`);
        assert.equal(response.body, "hello, decoded", path);
      }
    });
  } finally {
    await client.close();
    await upstream.shutdown();
  }
});

// ---- lifecycle --------------------------------------------------------------------------

Deno.test("signal aborts: the server closes at once, as Deno.serve does (handlers see their signal abort)", async () => {
  const controller = new AbortController();
  const running = gate();
  const aborted = gate<unknown>();
  const server = serve((request) => {
    request.signal.addEventListener("abort", () => aborted.open(request.signal.reason));
    running.open();
    return new Promise<Response>(() => {}); // never answers
  }, { hostname: "127.0.0.1", port: 0, onListen() {}, signal: controller.signal });
  const addr = server.addr as Deno.NetAddr;
  const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
  try {
    await conn.write(bytesOf("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await running.promise;
    controller.abort();
    await server.finished;
    assert.match(String(await aborted.promise), /shutting down/);
    const rest = await readAll(conn, { timeout: TEST_TIMEOUT });
    assert.equal(rest.closed, true);
    assert.equal(rest.text, "", "cut, not answered");
    await assert.rejects(
      Deno.connect({ hostname: addr.hostname, port: addr.port }),
      Deno.errors.ConnectionRefused,
    );
  } finally {
    conn.close();
  }
});

Deno.test("shutdown() stays graceful: the request in flight is answered", async () => {
  const running = gate();
  const release = gate();
  const server = serve(async () => {
    running.open();
    await release.promise;
    return new Response("done");
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  const exchange = rawExchange(server.addr as Deno.NetAddr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", {
    timeout: TEST_TIMEOUT,
  });
  await running.promise;
  const finished = server.shutdown();
  release.open();
  const result = await exchange;
  await finished;
  assert.match(result.text, /connection: close\r\n\r\ndone$/);
});

Deno.test("server.unref() lets the process exit while listening; ref() is its undo", async () => {
  const script = `
    import { serve } from ${
    JSON.stringify(new URL("../../../http/serve.ts", import.meta.url).href)
  };
    const server = serve(() => new Response("x"), { hostname: "127.0.0.1", port: 0, onListen() {} });
    server.unref();
    server.ref();
    server.unref();
    const conn = await Deno.connect(server.addr);
    await conn.write(new TextEncoder().encode("GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"));
    await conn.read(new Uint8Array(1024));
    // The idle keep-alive connection stays open on both sides: only unref lets us exit.
    console.log("unrefed");
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  assert.equal(output.success, true, textOf(output.stderr));
  assert.equal(textOf(output.stdout).trim(), "unrefed");
});

Deno.test("bad options are refused before anything is bound; a throw after binding closes the socket", () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const ok = () => new Response("x");
  const base = { hostname: "127.0.0.1", port, onListen() {} };
  assert.throws(() => serve(ok, { ...base, onListen: "yes" as unknown as () => void }), TypeError);
  assert.throws(() => serve(ok, { ...base, signal: {} as AbortSignal }), TypeError);
  assert.throws(() => serve(ok, { ...base, maxHeaderBytes: 0 }), RangeError);
  assert.throws(() => serve(ok, { ...base, lenient: { nope: true } as never }), TypeError);
  assert.throws(
    () =>
      serve(ok, {
        ...base,
        onListen() {
          throw new Error("onListen failed");
        },
      }),
    /onListen failed/,
  );
  // Nothing above left the port taken.
  const again = Deno.listen({ hostname: "127.0.0.1", port });
  again.close();
});

Deno.test("port takes a numeric string, as Deno.serve does; bad ports get Deno's error classes", async () => {
  const server = serve(() => new Response("x"), {
    hostname: "127.0.0.1",
    port: "0" as unknown as number,
    onListen() {},
  });
  assert.ok((server.addr as Deno.NetAddr).port > 0);
  await server.shutdown();
  const at = (port: unknown) => () =>
    serve(() => new Response("x"), { hostname: "127.0.0.1", port: port as number, onListen() {} });
  assert.throws(at("abc"), TypeError);
  assert.throws(at(1.5), TypeError);
  assert.throws(at("1.5"), TypeError);
  assert.throws(at(-1), RangeError);
  assert.throws(at(70000), RangeError);
  assert.throws(at("70000"), RangeError);
});

// ---- requests and responses ---------------------------------------------------------------

both(
  "repeated Cookie lines reach the handler joined with '; ' (as Deno.serve and node:http)",
  async (send) => {
    const echo = (request: Request) => new Response(request.headers.get("cookie"));
    const [joined] = await send(
      echo,
      "GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nX-Other: y\r\nCookie: b=2 \r\ncookie: c=3\r\n\r\n",
    );
    assert.equal(joined.body, "a=1; b=2; c=3");
    const [one] = await send(echo, "GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1; b=2\r\n\r\n");
    assert.equal(one.body, "a=1; b=2");
  },
);
Deno.test("remoteAddr on a Unix socket is the socket's path, as with Deno.serve", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/wire.sock`;
  const server = serve(
    (_request, info) => Response.json(info.remoteAddr),
    { path, onListen() {} },
  );
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    await conn.write(bytesOf("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const result = await readAll(conn, { timeout: TEST_TIMEOUT });
    conn.close();
    const [response] = parseResponses(result.bytes);
    assert.deepEqual(JSON.parse(response.body), { transport: "unix", path });
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Handler and Deno's ServeHandler are interchangeable; a { fetch } object serves", async () => {
  const denoHandler: Deno.ServeHandler = (_request, info) =>
    new Response(info.remoteAddr.transport);
  const wireHandler: Handler = denoHandler;
  const back: Deno.ServeHandler = wireHandler;
  const info: ServeInfo = {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    completed: Promise.resolve(),
  };
  const denoInfo: Deno.ServeHandlerInfo = info;
  assert.equal(await (await back(new Request("http://x/"), denoInfo)).text(), "tcp");
  const module = { fetch: wireHandler } satisfies Deno.ServeDefaultExport;
  const object: HandlerObject = module;
  const { response } = await inject(object, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(await response.text(), "tcp");
  // `fetch` is called on its object (a class-based app keeps its `this`).
  class App {
    greeting = "hello";
    fetch(): Response {
      return new Response(this.greeting);
    }
  }
  const served = serve(new App(), { hostname: "127.0.0.1", port: 0, onListen() {} });
  try {
    const result = await rawExchange(
      served.addr as Deno.NetAddr,
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.ok(result.text.endsWith("hello"));
  } finally {
    await served.shutdown();
  }
  assert.throws(() => serve({} as HandlerObject, { port: 0, onListen() {} }), TypeError);
});

both("a Response is sent once: a second send goes to onError, as with Deno.serve", async (send) => {
  for (const make of [() => new Response("same"), () => new Response("same", { status: 201 })]) {
    const shared = make();
    const errors: unknown[] = [];
    const responses = await send(
      () => shared,
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
      { onError: (error) => (errors.push(error), new Response("again", { status: 500 })) },
      2,
    );
    assert.deepEqual(responses.map((r) => r.status), [shared.status, 500]);
    assert.equal(shared.bodyUsed, true);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /already been consumed/);
  }
});
both(
  "keep-alive responses say keep-alive: timeout=N; closing ones do not; a handler's Keep-Alive is dropped",
  async (send) => {
    const handler = () => new Response("x", { headers: { "keep-alive": "timeout=999999" } });
    const responses = await send(
      handler,
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      { keepAliveTimeout: 7_500 },
      3,
    );
    const keepAlive = responses.map((r) =>
      r.headers.filter(([name]) => name === "keep-alive").map(([, v]) => v)
    );
    assert.deepEqual(keepAlive, [["timeout=7"], ["timeout=7"], []]);
    assert.equal(responses[1].header("connection"), "keep-alive");
    assert.equal(responses[2].header("connection"), "close");
  },
);
both("the QUERY method reaches the handler with its body", async (send) => {
  const [response] = await send(
    async (request) => new Response(`${request.method} ${await request.text()}`),
    "QUERY /search HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nq=abc",
  );
  assert.equal(response.body, "QUERY q=abc");
});
both(
  "lenient.missingHost: HTTP/1.1 without Host is 400 by default, served when allowed",
  async (send) => {
    const handler = (request: Request) => new Response(new URL(request.url).hostname);
    const [strict] = await send(handler, "GET / HTTP/1.1\r\n\r\n");
    assert.equal(strict.status, 400);
    const [lenient] = await send(handler, "GET / HTTP/1.1\r\n\r\n", {
      lenient: { missingHost: true },
    });
    assert.equal(lenient.status, 200);
    assert.ok(["localhost", "127.0.0.1"].includes(lenient.body), lenient.body);
    const [repeated] = await send(handler, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", {
      lenient: { missingHost: true },
    });
    assert.equal(repeated.status, 400, "two Hosts are still refused");
  },
);
both("lenient.bareLf: LF-only lines are 400 by default, parsed when allowed", async (send) => {
  const handler = (request: Request) => new Response(request.headers.get("x-a"));
  const input = "GET / HTTP/1.1\nHost: x\nX-A: 1\n\n";
  assert.equal((await send(handler, input))[0].status, 400);
  const [lenient] = await send(handler, input, { lenient: { bareLf: true } });
  assert.equal(lenient.body, "1");
});
both(
  "lenient.methods: an unregistered method is 501 by default, served when allowed",
  async (send) => {
    const handler = (request: Request) => new Response(request.method);
    const input = "FROBNICATE / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert.equal((await send(handler, input))[0].status, 501);
    const [lenient] = await send(handler, input, { lenient: { methods: true } });
    assert.equal(lenient.body, "FROBNICATE");
  },
);
