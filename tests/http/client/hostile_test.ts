// Servers that try to hurt the client: interim-response floods, and redirects that try
// to carry credentials across origins or to schemes that are not http.

import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { rawServer, RequestReader, send } from "./_helpers.ts";

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ClientError, `expected a ClientError, got ${error}`);
  return error;
}

const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";
const FINAL = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/** Answers each request with `interim` then the final response. */
function interimServer(interim: string) {
  return rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) await send(conn, interim + FINAL);
  });
}

Deno.test("Client accepts maxInterimResponses 1xx responses and rejects one more", async () => {
  for (const limit of [10, 2]) {
    const options = limit === 10 ? {} : { maxInterimResponses: limit };
    {
      await using server = interimServer(CONTINUE.repeat(limit));
      await using client = new Client(options);
      assert.equal(await (await client.fetch(server.url)).text(), "ok");
    }
    await using server = interimServer(CONTINUE.repeat(limit + 1));
    await using client = new Client(options);
    const error = await failure(client.fetch(server.url));
    assert.equal(error.code, "MALFORMED_RESPONSE");
    assert.match(error.message, new RegExp(`more than ${limit} interim \\(1xx\\) responses`));
  }
});

Deno.test("Client bounds the bytes of interim responses together by maxResponseHeaderBytes", async () => {
  const hint = (size: number) => `HTTP/1.1 103 Early Hints\r\nLink: <${"a".repeat(size)}>\r\n\r\n`;
  {
    await using server = interimServer(hint(600));
    await using client = new Client({ maxResponseHeaderBytes: 1024 });
    assert.equal(await (await client.fetch(server.url)).text(), "ok");
  }
  await using server = interimServer(hint(600) + hint(600));
  await using client = new Client({ maxResponseHeaderBytes: 1024 });
  const error = await failure(client.fetch(server.url));
  assert.equal(error.code, "MALFORMED_RESPONSE");
  assert.match(error.message, /interim \(1xx\) responses longer than 1024 bytes/);
});

Deno.test("Client stops a flood of 100 Continue at once and closes the connection", async () => {
  // The server would send 100 Continue forever (200 MB took 1.2 s to parse before).
  let written = 0;
  await using server = rawServer(async (conn) => {
    await new RequestReader(conn).read();
    const flood = new TextEncoder().encode(CONTINUE.repeat(4096));
    try {
      for (;;) written += await conn.write(flood);
    } catch {
      // The client closed.
    }
  });
  await using client = new Client();
  const error = await failure(client.fetch(server.url));
  assert.equal(error.code, "MALFORMED_RESPONSE");
  await server.closed(1);
  assert.ok(written < 64 << 20, `${written} bytes written before the close`);
});

Deno.test("Client redirects never carry credentials to another origin, even on the same host", async () => {
  const seen: Map<string, string>[] = [];
  await using target = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    for (let request; (request = await reader.read()) !== null;) {
      seen.push(request.headers);
      await send(conn, FINAL);
    }
  });
  await using origin = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) {
      await send(
        conn,
        `HTTP/1.1 307 Temporary Redirect\r\nLocation: ${target.url}/x\r\n` +
          "Content-Length: 0\r\n\r\n",
      );
    }
  });
  await using client = new Client();
  const response = await client.fetch(`http://user:pass@127.0.0.1:${origin.port}/`, {
    headers: {
      authorization: "Bearer secret",
      cookie: "session=1",
      "proxy-authorization": "Basic eA==",
      "x-kept": "yes",
    },
  });
  assert.equal(await response.text(), "ok");
  const headers = seen[0];
  assert.equal(headers.get("authorization"), undefined);
  assert.equal(headers.get("cookie"), undefined);
  assert.equal(headers.get("proxy-authorization"), undefined);
  assert.equal(headers.get("x-kept"), "yes");
  assert.equal(headers.get("host"), `127.0.0.1:${target.port}`);
});

Deno.test("Client refuses redirects to non-http schemes and to URLs with credentials", async () => {
  for (
    const location of [
      "file:///etc/passwd",
      "data:text/plain,hi",
      "javascript:alert(1)",
      "ftp://127.0.0.1/",
      "http://user:pw@127.0.0.1:1/",
      "http://[::1",
    ]
  ) {
    await using server = rawServer(async (conn) => {
      await new RequestReader(conn).read();
      await send(conn, `HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`);
    });
    await using client = new Client();
    const error = await failure(client.fetch(server.url));
    assert.equal(error.code, "REDIRECT_REJECTED", location);
  }
});

Deno.test("Client ends a redirect loop with TOO_MANY_REDIRECTS", async () => {
  await using server = rawServer(async (conn) => {
    const reader = new RequestReader(conn);
    while ((await reader.read()) !== null) {
      await send(conn, "HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
    }
  });
  await using client = new Client();
  assert.equal((await failure(client.fetch(server.url))).code, "TOO_MANY_REDIRECTS");
  assert.equal(server.connections, 1, "the loop reused one connection");
});
