import { assert } from "../_assert.ts";
import {
  ACCEPT_BACKOFF_MAX,
  ACCEPT_BACKOFF_MIN,
  AcceptBackoff,
  isTransientAcceptError,
} from "../../net/_accept_backoff.ts";

function osError(code: string, message = `${code} (os error)`): Error {
  return Object.assign(new Error(message), { code });
}

Deno.test("AcceptBackoff waits 5 ms first, doubles, caps at 1 s", () => {
  const backoff = new AcceptBackoff();
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) delays.push(backoff.next());
  assert.equal(ACCEPT_BACKOFF_MIN, 5);
  assert.equal(ACCEPT_BACKOFF_MAX, 1000);
  assert.deepEqual(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
});

Deno.test("AcceptBackoff starts over at 5 ms after a success", () => {
  const backoff = new AcceptBackoff();
  backoff.next();
  backoff.next();
  backoff.next();
  assert.equal(backoff.delay, 20);
  backoff.reset();
  assert.equal(backoff.delay, 0);
  assert.equal(backoff.next(), 5);
});

Deno.test("isTransientAcceptError accepts descriptor exhaustion and aborted connections", () => {
  for (const code of ["EMFILE", "ENFILE", "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EINTR"]) {
    assert.equal(isTransientAcceptError(osError(code)), true, code);
  }
  assert.equal(isTransientAcceptError(new Deno.errors.ConnectionAborted("aborted")), true);
  assert.equal(isTransientAcceptError(new Deno.errors.ConnectionReset("reset")), true);
  assert.equal(isTransientAcceptError(new Deno.errors.Interrupted("interrupted")), true);
});

Deno.test("isTransientAcceptError rejects listener-level and unknown errors", () => {
  assert.equal(isTransientAcceptError(new Deno.errors.BadResource("closed")), false);
  assert.equal(isTransientAcceptError(osError("EBADF")), false);
  assert.equal(isTransientAcceptError(osError("EINVAL")), false);
  assert.equal(isTransientAcceptError(new TypeError("bug")), false);
  assert.equal(isTransientAcceptError("EMFILE"), false);
  assert.equal(isTransientAcceptError(null), false);
  assert.equal(isTransientAcceptError({ code: 24 }), false);
});
