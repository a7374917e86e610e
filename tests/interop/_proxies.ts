/**
 * Starts a real nginx or HAProxy (from apt) on 127.0.0.1 in front of a server, for the
 * proxy interop tests: the config is generated into a fresh temporary directory (pid,
 * logs and temp files there too), the process runs in the foreground as our child, and
 * `stop()` always kills it and removes the directory.
 *
 * @module
 */

/** Where apt installs them. */
export const NGINX_PATH = "/usr/sbin/nginx";
export const HAPROXY_PATH = "/usr/sbin/haproxy";

/** Whether an executable is there to run. */
export function installed(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** A running proxy. */
export interface Proxy extends AsyncDisposable {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Stops it (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
  /** Its log, for failure messages. */
  log(): string;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
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

/**
 * Runs `binary` with the arguments `args(dir, configPath)` and a config made by
 * `config(dir, port)`, and waits (10 s at most) until it accepts connections. A port
 * taken between the probe and the proxy's bind is retried.
 */
async function start(
  name: string,
  binary: string,
  args: (dir: string, configPath: string) => string[],
  config: (dir: string, port: number) => string,
): Promise<Proxy> {
  const dir = await Deno.makeTempDir({ prefix: `wire-${name}-` });
  const logPath = `${dir}/log`;
  const log = () => {
    try {
      return Deno.readTextFileSync(logPath).split("\n").slice(-20).join("\n");
    } catch {
      return "";
    }
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const configPath = `${dir}/${name}.conf`;
    await Deno.writeTextFile(configPath, config(dir, port));
    const logFile = await Deno.open(logPath, { write: true, create: true, truncate: true });
    const child = new Deno.Command(binary, {
      args: args(dir, configPath),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Both streams into the log file, so a failure can show it.
    const pumps = Promise.all([child.stdout, child.stderr].map(async (stream) => {
      for await (const chunk of stream) await logFile.write(chunk);
    })).catch(() => {}).finally(() => logFile.close());
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
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
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
      await pumps;
    };
    if (up) {
      const stopAndClean = async () => {
        await stop();
        await Deno.remove(dir, { recursive: true });
      };
      return { port, stop: stopAndClean, log, [Symbol.asyncDispose]: stopAndClean };
    }
    await stop();
    const text = log();
    if (!/address already in use|cannot bind/i.test(text)) {
      await Deno.remove(dir, { recursive: true });
      throw new Error(`${name} did not start:\n${text}`);
    }
  }
  await Deno.remove(dir, { recursive: true });
  throw new Error(`${name} did not start: no free port after 5 attempts`);
}

/**
 * Starts nginx proxying to 127.0.0.1:`upstream`, with `locations` (nginx `location`
 * blocks, e.g. a deny rule) before the catch-all `location /` that proxies.
 */
export function startNginx(upstream: number, locations = "", proxyExtra = ""): Promise<Proxy> {
  return start("nginx", NGINX_PATH, (dir, conf) => ["-p", dir, "-e", `${dir}/log`, "-c", conf], (
    dir,
    port,
  ) => `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    ${locations}
    location / {
      proxy_pass http://127.0.0.1:${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      ${proxyExtra}
    }
  }
}
`);
}

/**
 * Starts HAProxy in HTTP mode in front of 127.0.0.1:`upstream`, with `rules` (frontend
 * lines, e.g. `http-request deny if { path_beg /admin }`), `serverExtra` on the server
 * line (e.g. `send-proxy-v2`) and `backend` lines (e.g. `option httpchk`).
 */
export function startHaproxy(
  upstream: number,
  rules = "",
  serverExtra = "",
  backend = "",
): Promise<Proxy> {
  return start("haproxy", HAPROXY_PATH, (_dir, conf) => ["-db", "-f", conf], (_dir, port) => `
global
  maxconn 64
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend web
  bind 127.0.0.1:${port}
  ${rules}
  default_backend wire
backend wire
  ${backend}
  server wire 127.0.0.1:${upstream} ${serverExtra}
`);
}
