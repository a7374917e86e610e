// node:http + serve-static (Express's static middleware, built on send) + compression,
// serving the folder bench/static.ts prepares: the usual Node static file stack.
//   node bench/_servers/static_node.mjs ROOT PORT
// WIRE_NODE_MODULES names the node_modules folder holding serve-static and compression
// (bench/static.ts installs them with npm into a cache folder).

import { createRequire } from "node:module";
import http from "node:http";
import { join } from "node:path";

const require = createRequire(join(process.env.WIRE_NODE_MODULES ?? "node_modules", "x.js"));
const serveStatic = require("serve-static");
const compression = require("compression");

const [root, port] = process.argv.slice(2);
// zlib's default level 6, as nginx is configured and as Wire's default gzip level.
const compress = compression({ level: 6, threshold: 1024 });
const serve = serveStatic(root, { index: ["index.html"] });

const server = http.createServer((req, res) => {
  compress(req, res, () => {
    serve(req, res, () => {
      res.statusCode = 404;
      res.end("Not Found");
    });
  });
});
server.keepAliveTimeout = 5000;
server.listen(
  Number(port),
  "127.0.0.1",
  () => console.log(`Listening on http://127.0.0.1:${port}/`),
);
process.on("SIGTERM", () => process.exit(0));
