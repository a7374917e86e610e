/**
 * A self-signed certificate for `localhost` and 127.0.0.1, made with openssl for the
 * tests that speak TLS on loopback. Generated once per test process and cached; the
 * temporary directory is removed straight away.
 *
 * @module
 */

/** A PEM certificate and its private key. */
export interface TlsCert {
  cert: string;
  key: string;
}

let cached: Promise<TlsCert> | undefined;

/**
 * Returns a self-signed certificate valid for `localhost` and `127.0.0.1` for two days
 * (RSA 2048), generating it on the first call. Pass `cert` as `caCerts: [cert]` to
 * trust it from a client.
 */
export function generateTlsCert(): Promise<TlsCert> {
  cached ??= generate();
  // A failed generation is not cached, so a later test can say what went wrong too.
  cached.catch(() => cached = undefined);
  return cached;
}

async function generate(): Promise<TlsCert> {
  const dir = await Deno.makeTempDir({ prefix: "wire-tls-" });
  try {
    const certPath = `${dir}/cert.pem`;
    const keyPath = `${dir}/key.pem`;
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command("openssl", {
        args: [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-subj",
          "/CN=localhost",
          "-addext",
          "subjectAltName=DNS:localhost,IP:127.0.0.1",
          // openssl marks a self-signed certificate CA:TRUE by default, and rustls (Deno's
          // TLS) refuses a CA certificate as the server's own (CaUsedAsEndEntity).
          "-addext",
          "basicConstraints=critical,CA:FALSE",
          "-days",
          "2",
          "-keyout",
          keyPath,
          "-out",
          certPath,
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (error) {
      throw new Error("Cannot generate a TLS certificate: openssl could not be run", {
        cause: error,
      });
    }
    if (!output.success) {
      const stderr = new TextDecoder().decode(output.stderr).trim();
      throw new Error(
        `Cannot generate a TLS certificate: openssl exited ${output.code}: ${stderr}`,
      );
    }
    const [cert, key] = await Promise.all([
      Deno.readTextFile(certPath),
      Deno.readTextFile(keyPath),
    ]);
    return { cert, key };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
