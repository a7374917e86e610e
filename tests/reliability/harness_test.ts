// The reliability harness checks itself: the reply checker catches each kind of bad reply,
// the mutator repeats for a seed, the input classifier counts requests, the descriptor count
// sees a socket open and close. A harness that cannot fail would prove nothing.

import { assert } from "../_assert.ts";
import { checkReply, HANDLER_MARK, inputShape, Mutator } from "./_mutate.ts";
import { openFds, prng, randomBytes } from "./_fd.ts";
import { encodeRequest } from "./_wire.ts";

const encoder = new TextEncoder();
const DATE = "Date: Sat, 01 Jan 2000 00:00:00 GMT\r\n";

function reply(text: string): Uint8Array {
  return encoder.encode(text);
}

Deno.test("checkReply accepts well-formed replies: keep-alive, closing, 100-continue, HEAD", () => {
  const ok = `HTTP/1.1 200 OK\r\n${DATE}${HANDLER_MARK}: GET\r\nContent-Length: 2\r\n\r\nok`;
  const head = `HTTP/1.1 200 OK\r\n${DATE}${HANDLER_MARK}: HEAD\r\nContent-Length: 2\r\n\r\n`;
  const bad = `HTTP/1.1 400 Bad Request\r\n${DATE}Connection: close\r\nContent-Length: 0\r\n\r\n`;
  const cont = "HTTP/1.1 100 Continue\r\n\r\n";
  assert.deepEqual(checkReply(reply(ok + ok), false).statuses, [200, 200]);
  assert.equal(checkReply(reply(ok + bad), false).problem, "");
  assert.equal(checkReply(reply(head + ok), false).problem, "");
  const verdict = checkReply(reply(cont + ok), false);
  assert.equal(verdict.problem, "");
  assert.equal(verdict.interim, 1);
  assert.equal(checkReply(new Uint8Array(0), false).problem, "");
});

Deno.test("checkReply rejects bytes after a closing response, a missing Date, a cut body, garbage, a kept-open error", () => {
  const ok = `HTTP/1.1 200 OK\r\n${DATE}${HANDLER_MARK}: GET\r\nContent-Length: 2\r\n\r\nok`;
  const bad = `HTTP/1.1 400 Bad Request\r\n${DATE}Connection: close\r\nContent-Length: 0\r\n\r\n`;
  const cases: [string, string][] = [
    [bad + ok, "bytes after a response that closes"],
    [`HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`, "without a Date"],
    [ok.slice(0, -1), "cut short"],
    ["HTTP/1.1 2x0 OK\r\n\r\n", "malformed"],
    ["hello", "malformed"],
    [`HTTP/1.0 200 OK\r\n${DATE}Content-Length: 0\r\n\r\n`, "version"],
    [`HTTP/1.1 400 Bad Request\r\n${DATE}Content-Length: 0\r\n\r\n`, "keeps the connection open"],
  ];
  for (const [text, problem] of cases) {
    const verdict = checkReply(reply(text), false);
    assert.ok(verdict.problem.includes(problem), `${JSON.stringify(text)}: ${verdict.problem}`);
  }
  assert.ok(checkReply(reply(ok.slice(0, -1)), true).problem.includes("reset"));
});

Deno.test("inputShape counts complete requests and what follows them", () => {
  const get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  assert.deepEqual(inputShape(encoder.encode(get + get)), { complete: 2, rest: "idle" });
  assert.deepEqual(inputShape(encoder.encode(get + "GET / HT")), { complete: 1, rest: "partial" });
  assert.deepEqual(inputShape(encoder.encode(get + "G@T / HTTP/1.1\r\n\r\n")), {
    complete: 1,
    rest: "error",
  });
  assert.deepEqual(inputShape(new Uint8Array(0)), { complete: 0, rest: "idle" });
});

Deno.test("Mutator gives the same inputs for the same seed and different ones for another", () => {
  const seeds = [encoder.encode("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")];
  const run = (seed: number) => {
    const mutator = new Mutator(seeds, prng(seed));
    const out: string[] = [];
    for (let i = 0; i < 200; i++) out.push(mutator.next().join(","));
    return out;
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
  const mutator = new Mutator(seeds, prng(9), 1000);
  for (let i = 0; i < 500; i++) assert.ok(mutator.next().length <= 1000, "inputs stay bounded");
});

Deno.test("encodeRequest frames chunked bodies the parser reads back intact", () => {
  const body = randomBytes(5, 100_000);
  const bytes = encodeRequest({ method: "POST", body, chunked: true, random: prng(3) });
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  assert.ok(text.includes("Transfer-Encoding: chunked"));
  assert.deepEqual(inputShape(bytes), { complete: 1, rest: "idle" });
});

Deno.test("openFds sees sockets open and close", () => {
  // Ten sockets, so descriptors that earlier test files close in the background (a
  // few at most) cannot hide them.
  const before = openFds();
  const listeners = Array.from(
    { length: 10 },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const during = openFds();
  for (const listener of listeners) listener.close();
  const after = openFds();
  assert.ok(during >= before + 5, `${before} -> ${during}`);
  assert.ok(after <= during - 10, `${during} -> ${after}`);
});
