import { assert } from "../_assert.ts";
import { Listener } from "../../net/mod.ts";
import { within } from "./_helpers.ts";

/** One scripted accept() outcome: a connection, or an error to throw. */
type Step = { conn: Deno.Conn } | { error: unknown };

/**
 * A stand-in for Deno.Listener whose accept() follows a script, then waits until
 * closed (rejecting with BadResource, as Deno does).
 */
class ScriptedListener {
  accepts = 0;
  closed = false;
  #steps: Step[];
  #pending: ((error: unknown) => void) | undefined;
  readonly addr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };

  constructor(steps: Step[]) {
    this.#steps = steps;
  }

  accept(): Promise<Deno.Conn> {
    this.accepts++;
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("Listener has been closed"));
    const step = this.#steps.shift();
    if (step === undefined) {
      return new Promise((_, reject) => this.#pending = reject);
    }
    return "conn" in step ? Promise.resolve(step.conn) : Promise.reject(step.error);
  }

  close(): void {
    if (this.closed) throw new Deno.errors.BadResource("Bad resource ID");
    this.closed = true;
    this.#pending?.(new Deno.errors.BadResource("Listener has been closed"));
  }

  ref(): void {}
  unref(): void {}
}

function wrap(mock: ScriptedListener, onAcceptError?: (error: unknown, retryIn: number) => void) {
  return new Listener(mock as unknown as Deno.Listener, { onAcceptError });
}

class FakeConn {
  closes = 0;
  close(): void {
    this.closes++;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

function fakeConn(): Deno.Conn {
  return new FakeConn() as unknown as Deno.Conn;
}

function emfile(): Error {
  return Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
}

Deno.test("transient accept errors back off 5, 10, 20 ms and the loop goes on", async () => {
  const first = fakeConn();
  const second = fakeConn();
  const mock = new ScriptedListener([
    { error: emfile() },
    { error: new Deno.errors.ConnectionAborted("Software caused connection abort") },
    { error: Object.assign(new Error("ENFILE"), { code: "ENFILE" }) },
    { conn: first },
    { error: emfile() }, // after a success the wait starts over at 5 ms
    { conn: second },
  ]);
  const waits: number[] = [];
  const errors: unknown[] = [];
  const listener = wrap(mock, (error, retryIn) => {
    errors.push(error);
    waits.push(retryIn);
  });
  const got: Deno.Conn[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      got.push(conn);
      if (got.length === 2) listener.close();
    }
  })();
  await within(loop, 5_000, "the scripted loop to end");
  assert.deepEqual(waits, [5, 10, 20, 5]);
  assert.equal(errors.length, 4);
  assert.equal(got[0], first);
  assert.equal(got[1], second);
  assert.equal(listener.connections.size, 2);
  listener.closeConnections();
  assert.equal((first as unknown as FakeConn).closes, 1);
  assert.equal((second as unknown as FakeConn).closes, 1);
  assert.equal(listener.connections.size, 0);
});

Deno.test("a non-transient accept error closes the listener and is thrown from the loop", async () => {
  const fatal = Object.assign(new Error("Invalid argument (os error 22)"), { code: "EINVAL" });
  const mock = new ScriptedListener([{ error: emfile() }, { error: fatal }]);
  const listener = wrap(mock);
  const loop = (async () => {
    for await (const _ of listener) { /* none arrive */ }
  })();
  await assert.rejects(within(loop, 5_000, "the loop to fail"), (error) => error === fatal);
  assert.equal(listener.isClosed, true);
  assert.equal(mock.closed, true);
  await within(listener.closed, 1_000, "closed to resolve");
});

Deno.test("close() during a backoff wait ends the loop without another accept", async () => {
  const mock = new ScriptedListener([{ error: emfile() }, { error: emfile() }]);
  let listener: Listener | undefined = undefined;
  listener = wrap(mock, (_error, retryIn) => {
    // Close while the loop is about to sleep: it must wake and stop, not accept again.
    if (retryIn === 10) listener!.close();
  });
  const loop = (async () => {
    for await (const _ of listener) { /* none arrive */ }
  })();
  await within(loop, 5_000, "the loop to end during backoff");
  assert.equal(mock.accepts, 2);
});

Deno.test("a Deno listener closed underneath ends the loop cleanly", async () => {
  const mock = new ScriptedListener([]);
  const listener = wrap(mock);
  const loop = (async () => {
    for await (const _ of listener) { /* none arrive */ }
  })();
  mock.close(); // someone closed the Deno listener directly
  await within(loop, 5_000, "the loop to end");
  assert.equal(listener.isClosed, true);
});

Deno.test("a connection accepted while closing is closed, not handed out", async () => {
  const conn = fakeConn();
  let release!: (conn: Deno.Conn) => void;
  const mock = {
    addr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    accept: () => new Promise<Deno.Conn>((resolve) => release = resolve),
    close() {},
    ref() {},
    unref() {},
  };
  const listener = new Listener(mock as unknown as Deno.Listener);
  const accepted = listener.accept();
  listener.close();
  release(conn);
  assert.equal(await within(accepted, 1_000, "accept to settle"), null);
  assert.equal((conn as unknown as FakeConn).closes, 1);
  assert.equal(listener.connections.size, 0);
});

Deno.test("an onAcceptError hook that throws closes the listener and ends the loop with it", async () => {
  const mock = new ScriptedListener([{ error: emfile() }]);
  const hookError = new Error("logger broke");
  const listener = wrap(mock, () => {
    throw hookError;
  });
  const loop = (async () => {
    for await (const _ of listener) { /* none arrive */ }
  })();
  await assert.rejects(within(loop, 5_000, "the loop to fail"), (e) => e === hookError);
  assert.equal(listener.isClosed, true);
  assert.equal(mock.closed, true);
});
