import { assert } from "../_assert.ts";
import { INFO, req } from "../router/_info.ts";
import { createApp as createKoaApp } from "../../examples/koa_style.ts";
import { handler as routerHandler, router } from "../../examples/router.ts";
import { createApp as createRestApp, MAX_NOTE_BYTES } from "../../examples/rest_api.ts";

Deno.test("examples/koa_style answers Hello World with X-Response-Time and logs the request", async () => {
  const lines: string[] = [];
  const handler = createKoaApp((line) => lines.push(line));
  const response = await handler(req("/anything?x=1"), INFO);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "Hello World");
  assert.match(response.headers.get("x-response-time") ?? "", /^\d+ms$/);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^GET \/anything - \d+ms$/);
});

Deno.test("examples/router serves / and /test, 404 elsewhere, 405 with Allow for other methods", async () => {
  const home = await routerHandler(req("/"), INFO);
  assert.equal(await home.text(), "Hello World!\n");
  const test = await routerHandler(req("/test"), INFO);
  assert.deepEqual(await test.json(), { message: "This is a test" });
  const hello = await routerHandler(req("/hello/W%C3%B6rld"), INFO);
  assert.equal(await hello.text(), "Hello, W\u00f6rld!\n");
  assert.equal((await routerHandler(req("/nope"), INFO)).status, 404);
  const post = await routerHandler(req("/test", { method: "POST" }), INFO);
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "HEAD, GET");
  const options = await routerHandler(req("/test", { method: "OPTIONS" }), INFO);
  assert.equal(options.status, 200);
  assert.equal(router.url("hello", { name: "a b" }), "/hello/a%20b");
});

function json(method: string, body: unknown): RequestInit {
  return {
    method,
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

Deno.test("examples/rest_api creates, reads, lists, replaces and deletes notes", async () => {
  const { handler } = createRestApp();
  const created = await handler(req("/notes", json("POST", { text: "first" })), INFO);
  assert.equal(created.status, 201);
  assert.equal(created.headers.get("location"), "/notes/1");
  assert.deepEqual(await created.json(), { id: 1, text: "first" });
  assert.deepEqual(await (await handler(req("/notes/1"), INFO)).json(), { id: 1, text: "first" });
  const replaced = await handler(req("/notes/1", json("PUT", { text: "second" })), INFO);
  assert.deepEqual(await replaced.json(), { id: 1, text: "second" });
  assert.deepEqual(await (await handler(req("/notes"), INFO)).json(), [{ id: 1, text: "second" }]);
  assert.equal((await handler(req("/notes/1", { method: "DELETE" }), INFO)).status, 204);
  assert.deepEqual(await (await handler(req("/notes/"), INFO)).json(), []);
});

Deno.test("examples/rest_api answers 404, 405, 400, 415 and 413 for bad requests", async () => {
  const { handler } = createRestApp();
  const missing = await handler(req("/notes/9"), INFO);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "No note 9");
  assert.equal((await handler(req("/notes/abc"), INFO)).status, 404);
  const wrong = await handler(req("/notes/9", { method: "POST" }), INFO);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "HEAD, GET, PUT, DELETE");
  assert.equal((await handler(req("/notes", json("POST", "{oops")), INFO)).status, 400);
  assert.equal((await handler(req("/notes", json("POST", { text: 3 })), INFO)).status, 400);
  const plain = await handler(req("/notes", { method: "POST", body: "x" }), INFO);
  assert.equal(plain.status, 415);
});

Deno.test("examples/rest_api accepts a body of exactly MAX_NOTE_BYTES and rejects one byte more", async () => {
  const { handler } = createRestApp();
  const wrapper = JSON.stringify({ text: "" }).length;
  const atLimit = JSON.stringify({ text: "x".repeat(MAX_NOTE_BYTES - wrapper) });
  assert.equal(atLimit.length, MAX_NOTE_BYTES);
  assert.equal((await handler(req("/notes", json("POST", atLimit)), INFO)).status, 201);
  const past = JSON.stringify({ text: "x".repeat(MAX_NOTE_BYTES - wrapper + 1) });
  const response = await handler(req("/notes", json("POST", past)), INFO);
  assert.equal(response.status, 413);
  assert.equal(await response.text(), `A note body must be at most ${MAX_NOTE_BYTES} bytes`);
});
