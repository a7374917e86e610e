// Wire's WebSocket server end to end through serve(): the handshake, echo of text and
// binary, close codes, permessage-deflate, the streams API, shutdown with 1001, and real
// peers on loopback: Deno's own WebSocket client, node's `ws` (npm), Wire's client (over
// TCP and in memory), and a headless Chromium page.

import { bounded, CHROMIUM, withChromium } from "../../_chromium.ts";
import WebSocketNode from "npm:ws@8";
import { assert } from "../../_assert.ts";
import { TEST_TIMEOUT } from "../../_server.ts";
import { serve } from "../../../http/serve.ts";
import type { Server } from "../../../http/server.ts";
import type { Handler } from "../../../http/handler.ts";
import { injectConnection } from "../../../http/inject.ts";
import { upgradeWebSocket, upgradeWebSocketStream } from "../../../http/upgrade_websocket.ts";
import { WireWebSocket } from "../../../http/websocket.ts";

/** Echoes every message; answers plain requests with 426; records what it saw. */
function echoHandler(seen: { origins: (string | null)[]; protocols: string[] } = {
  origins: [],
  protocols: [],
}): Handler {
  return (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("WebSocket only", { status: 426, headers: { upgrade: "websocket" } });
    }
    seen.origins.push(request.headers.get("origin"));
    const { socket, response } = upgradeWebSocket(request, {
      protocol: ["chat.v2", "chat.v1"],
      perMessageDeflate: { threshold: 0 },
    });
    socket.onopen = () => seen.protocols.push(socket.protocol);
    socket.onmessage = (event) => {
      if (event.data === "close please") socket.close(4000, "as asked");
      else socket.send(event.data);
    };
    return response;
  };
}

async function withEcho(
  fn: (url: string, server: Server) => Promise<void>,
  handler: Handler = echoHandler(),
): Promise<void> {
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {} });
  try {
    await fn(`ws://127.0.0.1:${(server.addr as Deno.NetAddr).port}/chat`, server);
  } finally {
    await server.shutdown({ deadline: 1000 });
  }
}

/** Resolves with the next event of `type` (bounded). */
function next<T extends Event>(target: EventTarget, type: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event`)), TEST_TIMEOUT);
    target.addEventListener(type, (event) => {
      clearTimeout(timer);
      resolve(event as T);
    }, { once: true });
  });
}

Deno.test("Deno's WebSocket client: text and binary echo, subprotocol, close code and reason", async () => {
  const seen = { origins: [] as (string | null)[], protocols: [] as string[] };
  await withEcho(async (url) => {
    const ws = new WebSocket(url, ["chat.v1", "chat.v2"]);
    ws.binaryType = "arraybuffer";
    await next(ws, "open");
    assert.equal(ws.protocol, "chat.v2", "the server's preference wins");
    ws.send("hello");
    assert.equal((await next<MessageEvent>(ws, "message")).data, "hello");
    ws.send(new Uint8Array([1, 2, 3]));
    const binary = await next<MessageEvent>(ws, "message");
    assert.deepEqual([...new Uint8Array(binary.data as ArrayBuffer)], [1, 2, 3]);
    ws.send("x".repeat(200_000));
    assert.equal(((await next<MessageEvent>(ws, "message")).data as string).length, 200_000);
    ws.send("close please");
    const close = await next<CloseEvent>(ws, "close");
    assert.equal(close.code, 4000);
    assert.equal(close.reason, "as asked");
    assert.equal(close.wasClean, true);
  }, echoHandler(seen));
  assert.deepEqual(seen.protocols, ["chat.v2"]);
});

Deno.test("node's ws client with permessage-deflate: compressed echo both ways", async () => {
  await withEcho(async (url) => {
    const ws = new WebSocketNode(url, { perMessageDeflate: true, origin: "http://app.test" });
    const opened = new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    await opened;
    assert.match(String(ws.extensions), /permessage-deflate/);
    const payload = JSON.stringify({ rows: Array.from({ length: 500 }, (_, i) => ({ i })) });
    const echoed = new Promise<string>((resolve) =>
      ws.once("message", (data: unknown) => resolve(String(data)))
    );
    ws.send(payload);
    assert.equal(await echoed, payload);
    const closed = new Promise<number>((resolve) =>
      ws.once("close", (code: number) => resolve(code))
    );
    ws.close(1000);
    assert.equal(await closed, 1000);
  });
});

Deno.test("Wire's own client over TCP, and in memory through injectConnection", async () => {
  await withEcho(async (url) => {
    const ws = new WireWebSocket(url, { protocols: ["chat.v1"], perMessageDeflate: true });
    await next(ws, "open");
    assert.equal(ws.protocol, "chat.v1");
    assert.match(ws.extensions, /permessage-deflate/);
    ws.send("over tcp");
    assert.equal((await next<MessageEvent>(ws, "message")).data, "over tcp");
    ws.close(1000, "bye");
    assert.equal((await next<CloseEvent>(ws, "close")).code, 1000);
  });
  const handler = echoHandler();
  const memory = new WireWebSocket("ws://app.test/chat", {
    connect: () => injectConnection(handler),
  });
  await next(memory, "open");
  memory.send("in memory");
  assert.equal((await next<MessageEvent>(memory, "message")).data, "in memory");
  memory.close();
  assert.equal((await next<CloseEvent>(memory, "close")).wasClean, true);
});

Deno.test("upgradeWebSocketStream: messages as streams with backpressure", async () => {
  const handler: Handler = (request) => {
    const { stream, response } = upgradeWebSocketStream(request);
    stream.opened.then(({ readable, writable }) =>
      readable
        .pipeThrough(
          new TransformStream<string | Uint8Array<ArrayBuffer>, string | BufferSource>({
            transform: (message, controller) =>
              controller.enqueue(typeof message === "string" ? message.toUpperCase() : message),
          }),
        )
        .pipeTo(writable)
    ).catch(() => {});
    return response;
  };
  await withEcho(async (url) => {
    const ws = new WebSocket(url);
    await next(ws, "open");
    for (const word of ["one", "two", "three"]) ws.send(word);
    const got: string[] = [];
    while (got.length < 3) got.push((await next<MessageEvent>(ws, "message")).data);
    assert.deepEqual(got, ["ONE", "TWO", "THREE"]);
    ws.close();
    await next(ws, "close");
  }, handler);
});

Deno.test("a bad handshake is a TypeError the handler can answer (426 for a wrong version, 400 otherwise)", async () => {
  const problems: string[] = [];
  const handler: Handler = (request) => {
    try {
      return upgradeWebSocket(request).response;
    } catch (error) {
      problems.push((error as Error).message);
      const version = request.headers.get("sec-websocket-version");
      return version !== "13"
        ? new Response(null, { status: 426, headers: { "sec-websocket-version": "13" } })
        : new Response(null, { status: 400 });
    }
  };
  await withEcho(async (url) => {
    const port = Number(new URL(url).port);
    for (const [version, key] of [["8", "dGhlIHNhbXBsZSBub25jZQ=="], ["13", "short"]]) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(
        new TextEncoder().encode(
          "GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            `Sec-WebSocket-Version: ${version}\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
        ),
      );
      const buffer = new Uint8Array(1024);
      const n = await conn.read(buffer);
      conn.close();
      const status = new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0];
      assert.equal(
        status,
        version === "8" ? "HTTP/1.1 426 Upgrade Required" : "HTTP/1.1 400 Bad Request",
      );
    }
  }, handler);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /version/i);
  assert.match(problems[1], /key/i);
  // Not a request from Wire's server: a clear TypeError, never a silent broken 101.
  assert.throws(
    () =>
      upgradeWebSocket(
        new Request("http://x/", {
          headers: {
            upgrade: "websocket",
            connection: "upgrade",
            "sec-websocket-version": "13",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          },
        }),
      ),
    /does not come from Wire's serve\(\)/,
  );
});

Deno.test("shutdown() closes open sockets with 1001 and waits for their close handshake", async () => {
  const server = serve(echoHandler(), { hostname: "127.0.0.1", port: 0, onListen() {} });
  const url = `ws://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`;
  const sockets = [new WebSocket(url), new WebSocket(url), new WireWebSocket(url)];
  await Promise.all(sockets.map((ws) => next(ws, "open")));
  assert.equal(server.connections, 3);
  const closes = sockets.map((ws) => next<CloseEvent>(ws, "close"));
  await server.shutdown({ deadline: TEST_TIMEOUT });
  for (const close of await Promise.all(closes)) {
    assert.equal(close.code, 1001);
    assert.equal(close.reason, "server shutting down");
  }
  assert.equal(server.connections, 0);
});

Deno.test("a headless Chromium page connects, exchanges text and binary, and closes", async () => {
  if (CHROMIUM === null) {
    console.log("websocket browser test: chromium is not installed, skipped");
    return;
  }
  let report: (value: string) => void;
  const reported = new Promise<string>((resolve) => (report = resolve));
  const page = `<!doctype html><script>
    const ws = new WebSocket("ws://" + location.host + "/chat");
    ws.binaryType = "arraybuffer";
    const log = [];
    ws.onopen = () => { ws.send("from the browser"); ws.send(new Uint8Array([7, 8, 9])); };
    ws.onmessage = (e) => {
      log.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)].join(","));
      if (log.length === 2) ws.close(1000, "done");
    };
    ws.onclose = (e) => fetch("/report", { method: "POST", body: JSON.stringify({ log, code: e.code, clean: e.wasClean }) });
  </script>`;
  const echo = echoHandler();
  const handler: Handler = async (request, info) => {
    const path = new URL(request.url).pathname;
    if (path === "/report") {
      report(await request.text());
      return new Response("thanks");
    }
    if (path === "/") return new Response(page, { headers: { "content-type": "text/html" } });
    return echo(request, info);
  };
  await withEcho(async (url) => {
    await withChromium(async (page) => {
      await page.navigate(url.replace("ws://", "http://").replace("/chat", "/"));
      const result = JSON.parse(await bounded(reported, "the page did not report", 30_000));
      assert.deepEqual(result, { log: ["from the browser", "7,8,9"], code: 1000, clean: true });
    });
  }, handler);
});
