// Sec-WebSocket-Extensions (RFC 6455 §9.1) and permessage-deflate negotiation (RFC 7692
// §7.1): parsing, the server's choice from the client's offers, the client's checks of
// the server's answer.

import { assert } from "../../_assert.ts";
import {
  acceptDeflateAnswer,
  deflateOffer,
  type DeflateWishes,
  negotiateDeflate,
  parseExtensions,
} from "../../../http/_websocket/extensions.ts";

const NONE: DeflateWishes = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 0,
  clientMaxWindowBits: 0,
};

Deno.test("extensions: the header grammar (tokens, params, quoted values, whitespace, empty elements)", () => {
  const cases: [string, unknown][] = [
    ["permessage-deflate", [{ name: "permessage-deflate", params: [] }]],
    [
      "permessage-deflate ; client_max_window_bits ; server_max_window_bits = 10",
      [{
        name: "permessage-deflate",
        params: [["client_max_window_bits", true], ["server_max_window_bits", "10"]],
      }],
    ],
    ['foo; a="b", Bar', [{ name: "foo", params: [["a", "b"]] }, { name: "bar", params: [] }]],
    [", , x ,", [{ name: "x", params: [] }]],
    ["", []],
    ['x; a="b c"', null], // unquoted value not a token
    ["x; a=", null],
    ["x;", null],
    ["x y", null],
    ['x; a="unterminated', null],
    ["x; =1", null],
    ["x, ;a", null],
  ];
  for (const [header, expected] of cases) {
    assert.deepEqual(parseExtensions(header), expected, header);
  }
});

/** Server negotiation: the offer, the server's wishes, the answer header (or null). */
const SERVER_CASES: [string, string | null, Partial<DeflateWishes>, string | null][] = [
  ["no header: no compression", null, {}, null],
  ["a plain offer is accepted as is", "permessage-deflate", {}, "permessage-deflate"],
  [
    "client_max_window_bits without a value is not echoed",
    "permessage-deflate; client_max_window_bits",
    {},
    "permessage-deflate",
  ],
  [
    "client_max_window_bits with a value is echoed",
    "permessage-deflate; client_max_window_bits=10",
    {},
    "permessage-deflate; client_max_window_bits=10",
  ],
  [
    "server_no_context_takeover offered must be answered",
    "permessage-deflate; server_no_context_takeover",
    {},
    "permessage-deflate; server_no_context_takeover",
  ],
  [
    "the server may require no context takeover of itself and the client",
    "permessage-deflate",
    { serverNoContextTakeover: true, clientNoContextTakeover: true },
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  ],
  [
    "server_max_window_bits: the smaller of the offer and the server's wish",
    "permessage-deflate; server_max_window_bits=12",
    { serverMaxWindowBits: 10 },
    "permessage-deflate; server_max_window_bits=10",
  ],
  [
    "server_max_window_bits: the offer's value when the server has none",
    "permessage-deflate; server_max_window_bits=9",
    {},
    "permessage-deflate; server_max_window_bits=9",
  ],
  [
    "the server's own window limit goes in the answer",
    "permessage-deflate",
    { serverMaxWindowBits: 11 },
    "permessage-deflate; server_max_window_bits=11",
  ],
  [
    "client_max_window_bits wish needs the client's support: the offer is declined",
    "permessage-deflate",
    { clientMaxWindowBits: 10 },
    null,
  ],
  [
    "client_max_window_bits wish with the client's support",
    "permessage-deflate; client_max_window_bits",
    { clientMaxWindowBits: 10 },
    "permessage-deflate; client_max_window_bits=10",
  ],
  [
    "an offer with an unknown parameter is declined; the next is taken",
    "permessage-deflate; foo, permessage-deflate; client_max_window_bits",
    {},
    "permessage-deflate",
  ],
  [
    "a repeated parameter declines the offer",
    "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    {},
    null,
  ],
  [
    "server_max_window_bits without a value declines",
    "permessage-deflate; server_max_window_bits",
    {},
    null,
  ],
  ["window bits out of range decline", "permessage-deflate; server_max_window_bits=16", {}, null],
  ["window bits below 8 decline", "permessage-deflate; client_max_window_bits=7", {}, null],
  [
    "window bits with a leading zero decline",
    "permessage-deflate; server_max_window_bits=09",
    {},
    null,
  ],
  [
    "a no_context_takeover with a value declines",
    "permessage-deflate; client_no_context_takeover=1",
    {},
    null,
  ],
  [
    "a quoted window value is allowed",
    'permessage-deflate; server_max_window_bits="10"',
    {},
    "permessage-deflate; server_max_window_bits=10",
  ],
  ["other extensions are ignored", "x-webkit-deflate-frame", {}, null],
];

for (const [rule, offer, wishes, answer] of SERVER_CASES) {
  Deno.test(`extensions: server: ${rule}`, () => {
    const agreement = negotiateDeflate(offer, { ...NONE, ...wishes });
    assert.notEqual(agreement, "malformed");
    assert.equal(agreement === null ? null : (agreement as { header: string }).header, answer);
  });
}

Deno.test("extensions: server: a header that does not parse is malformed (400)", () => {
  assert.equal(negotiateDeflate("permessage-deflate; a=", NONE), "malformed");
});

Deno.test("extensions: server: the parameters in force follow the answer", () => {
  const agreement = negotiateDeflate(
    "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9",
    NONE,
  );
  assert.ok(agreement !== null && agreement !== "malformed");
  assert.deepEqual(agreement.params, {
    serverNoContextTakeover: false,
    clientNoContextTakeover: true,
    serverMaxWindowBits: 10,
    clientMaxWindowBits: 9,
  });
});

Deno.test("extensions: client: the offer names what the client wants", () => {
  assert.equal(deflateOffer(NONE), "permessage-deflate; client_max_window_bits");
  assert.equal(
    deflateOffer({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 11,
    }),
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11",
  );
});

/** Client checks: what was offered, the answer, the parameters in force or an error. */
const CLIENT_CASES: [
  string,
  Partial<DeflateWishes> | null,
  string | null,
  "error" | object | null,
][] = [
  ["no answer: no compression", {}, null, null],
  ["an empty answer: no compression", {}, "", null],
  ["a plain answer", {}, "permessage-deflate", {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  }],
  [
    "the server limits the client's window",
    {},
    "permessage-deflate; client_max_window_bits=10; server_no_context_takeover",
    {
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 10,
    },
  ],
  ["an extension nobody offered", null, "permessage-deflate", "error"],
  ["an unknown extension", {}, "x-foo", "error"],
  ["two extensions", {}, "permessage-deflate, permessage-deflate", "error"],
  ["an unknown parameter", {}, "permessage-deflate; foo", "error"],
  [
    "a repeated parameter",
    {},
    "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    "error",
  ],
  [
    "client_max_window_bits without a value in an answer",
    {},
    "permessage-deflate; client_max_window_bits",
    "error",
  ],
  [
    "server_no_context_takeover asked for but not granted",
    { serverNoContextTakeover: true },
    "permessage-deflate",
    "error",
  ],
  [
    "server_max_window_bits above the offer",
    { serverMaxWindowBits: 10 },
    "permessage-deflate; server_max_window_bits=12",
    "error",
  ],
  [
    "server_max_window_bits asked for but missing",
    { serverMaxWindowBits: 10 },
    "permessage-deflate",
    "error",
  ],
  [
    "client_max_window_bits above the offer",
    { clientMaxWindowBits: 10 },
    "permessage-deflate; client_max_window_bits=11",
    "error",
  ],
  ["a malformed answer", {}, "permessage-deflate;", "error"],
];

for (const [rule, offered, answer, expected] of CLIENT_CASES) {
  Deno.test(`extensions: client: ${rule}`, () => {
    const result = acceptDeflateAnswer(answer, offered === null ? null : { ...NONE, ...offered });
    if (expected === "error") {
      assert.equal(typeof result, "string", `${rule}: ${JSON.stringify(result)}`);
    } else assert.deepEqual(result, expected);
  });
}
