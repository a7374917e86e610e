// Accept-Encoding (RFC 9110 §12.5.3): parsing with q-values, the server's choice, and
// the std-shaped acceptsEncodings().

import { assert } from "../../_assert.ts";
import { chooseCoding, parseAcceptEncoding } from "../../../http/_compression/accept_encoding.ts";
import { acceptsEncodings } from "../../../http/accept_encoding.ts";

Deno.test("parseAcceptEncoding reads codings, q-values and x-gzip, and drops malformed weights", () => {
  assert.deepEqual(parseAcceptEncoding("gzip, deflate;q=0.5, br;q=1.0, *;q=0"), [
    { coding: "gzip", q: 1 },
    { coding: "deflate", q: 0.5 },
    { coding: "br", q: 1 },
    { coding: "*", q: 0 },
  ]);
  assert.deepEqual(parseAcceptEncoding(" X-GZIP ; Q=0.25 ,,identity"), [
    { coding: "gzip", q: 0.25 },
    { coding: "identity", q: 1 },
  ]);
  assert.deepEqual(parseAcceptEncoding("gzip;q=2, br;q=0.1234, zstd;q=abc, deflate;level=1"), [
    { coding: "deflate", q: 1 },
  ]);
  assert.deepEqual(parseAcceptEncoding(""), []);
});

Deno.test("chooseCoding weighs each coding by its entry or *, breaks ties by the server's order, and lets identity win only when weighed higher", () => {
  const server = ["br", "zstd", "gzip", "deflate"];
  const table: [string | null, string | null][] = [
    [null, null],
    ["", null],
    ["gzip", "gzip"],
    ["gzip, br", "br"],
    ["br;q=0.5, gzip", "gzip"],
    ["deflate, gzip;q=0.9", "deflate"],
    ["*", "br"],
    ["*;q=0.5, gzip", "gzip"],
    ["br;q=0, *", "zstd"],
    ["gzip;q=0", null],
    ["identity", null],
    ["identity;q=0", null],
    ["gzip;q=0.5", "gzip"],
    ["gzip;q=0.5, identity;q=1", null],
    ["gzip;q=0.5, *;q=1", "br"],
    ["compress, lzma", null],
  ];
  for (const [header, chosen] of table) {
    assert.equal(chooseCoding(header, server), chosen, String(header));
  }
  assert.equal(chooseCoding("br, gzip", ["gzip", "br"]), "gzip", "server order breaks ties");
});

Deno.test("acceptsEncodings lists the client's codings or picks among the server's", () => {
  const request = (value?: string) =>
    new Request("http://x/", { headers: value === undefined ? {} : { "accept-encoding": value } });
  assert.deepEqual(acceptsEncodings(request("gzip;q=0.5, br, zstd;q=0")), ["br", "gzip"]);
  assert.deepEqual(acceptsEncodings(request()), []);
  assert.equal(acceptsEncodings(request("gzip, br"), "gzip", "br"), "gzip");
  assert.equal(acceptsEncodings(request("gzip"), "br"), undefined);
  assert.equal(acceptsEncodings(request(), "gzip", "identity"), "identity");
  assert.equal(acceptsEncodings(request("identity;q=0"), "identity"), undefined);
  assert.equal(acceptsEncodings(request("*;q=0"), "identity"), undefined);
  assert.equal(acceptsEncodings(request("GZIP"), "gzip"), "gzip");
});
