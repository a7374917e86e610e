import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";
import {
  formatServerSentEvent,
  ServerSentEventStream,
} from "../../../http/server_sent_event_stream.ts";
import { type SSEStream, streamSSE } from "../../../http/stream_sse.ts";
import { compose } from "../../../router/compose.ts";
import { rawExchange } from "../../_server.ts";
import { parseEvents } from "../../interop/_serve.ts";
import { http, INFO, overTcp, req, TIMEOUT } from "./_helpers.ts";

Deno.test("formatServerSentEvent: one data line per line, any line break, comments, ids, retry", () => {
  assert.equal(
    formatServerSentEvent({ data: "a\nb\r\nc\rd" }),
    "data: a\ndata: b\ndata: c\ndata: d\n\n",
  );
  assert.equal(formatServerSentEvent({ data: "" }), "data: \n\n");
  assert.equal(formatServerSentEvent({ data: "x\n" }), "data: x\ndata: \n\n");
  assert.equal(formatServerSentEvent({ comment: "a\nb" }), ": a\n: b\n\n");
  assert.equal(formatServerSentEvent({ id: "" }), "id: \n\n", "an empty id resets Last-Event-ID");
  assert.equal(
    formatServerSentEvent({ comment: "c", event: "e", id: 5, retry: 1000, data: "d" }),
    ": c\nevent: e\nid: 5\nretry: 1000\ndata: d\n\n",
  );
  assert.equal(formatServerSentEvent({}), "\n");
  assert.throws(() => formatServerSentEvent({ event: "a\nb" }), TypeError);
  assert.throws(() => formatServerSentEvent({ id: "a\rb" }), TypeError);
  assert.throws(() => formatServerSentEvent({ id: "a\0b" }), TypeError);
  assert.throws(() => formatServerSentEvent({ retry: -1 }), RangeError);
  assert.throws(() => formatServerSentEvent({ retry: 1.5 }), RangeError);
  assert.throws(() => formatServerSentEvent(null as unknown as object), TypeError);
});

Deno.test("ServerSentEventStream encodes messages as UTF-8 event-stream bytes and errors on a bad one", async () => {
  const body = ReadableStream.from([{ data: "caf\u00e9" }, { event: "x", data: "1" }])
    .pipeThrough(new ServerSentEventStream());
  assert.equal(await new Response(body).text(), "data: caf\u00e9\n\nevent: x\ndata: 1\n\n");
  const bad = ReadableStream.from([{ id: "a\nb" }]).pipeThrough(new ServerSentEventStream());
  await assert.rejects(new Response(bad).text(), TypeError);
});

Deno.test("streamSSE: headers, retry first, Last-Event-ID, multi-line data, end when run returns", async () => {
  let last: string | undefined = "unset";
  const handler = compose((ctx) =>
    streamSSE(ctx, async (stream) => {
      last = stream.lastEventId;
      await stream.write({ id: 1, event: "greeting", data: "hello\nworld" });
      await stream.write({ id: 2, data: JSON.stringify({ n: 2 }) });
    }, { retry: 2500, headers: { "x-extra": "1" } })
  );
  const response = await handler(req("/", { headers: { "last-event-id": "41" } }), INFO);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  assert.equal(response.headers.get("cache-control"), "no-cache");
  assert.equal(response.headers.get("x-extra"), "1");
  const text = await response.text();
  assert.equal(
    text,
    'retry: 2500\n\nevent: greeting\nid: 1\ndata: hello\ndata: world\n\nid: 2\ndata: {"n":2}\n\n',
  );
  assert.equal(last, "41");
  assert.deepEqual(parseEvents(text).slice(1).map((e) => e.data), ["hello\nworld", '{"n":2}']);
  const fresh = streamSSE(req("/"), (stream) => {
    last = stream.lastEventId;
  });
  await fresh.text();
  assert.equal(last, undefined);
});

Deno.test("streamSSE: HEAD gets the headers and no run; bad arguments throw", async () => {
  let ran = false;
  const response = streamSSE(req("/", { method: "HEAD" }), () => {
    ran = true;
  });
  assert.equal(response.body, null);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  await Promise.resolve();
  assert.equal(ran, false);
  assert.throws(() => streamSSE({} as Request, () => {}), TypeError);
  assert.throws(() => streamSSE(req("/"), 1 as unknown as () => void), TypeError);
  assert.throws(() => streamSSE(req("/"), () => {}, { keepAlive: -1 }), RangeError);
  const errors: unknown[] = [];
  const bad = streamSSE(req("/"), (stream) => stream.write({ event: "a\nb" }), {
    onError: (error) => void errors.push(error),
  });
  assert.equal(await bad.text(), "");
  assert.ok(errors[0] instanceof TypeError, "a bad message rejects write()");
});

Deno.test("streamSSE: a comment goes out after keepAlive ms of silence, not while events flow", async () => {
  const response = streamSSE(req("/"), async (stream) => {
    await stream.sleep(60);
    await stream.write({ data: "late" });
  }, { keepAlive: 10 });
  const text = await response.text();
  assert.match(text, /^(:\n\n)+data: late\n\n$/);
  const busy = streamSSE(req("/"), async (stream) => {
    for (let i = 0; i < 5; i++) {
      await stream.write({ data: String(i) });
      await stream.sleep(2);
    }
  }, { keepAlive: 1_000 });
  assert.doesNotMatch(await busy.text(), /^:/m);
});

Deno.test("streamSSE: an error in run goes to onError, which may still write; the stream then ends", async () => {
  const seen: unknown[] = [];
  const response = streamSSE(req("/"), async (stream) => {
    await stream.write({ data: "1" });
    throw new Error("db down");
  }, {
    onError: async (error, stream) => {
      seen.push(error);
      await stream.write({ event: "error", data: (error as Error).message });
    },
  });
  assert.equal(await response.text(), "data: 1\n\nevent: error\ndata: db down\n\n");
  assert.equal((seen[0] as Error).message, "db down");
  // Without onError the error is logged.
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await streamSSE(req("/"), () => {
      throw new Error("boom");
    }).text();
  } finally {
    console.error = original;
  }
  assert.equal((logged[0][1] as Error).message, "boom");
});

Deno.test("streamSSE: write() waits while the buffer is full, until the client reads", async () => {
  let resolved = 0;
  let stream!: SSEStream;
  const big = "x".repeat(40 * 1024);
  const response = streamSSE(req("/"), async (s) => {
    stream = s;
    for (let i = 0; i < 4; i++) {
      await s.write({ data: big });
      resolved++;
    }
  });
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.ok(resolved <= 2, `writes resolved before any read: ${resolved}`);
  assert.equal(stream.closed, false);
  const text = await response.text();
  assert.equal(resolved, 4);
  assert.equal(parseEvents(text).length, 4);
  assert.equal(stream.closed, true);
  assert.equal(stream.signal.aborted, true);
});

Deno.test("streamSSE: close() ends the stream; writes and sleeps after it return at once", async () => {
  const response = streamSSE(req("/"), async (stream) => {
    await stream.write({ data: "only" });
    stream.close();
    stream.close();
    await stream.write({ data: "ignored" });
    await stream.sleep(60_000);
  });
  assert.equal(await response.text(), "data: only\n\n");
});

Deno.test("streamSSE through inject(): a chunked event stream whose head goes out at once", async () => {
  const handler = (request: Request) =>
    streamSSE(request, async (stream) => {
      for (let id = Number(stream.lastEventId ?? 0) + 1; id <= 3; id++) {
        await stream.write({ id, data: `event ${id}` });
      }
    });
  const { response, bytes } = await inject(
    handler,
    http(["GET /events HTTP/1.1", "Host: x", "Last-Event-ID: 1"]),
  );
  assert.equal(response.headers.get("transfer-encoding"), "chunked");
  assert.deepEqual(parseEvents(await response.text()).map((e) => e.id), ["2", "3"]);
  assert.ok(bytes.length > 0);
});

Deno.test("streamSSE over TCP: the stream stops and its signal aborts when the client goes away", async () => {
  let aborted!: () => void;
  const gone = new Promise<void>((resolve) => aborted = resolve);
  let written = 0;
  const handler = (request: Request) =>
    streamSSE(request, async (stream) => {
      stream.signal.addEventListener("abort", () => aborted());
      for (let id = 1; !stream.closed; id++) {
        await stream.write({ id, data: "tick" });
        written++;
        await stream.sleep(5);
      }
    });
  await overTcp(handler, async (base, client, addr) => {
    const { text } = await rawExchange(addr, http(["GET / HTTP/1.1", "Host: x"]), {
      until: (t) => t.includes("id: 3\n"),
    });
    assert.match(text, /content-type: text\/event-stream/i);
    await Promise.race([
      gone,
      new Promise((_, reject) => setTimeout(() => reject(new Error("never aborted")), TIMEOUT)),
    ]);
    const count = written;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(written <= count + 1, "no more writes after the client left");
    // Wire's Client reads a few events and cancels the body: the same.
    const response = await client.fetch(base, { signal: AbortSignal.timeout(TIMEOUT) });
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /id: 1\n/);
    await reader.cancel();
  });
});
