// Starts a real nginx on 127.0.0.1 for the reverse-proxy tests: generated config, every path
// (pid, logs, temp files) in a fresh temporary directory, `daemon off` so the child process is
// ours to stop. `stop()` always kills it and removes the directory.

import { delay } from "./_fd.ts";

/** Where nginx lives when it is installed from apt. */
export const NGINX_PATH = "/usr/sbin/nginx";

/** Options for {@linkcode startNginx}. */
export interface NginxOptions {
  /** Proxy `/` to a server on 127.0.0.1 at this port, with keep-alive upstream connections. */
  upstreamPort?: number;
  /** Idle upstream connections nginx keeps per worker. */
  upstreamKeepalive?: number;
  /** Files to serve under `/files/` (name -> bytes). */
  files?: Record<string, Uint8Array>;
}

/** A running nginx. */
export interface Nginx extends AsyncDisposable {
  port: number;
  dir: string;
  /** Stops nginx (SIGTERM, then SIGKILL if it lingers) and removes its directory. */
  stop(): Promise<void>;
  /** The last lines of nginx's error log (for failure messages). */
  errorLog(): string;
}

/** Whether an nginx binary is there to run. */
export function nginxAvailable(): boolean {
  try {
    return Deno.statSync(NGINX_PATH).isFile;
  } catch {
    return false;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function config(dir: string, port: number, options: NginxOptions): string {
  const upstream = options.upstreamPort === undefined ? "" : `
  upstream wire {
    server 127.0.0.1:${options.upstreamPort};
    keepalive ${options.upstreamKeepalive ?? 16};
  }`;
  const proxy = options.upstreamPort === undefined ? "" : `
    location / {
      proxy_pass http://wire;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering off;
      proxy_buffering off;
      client_max_body_size 4m;
    }`;
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  keepalive_requests 100000;
  ${upstream}
  server {
    listen 127.0.0.1:${port};
    location /files/ {
      alias ${dir}/files/;
    }
    ${proxy}
  }
}
`;
}

async function portOpen(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Starts nginx and waits (bounded, 10 s) until it accepts connections. */
export async function startNginx(options: NginxOptions = {}): Promise<Nginx> {
  const dir = await Deno.makeTempDir({ prefix: "wire-nginx-" });
  await Deno.mkdir(`${dir}/files`);
  for (const [name, bytes] of Object.entries(options.files ?? {})) {
    await Deno.writeFile(`${dir}/files/${name}`, bytes);
  }
  // A free port can be taken between our probe and nginx's bind: retry a few times.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    await Deno.writeTextFile(`${dir}/nginx.conf`, config(dir, port, options));
    const child = new Deno.Command(NGINX_PATH, {
      args: ["-p", dir, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    const deadline = Date.now() + 10_000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      if (await portOpen(port)) {
        up = true;
        break;
      }
      await delay(20);
    }
    const errorLog = () => {
      try {
        return Deno.readTextFileSync(`${dir}/error.log`).split("\n").slice(-20).join("\n");
      } catch {
        return "";
      }
    };
    if (up) {
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        if (!exited) {
          try {
            child.kill("SIGTERM");
          } catch {
            // already gone
          }
          const timer = setTimeout(() => {
            try {
              if (!exited) child.kill("SIGKILL");
            } catch {
              // already gone
            }
          }, 3_000);
          await status;
          clearTimeout(timer);
        }
        await Deno.remove(dir, { recursive: true });
      };
      return { port, dir, stop, errorLog, [Symbol.asyncDispose]: stop };
    }
    if (!exited) child.kill("SIGKILL");
    await status;
    const log = errorLog();
    if (!log.includes("Address already in use")) {
      await Deno.remove(dir, { recursive: true });
      throw new Error(`nginx did not start:\n${log}`);
    }
  }
  await Deno.remove(dir, { recursive: true });
  throw new Error("nginx did not start: no free port after 5 attempts");
}
