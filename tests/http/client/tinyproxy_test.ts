// The client through a real forward proxy: tinyproxy (from apt) on 127.0.0.1, with Basic
// auth, for http:// in absolute form and https:// through CONNECT. Skipped, with a note,
// where tinyproxy is not installed (.ci/run installs it).

import { assert } from "../../_assert.ts";
import { generateTlsCert } from "../../_tls.ts";
import { Client } from "../../../http/client.ts";
import { ClientError } from "../../../http/client_error.ts";
import { nodeServer } from "./_helpers.ts";

const BINARY = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy", "/usr/local/bin/tinyproxy"].find(
  (path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  },
);
if (BINARY === undefined) console.log("tinyproxy not installed: skipping the tinyproxy tests");

/** A free loopback port (tinyproxy cannot listen on port 0 and report it). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts tinyproxy with Basic auth; resolves once it accepts connections. */
async function tinyproxy() {
  const dir = await Deno.makeTempDir({ prefix: "wire-tinyproxy-" });
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/tinyproxy.conf`,
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 30",
      "MaxClients 20",
      "Allow 127.0.0.1",
      "LogLevel Info",
      "DisableViaHeader Yes",
      "BasicAuth wire s3cret",
    ].join("\n") + "\n",
  );
  const child = new Deno.Command(BINARY!, {
    args: ["-d", "-c", `${dir}/tinyproxy.conf`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  child.stderr.cancel();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const signal = AbortSignal.timeout(10_000);
  let log = "";
  try {
    while (!log.includes("Accepting connections")) {
      const { done, value } = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
      ]);
      if (done) throw new Error(`tinyproxy exited: ${log}`);
      log += value;
    }
  } catch (error) {
    child.kill();
    await child.status;
    throw error;
  }
  // Keep draining its log so it never blocks on a full pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* log lines */ }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "tinyproxy: http:// and https:// through a real proxy with Basic auth",
  ignore: BINARY === undefined,
  async fn() {
    await using proxy = await tinyproxy();
    await using origin = await nodeServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ url: req.url, auth: req.headers["proxy-authorization"] ?? null }));
    });
    const { cert, key } = await generateTlsCert();
    const secure = Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
      (request) => new Response(`secure ${new URL(request.url).pathname}`),
    );
    try {
      await using client = new Client({
        proxy: `http://wire:s3cret@127.0.0.1:${proxy.port}`,
        caCerts: [cert],
      });
      for (let i = 0; i < 3; i++) {
        const echo = await (await client.fetch(`${origin.url}/plain/${i}?x=1`)).json();
        assert.deepEqual(echo, { url: `/plain/${i}?x=1`, auth: null });
        const text = await (await client.fetch(`https://127.0.0.1:${secure.addr.port}/tls/${i}`))
          .text();
        assert.equal(text, `secure /tls/${i}`);
      }
      const big = new Uint8Array(4 << 20).fill(7);
      const upload = await client.fetch(`https://127.0.0.1:${secure.addr.port}/big`, {
        method: "POST",
        body: big,
      });
      assert.equal(await upload.text(), "secure /big");

      await using anonymous = new Client({ proxy: proxy.url, caCerts: [cert] });
      for (const url of [origin.url, `https://127.0.0.1:${secure.addr.port}/`]) {
        const error = await anonymous.fetch(url).then(() => null, (e) => e);
        assert.ok(error instanceof ClientError, String(error));
        assert.equal(error.code, "PROXY_AUTHENTICATION_REQUIRED", url);
      }
    } finally {
      await secure.shutdown();
    }
  },
});
