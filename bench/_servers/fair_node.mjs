// node:http for bench/fairness.ts: GET /hello, and GET /stats with the requests served
// per connection (then reset). Usage: node fair_node.mjs PORT
import http from "node:http";

const port = Number(process.argv[2] ?? 8031);
const counts = new Map();
let id = 0;
const ids = new WeakMap();
http.createServer((req, res) => {
  if (req.url === "/stats") {
    const body = JSON.stringify([...counts.values()]);
    counts.clear();
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    return res.end(body);
  }
  let key = ids.get(req.socket);
  if (key === undefined) ids.set(req.socket, key = id++);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  res.writeHead(200, { "content-type": "text/plain", "content-length": 13 });
  res.end("Hello, World!");
}).listen(port, "127.0.0.1", () => console.log("ready"));
