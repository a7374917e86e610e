// serveDir called directly: index files, trailing-slash redirects (never to another
// host), listings, dotfiles, symbolic links, non-regular files, methods, the cache
// under a link swapped in, and the serveStatic() middleware's fall-through.

import { assert } from "../../_assert.ts";
import { serveDir } from "../../../http/serve_dir.ts";
import type { ServeDirOptions } from "../../../http/static_options.ts";
import { serveStatic } from "../../../router/static.ts";
import { compose } from "../../../router/compose.ts";
import { Router } from "../../../router/router.ts";
import { INFO } from "../../router/_info.ts";
import { makeSite } from "./_fixtures.ts";

function req(path: string, init?: RequestInit): Request {
  return new Request(`http://localhost${path}`, init);
}

async function text(response: Response): Promise<string> {
  return await response.text();
}

Deno.test("serveDir serves files by URL path, percent-decoded, with their types", async () => {
  await using site = await makeSite();
  const options: ServeDirOptions = { root: site.root };
  const hello = await serveDir(req("/hello.txt"), options);
  assert.equal(hello.status, 200);
  assert.equal(await text(hello), site.hello);
  const odd = await serveDir(req("/docs/a%20b%26%3Cc%3E.txt"), options);
  assert.equal(await text(odd), "odd name");
  const nested = await serveDir(req("/docs/deep/page.html?x=1#f"), options);
  assert.equal(nested.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(await text(nested), "<p>deep</p>");
  const merged = await serveDir(req("//docs//deep///page.html"), options);
  assert.equal(await text(merged), "<p>deep</p>");
});

Deno.test("serveDir serves index.html for a directory and redirects it to its trailing slash", async () => {
  await using site = await makeSite();
  const options: ServeDirOptions = { root: site.root };
  const index = await serveDir(req("/docs/"), options);
  assert.equal(index.status, 200);
  assert.equal(await text(index), site.index);
  const redirect = await serveDir(req("/docs?page=2"), options);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get("location"), "/docs/?page=2");
  const root = await serveDir(req("/"), { root: site.root, index: ["missing.html", "hello.txt"] });
  assert.equal(await text(root), site.hello);
  const none = await serveDir(req("/docs/"), { root: site.root, index: false });
  assert.equal(none.status, 404);
  await none.body?.cancel();
});

Deno.test("serveDir's redirect stays on the site: //host paths cannot become protocol-relative URLs", async () => {
  await using site = await makeSite();
  await Deno.mkdir(`${site.root}/evil.example`);
  const options: ServeDirOptions = { root: site.root };
  const response = await serveDir(req("//evil.example"), options);
  assert.equal(response.status, 301);
  assert.equal(response.headers.get("location"), "/evil.example/");
  const prefixed = await serveDir(req("/static//evil.example"), {
    root: site.root,
    urlRoot: "static",
  });
  assert.equal(prefixed.headers.get("location"), "/static/evil.example/");
  const top = await serveDir(req("/static"), { root: site.root, urlRoot: "/static/" });
  assert.equal(top.headers.get("location"), "/static/");
});

Deno.test("serveDir serves only under urlRoot", async () => {
  await using site = await makeSite();
  const options: ServeDirOptions = { root: site.root, urlRoot: "/static" };
  assert.equal(await text(await serveDir(req("/static/hello.txt"), options)), site.hello);
  for (const path of ["/hello.txt", "/staticx/hello.txt", "/stat/hello.txt"]) {
    const response = await serveDir(req(path), options);
    assert.equal(response.status, 404, path);
    await response.body?.cancel();
  }
  const spaced = await serveDir(req("/my%20files/hello.txt"), {
    root: site.root,
    urlRoot: "/my files",
  });
  assert.equal(await text(spaced), site.hello);
});

Deno.test("serveDir lists a directory without an index when asked, escaping names", async () => {
  await using site = await makeSite();
  const off = await serveDir(req("/bin/"), { root: site.root });
  assert.equal(off.status, 404);
  await off.body?.cancel();
  const options: ServeDirOptions = { root: site.root, listing: true };
  const listing = await serveDir(req("/docs/deep/"), options);
  assert.equal(listing.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(await text(listing), /<a href="page.html">page.html<\/a>/);
  const docs = await serveDir(req("/docs/"), { root: site.root, listing: true, index: false });
  const page = await text(docs);
  assert.match(page, /<a href="a%20b%26%3Cc%3E.txt">a b&amp;&lt;c&gt;.txt<\/a>/);
  assert.match(page, /<a href="deep\/">deep\/<\/a>/);
  assert.match(page, /<a href="..\/">..\/<\/a>/);
  const top = await text(
    await serveDir(req("/"), { root: site.root, listing: true, index: false }),
  );
  assert.ok(!top.includes(".env") && !top.includes(".git"), "dotfiles hidden");
  assert.ok(!top.includes("outside-link") && !top.includes("outside-dir"), "links out hidden");
  assert.ok(top.includes("inside-link.txt"), "links inside listed");
  assert.ok(top.indexOf("bin/") < top.indexOf("app.js"), "directories first");
  const head = await serveDir(req("/empty/", { method: "HEAD" }), options);
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
});

Deno.test("serveDir hides dotfiles (404), denies them (403) or serves them, as configured", async () => {
  await using site = await makeSite();
  for (const path of ["/.env", "/.git/config", "/%2eenv", "/.git/"]) {
    const ignored = await serveDir(req(path), { root: site.root });
    assert.equal(ignored.status, 404, path);
    await ignored.body?.cancel();
    const denied = await serveDir(req(path), { root: site.root, dotfiles: "deny" });
    assert.equal(denied.status, 403, path);
    await denied.body?.cancel();
  }
  const allowed = await serveDir(req("/.env"), { root: site.root, dotfiles: "allow" });
  assert.equal(await text(allowed), site.secret);
});

Deno.test("serveDir follows links inside the root, never out of it unless followSymlinks", async () => {
  await using site = await makeSite();
  const options: ServeDirOptions = { root: site.root };
  assert.equal(await text(await serveDir(req("/inside-link.txt"), options)), site.hello);
  for (
    const path of [
      "/outside-link.txt",
      "/relative-out.txt",
      "/outside-dir/also-secret.txt",
      "/outside-dir/",
    ]
  ) {
    const response = await serveDir(req(path), options);
    assert.equal(response.status, 404, path);
    assert.ok(!(await text(response)).includes(site.secret), path);
  }
  const follow: ServeDirOptions = { root: site.root, followSymlinks: true };
  assert.equal(await text(await serveDir(req("/outside-link.txt"), follow)), site.secret);
  assert.equal(
    await text(await serveDir(req("/outside-dir/also-secret.txt"), follow)),
    site.secret,
  );
});

Deno.test("serveDir checks a path again when a link is swapped in for a cached file", async () => {
  await using site = await makeSite();
  const options: ServeDirOptions = { root: site.root };
  assert.equal(await text(await serveDir(req("/hello.txt"), options)), site.hello);
  assert.equal(await text(await serveDir(req("/hello.txt"), options)), site.hello);
  await Deno.remove(`${site.root}/hello.txt`);
  await Deno.symlink(`${site.parent}/secret.txt`, `${site.root}/hello.txt`);
  const swapped = await serveDir(req("/hello.txt"), options);
  assert.equal(swapped.status, 404);
  assert.ok(!(await text(swapped)).includes(site.secret));
});

Deno.test("serveDir refuses precompressed siblings and index files that are links out of the root", async () => {
  await using site = await makeSite();
  await Deno.remove(`${site.root}/app.js.gz`);
  await Deno.symlink(`${site.parent}/secret.txt`, `${site.root}/app.js.gz`);
  const options: ServeDirOptions = { root: site.root, precompressed: ["gzip"] };
  const response = await serveDir(
    req("/app.js", { headers: { "accept-encoding": "gzip" } }),
    options,
  );
  assert.equal(response.headers.get("content-encoding"), null);
  assert.equal(await text(response), site.script);
  await Deno.symlink(`${site.parent}/secret.txt`, `${site.root}/empty/index.html`);
  const index = await serveDir(req("/empty/"), { root: site.root });
  assert.equal(index.status, 404);
  await index.body?.cancel();
});

Deno.test("serveDir reads only regular files: a FIFO under the root is 404", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await using site = await makeSite();
  const made = await new Deno.Command("mkfifo", { args: [`${site.root}/pipe.txt`] }).output();
  if (!made.success) return;
  const response = await serveDir(req("/pipe.txt"), { root: site.root });
  assert.equal(response.status, 404);
  await response.body?.cancel();
});

Deno.test("serveDir answers 404 for a file asked as a directory, 405 for other methods, 400 for bad escapes", async () => {
  await using site = await makeSite();
  const options: ServeDirOptions = { root: site.root };
  const table: [string, RequestInit | undefined, number][] = [
    ["/hello.txt/", undefined, 404],
    ["/missing/", undefined, 404],
    ["/hello.txt", { method: "POST", body: "x" }, 405],
    ["/hello.txt", { method: "DELETE" }, 405],
    ["/bad%zzescape", undefined, 400],
    ["/%c0%ae%c0%ae/secret.txt", undefined, 400],
  ];
  for (const [path, init, status] of table) {
    const response = await serveDir(req(path, init), options);
    assert.equal(response.status, status, path);
    if (status === 405) assert.equal(response.headers.get("allow"), "GET, HEAD");
    await response.body?.cancel();
  }
  const missingRoot = await serveDir(req("/x"), { root: `${site.parent}/no-such-root` });
  assert.equal(missingRoot.status, 404);
  await missingRoot.body?.cancel();
});

Deno.test("serveDir throws synchronously on bad options", async () => {
  await using site = await makeSite();
  const bad: unknown[] = [
    null,
    {},
    { root: "" },
    { root: site.root, index: ["a/b.html"] },
    { root: site.root, dotfiles: "show" },
    { root: site.root, urlRoot: "/x?y" },
    { root: site.root, maxRanges: -1 },
  ];
  for (const options of bad) {
    assert.throws(
      () => serveDir(req("/"), options as ServeDirOptions),
      Error,
      JSON.stringify(options),
    );
  }
});

Deno.test("serveStatic() serves files and passes everything else on to next()", async () => {
  await using site = await makeSite();
  const api = new Router()
    .get("/api/ping", () => new Response("pong"))
    .post("/hello.txt", () => new Response("posted"));
  const handler = compose(serveStatic(site.root, { urlRoot: "/" }), api.routes());
  const file = await handler(req("/hello.txt"), INFO);
  assert.equal(await file.text(), site.hello);
  const ping = await handler(req("/api/ping"), INFO);
  assert.equal(await ping.text(), "pong");
  const post = await handler(req("/hello.txt", { method: "POST", body: "x" }), INFO);
  assert.equal(await post.text(), "posted");
  const missing = await handler(req("/nothing.txt"), INFO);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const redirect = await handler(req("/docs"), INFO);
  assert.equal(redirect.status, 301);
  assert.throws(() => serveStatic(site.root, { dotfiles: "no" as "deny" }), TypeError);
});

Deno.test("serveStatic() keeps %2F out of the path where a Router param would decode it", async () => {
  await using site = await makeSite();
  // The hand-written handler the issue warns about: params decode %2F, so
  // /files/..%2fsecret.txt reaches it as "../secret.txt".
  const naive = new Router().get("/files/*path", (ctx) => new Response(ctx.params.path));
  const seen = await naive.routes()(
    new (await import("../../../router/context.ts")).Context(req("/files/..%2fsecret.txt"), INFO),
    () => Promise.resolve(new Response("next")),
  );
  assert.equal(await seen.text(), "../secret.txt");
  const handler = compose(serveStatic(site.root, { urlRoot: "/files" }));
  const refused = await handler(req("/files/..%2fsecret.txt"), INFO);
  assert.equal(refused.status, 404);
  assert.ok(!(await refused.text()).includes(site.secret));
});
