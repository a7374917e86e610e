import { assert } from "../_assert.ts";
import { within } from "./_helpers.ts";

// A child process with a low descriptor limit runs out of descriptors (EMFILE) on a real
// accept: the loop must back off and accept the same connection once descriptors return.
const CHILD = `
import { listen } from ${JSON.stringify(new URL("../../net/mod.ts", import.meta.url).href)};
const files = [];
const errors = [];
const listener = listen({
  hostname: "127.0.0.1",
  port: 0,
  onAcceptError(error, retryIn) {
    errors.push(error.code + ":" + retryIn);
    // Descriptors come back, as they do when other connections close.
    if (errors.length === 2) files.pop().close();
  },
});
try {
  for (;;) files.push(Deno.openSync("/dev/null"));
} catch (error) {
  if (error.code !== "EMFILE") throw error;
}
files.pop().close(); // room for the client's socket, none for the accepted one
const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
const conn = await listener.accept();
console.log(JSON.stringify({ errors, accepted: conn !== null }));
conn?.close();
client.close();
listener.close();
for (const file of files) file.close();
`;

Deno.test({
  name: "Listener survives a real EMFILE on accept and accepts once descriptors return",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "wire-emfile-" });
    try {
      const script = `${dir}/child.js`;
      await Deno.writeTextFile(script, CHILD);
      const command = `ulimit -n 64 && exec "$0" run --no-config --allow-net --allow-read "$1"`;
      const output = await within(
        new Deno.Command("bash", {
          args: ["-c", command, Deno.execPath(), script],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output(),
        30_000,
        "the child process",
      );
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), {
        errors: ["EMFILE:5", "EMFILE:10"],
        accepted: true,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
