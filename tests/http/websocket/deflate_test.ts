// permessage-deflate (RFC 7692 §7.2): round trips, the stripped 00 00 ff ff tail, context
// takeover on and off, window bits, the threshold, the inflate limit (no bombs) and
// corrupt data.

import zlib from "node:zlib";
import { assert } from "../../_assert.ts";
import {
  type DeflateParams,
  InflateError,
  PerMessageDeflate,
} from "../../../http/_websocket/deflate.ts";

const TUNING = { threshold: 0, level: 6, memLevel: 8 };
const FULL: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const enc = new TextEncoder();

/** A server and a client endpoint that talk to each other. */
function pair(params: DeflateParams, maxPayload = 1 << 20) {
  return {
    server: new PerMessageDeflate(params, true, TUNING, maxPayload),
    client: new PerMessageDeflate(params, false, TUNING, maxPayload),
  };
}

Deno.test("deflate: messages round-trip, and the sync-flush tail is not sent", async () => {
  const { server, client } = pair(FULL);
  try {
    for (const text of ["hello", "", "x".repeat(100_000), "héllo wörld €😀"]) {
      const compressed = await server.compress(enc.encode(text));
      const n = compressed.length;
      assert.ok(
        n < 4 ||
          !(compressed[n - 4] === 0 && compressed[n - 3] === 0 && compressed[n - 2] === 0xff &&
            compressed[n - 1] === 0xff),
        "tail stripped",
      );
      const back = await client.decompress([compressed]);
      assert.equal(new TextDecoder().decode(back), text);
      assert.equal(back.byteOffset, 0);
      assert.equal(back.buffer.byteLength, back.length, "an exact-length array");
    }
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("deflate: with context takeover a repeated message shrinks; without it, it does not", async () => {
  const message = enc.encode("the quick brown fox jumps over the lazy dog ".repeat(20));
  for (const noContext of [false, true]) {
    const endpoints = pair({ ...FULL, serverNoContextTakeover: noContext });
    try {
      const first = await endpoints.server.compress(message);
      const second = await endpoints.server.compress(message);
      if (noContext) assert.equal(second.length, first.length, "each message stands alone");
      else assert.ok(second.length < first.length / 2, `${second.length} vs ${first.length}`);
      // The peer inflates both, in order, either way.
      assert.deepEqual(await endpoints.client.decompress([first]), message);
      assert.deepEqual(await endpoints.client.decompress([second]), message);
    } finally {
      endpoints.server.close();
      endpoints.client.close();
    }
  }
});

Deno.test("deflate: a message split across frames inflates as one", async () => {
  const { server, client } = pair(FULL);
  try {
    const compressed = await server.compress(enc.encode("fragmented ".repeat(100)));
    const parts = [compressed.slice(0, 3), compressed.slice(3, 10), compressed.slice(10)];
    assert.equal(
      new TextDecoder().decode(await client.decompress(parts)),
      "fragmented ".repeat(100),
    );
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("deflate: window bits are honoured; an 8-bit window means sending uncompressed", async () => {
  for (const bits of [9, 10, 12, 15]) {
    const params = { ...FULL, serverMaxWindowBits: bits, clientMaxWindowBits: bits };
    const { server, client } = pair(params);
    try {
      const data = enc.encode("abc".repeat(5000));
      assert.equal(server.shouldCompress(data.length), true);
      assert.deepEqual(await client.decompress([await server.compress(data)]), data);
    } finally {
      server.close();
      client.close();
    }
  }
  const eight = new PerMessageDeflate({ ...FULL, serverMaxWindowBits: 8 }, true, TUNING, 1024);
  assert.equal(eight.shouldCompress(5000), false);
  eight.close();
  // A peer with an 8-bit window (zlib writes 9): inflated with a 9-bit window.
  const reader = new PerMessageDeflate({ ...FULL, clientMaxWindowBits: 8 }, true, TUNING, 1 << 20);
  const data = enc.encode("window ".repeat(1000));
  const raw = zlib.deflateRawSync(data, {
    windowBits: 9,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  assert.deepEqual(await reader.decompress([raw.subarray(0, raw.length - 4)]), data);
  reader.close();
});

Deno.test("deflate: messages under the threshold are not compressed", () => {
  const deflate = new PerMessageDeflate(FULL, true, { ...TUNING, threshold: 1024 }, 1 << 20);
  assert.equal(deflate.shouldCompress(1023), false);
  assert.equal(deflate.shouldCompress(1024), true);
  deflate.close();
});

Deno.test("deflate: inflating stops past maxPayload with 1009 (an inflate bomb stays small)", async () => {
  const limit = 64 * 1024;
  const bomb = zlib.deflateRawSync(new Uint8Array(50 * 1024 * 1024), {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  const reader = new PerMessageDeflate(FULL, true, TUNING, limit);
  try {
    await reader.decompress([bomb.subarray(0, bomb.length - 4)]);
    assert.fail("expected a rejection");
  } catch (error) {
    assert.ok(error instanceof InflateError);
    assert.equal(error.code, 1009);
  } finally {
    reader.close();
  }
  // At the limit exactly: fine.
  const exact = zlib.deflateRawSync(new Uint8Array(limit), {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  const ok = new PerMessageDeflate(FULL, true, TUNING, limit);
  assert.equal((await ok.decompress([exact.subarray(0, exact.length - 4)])).length, limit);
  const over = zlib.deflateRawSync(new Uint8Array(limit + 1), {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  await ok.decompress([over.subarray(0, over.length - 4)]).then(
    () => assert.fail("one byte past the limit"),
    (error) => assert.equal(error.code, 1009),
  );
  ok.close();
});

Deno.test("deflate: corrupt data fails with 1007", async () => {
  const reader = new PerMessageDeflate(FULL, true, TUNING, 1 << 20);
  try {
    await reader.decompress([new Uint8Array([0xff, 0xff, 0xff, 0x01])]);
    assert.fail("expected a rejection");
  } catch (error) {
    assert.ok(error instanceof InflateError);
    assert.equal(error.code, 1007);
  } finally {
    reader.close();
  }
});
