// Name resolution for the client: a stubbed resolver (loopback addresses only), happy
// eyeballs (RFC 8305) and the DNS cache.

import { assert } from "../../_assert.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import type { LookupAddress } from "../../../http/client_options.ts";
import { interleave, race } from "../../../http/_client/happy_eyeballs.ts";

/** Wire-free server on one loopback address; answers with the address it listens on. */
function serverOn(hostname: string) {
  const server = Deno.serve(
    { hostname, port: 0, onListen() {} },
    () => new Response(hostname),
  );
  return {
    port: server.addr.port,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A port with nothing listening on either loopback address (briefly held, then closed). */
function deadPort(): number {
  const v4 = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (v4.addr as Deno.NetAddr).port;
  v4.close();
  return port;
}

Deno.test("happy eyeballs: interleave puts families in turn, IPv6 first", () => {
  assert.deepEqual(
    interleave(["127.0.0.1", "127.0.0.2", "::1", "fe80::1", "::2"]),
    ["::1", "127.0.0.1", "fe80::1", "127.0.0.2", "::2"],
  );
  assert.deepEqual(interleave(["127.0.0.1"]), ["127.0.0.1"]);
});

Deno.test("happy eyeballs: a stalled attempt is overtaken after the delay, and loses cleanly", async () => {
  const started: string[] = [];
  const aborted: string[] = [];
  const late = Promise.withResolvers<string>();
  const discarded: string[] = [];
  const attempt = (address: string, signal: AbortSignal) => {
    started.push(address);
    signal.addEventListener("abort", () => aborted.push(address));
    if (address === "::1") return late.promise; // never answers in time
    return Promise.resolve(`conn ${address}`);
  };
  const winner = await race(
    ["::1", "127.0.0.1"],
    attempt,
    10,
    new AbortController().signal,
    (c) => discarded.push(c),
  );
  assert.equal(winner, "conn 127.0.0.1");
  assert.deepEqual(started, ["::1", "127.0.0.1"]);
  assert.deepEqual(aborted, ["::1"]);
  late.resolve("conn ::1"); // connects after losing: closed
  await late.promise;
  await Promise.resolve();
  assert.deepEqual(discarded, ["conn ::1"]);
});

Deno.test("happy eyeballs: a failed attempt starts the next at once; all failing gives the first error", async () => {
  const started: string[] = [];
  const fail = (address: string) => {
    started.push(address);
    return Promise.reject(new Error(`no ${address}`));
  };
  const signal = new AbortController().signal;
  // A one-minute delay would time the test out if the next attempt waited for it.
  const error = await race(["::1", "127.0.0.1", "::2"], fail, 60_000, signal, () => {})
    .then(() => null, (e) => e);
  assert.equal(error?.message, "no ::1");
  assert.deepEqual(started, ["::1", "127.0.0.1", "::2"]);
  const reason = new Error("stop");
  const pending = race(
    ["::1"],
    () => new Promise<never>(() => {}),
    10,
    AbortSignal.abort(reason),
    () => {},
  );
  assert.equal(await pending.then(() => null, (e) => e), reason);
});

Deno.test("happy eyeballs: a name with both families connects to the one that listens", async () => {
  for (const listening of ["127.0.0.1", "::1"]) {
    await using server = serverOn(listening);
    await using client = new Client({
      happyEyeballs: true,
      lookup: () => [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }],
    });
    const response = await client.fetch(`http://dual.test:${server.port}/`);
    assert.equal(await response.text(), listening);
  }
});

Deno.test("lookup replaces the system resolver; its failures are ENOTFOUND", async () => {
  await using server = serverOn("127.0.0.1");
  const asked: string[] = [];
  await using client = new Client({
    lookup: (hostname) => {
      asked.push(hostname);
      if (hostname === "missing.test") throw new Error("NXDOMAIN");
      if (hostname === "empty.test") return [];
      return ["127.0.0.1"];
    },
  });
  assert.equal(await (await client.fetch(`http://api.test:${server.port}/`)).text(), "127.0.0.1");
  for (const host of ["missing.test", "empty.test"]) {
    const error = await client.fetch(`http://${host}:${server.port}/`).then(() => null, (e) => e);
    assert.ok(error instanceof ClientError, String(error));
    assert.equal(error.code, "ENOTFOUND", host);
  }
  // Address literals are never looked up.
  await (await client.fetch(`http://127.0.0.1:${server.port}/`)).text();
  assert.deepEqual(asked, ["api.test", "missing.test", "empty.test"]);
});

Deno.test("DNS cache: answers are reused until their TTL, and forgotten when every address fails", async () => {
  await using server = serverOn("127.0.0.1");
  let lookups = 0;
  let answer: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];
  await using client = new Client({
    dnsCache: true,
    lookup: () => {
      lookups++;
      return answer;
    },
  });
  const get = (host: string, port = server.port) =>
    // Connection: close, so every request dials (and resolves) again.
    client.fetch(`http://${host}:${port}/`, { headers: { connection: "close" } }).then((r) =>
      r.text()
    );
  await get("cached.test");
  await get("cached.test");
  assert.equal(lookups, 1);
  // A record TTL of 0 is not kept.
  answer = [{ address: "127.0.0.1", family: 4, ttl: 0 }];
  await get("fresh.test");
  await get("fresh.test");
  assert.equal(lookups, 3);
  // Every address of a cached name failing: the name is looked up again next time.
  answer = [{ address: "127.0.0.1", family: 4 }];
  const dead = deadPort();
  await get("dead.test", dead).catch(() => {});
  await get("dead.test", dead).catch(() => {});
  assert.equal(lookups, 5);
});

Deno.test("happy eyeballs with the system resolver: localhost", async () => {
  await using server = serverOn("127.0.0.1");
  await using client = new Client({ happyEyeballs: true, dnsCache: true });
  assert.equal(await (await client.fetch(`http://localhost:${server.port}/`)).text(), "127.0.0.1");
});

Deno.test("dial options are checked", () => {
  assert.throws(() => new Client({ lookup: "dns" as unknown as () => string[] }), TypeError);
  assert.throws(() => new Client({ happyEyeballs: 1 as unknown as boolean }), TypeError);
  assert.throws(() => new Client({ happyEyeballsDelay: -1 }), RangeError);
  assert.throws(() => new Client({ dnsCacheTtl: -1 }), RangeError);
});
