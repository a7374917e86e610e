import { assert, textOf } from "../../_assert.ts";
import {
  CONNECTION_CLOSE,
  CONNECTION_DEFAULT,
  CONNECTION_KEEP_ALIVE,
  type HeadScan,
  headText,
  keepAliveLine,
  parseLength,
  scanHeaderList,
  scanHeaders,
  statusLine,
} from "../../../http/_server/response_head.ts";
import {
  FRAME_CHUNKED,
  FRAME_CLOSE,
  FRAME_LENGTH,
  FRAME_NONE,
} from "../../../http/_codec/framing.ts";
import { writeLatin1 } from "../../../http/_codec/latin1.ts";
import { dateLine, formatHttpDate } from "../../../http/_codec/date.ts";
import { type ResponseContext, writeResponse } from "../../../http/_server/write_response.ts";
import { Output, SMALL_BODY_BYTES } from "../../../http/_server/output.ts";
import { setFastResponse } from "../../../http/_server/response_parts.ts";
import { errorResponse } from "../../../http/_server/error_response.ts";

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);
const DATE = "date: Tue, 02 Jan 2024 03:04:05 GMT\r\n";
const KA = "keep-alive: timeout=5\r\n";

Deno.test("formatHttpDate writes an IMF-fixdate (RFC 9110 §5.6.7)", () => {
  assert.equal(formatHttpDate(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(formatHttpDate(Date.UTC(2024, 1, 29, 23, 59, 59)), "Thu, 29 Feb 2024 23:59:59 GMT");
});

Deno.test("dateLine is formatted once per second and changes with the second", () => {
  const a = dateLine(NOW);
  assert.equal(a, DATE);
  assert.equal(dateLine(NOW + 999), a);
  assert.equal(dateLine(NOW + 1000), "date: Tue, 02 Jan 2024 03:04:06 GMT\r\n");
});

Deno.test("statusLine uses the registered reason, a custom one, or none", () => {
  assert.equal(statusLine(200, ""), "HTTP/1.1 200 OK\r\n");
  assert.equal(statusLine(404, ""), "HTTP/1.1 404 Not Found\r\n");
  assert.equal(statusLine(200, "Fine"), "HTTP/1.1 200 Fine\r\n");
  assert.equal(statusLine(599, ""), "HTTP/1.1 599 \r\n");
});

Deno.test("parseLength accepts plain digits only", () => {
  assert.equal(parseLength("0"), 0);
  assert.equal(parseLength("1234"), 1234);
  assert.equal(parseLength("999999999999999"), 999999999999999);
  for (const bad of ["", "1a", "-1", " 1", "1.5", "1234567890123456"]) {
    assert.equal(parseLength(bad), -1, bad);
  }
});

/** A scan record holding leftovers, as a reused one does. */
function newScan(): HeadScan {
  return { fields: "stale: 1\r\n", length: 7, close: true, date: true, decoded: false };
}

Deno.test("scanHeaders copies fields but the framing ones, and notes them", () => {
  const headers = new Headers([
    ["X-B", "2"],
    ["Content-Length", "10"],
    ["Transfer-Encoding", "chunked"],
    ["Connection", "Keep-Alive, Close"],
    ["Date", "Sun, 06 Nov 1994 08:49:37 GMT"],
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2"],
    ["a-first", "1"],
  ]);
  const scan = newScan();
  scanHeaders(headers, scan);
  assert.deepEqual(scan, {
    fields:
      "a-first: 1\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\nset-cookie: a=1\r\nset-cookie: b=2\r\nx-b: 2\r\n",
    length: 10,
    close: true,
    date: true,
    decoded: false,
  });
  // The same record, scanned again: nothing of the first scan is left.
  scanHeaders(new Headers({ connection: "keep-alive" }), scan);
  assert.deepEqual(scan, { fields: "", length: -1, close: false, date: false, decoded: false });
});

Deno.test("scanHeaderList matches framing names in any case and keeps the rest as given", () => {
  const scan = newScan();
  scanHeaderList([["Content-LENGTH", "3"], ["X-Mixed", "v"], ["CONNECTION", "close"]], scan);
  assert.deepEqual(scan, {
    fields: "X-Mixed: v\r\n",
    length: 3,
    close: true,
    date: false,
    decoded: false,
  });
});

Deno.test("headText writes each framing and connection choice, keep-alive ones with their timeout", () => {
  const base = "HTTP/1.1 200 OK\r\nx: 1\r\n" + DATE;
  assert.equal(
    headText(200, "", "x: 1\r\n", FRAME_LENGTH, 5, CONNECTION_DEFAULT, false, NOW, KA),
    base + "content-length: 5\r\n" + KA + "\r\n",
  );
  assert.equal(
    headText(200, "", "x: 1\r\n", FRAME_CHUNKED, 0, CONNECTION_DEFAULT, false, NOW, KA),
    base + "transfer-encoding: chunked\r\n" + KA + "\r\n",
  );
  assert.equal(
    headText(200, "", "x: 1\r\n", FRAME_CLOSE, 0, CONNECTION_CLOSE, false, NOW, KA),
    base + "connection: close\r\n\r\n",
  );
  assert.equal(
    headText(200, "", "x: 1\r\n", FRAME_NONE, 0, CONNECTION_KEEP_ALIVE, false, NOW, KA),
    base + "connection: keep-alive\r\n" + KA + "\r\n",
  );
  assert.equal(
    headText(204, "", "", FRAME_NONE, 0, CONNECTION_DEFAULT, true, NOW, ""),
    "HTTP/1.1 204 No Content\r\n\r\n",
  );
});

Deno.test("keepAliveLine gives whole seconds, rounded down, as node:http does", () => {
  assert.equal(keepAliveLine(5_000), KA);
  assert.equal(keepAliveLine(65_999), "keep-alive: timeout=65\r\n");
  assert.equal(keepAliveLine(999), "keep-alive: timeout=0\r\n");
});

Deno.test("writeLatin1 writes one byte per char, ASCII or not", () => {
  const out = new Uint8Array(16);
  assert.equal(writeLatin1("abc", out, 2), 5);
  assert.deepEqual([...out.subarray(2, 5)], [97, 98, 99]);
  assert.equal(writeLatin1("caf\u00e9\u00ff", out, 0), 5);
  assert.deepEqual([...out.subarray(0, 5)], [99, 97, 102, 0xe9, 0xff]);
});

/** An Output over a writer that records every write. */
function recorder() {
  const writes: Uint8Array[] = [];
  const out = new Output({
    write(bytes: Uint8Array) {
      writes.push(bytes.slice());
      return Promise.resolve(bytes.length);
    },
  }, { bytesOut: 0 });
  return {
    out,
    writes,
    text(): string {
      const view = out.take();
      if (view !== null) writes.push(view.slice());
      return writes.map(textOf).join("");
    },
  };
}

function context(overrides: Partial<ResponseContext> = {}): ResponseContext {
  return {
    head: false,
    minor: 1,
    keepAlive: true,
    committed: false,
    reader: null,
    peerGone: false,
    upgrade: null,
    switching: false,
    receiving: false,
    ...overrides,
  };
}

async function encode(response: Response, overrides: Partial<ResponseContext> = {}) {
  const r = recorder();
  const ctx = context(overrides);
  const keep = await writeResponse(r.out, response, ctx, NOW, "");
  const text = r.text();
  return { keep, text, writes: r.writes.length, ctx };
}

for (const fast of [true, false]) {
  const route = fast ? "fast route" : "public route";
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test(`${name} (${route})`, async () => {
      setFastResponse(fast);
      try {
        await fn();
      } finally {
        setFastResponse(true);
      }
    });

  t("writeResponse: a text body gets Content-Length and goes out with its head", async () => {
    const { keep, text } = await encode(new Response("hello"));
    assert.equal(keep, true);
    assert.equal(
      text,
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain;charset=UTF-8\r\n" + DATE +
        "content-length: 5\r\n\r\nhello",
    );
  });

  t("writeResponse: bytes, null and JSON bodies", async () => {
    const bytes = await encode(new Response(new Uint8Array([1, 2, 3]), { status: 201 }));
    assert.ok(bytes.text.startsWith("HTTP/1.1 201 Created\r\n"));
    assert.ok(bytes.text.endsWith("content-length: 3\r\n\r\n\x01\x02\x03"));
    const empty = await encode(new Response(null));
    assert.ok(empty.text.endsWith("content-length: 0\r\n\r\n"));
    const json = await encode(Response.json({ a: 1 }));
    assert.match(json.text, /content-type: application\/json\r\n/);
    assert.ok(json.text.endsWith('content-length: 7\r\n\r\n{"a":1}'));
  });

  t("writeResponse: a Content-Type given in the init is sent (Deno keeps it aside)", async () => {
    // Deno stores the type of a static 200 whose init has only a Content-Type (or no
    // headers) beside the header list until the headers are read: it must still be sent.
    const cases: [Response, string][] = [
      [new Response("hi", { headers: { "content-type": "text/plain" } }), "text/plain"],
      [new Response("{}", { headers: { "Content-Type": "application/json" } }), "application/json"],
      [
        new Response(new Uint8Array([104, 105]), { headers: { "content-type": "text/plain" } }),
        "text/plain",
      ],
      [new Response("hi", { status: 200 }), "text/plain;charset=UTF-8"],
      [Response.json({}, { status: 200 }), "application/json"],
    ];
    for (const [response, type] of cases) {
      const { text } = await encode(response);
      assert.equal(text.match(/content-type: [^\r]*/gi)?.join(), `content-type: ${type}`, text);
    }
    // Read after construction: the type moved into the list, still sent exactly once.
    const touched = new Response("hi", { headers: { "content-type": "text/plain" } });
    assert.equal(touched.headers.get("content-type"), "text/plain");
    const { text } = await encode(touched);
    assert.equal(text.match(/content-type: [^\r]*/gi)?.join(), "content-type: text/plain", text);
  });

  t(
    "writeResponse: 204 and 1xx-like bodiless statuses get no framing; 304 keeps a given length",
    async () => {
      const noContent = await encode(
        new Response(null, { status: 204, headers: { "content-length": "0" } }),
      );
      assert.equal(noContent.text, "HTTP/1.1 204 No Content\r\n" + DATE + "\r\n");
      const notModified = await encode(
        new Response(null, { status: 304, headers: { "content-length": "42", etag: '"x"' } }),
      );
      assert.equal(
        notModified.text,
        'HTTP/1.1 304 Not Modified\r\netag: "x"\r\n' + DATE + "content-length: 42\r\n\r\n",
      );
      const reset = await encode(new Response(null, { status: 205 }));
      assert.ok(reset.text.endsWith("content-length: 0\r\n\r\n"));
    },
  );

  t("writeResponse: HEAD sends the length a GET would, and no body", async () => {
    const { text } = await encode(new Response("hello"), { head: true });
    assert.ok(text.endsWith("content-length: 5\r\n\r\n"));
    const declared = await encode(new Response(null, { headers: { "content-length": "99" } }), {
      head: true,
    });
    assert.ok(declared.text.endsWith("content-length: 99\r\n\r\n"));
  });

  t(
    "writeResponse: an unknown-length stream is chunked on 1.1, close-delimited on 1.0",
    async () => {
      // The end comes later than the first chunk: the length is not known up front.
      const stream = () => {
        let pulls = 0;
        return new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            if (pulls++ === 0) controller.enqueue(new TextEncoder().encode("abc"));
            else controller.close();
          },
        });
      };
      const chunked = await encode(new Response(stream()));
      assert.equal(chunked.keep, true);
      assert.ok(chunked.text.endsWith("transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
      const closeDelimited = await encode(new Response(stream()), { minor: 0 });
      assert.equal(closeDelimited.keep, false);
      assert.ok(closeDelimited.text.endsWith("connection: close\r\n\r\nabc"));
    },
  );

  t("writeResponse: connection close asked by the handler or the server", async () => {
    const asked = await encode(new Response("x", { headers: { connection: "close" } }));
    assert.equal(asked.keep, false);
    assert.match(asked.text, /connection: close\r\n\r\nx$/);
    const server = await encode(new Response("x"), { keepAlive: false });
    assert.equal(server.keep, false);
    assert.match(server.text, /connection: close\r\n\r\nx$/);
    const old = await encode(new Response("x"), { minor: 0 });
    assert.equal(old.keep, true);
    assert.match(old.text, /connection: keep-alive\r\n\r\nx$/);
  });

  t("writeResponse: a body past SMALL_BODY_BYTES is written from its own buffer", async () => {
    const big = new Uint8Array(SMALL_BODY_BYTES + 1).fill(120);
    const { text, writes } = await encode(new Response(big));
    assert.equal(writes, 2, "head, then the body itself");
    assert.ok(text.endsWith(`content-length: ${big.length}\r\n\r\n` + "x".repeat(big.length)));
  });

  t("writeResponse: the server's own answers keep their bytes (errorResponse)", async () => {
    const plain = "content-type: text/plain;charset=UTF-8\r\n" + DATE;
    const refused = await encode(errorResponse(431), { keepAlive: false });
    assert.equal(refused.keep, false);
    assert.equal(
      refused.text,
      "HTTP/1.1 431 Request Header Fields Too Large\r\n" + plain +
        "content-length: 31\r\nconnection: close\r\n\r\nRequest Header Fields Too Large",
    );
    const head = await encode(errorResponse(400), { keepAlive: false, head: true });
    assert.equal(
      head.text,
      "HTTP/1.1 400 Bad Request\r\n" + plain + "content-length: 11\r\nconnection: close\r\n\r\n",
    );
    // A 500 after the handler and onError failed keeps the connection as it was.
    const kept = await encode(errorResponse(500), { minor: 0 });
    assert.equal(kept.keep, true);
    assert.equal(
      kept.text,
      "HTTP/1.1 500 Internal Server Error\r\n" + plain +
        "content-length: 21\r\nconnection: keep-alive\r\n\r\nInternal Server Error",
    );
    const unknown = await encode(errorResponse(599), { keepAlive: false });
    assert.ok(unknown.text.endsWith("content-length: 5\r\nconnection: close\r\n\r\nError"));
  });

  t("writeResponse: an unsendable Response throws before anything is written", async () => {
    const r = recorder();
    assert.throws(() => writeResponse(r.out, Response.error(), context(), NOW, ""), TypeError);
    const used = new Response("x");
    await used.text();
    assert.throws(() => writeResponse(r.out, used, context(), NOW, ""), TypeError);
    assert.equal(r.out.length, 0);
  });
}

Deno.test("writeResponse: a reused head never leaks into a response that differs", async () => {
  const cases: [Response, Partial<ResponseContext>, RegExp][] = [
    [new Response("abcd"), {}, /^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain;charset=UTF-8\r\n/],
    [Response.json(1234), {}, /content-type: application\/json\r\n/],
    [new Response("abcd", { status: 201 }), {}, /^HTTP\/1\.1 201 Created\r\n/],
    [new Response("abcd"), { keepAlive: false }, /connection: close\r\n\r\nabcd$/],
    [new Response("abcd", { statusText: "Fine" }), {}, /^HTTP\/1\.1 200 Fine\r\n/],
    [
      new Response("abcd", { headers: { date: "x" } }),
      {},
      // The handler's Date replaces ours (and only one is sent).
      /^(?![\s\S]*date: [A-Z])[\s\S]*date: x\r\n[\s\S]*content-length: 4\r\n\r\nabcd$/,
    ],
    [
      new Response("abcd"),
      {},
      /^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain;charset=UTF-8\r\ndate: /,
    ],
  ];
  for (const [response, overrides, pattern] of cases) {
    const { text } = await encode(response, overrides);
    assert.match(text, pattern);
    assert.equal(text.match(/\r\n\r\n/g)?.length, 1, "one head");
  }
  // Same length and shape, a second later: the Date moves on.
  const r = recorder();
  await writeResponse(r.out, new Response("abcd"), context(), NOW, "");
  await writeResponse(r.out, new Response("abcd"), context(), NOW + 1000, "");
  const both = r.text();
  assert.ok(both.includes("03:04:05 GMT") && both.includes("03:04:06 GMT"));
});
