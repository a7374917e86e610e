/**
 * A small HTTP forward proxy on 127.0.0.1:0 for the client tests (node:http): absolute-
 * form requests are forwarded, CONNECT opens a tunnel. It only ever connects to
 * loopback addresses, and records what it was asked.
 *
 * @module
 */
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

/** Options of the test proxy. */
export interface ProxyOptions {
  /** `Proxy-Authorization` value required (else 407). */
  auth?: string;
  /** CONNECT authorities answered with this status instead of a tunnel. */
  refuse?: (authority: string) => number;
  /** Never answer CONNECT (for timeouts and aborts). */
  stall?: boolean;
}

/** What the proxy saw. */
export interface ProxySeen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** A running test proxy. */
export interface TestProxy extends AsyncDisposable {
  port: number;
  url: string;
  seen: ProxySeen[];
  /** TCP connections accepted from clients. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts the proxy. */
export async function testProxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const seen: ProxySeen[] = [];
  const sockets = new Set<net.Socket>();
  const gone: Promise<void>[] = [];
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    gone.push(
      new Promise((resolve) =>
        socket.on("close", () => {
          sockets.delete(socket);
          resolve();
        })
      ),
    );
  };
  const agent = new http.Agent({ keepAlive: true });
  let connections = 0;
  const denied = (headers: http.IncomingHttpHeaders) =>
    options.auth !== undefined && headers["proxy-authorization"] !== options.auth;

  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    if (denied(req.headers)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"', "content-length": "0" });
      res.end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url!);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (!LOOPBACK.has(target.hostname)) {
      res.writeHead(403).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const upstream = http.request(target, { method: req.method, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket: net.Socket) => {
    connections++;
    track(socket);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Uint8Array) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    client.on("error", () => {});
    if (options.stall) return;
    if (denied(req.headers)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const status = options.refuse?.(req.url!) ?? 0;
    if (status !== 0) {
      client.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const at = req.url!.lastIndexOf(":");
    const host = req.url!.slice(0, at).replace(/^\[|\]$/g, "");
    if (!LOOPBACK.has(host)) {
      client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const upstream = net.connect(Number(req.url!.slice(at + 1)), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const proxy: TestProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    get connections() {
      return connections;
    },
    close() {
      closing ??= (async () => {
        agent.destroy();
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all(gone);
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return proxy.close();
    },
  };
  return proxy;
}
