import { assert } from "../_assert.ts";
import { connect, ConnectError, listen } from "../../net/mod.ts";
import { writeAll } from "../../net/_write_all.ts";
import { generateTlsCert } from "../_tls.ts";
import { plainEcho, readAll, readExactly, within } from "./_helpers.ts";

const LOOPBACK = "127.0.0.1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("TLS round trip with a generated self-signed certificate and ALPN http/1.1", async () => {
  const { cert, key } = await generateTlsCert();
  const listener = listen({ hostname: LOOPBACK, port: 0, cert, key });
  const { port } = listener.addr as Deno.NetAddr;
  let serverAlpn: string | null = null;
  const served = listener.accept().then(async (conn) => {
    serverAlpn = (await (conn as Deno.TlsConn).handshake()).alpnProtocol;
    await plainEcho(conn!);
  });
  const conn = await connect({ port, caCerts: [cert], alpnProtocols: ["http/1.1"] });
  try {
    const info = await (conn as Deno.TlsConn).handshake();
    assert.equal(info.alpnProtocol, "http/1.1");
    await writeAll(conn, encoder.encode("secret"));
    assert.equal(decoder.decode(await readExactly(conn, 6)), "secret");
  } finally {
    conn.close();
  }
  await within(served, 5_000, "the TLS server side");
  assert.equal(serverAlpn, "http/1.1");
  listener.close();
});

Deno.test("TLS connect verifies serverName while dialling 127.0.0.1", async () => {
  const { cert, key } = await generateTlsCert();
  const listener = listen({ hostname: LOOPBACK, port: 0, cert, key });
  const { port } = listener.addr as Deno.NetAddr;
  const served = listener.accept().then((conn) => plainEcho(conn!));
  const conn = await connect({
    hostname: LOOPBACK,
    port,
    serverName: "localhost",
    caCerts: [cert],
  });
  try {
    await writeAll(conn, encoder.encode("sni"));
    assert.equal(decoder.decode(await readExactly(conn, 3)), "sni");
  } finally {
    conn.close();
  }
  await within(served, 5_000, "the TLS server side");
  listener.close();
});

Deno.test("TLS connect without the CA fails the handshake with ETLS naming the address", async () => {
  const { cert, key } = await generateTlsCert();
  const listener = listen({ hostname: LOOPBACK, port: 0, cert, key });
  const { port } = listener.addr as Deno.NetAddr;
  // The server side sees the client give up during the handshake.
  const served = listener.accept().then(async (conn) => {
    await (conn as Deno.TlsConn).handshake().catch(() => {});
    conn!.close();
  });
  const error = await connect({ port, tls: true }).catch((e) => e);
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.code, "ETLS");
  assert.equal(error.address, `127.0.0.1:${port}`);
  assert.ok(
    error.message.startsWith(`Cannot connect to 127.0.0.1:${port}: TLS handshake failed: `),
    error.message,
  );
  await within(served, 5_000, "the TLS server side");
  listener.close();
});

Deno.test("TLS connect to a name the certificate does not cover fails with ETLS", async () => {
  const { cert, key } = await generateTlsCert();
  const listener = listen({ hostname: LOOPBACK, port: 0, cert, key });
  const { port } = listener.addr as Deno.NetAddr;
  const served = listener.accept().then(async (conn) => {
    await (conn as Deno.TlsConn).handshake().catch(() => {});
    conn!.close();
  });
  const error = await connect({ port, serverName: "example.com", caCerts: [cert] }).catch((e) => e);
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.code, "ETLS");
  await within(served, 5_000, "the TLS server side");
  listener.close();
});

Deno.test("generateTlsCert caches one certificate per process", async () => {
  const [a, b] = await Promise.all([generateTlsCert(), generateTlsCert()]);
  assert.equal(a, b);
  assert.ok(a.cert.startsWith("-----BEGIN CERTIFICATE-----"));
  assert.ok(a.key.includes("PRIVATE KEY-----"));
});

/**
 * A plain TCP server that reads the ClientHello and never answers: the handshake hangs.
 * `hello` resolves with the server's end once the hello arrived.
 */
function silentServer() {
  const listener = listen({ hostname: LOOPBACK, port: 0 });
  const hello = listener.accept().then(async (conn) => {
    const n = await conn!.read(new Uint8Array(4096));
    assert.ok(n !== null && n > 0, "the client sent a ClientHello");
    return conn!;
  });
  return { listener, port: (listener.addr as Deno.NetAddr).port, hello };
}

// Deno (rustls-tokio-stream) keeps the socket of a TLS connection closed during its
// handshake open until the peer answers or closes. So, to see that connect() closed its
// TlsConn, the server half-closes after the rejection: a closed TlsConn then lets go of
// its socket (the server reads EOF), one left open would hold it.
async function expectClientGone(serverEnd: Deno.Conn): Promise<void> {
  await serverEnd.closeWrite();
  const rest = await within(readAll(serverEnd), 5_000, "the client's socket to close");
  assert.equal(rest.length, 0);
  serverEnd.close();
}

Deno.test("TLS connect times out in a handshake the server never answers", async () => {
  const { listener, port, hello } = silentServer();
  const error = await connect({ port, tls: true, timeout: 50 }).catch((e) => e);
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.code, "ETIMEDOUT");
  assert.equal(error.message, `Cannot connect to 127.0.0.1:${port}: timed out after 50 ms`);
  await expectClientGone(await within(hello, 5_000, "the ClientHello"));
  listener.close();
});

Deno.test("TLS connect aborted during the handshake rejects with the signal's reason", async () => {
  const { listener, port, hello } = silentServer();
  const controller = new AbortController();
  const pending = connect({ port, tls: true, signal: controller.signal });
  // The ClientHello reached the server: the client is waiting in the handshake now.
  const serverEnd = await within(hello, 5_000, "the ClientHello");
  const reason = new Error("user left");
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  await expectClientGone(serverEnd);
  listener.close();
});
