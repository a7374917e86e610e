// The benchmark app on node:http, run by Node itself. Usage: node node_http.mjs PORT
import http from "node:http";

const port = Number(process.argv[2] ?? 8003);
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
  } else if (req.url === "/echo") {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.concat(parts));
    });
  } else if (req.url === "/upload") {
    let total = 0;
    req.on("data", (c) => total += c.length);
    req.on("end", () => res.end(String(total)));
  } else if (req.url.startsWith("/bytes/")) {
    const size = Number(req.url.slice(7));
    res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
    stream(res, size);
  } else {
    res.writeHead(404);
    res.end("Not Found");
  }
}).listen(port, "127.0.0.1", () => console.log("ready"));
