// maxBodyBytes and maxDrainBytes count a request body as it comes on the wire: for a
// chunked body, its chunk-size lines, chunk extensions, CRLFs and trailer section too, so
// framing cannot carry unbounded bytes past the limits (64 MB of extensions used to be
// accepted around 4 KB of data).

import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, readAll, withServer } from "../../_server.ts";
import { inject } from "../../../http/inject.ts";

const encoder = new TextEncoder();
const HEAD = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
const FOLLOWER = "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";

/** Reads the body and answers its length. */
const readBody = async (request: Request) => new Response(`${(await request.text()).length}`);
/** Never touches the body (it is drained). */
const ignoreBody = (request: Request) => new Response(`path=${new URL(request.url).pathname}`);

/** `count` chunks of one byte, each with an extension of `extension` bytes (`;e=vvv`). */
function chunksWithExtensions(count: number, extension: number): string {
  const ext = ";e=" + "v".repeat(extension - 3);
  return `1${ext}\r\nd\r\n`.repeat(count);
}

/** Wire size of everything after the head. */
const wire = (body: string) => encoder.encode(body).length;

Deno.test("maxBodyBytes counts a chunked body's framing: at the wire size served, one byte less 413", async () => {
  const body = "a\r\n0123456789\r\n0\r\n\r\n";
  const size = wire(body); // 20 bytes on the wire for 10 bytes of data
  const at = await inject(readBody, HEAD + body, { maxBodyBytes: size });
  assert.equal(at.response.status, 200);
  assert.equal(await at.response.text(), "10");
  const past = await inject(readBody, HEAD + body + FOLLOWER, { maxBodyBytes: size - 1 });
  assert.equal(past.response.status, 413);
  assert.equal(past.responses.length, 1, "nothing behind the refused body is parsed");
});

Deno.test("maxBodyBytes counts chunk extensions: many small chunks with long extensions get 413", async () => {
  const body = chunksWithExtensions(64, 1000) + "0\r\n\r\n";
  const size = wire(body);
  const at = await inject(readBody, HEAD + body, { maxBodyBytes: size });
  assert.equal(at.response.status, 200);
  assert.equal(await at.response.text(), "64");
  const past = await inject(readBody, HEAD + body, { maxBodyBytes: size - 1 });
  assert.equal(past.response.status, 413);
  // The attack the rule stops: 2 KiB of data wrapped in 2 MiB of extensions, fed in
  // pieces, against a 256 KiB limit: refused once the limit is crossed.
  const hostile = HEAD + chunksWithExtensions(2048, 1024) + "0\r\n\r\n";
  const refused = await inject(readBody, hostile, { maxBodyBytes: 256 * 1024, chunkSize: 65536 });
  assert.equal(refused.response.status, 413);
});

Deno.test("maxBodyBytes counts the trailer section", async () => {
  const body = "3\r\nabc\r\n0\r\nX-Trailer: " + "t".repeat(100) + "\r\n\r\n";
  const size = wire(body);
  const at = await inject(readBody, HEAD + body, { maxBodyBytes: size });
  assert.equal(at.response.status, 200);
  assert.equal(await at.response.text(), "3");
  const past = await inject(readBody, HEAD + body, { maxBodyBytes: size - 1 });
  assert.equal(past.response.status, 413);
});

Deno.test("maxBodyBytes counts framing split at every byte and fed one byte at a time", async () => {
  const body = "2;x=1\r\nab\r\n3\r\ncde\r\n0\r\nT: v\r\n\r\n";
  const size = wire(body);
  for (const chunkSize of [1, 2, 7]) {
    const at = await inject(readBody, HEAD + body, { maxBodyBytes: size, chunkSize });
    assert.equal(await at.response.text(), "5", `chunkSize ${chunkSize}`);
    const past = await inject(readBody, HEAD + body, { maxBodyBytes: size - 1, chunkSize });
    assert.equal(past.response.status, 413, `chunkSize ${chunkSize}`);
  }
});

Deno.test("a Content-Length body is counted as before: exactly its length", async () => {
  const at = await inject(
    readBody,
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789",
    { maxBodyBytes: 10 },
  );
  assert.equal(await at.response.text(), "10");
});

Deno.test("maxDrainBytes counts an unread chunked body's framing: at the limit kept, one past closed", async () => {
  const body = chunksWithExtensions(8, 200) + "0\r\nX-T: v\r\n\r\n";
  const size = wire(body);
  for (const [limit, kept] of [[size, true], [size - 1, false]] as const) {
    await withServer(ignoreBody, { maxDrainBytes: limit }, async (_server, addr) => {
      const conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      try {
        // Only the head first: the response goes out before any of the body is drained.
        await conn.write(encoder.encode(HEAD));
        const first = await readAll(conn, { until: (t) => t.endsWith("path=/") });
        assert.equal(parseResponses(first.text)[0].status, 200);
        await conn.write(encoder.encode(body + FOLLOWER)).catch(() => {});
        const rest = await readAll(conn, { until: (t) => t.endsWith("path=/next") });
        if (kept) assert.equal(parseResponses(rest.text)[0].body, "path=/next", `limit ${limit}`);
        else {
          assert.equal(rest.text, "", "the request behind the body is not answered");
          assert.equal(rest.closed, true);
        }
      } finally {
        conn.close();
      }
    });
  }
});

Deno.test("an unread chunked body of little data but much framing is not drained past maxDrainBytes", async () => {
  // 100 bytes of data in 100 KB of extensions, sent at once with a request behind it.
  const body = chunksWithExtensions(100, 1000) + "0\r\n\r\n";
  await withServer(ignoreBody, { maxDrainBytes: 4096 }, async (_server, addr) => {
    const { text, closed } = await rawExchange(addr, HEAD + body + FOLLOWER);
    const responses = parseResponses(text);
    assert.equal(responses.length, 1, "the request behind the body is not answered");
    assert.equal(responses[0].status, 200);
    assert.equal(closed, true);
  });
});
