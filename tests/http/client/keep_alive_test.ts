// The server's Keep-Alive hint and the idle time it leaves a pooled connection
// (http/_client/keep_alive.ts).

import { assert } from "../../_assert.ts";
import { resolveClientConfig } from "../../../http/_client/config.ts";
import { idleTime, keepAliveHint } from "../../../http/_client/keep_alive.ts";

Deno.test("keepAliveHint reads timeout=N in any case and among other parameters", () => {
  assert.equal(keepAliveHint("timeout=5"), 5);
  assert.equal(keepAliveHint("timeout=5, max=100"), 5);
  assert.equal(keepAliveHint("max=100, Timeout=30"), 30);
  assert.equal(keepAliveHint("timeout=0"), 0);
});

Deno.test("keepAliveHint gives -1 without a timeout value", () => {
  assert.equal(keepAliveHint(""), -1);
  assert.equal(keepAliveHint("max=5"), -1);
  assert.equal(keepAliveHint("timeout="), -1);
  assert.equal(keepAliveHint("timeout=x"), -1);
});

Deno.test("keepAliveHint reads at most nine digits", () => {
  assert.equal(keepAliveHint("timeout=123456789"), 123456789);
  assert.equal(keepAliveHint("timeout=1234567890"), 123456789);
});

Deno.test("idleTime takes the hint less the threshold when it is shorter, capped", () => {
  const { settings } = resolveClientConfig({
    keepAliveTimeout: 4_000,
    keepAliveTimeoutThreshold: 1_000,
    keepAliveMaxTimeout: 10_000,
  });
  assert.equal(idleTime(settings, -1), 4_000);
  assert.equal(idleTime(settings, 2), 1_000);
  assert.equal(idleTime(settings, 1), 0);
  assert.equal(idleTime(settings, 60), 4_000);
  const { settings: long } = resolveClientConfig({
    keepAliveTimeout: 60_000,
    keepAliveTimeoutThreshold: 1_000,
    keepAliveMaxTimeout: 10_000,
  });
  assert.equal(idleTime(long, 30), 10_000);
});
