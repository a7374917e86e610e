// Path traversal over TCP, with raw request lines (no client normalizes them): every
// encoding of "..", "/", "\" and NUL, links out of the root, dotfiles and absolute-form
// targets get 404 (or 400 for what does not decode), no body ever holds the secret, and
// the secret file beside the root is never read (its access time does not move).

import { assert } from "../../_assert.ts";
import { parseResponses, rawExchange, withServer } from "../../_server.ts";
import { serveDir } from "../../../http/serve_dir.ts";
import type { ServeDirOptions } from "../../../http/static_options.ts";
import { makeSite } from "./_fixtures.ts";

/** Request targets that try to leave the root (served at "/" or at "/static"). */
const ATTEMPTS = [
  "/../secret.txt",
  "/..%2fsecret.txt",
  "/..%2Fsecret.txt",
  "/%2e%2e/secret.txt",
  "/%2E%2E/secret.txt",
  "/.%2e/secret.txt",
  "/%2e./secret.txt",
  "/%2e%2e%2fsecret.txt",
  "/docs/..%2f..%2fsecret.txt",
  "/docs/%2e%2e/%2e%2e/secret.txt",
  "/docs/../../secret.txt",
  "/..%5csecret.txt",
  "/..%5c..%5csecret.txt",
  "/docs%5c..%5c..%5csecret.txt",
  "/hello.txt%00.png",
  "/%00/../secret.txt",
  "/..%00/secret.txt",
  "/%252e%252e/secret.txt",
  "/%c0%ae%c0%ae/secret.txt",
  "/%c0%af../secret.txt",
  "//../secret.txt",
  "/./../secret.txt",
  "/outside-link.txt",
  "/relative-out.txt",
  "/outside-dir/also-secret.txt",
  "/outside-dir/",
  "/.env",
  "/%2eenv",
  "/.git/config",
  "/docs/../.env",
];

function targets(prefix: string): string[] {
  return ATTEMPTS.map((path) => prefix + path);
}

/** Whether reading a file moves its access time on this filesystem (not noatime). */
async function atimeTracked(path: string): Promise<boolean> {
  const before = (await Deno.stat(path)).atime?.getTime();
  await Deno.readFile(path);
  const after = (await Deno.stat(path)).atime?.getTime();
  return before !== undefined && after !== undefined && after !== before;
}

/** Sets a file's access time a day before its modification time (relatime then updates it on read). */
async function armAtime(path: string): Promise<number> {
  const info = await Deno.stat(path);
  const atime = new Date(info.mtime!.getTime() - 86_400_000);
  await Deno.utime(path, atime, info.mtime!);
  return (await Deno.stat(path)).atime!.getTime();
}

for (const prefix of ["", "/static"]) {
  Deno.test(`traversal over TCP${prefix ? " under " + prefix : ""}: every encoding is 404 or 400 and the secret is never read`, async () => {
    await using site = await makeSite();
    const secretPath = `${site.parent}/secret.txt`;
    const alsoSecret = `${site.parent}/outside/also-secret.txt`;
    const control = `${site.parent}/control.txt`;
    await Deno.writeTextFile(control, "control");
    await armAtime(control);
    const tracked = await atimeTracked(control);
    const secretAtime = await armAtime(secretPath);
    const alsoAtime = await armAtime(alsoSecret);
    const options: ServeDirOptions = { root: site.root, urlRoot: prefix };
    await withServer((request) => serveDir(request, options), {}, async (_server, addr) => {
      for (const target of targets(prefix)) {
        const { text } = await rawExchange(
          addr,
          `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        );
        assert.ok(!text.includes(site.secret), `${target} leaked the secret`);
        const status = Number(text.slice(9, 12));
        assert.ok(status === 404 || status === 400, `${target}: ${status}`);
      }
      // Absolute-form targets are refused the same way.
      const { text } = await rawExchange(
        addr,
        `GET http://x${prefix}/..%2fsecret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(parseResponses(text)[0].status, 404);
      // The same server still serves what is inside.
      const ok = await rawExchange(
        addr,
        `GET ${prefix}/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(parseResponses(ok.text)[0].body, site.hello);
    });
    if (tracked) {
      assert.equal(
        (await Deno.stat(secretPath)).atime!.getTime(),
        secretAtime,
        "secret.txt was read",
      );
      assert.equal(
        (await Deno.stat(alsoSecret)).atime!.getTime(),
        alsoAtime,
        "also-secret.txt was read",
      );
    } else {
      console.log(
        "  (access times are not tracked on this filesystem: the never-read check is skipped)",
      );
    }
  });
}
