import { assert } from "../_assert.ts";
import { connect, ConnectError, listen } from "../../net/mod.ts";
import { writeAll } from "../../net/_write_all.ts";
import { plainEcho, readExactly, within } from "./_helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wire-unix-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("listen and connect round-trip bytes over a Unix socket", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/echo.sock`;
    const listener = listen({ path });
    assert.equal((listener.addr as Deno.UnixAddr).transport, "unix");
    assert.equal((listener.addr as Deno.UnixAddr).path, path);
    const served = listener.accept().then((conn) => plainEcho(conn!));
    const conn = await connect({ path });
    try {
      await writeAll(conn, encoder.encode("over unix"));
      assert.equal(decoder.decode(await readExactly(conn, 9)), "over unix");
    } finally {
      conn.close();
    }
    await within(served, 5_000, "the server side");
    listener.close();
    assert.throws(() => Deno.lstatSync(path), Deno.errors.NotFound, "close removes the path");
  });
});

Deno.test("listen replaces a socket file left by a process that died", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/stale.sock`;
    // A child that binds the path and exits without closing leaves the file behind.
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--no-config",
        `Deno.listen({ transport: "unix", path: ${JSON.stringify(path)} }); Deno.exit(0);`,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(child.code, 0, decoder.decode(child.stderr));
    assert.equal(Deno.lstatSync(path).isSocket, true, "the stale socket file exists");
    assert.throws(() => Deno.listen({ transport: "unix", path }), Deno.errors.AddrInUse);

    const listener = listen({ path });
    const accepted = listener.accept();
    const conn = await connect({ path });
    (await within(accepted, 5_000, "accept on the replaced socket"))!.close();
    conn.close();
    listener.close();
  });
});

Deno.test("listen leaves a file that is not a socket alone and says so", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/data.txt`;
    await Deno.writeTextFile(path, "keep me");
    assert.throws(
      () => listen({ path }),
      (error: unknown) =>
        error instanceof Deno.errors.AlreadyExists &&
        error.message === `Cannot listen on ${path}: a file that is not a socket is in the way`,
    );
    assert.equal(await Deno.readTextFile(path), "keep me");
  });
});

Deno.test("connect to a missing socket path rejects with ENOENT naming the path", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/missing.sock`;
    const error = await connect({ path }).catch((e) => e);
    assert.ok(error instanceof ConnectError, String(error));
    assert.equal(error.code, "ENOENT");
    assert.equal(error.address, path);
    assert.equal(error.message, `Cannot connect to ${path}: no such socket file`);
  });
});

Deno.test("connect to a socket path nobody listens on is refused", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/dead.sock`;
    await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--no-config",
        `Deno.listen({ transport: "unix", path: ${JSON.stringify(path)} }); Deno.exit(0);`,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    const error = await connect({ path }).catch((e) => e);
    assert.ok(error instanceof ConnectError, String(error));
    assert.equal(error.code, "ECONNREFUSED");
    assert.equal(error.message, `Cannot connect to ${path}: connection refused`);
  });
});
