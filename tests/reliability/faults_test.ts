// Faults: clients that reset mid-headers, mid-body and mid-response, half-close, never read,
// or trickle bytes; handlers that throw, hang past requestTimeout or return bad values. After
// each fault the server answers a normal request and this process has no more open file
// descriptors than before it (client and server sockets all released).

import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";
import type { Server } from "../../http/server.ts";
import { delay, fdsBackTo, openFds, waitFor, within } from "./_fd.ts";
import {
  closeQuietly,
  connectLocal,
  encodeRequest,
  readToEof,
  ResponseReader,
  send,
} from "./_wire.ts";

const HEADERS_TIMEOUT = 1_000;
const REQUEST_TIMEOUT = 1_500;
const KEEP_ALIVE_TIMEOUT = 1_000;
const CHUNK = new Uint8Array(64 * 1024).fill(0x78);
const encoder = new TextEncoder();

/** What the handler saw, for the assertions. */
interface Observed {
  /** Handler calls by path. */
  calls: Map<string, number>;
  /** Bytes the streamed response's source produced (pulled by the server). */
  produced: number;
  /** Whether the streamed response's source was cancelled. */
  cancelled: boolean;
  /** How each body read ended: "ok:<bytes>" or "error:<name>". */
  bodyReads: string[];
  /** Reasons of request.signal aborts seen by handlers. */
  aborts: string[];
  /** Errors passed to onError. */
  errors: unknown[];
}

function streamResponse(observed: Observed, size: number): Response {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      sent += CHUNK.length;
      observed.produced += CHUNK.length;
      controller.enqueue(CHUNK.slice());
    },
    cancel() {
      observed.cancelled = true;
    },
  }, { highWaterMark: 1 });
  return new Response(body);
}

/** Resolves when `signal` aborts (records the reason) or after 30 s, whichever is first. */
function untilAborted(signal: AbortSignal, observed: Observed): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    const done = () => {
      clearTimeout(timer);
      const reason = signal.reason as { name?: string; message?: string };
      observed.aborts.push(`${reason?.name}: ${reason?.message}`);
      resolve();
    };
    if (signal.aborted) done();
    else signal.addEventListener("abort", done, { once: true });
  });
}

function handlerFor(observed: Observed) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname;
    observed.calls.set(path, (observed.calls.get(path) ?? 0) + 1);
    switch (path) {
      case "/ok":
        return new Response("ok");
      case "/echo":
        try {
          const body = await request.arrayBuffer();
          observed.bodyReads.push(`ok:${body.byteLength}`);
          return new Response(body);
        } catch (error) {
          observed.bodyReads.push(`error:${(error as Error).name}`);
          if (request.signal.aborted) await untilAborted(request.signal, observed);
          throw error;
        }
      case "/stream":
        return streamResponse(observed, Number(url.searchParams.get("size")));
      case "/throw":
        throw new Error("handler failed on purpose");
      case "/throw-async":
        await Promise.resolve();
        throw new RangeError("handler failed later on purpose");
      case "/throw-string":
        throw "not an Error";
      case "/hang":
        // Never answers on its own: only the client leaving (or a timeout) ends it.
        await untilAborted(request.signal, observed);
        return new Response("too late");
      case "/hang-body":
        // Never reads the body the client is still sending.
        await untilAborted(request.signal, observed);
        return new Response("too late");
      case "/bad/undefined":
        return undefined as unknown as Response;
      case "/bad/null":
        return null as unknown as Response;
      case "/bad/string":
        return "hello" as unknown as Response;
      case "/bad/number":
        return 42 as unknown as Response;
      case "/bad/object":
        return { status: 200, body: "x" } as unknown as Response;
      case "/bad/error":
        return Response.error();
      case "/bad/used": {
        const response = new Response("already read");
        await response.text();
        return response;
      }
      case "/bad/stream-error": {
        let n = 0;
        return new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (n++ < 4) controller.enqueue(CHUNK.slice());
              else controller.error(new Error("body source failed on purpose"));
            },
          }),
        );
      }
    }
    return new Response("not found", { status: 404 });
  };
}

interface FaultContext {
  port: number;
  server: Server;
  observed: Observed;
}

/** A normal request on a fresh connection: 200 "ok", then the server closes. */
async function normalRequest(port: number): Promise<void> {
  const conn = await connectLocal(port);
  try {
    const reader = new ResponseReader(conn);
    await send(conn, encodeRequest({ path: "/ok", close: true }));
    const response = await within(reader.next(), 5_000, "a normal request's response");
    assert.ok(response !== null, "the server answers a normal request");
    assert.equal(response.status, 200);
    assert.equal(new TextDecoder().decode(response.body), "ok");
  } finally {
    closeQuietly(conn);
  }
}

/**
 * Runs `fault` against a fresh server (short timeouts), then checks that the server still
 * answers and that this process's open descriptors are back to the count before the fault.
 */
async function withFault(
  fault: (ctx: FaultContext) => Promise<void>,
  options: { onError?: (error: unknown) => Response | Promise<Response> } = {},
): Promise<FaultContext> {
  const observed: Observed = {
    calls: new Map(),
    produced: 0,
    cancelled: false,
    bodyReads: [],
    aborts: [],
    errors: [],
  };
  const server = serve(handlerFor(observed), {
    hostname: "127.0.0.1",
    port: 0,
    headersTimeout: HEADERS_TIMEOUT,
    requestTimeout: REQUEST_TIMEOUT,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT,
    onListen() {},
    onError: options.onError ??
      ((error) => {
        observed.errors.push(error);
        return new Response("handler error", { status: 500 });
      }),
  });
  const port = (server.addr as Deno.NetAddr).port;
  const ctx = { port, server, observed };
  try {
    await normalRequest(port);
    await fdsBackTo(openFds());
    const baseline = openFds();
    await within(fault(ctx), 20_000, "the fault scenario");
    await normalRequest(port);
    await fdsBackTo(baseline, 10_000);
  } finally {
    await within(server.shutdown({ deadline: 1_000 }), 10_000, "server shutdown");
  }
  return ctx;
}

async function sendIgnoringClose(conn: Deno.Conn, bytes: Uint8Array): Promise<boolean> {
  try {
    await send(conn, bytes);
    return true;
  } catch (error) {
    if (
      error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionReset ||
      error instanceof Deno.errors.BadResource
    ) return false;
    throw error;
  }
}

Deno.test("serve() survives 100 clients resetting mid-headers; no handler runs", async () => {
  const ctx = await withFault(async ({ port }) => {
    const conns = [];
    for (let i = 0; i < 100; i++) {
      const conn = await connectLocal(port);
      await send(conn, encoder.encode(`GET /ok HTTP/1.1\r\nHost: a\r\nX-Partial-${i}: abc`));
      conns.push(conn);
    }
    for (const conn of conns) conn.close();
  });
  assert.equal(
    ctx.observed.calls.get("/ok"),
    2,
    "only the two normal requests reached the handler",
  );
});

Deno.test("serve() survives a reset mid-body: the handler's body read fails, never a short body", async () => {
  const ctx = await withFault(async ({ port, observed }) => {
    // Content-Length framing, then chunked framing, each cut after 100 KiB.
    const cl = await connectLocal(port);
    await send(
      cl,
      encoder.encode("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n"),
    );
    await send(cl, new Uint8Array(100 * 1024));
    await waitFor(() => observed.calls.get("/echo") === 1, "the handler to start");
    cl.close();
    await waitFor(() => observed.bodyReads.length === 1, "the body read to end");

    const chunked = await connectLocal(port);
    await send(
      chunked,
      encoder.encode("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"),
    );
    for (let i = 0; i < 10; i++) {
      await send(chunked, encoder.encode("2800\r\n" + "y".repeat(0x2800) + "\r\n"));
    }
    await waitFor(() => observed.calls.get("/echo") === 2, "the handler to start");
    chunked.close();
    await waitFor(() => observed.bodyReads.length === 2, "the body read to end");
  });
  assert.deepEqual(ctx.observed.bodyReads.map((r) => r.split(":")[0]), ["error", "error"]);
  assert.equal(ctx.observed.aborts.length, 2, "request.signal aborted for both");
});

Deno.test("serve() survives a reset mid-response: the streamed body is cancelled", async () => {
  const ctx = await withFault(async ({ port, observed }) => {
    const conn = await connectLocal(port);
    await send(conn, encodeRequest({ path: `/stream?size=${2 ** 30}` }));
    const buf = new Uint8Array(64 * 1024);
    let got = 0;
    while (got < 1024 * 1024) {
      const n = await conn.read(buf);
      assert.ok(n !== null, "the stream flows");
      got += n;
    }
    conn.close();
    await waitFor(() => observed.cancelled, "the response body source to be cancelled");
  });
  assert.ok(ctx.observed.produced < 2 ** 30, "the source stopped early");
});

Deno.test("serve() answers requests sent before a half-close, then closes", async () => {
  await withFault(async ({ port }) => {
    // One request, then three pipelined, each followed by closeWrite().
    for (const count of [1, 3]) {
      const conn = await connectLocal(port);
      try {
        const reader = new ResponseReader(conn);
        const requests = [];
        for (let i = 0; i < count; i++) requests.push(encodeRequest({ path: "/ok" }));
        for (const r of requests) await send(conn, r);
        await conn.closeWrite();
        for (let i = 0; i < count; i++) {
          const response = await within(reader.next(), 5_000, `response ${i + 1} of ${count}`);
          assert.ok(response !== null, `response ${i + 1} of ${count} after a half-close`);
          assert.equal(response.status, 200);
        }
        assert.equal(await within(reader.drainToEof(), 5_000, "the close"), 0);
      } finally {
        closeQuietly(conn);
      }
    }
    // A half-close in the middle of a request: the server must not wait for the rest.
    const partial = await connectLocal(port);
    try {
      await send(
        partial,
        encoder.encode("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"),
      );
      await partial.closeWrite();
      const reply = await within(
        readToEof(partial),
        5_000,
        "the server to close a half-closed partial request",
      );
      const text = new TextDecoder().decode(reply);
      assert.ok(
        reply.length === 0 || text.startsWith("HTTP/1.1 4") || text.startsWith("HTTP/1.1 5"),
        text,
      );
    } finally {
      closeQuietly(partial);
    }
  });
});

Deno.test("serve() stops pulling a streamed response a client never reads (backpressure bounds memory)", async () => {
  const total = 2 ** 30;
  let stalledAt = 0;
  const ctx = await withFault(async ({ port, observed }) => {
    const conn = await connectLocal(port);
    await send(conn, encodeRequest({ path: `/stream?size=${total}` }));
    // Wait until production stops growing: 10 checks 100 ms apart with no progress.
    let last = -1;
    let still = 0;
    await waitFor(
      () => {
        if (observed.produced === last) still++;
        else {
          still = 0;
          last = observed.produced;
        }
        return still >= 10;
      },
      "the server to stop pulling the body",
      15_000,
      100,
      () => `${observed.produced} bytes`,
    );
    stalledAt = observed.produced;
    conn.close();
    await waitFor(() => observed.cancelled, "the body source to be cancelled");
  });
  console.log(
    `never-reading client: the server pulled ${
      (stalledAt / 2 ** 20).toFixed(1)
    } MiB of a 1 GiB body, then waited`,
  );
  // Socket buffers on loopback hold a few MiB; everything beyond is the server buffering.
  assert.ok(stalledAt < 32 * 2 ** 20, `pulled ${stalledAt} bytes of a body nobody reads`);
  assert.ok(ctx.observed.cancelled);
});

Deno.test("serve() cuts off a client sending one byte every 100 ms at headersTimeout with 408", async () => {
  await withFault(async ({ port }) => {
    const conn = await connectLocal(port);
    try {
      const head = encoder.encode("GET /ok HTTP/1.1\r\nHost: a\r\nX-Slow: " + "z".repeat(200));
      let stop = false;
      let sent = 0;
      const trickle = (async () => {
        for (let i = 0; i < head.length && !stop; i++) {
          if (!(await sendIgnoringClose(conn, head.subarray(i, i + 1)))) return;
          sent++;
          await delay(100);
        }
      })();
      const reader = new ResponseReader(conn);
      const response = await within(reader.next(), HEADERS_TIMEOUT + 5_000, "the 408");
      stop = true;
      await trickle;
      assert.ok(response !== null);
      assert.equal(response.status, 408);
      assert.equal(response.keepAlive, false);
      assert.ok(sent < head.length, "cut off before the head was complete");
      assert.equal(await within(reader.drainToEof(), 5_000, "the close"), 0);
    } finally {
      closeQuietly(conn);
    }
  });
});

Deno.test("serve() cuts off a body trickling past requestTimeout with 408 and fails the body read", async () => {
  const ctx = await withFault(async ({ port, observed }) => {
    const conn = await connectLocal(port);
    try {
      await send(
        conn,
        encoder.encode("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\n"),
      );
      let stop = false;
      const trickle = (async () => {
        for (let i = 0; i < 500 && !stop; i++) {
          if (!(await sendIgnoringClose(conn, Uint8Array.of(0x62)))) return;
          await delay(100);
        }
      })();
      const reader = new ResponseReader(conn);
      const response = await within(reader.next(), REQUEST_TIMEOUT + 5_000, "the 408");
      stop = true;
      await trickle;
      assert.ok(response !== null);
      assert.equal(response.status, 408);
      assert.equal(response.keepAlive, false);
      await waitFor(() => observed.bodyReads.length === 1, "the body read to end");
    } finally {
      closeQuietly(conn);
    }
  });
  assert.deepEqual(ctx.observed.bodyReads.map((r) => r.split(":")[0]), ["error"]);
  assert.ok(
    ctx.observed.aborts.some((r) => r.startsWith("TimeoutError")),
    ctx.observed.aborts.join(),
  );
});

Deno.test("serve() answers 500 to handlers that throw (Error, async, non-Error) and keeps the connection", async () => {
  const ctx = await withFault(async ({ port }) => {
    const conn = await connectLocal(port);
    try {
      const reader = new ResponseReader(conn);
      for (const path of ["/throw", "/throw-async", "/throw-string", "/ok"]) {
        await send(conn, encodeRequest({ path }));
        const response = await within(reader.next(), 5_000, path);
        assert.ok(response !== null, path);
        assert.equal(response.status, path === "/ok" ? 200 : 500, path);
      }
    } finally {
      closeQuietly(conn);
    }
  });
  assert.equal(ctx.observed.errors.length, 3, "onError saw each failure");
});

Deno.test("serve() answers 500 when onError itself throws", async () => {
  await withFault(async ({ port }) => {
    const conn = await connectLocal(port);
    try {
      const reader = new ResponseReader(conn);
      await send(conn, encodeRequest({ path: "/throw", close: true }));
      const response = await within(reader.next(), 5_000, "the 500");
      assert.ok(response !== null);
      assert.equal(response.status, 500);
    } finally {
      closeQuietly(conn);
    }
  }, {
    onError() {
      throw new Error("onError failed on purpose");
    },
  });
});

Deno.test("serve() answers 500 to handlers returning bad values (undefined, null, string, number, object, Response.error(), used body)", async () => {
  const paths = [
    "/bad/undefined",
    "/bad/null",
    "/bad/string",
    "/bad/number",
    "/bad/object",
    "/bad/error",
    "/bad/used",
  ];
  const ctx = await withFault(async ({ port }) => {
    for (const path of paths) {
      const conn = await connectLocal(port);
      try {
        const reader = new ResponseReader(conn);
        await send(conn, encodeRequest({ path, close: true }));
        const response = await within(reader.next(), 5_000, path);
        assert.ok(response !== null, path);
        assert.equal(response.status, 500, path);
      } finally {
        closeQuietly(conn);
      }
    }
  });
  assert.equal(ctx.observed.errors.length, paths.length, "onError saw each bad value");
});

Deno.test("serve() cuts the connection when a response body stream errors mid-way (no false end)", async () => {
  await withFault(async ({ port }) => {
    const conn = await connectLocal(port);
    try {
      const reader = new ResponseReader(conn);
      await send(conn, encodeRequest({ path: "/bad/stream-error" }));
      await assert.rejects(
        within(reader.next(), 5_000, "the cut response"),
        (error: Error) => !error.message.startsWith("Timed out"),
        "the client sees a cut response, not a complete one",
      );
    } finally {
      closeQuietly(conn);
    }
  });
});

Deno.test("serve() with a handler hanging past requestTimeout: body unread -> 408; body complete -> aborted when the client leaves", async () => {
  const ctx = await withFault(async ({ port, observed }) => {
    // The body is still arriving and the handler never reads it: requestTimeout applies.
    const conn = await connectLocal(port);
    try {
      await send(
        conn,
        encoder.encode(
          "POST /hang-body HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789",
        ),
      );
      const reader = new ResponseReader(conn);
      const response = await within(reader.next(), REQUEST_TIMEOUT + 5_000, "the 408");
      assert.ok(response !== null);
      assert.equal(response.status, 408);
      await waitFor(() => observed.aborts.length === 1, "the handler's signal to abort");
    } finally {
      closeQuietly(conn);
    }
    // The request is complete and the handler hangs: the client gives up after
    // requestTimeout and closes; the handler's signal must then abort.
    const hang = await connectLocal(port);
    let answered: string | undefined;
    try {
      await send(hang, encodeRequest({ path: "/hang" }));
      const reader = new ResponseReader(hang);
      const response = await Promise.race([
        reader.next(),
        delay(REQUEST_TIMEOUT + 500).then(() => null),
      ]);
      answered = response === null ? undefined : String(response.status);
    } finally {
      closeQuietly(hang);
    }
    await waitFor(() => observed.aborts.length === 2, "the hanging handler's signal to abort");
    if (answered !== undefined) console.log(`hanging handler: the server answered ${answered}`);
  });
  assert.ok(ctx.observed.aborts[0].startsWith("TimeoutError"), ctx.observed.aborts[0]);
});

Deno.test("serve() answers 400 and closes when a chunked request body is malformed; the handler's body read fails", async () => {
  // Found by fuzz_live_test.ts; see /work/notes/bugs_reliability.md (chunked body parse error).
  const bodies = [
    "ZZ\r\n", // not a chunk size
    "3\r\nabcX\r\n", // no CRLF after the chunk data
    "0\r\r\n\r\n", // bare CR in the last-chunk line
    "0\r\nTrailer: a\rb\r\n\r\n", // bare CR in a trailer
  ];
  const ctx = await withFault(async ({ port, observed }) => {
    for (const [i, body] of bodies.entries()) {
      const conn = await connectLocal(port);
      try {
        await send(
          conn,
          encoder.encode(
            `PUT /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
          ),
        );
        const reply = await within(
          readToEof(conn),
          REQUEST_TIMEOUT + 3_000,
          `an answer to malformed chunked body ${JSON.stringify(body)}`,
        );
        const text = new TextDecoder().decode(reply);
        assert.ok(
          text.startsWith("HTTP/1.1 400 "),
          `${JSON.stringify(body)} got ${JSON.stringify(text)}`,
        );
        await waitFor(() => observed.bodyReads.length === i + 1, "the handler's body read to end");
      } finally {
        closeQuietly(conn);
      }
    }
  });
  assert.deepEqual(ctx.observed.bodyReads.map((r) => r.split(":")[0]), bodies.map(() => "error"));
});
