import { assert } from "../../_assert.ts";
import { generateTlsCert } from "../../_tls.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";

/** Deno.serve on 127.0.0.1:0 with `handler`, shut down by `await using`. */
function denoServer(handler: Deno.ServeHandler, options: Partial<Deno.ServeTcpOptions> = {}) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {}, ...options }, handler);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

Deno.test("Client works against Deno.serve: keep-alive, streamed bodies, JSON", async () => {
  await using server = denoServer(async (request) => {
    if (request.method === "POST") return new Response(await request.arrayBuffer());
    return Response.json({ path: new URL(request.url).pathname });
  });
  await using client = new Client();
  for (let i = 0; i < 5; i++) {
    const response = await client.fetch(`${server.url}/n/${i}`);
    assert.deepEqual(await response.json(), { path: `/n/${i}` });
  }
  const upload = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
  const echoed = await client.fetch(server.url, {
    method: "POST",
    body: ReadableStream.from([upload.subarray(0, 1000), upload.subarray(1000)]),
  });
  const back = new Uint8Array(await echoed.arrayBuffer());
  assert.equal(back.length, upload.length);
  assert.ok(back.every((b, i) => b === upload[i]));
});

Deno.test("Client speaks https with caCerts and rejects an untrusted certificate", async () => {
  const { cert, key } = await generateTlsCert();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    (request) => new Response(`secure ${new URL(request.url).pathname}`),
  );
  try {
    const port = server.addr.port;
    {
      await using client = new Client({ caCerts: [cert] });
      for (const host of ["localhost", "127.0.0.1"]) {
        const response = await client.fetch(`https://${host}:${port}/x`);
        assert.equal(await response.text(), "secure /x");
      }
      await (await client.fetch(`https://localhost:${port}/y`)).text();
    }
    {
      await using client = new Client();
      const error = await client.fetch(`https://localhost:${port}/`).then(() => null, (e) => e);
      assert.ok(error instanceof ClientError, String(error));
      assert.equal(error.code, "CONNECT_FAILED");
      assert.match(error.message, /TLS/);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("Client sends requests over a Unix socket with socketPath", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wire-client-" });
  const path = `${dir}/server.sock`;
  const server = Deno.serve(
    { path, onListen() {} },
    (request) =>
      new Response(`unix ${request.headers.get("host")} ${new URL(request.url).pathname}`),
  );
  try {
    await using client = new Client({ socketPath: path });
    for (let i = 0; i < 3; i++) {
      const response = await client.fetch(`http://api.local/v${i}`);
      assert.equal(await response.text(), `unix api.local /v${i}`);
    }
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Client reports a missing Unix socket as CONNECT_FAILED naming the URL", async () => {
  await using client = new Client({ socketPath: "/nonexistent/wire.sock" });
  const error = await client.fetch("http://api.local/").then(() => null, (e) => e);
  assert.ok(error instanceof ClientError);
  assert.equal(error.code, "CONNECT_FAILED");
  assert.ok(error.message.includes("http://api.local/"));
});
