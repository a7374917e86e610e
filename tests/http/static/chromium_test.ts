// A headless Chromium (Debian's `chromium`, driven over the DevTools protocol) against
// examples/file_server.ts's handler: a page that loads compressed HTML and script (gzip
// or brotli, as Chromium asks), and a video element that seeks near the end, which
// Chromium answers with Range requests the server log shows. Skipped, with a note, when
// Chromium or ffmpeg (which makes the test video) is missing; .ci/run installs both.

import { assert } from "../../_assert.ts";
import { withServer } from "../../_server.ts";
import { createFileServer } from "../../../examples/file_server.ts";
import { CHROMIUM, withChromium } from "../../_chromium.ts";

function haveFfmpeg(): boolean {
  try {
    return new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>wire static</title>
<script src="/big.js"></script></head>
<body>
<p id="big"></p>
<video id="v" src="/video.webm" preload="metadata" muted playsinline></video>
<!-- ${"padding so the page itself is worth compressing. ".repeat(60)} -->
<script>
window.__done = (async () => {
  document.getElementById("big").textContent = window.BIG;
  const v = document.getElementById("v");
  await new Promise((resolve, reject) => {
    if (v.readyState >= 1) return resolve();
    v.onloadedmetadata = resolve;
    v.onerror = () => reject(new Error("video error " + (v.error && v.error.code)));
  });
  const duration = v.duration;
  v.currentTime = duration * 0.9;
  await new Promise((resolve) => (v.onseeked = resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const nav = performance.getEntriesByType("navigation")[0];
  const script = performance.getEntriesByName(location.origin + "/big.js")[0];
  return {
    duration,
    currentTime: v.currentTime,
    text: document.getElementById("big").textContent.length,
    page: [nav.encodedBodySize, nav.decodedBodySize],
    script: [script.encodedBodySize, script.decodedBodySize],
  };
})();
</script>
</body></html>`;

Deno.test({
  name: "Chromium seeks in a video with Range requests and loads a compressed page",
  async fn() {
    if (CHROMIUM === null || !haveFfmpeg()) {
      console.log(
        `  skipped: ${CHROMIUM === null ? "chromium" : "ffmpeg"} is not installed ` +
          "(apt-get install -y chromium ffmpeg; .ci/run does)",
      );
      return;
    }
    const root = await Deno.makeTempDir({ prefix: "wire-chromium-site-" });
    try {
      // A 10 s VP8 video of noise at 12 Mbit/s (about 15 MiB): too big to be fetched
      // whole before the seek, so the seek needs a range of its own.
      const made = await new Deno.Command("ffmpeg", {
        args: [
          "-hide_banner",
          "-loglevel",
          "error",
          "-y",
          "-f",
          "lavfi",
          "-i",
          "testsrc2=size=640x360:rate=25",
          "-vf",
          "noise=alls=40:allf=t",
          "-t",
          "10",
          "-c:v",
          "libvpx",
          "-b:v",
          "12M",
          "-minrate",
          "12M",
          "-maxrate",
          "12M",
          "-bufsize",
          "12M",
          "-g",
          "25",
          "-deadline",
          "realtime",
          "-cpu-used",
          "8",
          `${root}/video.webm`,
        ],
        stdout: "null",
        stderr: "piped",
        signal: AbortSignal.timeout(120_000),
      }).output();
      assert.ok(made.success, new TextDecoder().decode(made.stderr));
      const size = (await Deno.stat(`${root}/video.webm`)).size;
      await Deno.writeTextFile(`${root}/index.html`, PAGE);
      const big = "wire ".repeat(20_000);
      await Deno.writeTextFile(`${root}/big.js`, `window.BIG = ${JSON.stringify(big)};`);
      const log: string[] = [];
      const handler = createFileServer({ root, log: (line) => log.push(line) });
      await withServer(handler, {}, async (_server, addr) => {
        let result!: {
          duration: number;
          currentTime: number;
          text: number;
          page: [number, number];
          script: [number, number];
        };
        await withChromium(async (page) => {
          await page.navigate(`http://127.0.0.1:${addr.port}/`);
          result = await page.evaluate("window.__done", 60_000);
        });
        // The page and its script arrived compressed, and decoded to what was served.
        assert.equal(result.text, big.length);
        assert.ok(result.page[0] < result.page[1], `page ${result.page}`);
        assert.ok(result.script[0] * 10 < result.script[1], `script ${result.script}`);
        const coded = (path: string) =>
          log.some((line) => new RegExp(`^GET ${path} 200 (gzip|br|zstd|deflate) `).test(line));
        assert.ok(coded("/"), log.join("\n"));
        assert.ok(coded("/big.js"), log.join("\n"));
        // The seek: the video played from its metadata, then a Range request from a
        // position past the start, answered 206.
        assert.ok(
          result.duration > 9 && result.currentTime > result.duration * 0.8,
          JSON.stringify(result),
        );
        const video = log.filter((line) => line.startsWith("GET /video.webm"));
        const ranges = video.map((line) => /range=bytes=(\d+)-/.exec(line)?.[1]).filter((x) => x);
        assert.ok(ranges.length >= 2, video.join("\n"));
        assert.ok(video.every((line) => / 206 identity /.test(line)), video.join("\n"));
        assert.ok(
          ranges.some((start) => Number(start) > size / 2),
          `a range from past the middle of ${size} bytes:\n${video.join("\n")}`,
        );
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
