// Every table case cut at every byte, fed one byte at a time, and cut at random points:
// the parser must report exactly what it reports for the whole input (RFC 9112 framing
// does not depend on how TCP delivers the bytes).

import { assert } from "../../_assert.ts";
import { byteByByte, bytesOf, prng, runParser, splitAt, summary } from "./_corpus.ts";
import { checkCase, PARSER_CASES } from "./_cases.ts";

for (const c of PARSER_CASES) {
  Deno.test(`Parser ${c.name}, split at every byte and fed byte by byte`, () => {
    const bytes = bytesOf(c.input);
    const whole = runParser([bytes.slice()], c.options);
    checkCase(c, whole);
    const expected = summary(whole);
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = runParser(splitAt(bytes, [cut]), c.options);
      assert.equal(summary(split), expected, `cut at ${cut}`);
    }
    assert.equal(summary(runParser(byteByByte(bytes), c.options)), expected, "byte by byte");
    const random = prng(bytes.length);
    for (let round = 0; round < 20; round++) {
      const cuts = new Set<number>();
      const count = 1 + Math.floor(random() * 6);
      for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(random() * (bytes.length - 1)));
      const sorted = [...cuts].sort((a, b) => a - b);
      assert.equal(
        summary(runParser(splitAt(bytes, sorted), c.options)),
        expected,
        `cuts ${sorted}`,
      );
    }
  });
}
