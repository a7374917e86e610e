import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { serve } from "../../../http/serve.ts";
import type { ServeInfo } from "../../../http/handler.ts";

/** Wire's serve() on 127.0.0.1:0; `ports` collects each request's client port. */
function wireServer(handler: (request: Request) => Response | Promise<Response>) {
  const ports = new Set<number>();
  const server = serve((request: Request, info: ServeInfo) => {
    ports.add((info.remoteAddr as Deno.NetAddr).port);
    return handler(request);
  }, { hostname: "127.0.0.1", port: 0, onListen() {} });
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    ports,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("Client reuses one connection to Wire's serve() for sequential requests", async () => {
  await using server = wireServer((request) => new Response(new URL(request.url).pathname));
  await using client = new Client();
  for (let i = 0; i < 20; i++) {
    assert.equal(await (await client.fetch(`${server.url}/${i}`)).text(), `/${i}`);
  }
  assert.equal(server.ports.size, 1);
});

Deno.test("Client reads a streamed (chunked) response from Wire's serve()", async () => {
  const parts = ["alpha ", "beta ", "gamma"];
  await using server = wireServer(() =>
    new Response(ReadableStream.from(parts).pipeThrough(new TextEncoderStream()))
  );
  await using client = new Client();
  for (let i = 0; i < 3; i++) {
    assert.equal(await (await client.fetch(server.url)).text(), parts.join(""));
  }
  assert.equal(server.ports.size, 1);
});

Deno.test("Client uploads a streamed body to Wire's serve() and HEAD reads no body", async () => {
  await using server = wireServer(async (request) => {
    if (request.method === "HEAD") return new Response("ignored body", { status: 200 });
    const bytes = new Uint8Array(await request.arrayBuffer());
    return new Response(`${bytes.length} ${bytes.reduce((a, b) => (a + b) % 65521, 0)}`);
  });
  await using client = new Client();
  const data = new Uint8Array(2 * 1024 * 1024 + 7).map((_, i) => (i * 31) & 0xff);
  const expected = `${data.length} ${data.reduce((a, b) => (a + b) % 65521, 0)}`;
  const body = ReadableStream.from(
    Array.from({ length: 9 }, (_, k) => data.subarray(k * 250_000, (k + 1) * 250_000)),
  );
  assert.equal(await (await client.fetch(server.url, { method: "PUT", body })).text(), expected);
  const head = await client.fetch(server.url, { method: "HEAD" });
  assert.equal(head.body, null);
  assert.equal(
    await (await client.fetch(server.url, { method: "POST", body: data })).text(),
    expected,
  );
  assert.equal(server.ports.size, 1);
});
