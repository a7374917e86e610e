// Parser.pendingHead(): the bytes of a half-received head, which bring a fresh parser to
// where the first one stopped (a server parks slow heads this way instead of holding a
// parser per connection). Every table case is cut at every byte; wherever a head is in
// progress at the cut, a fresh parser fed the pending bytes must report exactly what the
// uncut input reports.

import { assert } from "../../_assert.ts";
import { bytesOf } from "./_corpus.ts";
import { PARSER_CASES } from "./_cases.ts";
import { Parser } from "../../../http/parser.ts";
import type { ParserOptions } from "../../../http/parser_options.ts";
import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../../../http/parse_event.ts";

/**
 * What a parser reports, as text: heads, body sizes per message, ends and errors (error
 * offsets left out: a parked parser counts anew). Returns whether it wants more input.
 */
function trace(parser: Parser, data: Uint8Array, out: string[]): boolean {
  let pos = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const event = parser.execute(data, pos, data.length);
    pos = parser.offset;
    switch (event) {
      case PARSE_NEED_MORE:
        return true;
      case PARSE_HEAD:
      case PARSE_UPGRADE:
        // After an Upgrade request's body the parser repeats PARSE_UPGRADE: it is done.
        if (event === PARSE_UPGRADE && out.at(-1)?.startsWith("end ")) return false;
        out.push(
          `${event} ${parser.method} ${parser.target} ${parser.status} ${
            JSON.stringify(parser.headers)
          } ${parser.keepAlive}`,
        );
        if (event === PARSE_UPGRADE && !parser.hasBody) return false;
        break;
      case PARSE_BODY: {
        // Body bytes come in pieces wherever the input was cut: keep one running total.
        const size = parser.bodyEnd - parser.bodyStart;
        const last = out.at(-1);
        if (last?.startsWith("body ")) out[out.length - 1] = `body ${Number(last.slice(5)) + size}`;
        else out.push(`body ${size}`);
        break;
      }
      case PARSE_END:
        out.push(`end ${JSON.stringify(parser.trailers)}`);
        break;
      case PARSE_ERROR:
        out.push(`error ${parser.error?.code} ${parser.error?.status}`);
        return false;
    }
  }
  throw new Error("Parser did not progress");
}

function run(bytes: Uint8Array, options: ParserOptions, cut: number): [string[], number] {
  const out: string[] = [];
  let parser = new Parser(options);
  let parked = 0;
  if (trace(parser, bytes.slice(0, cut), out)) {
    const pending = parser.pendingHead();
    if (pending.length > 0) {
      parked = pending.length;
      parser = new Parser(options);
      const resumed: string[] = [];
      assert.equal(trace(parser, pending, resumed), true, "the pending bytes need more");
      assert.deepEqual(resumed, [], "the pending bytes report nothing by themselves");
      assert.deepEqual(parser.pendingHead(), pending, "the fresh parser holds the same head");
    }
    trace(parser, bytes.slice(cut), out);
  }
  return [out, parked];
}

for (const c of PARSER_CASES) {
  const options = c.options ?? {};
  if ((options as { noBody?: boolean }).noBody) continue;
  Deno.test(`Parser.pendingHead resumes ${c.name}, cut at every byte`, () => {
    const bytes = bytesOf(c.input);
    const whole: string[] = [];
    trace(new Parser(options), bytes, whole);
    for (let cut = 1; cut < bytes.length; cut++) {
      const [parts] = run(bytes, options, cut);
      assert.deepEqual(parts, whole, `cut at ${cut}`);
    }
  });
}

Deno.test("Parser.pendingHead is the head from its first byte, and empty outside a head", () => {
  const head = "GET /a HTTP/1.1\r\nHost: x\r\nX-Long: abc";
  const parser = new Parser({ mode: "request" });
  // Empty lines before a request line are skipped, not kept.
  assert.equal(parser.execute(bytesOf("\r\n\r\n" + head)), PARSE_NEED_MORE);
  assert.equal(new TextDecoder().decode(parser.pendingHead()), head);
  assert.equal(parser.execute(bytesOf("\r\nContent-Length: 3\r\n\r\n")), PARSE_HEAD);
  assert.equal(parser.pendingHead().length, 0, "in a body");
  assert.equal(parser.execute(bytesOf("ab")), PARSE_BODY);
  assert.equal(parser.pendingHead().length, 0, "in a body");
  assert.equal(parser.execute(bytesOf("c")), PARSE_BODY);
  assert.equal(parser.execute(bytesOf("c"), 1), PARSE_END);
  assert.equal(parser.pendingHead().length, 0, "between messages");
  const fresh = new Parser({ mode: "request" });
  assert.equal(fresh.pendingHead().length, 0, "before any byte");
  const chunked = new Parser({ mode: "request" });
  const input = bytesOf(
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trail",
  );
  assert.equal(chunked.execute(input), PARSE_HEAD);
  assert.equal(chunked.execute(input, chunked.offset), PARSE_NEED_MORE);
  assert.equal(chunked.pendingHead().length, 0, "in a trailer section");
  const bad = new Parser({ mode: "request" });
  assert.equal(bad.execute(bytesOf("GET / HTTP/1.1\r\nBad Name: x\r\n")), PARSE_ERROR);
  assert.equal(bad.pendingHead().length, 0, "after an error");
});

Deno.test("Parser.pendingHead of a head cut in every place up to maxHeaderBytes", () => {
  const head = "GET /" + "p".repeat(50) + " HTTP/1.1\r\nHost: x\r\n" +
    Array.from({ length: 30 }, (_, i) => `X-F${i}: ${"v".repeat(i * 3)}\r\n`).join("") +
    "\r\n";
  const bytes = bytesOf(head);
  let parkedAny = 0;
  for (let cut = 1; cut < bytes.length; cut++) {
    const [events, parked] = run(bytes, { mode: "request", maxHeaderBytes: bytes.length }, cut);
    assert.equal(events.length, 2, `cut at ${cut}`);
    if (parked > 0) parkedAny++;
    assert.equal(parked, cut, `cut at ${cut}: every byte so far is the head's`);
  }
  assert.equal(parkedAny, bytes.length - 1);
  // One byte past maxHeaderBytes still fails after a park, as it fails uncut.
  const [past] = run(bytes, { mode: "request", maxHeaderBytes: bytes.length - 1 }, 100);
  assert.match(past.at(-1)!, /^error HEADER_OVERFLOW 431$/);
});

Deno.test("Parser.pendingHead(room) leaves room after the head for the next bytes", () => {
  const bytes = bytesOf("GET /r HTTP/1.1\r\nHost: x\r\n\r\n");
  const first = new Parser({ mode: "request" });
  assert.equal(first.execute(bytes, 0, 10), PARSE_NEED_MORE);
  const parked = first.pendingHead(64);
  assert.equal(parked.length, 10 + 64);
  // The rest is read in behind the head; a fresh parser parses both in one piece.
  parked.set(bytes.subarray(10), 10);
  const second = new Parser({ mode: "request" });
  assert.equal(second.execute(parked, 0, bytes.length), PARSE_HEAD);
  assert.equal(second.target, "/r");
  assert.equal(new Parser({ mode: "request" }).pendingHead(8).length, 8, "no head: only room");
  for (const bad of [-1, 1.5, Number.NaN]) assert.throws(() => first.pendingHead(bad), RangeError);
});
