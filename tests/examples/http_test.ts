// The HTTP examples: each exported handler answers through inject(), and the cluster
// example really runs two processes on one port.

import { assert } from "../_assert.ts";
import { inject } from "../../http/inject.ts";
import { handler as hello } from "../../examples/hello.ts";
import { handler as echo } from "../../examples/http_echo.ts";
import { createHandler } from "../../examples/streaming.ts";
import { startCluster } from "../../examples/cluster.ts";
import { parseResponses, rawExchange, TEST_TIMEOUT } from "../_server.ts";

Deno.test("examples/hello.ts answers Hello, World!", async () => {
  const { response } = await inject(hello, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "Hello, World!");
});

Deno.test("examples/http_echo.ts answers echo: + the body, with and without Content-Length", async () => {
  const sized = await inject(echo, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  assert.equal(sized.response.headers.get("content-length"), "10");
  assert.equal(await sized.response.text(), "echo:hello");
  const chunked = await inject(
    echo,
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n",
  );
  assert.equal(chunked.response.headers.get("transfer-encoding"), "chunked");
  assert.equal(await chunked.response.text(), "echo:abc");
  const empty = await inject(echo, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(await empty.response.text(), "echo:");
});

Deno.test("examples/streaming.ts sends server-sent events as a chunked stream", async () => {
  const { response, bytes } = await inject(
    createHandler({ interval: 1, count: 3 }),
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
  );
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  assert.equal(response.headers.get("transfer-encoding"), "chunked");
  const text = await response.text();
  assert.ok(text.startsWith(": connected\n\n"));
  assert.deepEqual([...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]), ["1", "2", "3"]);
  assert.ok(bytes.length > text.length, "chunk framing on the wire");
});

Deno.test("examples/streaming.ts stops when the client goes away", async () => {
  const { serve } = await import("../../http/serve.ts");
  const server = serve(createHandler({ interval: 5 }), {
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  });
  try {
    const addr = server.addr as Deno.NetAddr;
    const { text } = await rawExchange(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", {
      until: (t) => t.includes("id: 2\n"),
    });
    assert.match(text, /event: tick/);
  } finally {
    // The client is gone: the stream ends and the server shuts down without a deadline.
    await server.shutdown();
  }
});

Deno.test({
  name: "examples/cluster.ts runs two processes on one port (reusePort)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const cluster = await startCluster(2, port);
    try {
      const pids = new Set<string>();
      for (let i = 0; i < 40 && pids.size < 2; i++) {
        const { text } = await rawExchange(
          { transport: "tcp", hostname: "127.0.0.1", port },
          "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
          { timeout: TEST_TIMEOUT },
        );
        pids.add(parseResponses(text)[0].body);
      }
      assert.equal(cluster.workers.length, 2);
      assert.equal(pids.size, 2, "connections reached both processes");
    } finally {
      await cluster.stop();
    }
  },
});
