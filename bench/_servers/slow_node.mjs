// The slow-clients app (slow_app.ts) on node:http, run by Node itself.
// Usage: node slow_node.mjs PORT
import http from "node:http";

const port = Number(process.argv[2] ?? 8033);
const CHUNK = Buffer.alloc(256 * 1024, 120);

function stream(res, left) {
  while (left > 0) {
    const n = Math.min(left, CHUNK.length);
    left -= n;
    if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
      res.once("drain", () => stream(res, left));
      return;
    }
  }
  res.end();
}

http.createServer((req, res) => {
  if (req.url === "/") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("Hello, World!");
  } else if (req.url.startsWith("/big/")) {
    const body = Buffer.alloc(Number(req.url.slice(5)), 120);
    res.writeHead(200, {
      "content-length": body.length,
      "content-type": "application/octet-stream",
    });
    res.end(body);
  } else if (req.url.startsWith("/stream/")) {
    const size = Number(req.url.slice(8));
    res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
    stream(res, size);
  } else {
    res.writeHead(404);
    res.end("Not Found");
  }
}).listen(port, "127.0.0.1", () => console.log("ready"));
