// Rules behind the server's hot-path shortcuts: each shortcut must answer exactly as the
// general route does.
import { assert } from "../../_assert.ts";
import { inject } from "../../../http/inject.ts";

const GET = (host: string, path = "/") => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

Deno.test("short and long text bodies, ASCII or not, get their UTF-8 byte length", async () => {
  // Short ASCII bodies are copied by hand, longer ones through encodeInto; a non-ASCII
  // char anywhere falls back to UTF-8 encoding.
  const bodies = [
    "",
    "a",
    "x".repeat(63),
    "x".repeat(64),
    "x".repeat(65),
    "x".repeat(63) + "\u00e9",
    "\u00e9" + "x".repeat(63),
    "x".repeat(200) + "\u20ac",
  ];
  for (const body of bodies) {
    const result = await inject(() => new Response(body), GET("x"));
    const bytes = new TextEncoder().encode(body);
    assert.equal(result.response.headers.get("content-length"), String(bytes.length));
    assert.equal(await result.response.text(), body);
  }
});

Deno.test("pipelined requests with alternating Host values each get their own URL", async () => {
  const input = GET("a.test", "/1") + GET("B.TEST:80", "/2") + GET("a.test", "/3") +
    GET("c.test:8080", "/4") + GET("a.test", "/5");
  const result = await inject((request) => new Response(request.url), input);
  const urls = await Promise.all(result.responses.map((r) => r.text()));
  assert.deepEqual(urls, [
    "http://a.test/1",
    "http://b.test/2",
    "http://a.test/3",
    "http://c.test:8080/4",
    "http://a.test/5",
  ]);
});

Deno.test("pipelined async handlers that settle out of order are answered in order", async () => {
  let input = "";
  for (let i = 0; i < 20; i++) input += GET("x", `/${i}`);
  const result = await inject(async (request) => {
    const n = Number(new URL(request.url).pathname.slice(1));
    // Later requests settle first.
    for (let i = 0; i < 20 - n; i++) await null;
    return new Response(String(n));
  }, input);
  const bodies = await Promise.all(result.responses.map((r) => r.text()));
  assert.deepEqual(bodies, Array.from({ length: 20 }, (_, i) => String(i)));
});

Deno.test("a keep-alive connection alternating sync and async handlers answers each request", async () => {
  let input = "";
  for (let i = 0; i < 10; i++) input += GET("x", `/${i}`);
  const result = await inject(
    (request) => {
      const n = Number(new URL(request.url).pathname.slice(1));
      if (n % 2 === 0) return new Response(`s${n}`);
      return Promise.resolve(new Response(`a${n}`));
    },
    input,
    { chunkSize: 7 },
  );
  const bodies = await Promise.all(result.responses.map((r) => r.text()));
  assert.deepEqual(bodies, Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? "s" : "a") + i));
});

Deno.test("a pipelined batch that outgrows the small and the pooled output buffers stays intact", async () => {
  // Sizes chosen so one batch crosses 4 KiB, then 16 KiB, then needs a bigger buffer.
  const sizes = [100, 3000, 2000, 9000, 7000, 30000, 50, 70000, 10];
  let input = "";
  for (const size of sizes) input += GET("x", `/${size}`);
  const body = (n: number) => {
    let text = "";
    for (let i = 0; text.length < n; i++) text += String.fromCharCode(97 + (i % 26));
    return text.slice(0, n);
  };
  const result = await inject(
    (request) => new Response(body(Number(new URL(request.url).pathname.slice(1)))),
    input,
  );
  const bodies = await Promise.all(result.responses.map((r) => r.text()));
  assert.deepEqual(bodies, sizes.map(body));
});
