import { assert } from "../_assert.ts";
import { connect, ConnectError, DEFAULT_CONNECT_TIMEOUT, listen } from "../../net/mod.ts";
import {
  connectWith,
  type Dial,
  type DialTarget,
  dialTransport,
  formatAddress,
} from "../../net/_connect.ts";
import { writeAll } from "../../net/_write_all.ts";
import { closedPort, plainEcho, readAll, readExactly, within } from "./_helpers.ts";

const LOOPBACK = "127.0.0.1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A dial that never answers until its signal aborts, then rejects with the reason. */
const hangingDial: Dial = (_target, signal) =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

Deno.test("connect reaches a TCP listener and round-trips bytes", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const served = listener.accept().then((conn) => plainEcho(conn!));
  const conn = await connect({ port });
  try {
    assert.equal((conn.remoteAddr as Deno.NetAddr).port, port);
    await writeAll(conn, encoder.encode("ping"));
    assert.equal(decoder.decode(await readExactly(conn, 4)), "ping");
  } finally {
    conn.close();
    await within(served, 5_000, "the server side to finish");
    listener.close();
  }
});

Deno.test("connect to a closed port rejects with ConnectError naming the address", async () => {
  const port = closedPort();
  const error = await connect({ hostname: LOOPBACK, port }).then(
    () => assert.fail("connected to a closed port"),
    (error) => error,
  );
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.message, `Cannot connect to 127.0.0.1:${port}: connection refused`);
  assert.equal(error.code, "ECONNREFUSED");
  assert.equal(error.address, `127.0.0.1:${port}`);
  assert.ok(error.cause instanceof Deno.errors.ConnectionRefused);
});

Deno.test("connect names an IPv6 address in brackets", async () => {
  const refusingDial: Dial = () =>
    Promise.reject(new Deno.errors.ConnectionRefused("Connection refused (os error 111)"));
  const error = await connectWith({ hostname: "::1", port: 8080 }, refusingDial).then(
    () => assert.fail("a refusing dial connected"),
    (error) => error,
  );
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.message, "Cannot connect to [::1]:8080: connection refused");
  assert.equal(error.address, "[::1]:8080");
  assert.equal(formatAddress("[::1]", 80), "[::1]:80");
  assert.equal(formatAddress("localhost", 80), "localhost:80");
});

Deno.test("connect maps other dial errors to ConnectError and lets permission errors through", async () => {
  const failWith = (error: unknown): Dial => () => Promise.reject(error);
  const unreachable = Object.assign(new Error("Network is unreachable (os error 101)"), {
    code: "ENETUNREACH",
  });
  const mapped = await connectWith({ port: 80 }, failWith(unreachable)).catch((e) => e);
  assert.ok(mapped instanceof ConnectError);
  assert.equal(mapped.code, "ENETUNREACH");
  assert.equal(
    mapped.message,
    "Cannot connect to 127.0.0.1:80: network is unreachable (os error 101)",
  );
  assert.equal(mapped.cause, unreachable);

  const dns = new Error("failed to lookup address information: Name or service not known");
  const notFound = await connectWith({ hostname: "nowhere.invalid", port: 80 }, failWith(dns))
    .catch((e) => e);
  assert.equal(notFound.code, "ENOTFOUND");
  assert.equal(
    notFound.message,
    "Cannot connect to nowhere.invalid:80: cannot resolve the host name",
  );

  const denied = new Deno.errors.NotCapable("Requires net access");
  await assert.rejects(connectWith({ port: 80 }, failWith(denied)), (e) => e === denied);
});

Deno.test("connect times out with ETIMEDOUT and the address", async () => {
  const error = await connectWith({ port: 9, timeout: 20 }, hangingDial).then(
    () => assert.fail("a hanging dial connected"),
    (error) => error,
  );
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.code, "ETIMEDOUT");
  assert.equal(error.address, "127.0.0.1:9");
  assert.equal(error.message, "Cannot connect to 127.0.0.1:9: timed out after 20 ms");
});

Deno.test("connect's default timeout is 30 s", () => {
  assert.equal(DEFAULT_CONNECT_TIMEOUT, 30_000);
});

Deno.test("a connection that completes after the timeout is closed, not leaked", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  // The real connection is made, but handed over only after connect gave up.
  let lateConn: Promise<Deno.Conn> | undefined;
  const lateDial: Dial = (target, signal) =>
    new Promise((resolve) => {
      signal.addEventListener("abort", () => {
        lateConn = dialTransport(target, new AbortController().signal);
        lateConn.then(resolve);
      });
    });
  await assert.rejects(
    connectWith({ port, timeout: 10 }, lateDial),
    (error) => error instanceof ConnectError && error.code === "ETIMEDOUT",
  );
  const serverSide = (await within(listener.accept(), 5_000, "the late connection"))!;
  await within(lateConn!, 5_000, "the late dial");
  // connect() closed its end: the server reads EOF.
  assert.equal((await within(readAll(serverSide), 5_000, "EOF from the late conn")).length, 0);
  serverSide.close();
  listener.close();
});

Deno.test("connect rejects with the signal's reason when aborted while dialling", async () => {
  const controller = new AbortController();
  const pending = connectWith({ port: 9, signal: controller.signal }, hangingDial);
  const reason = new Error("user gave up");
  controller.abort(reason);
  await assert.rejects(pending, (error) => error === reason);
});

Deno.test("connect with an already aborted signal rejects with its reason before dialling", async () => {
  let dialled = false;
  const dial: Dial = (target, signal) => {
    dialled = true;
    return dialTransport(target, signal);
  };
  const signal = AbortSignal.abort();
  await assert.rejects(
    connectWith({ port: 9, signal }, dial),
    (error) => error instanceof DOMException && error.name === "AbortError",
  );
  assert.equal(dialled, false);
});

Deno.test("connect aborts a real loopback dial with the signal's reason", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const controller = new AbortController();
  const reason = new Error("stop");
  const pending = connect({ port, signal: controller.signal });
  controller.abort(reason);
  // The abort runs synchronously, before the connect op can complete on the event loop.
  await assert.rejects(pending, (error) => error === reason);
  listener.close();
});

Deno.test("connect turns noDelay on by default and off when asked", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const calls: unknown[] = [];
  const spyDial: Dial = async (target, signal) => {
    const conn = await dialTransport(target, signal) as Deno.TcpConn;
    const setNoDelay = conn.setNoDelay.bind(conn);
    conn.setNoDelay = (value?: boolean) => {
      calls.push(value);
      setNoDelay(value);
    };
    return conn;
  };
  (await connectWith({ port }, spyDial)).close();
  (await connectWith({ port, noDelay: false }, spyDial)).close();
  assert.deepEqual(calls, [true, false]);
  (await listener.accept())?.close();
  (await listener.accept())?.close();
  listener.close();
});

Deno.test("connect passes hostname and port to the dial, at the top of the port range", async () => {
  const seen: DialTarget[] = [];
  const dial: Dial = (target, signal) => {
    seen.push(target);
    return hangingDial(target, signal);
  };
  await assert.rejects(connectWith({ hostname: "localhost", port: 65535, timeout: 1 }, dial));
  await assert.rejects(connectWith({ port: 1, timeout: 1 }, dial));
  assert.deepEqual(seen, [{ hostname: "localhost", port: 65535 }, { hostname: LOOPBACK, port: 1 }]);
});

Deno.test("connect rejects bad options with TypeError or RangeError", async () => {
  await assert.rejects(connect({}), TypeError);
  await assert.rejects(connect(null as unknown as { port: number }), TypeError);
  await assert.rejects(connect({ port: 0 }), RangeError);
  await assert.rejects(connect({ port: 65536 }), RangeError);
  await assert.rejects(connect({ port: 1.5 }), RangeError);
  await assert.rejects(connect({ port: "80" as unknown as number }), TypeError);
  await assert.rejects(connect({ port: 80, hostname: "" }), TypeError);
  await assert.rejects(connect({ port: 80, timeout: -1 }), RangeError);
  await assert.rejects(connect({ port: 80, timeout: NaN }), RangeError);
  await assert.rejects(connect({ port: 80, path: "/tmp/x.sock" }), TypeError);
  await assert.rejects(connect({ path: "" }), TypeError);
  await assert.rejects(connect({ path: "/tmp/x.sock", tls: true }), TypeError);
  await assert.rejects(connect({ port: 80, tls: false, caCerts: ["x"] }), TypeError);
  await assert.rejects(connect({ port: 80, caCerts: "x" as unknown as string[] }), TypeError);
  await assert.rejects(connect({ port: 80, tls: "yes" as unknown as boolean }), TypeError);
});

Deno.test("connect with timeout 0 waits without a timer and connects", async () => {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const conn = await connect({ port, timeout: 0 });
  conn.close();
  (await listener.accept())?.close();
  listener.close();
});
