// A headless Chromium driven over the DevTools protocol (no npm package): start it on
// 127.0.0.1 with a throw-away profile, open a page, evaluate a promise in it, close
// everything. Skips (null) when no Chromium is installed.

/** A running headless Chromium and one page in it. */
export interface Browser extends AsyncDisposable {
  /** Opens `url` in a fresh page and resolves the value of `expression` (awaited) there. */
  evaluate(url: string, expression: string, timeoutMs: number): Promise<unknown>;
}

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable, or null when none is installed. */
export function findChromium(): string | null {
  for (const path of CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return null;
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** Starts Chromium headless; the DevTools endpoint listens on 127.0.0.1 only. */
export async function launch(executable: string): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "wire-chromium-" });
  const child = new Deno.Command(executable, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      "--disable-dev-shm-usage",
      "--mute-audio",
      "--autoplay-policy=no-user-gesture-required",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  let endpoint: string | null = null;
  const deadline = Date.now() + 30_000;
  while (endpoint === null) {
    if (Date.now() > deadline) break;
    const { value, done } = await stderr.read();
    if (done) break;
    log += value;
    endpoint =
      /DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\/[\w-]+)/.exec(log)?.[1] ??
        null;
  }
  // Keep draining stderr so Chromium never blocks on a full pipe.
  const drained = (async () => {
    try {
      for (;;) if ((await stderr.read()).done) break;
    } catch {
      // closed
    }
  })();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
    await child.status;
    await drained;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  if (endpoint === null) {
    await stop();
    throw new Error(`Chromium did not start:\n${log.slice(-2000)}`);
  }
  const socket = new WebSocket(endpoint);
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("Cannot connect to Chromium's DevTools endpoint"));
  });
  let nextId = 1;
  const pending = new Map<number, Pending>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data as string);
    if (typeof message.id !== "number") return;
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(JSON.stringify(message.error)));
    else waiter.resolve(message.result ?? {});
  };
  const closed = new Promise<void>((resolve) => (socket.onclose = () => resolve()));
  const send = (
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> => {
    const id = nextId++;
    socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  };
  return {
    async evaluate(url, expression, timeoutMs) {
      const { targetId } = await send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
      const session = sessionId as string;
      await send("Page.enable", {}, session);
      await send("Page.navigate", { url }, session);
      const timer = setTimeout(() => {
        for (const waiter of pending.values()) waiter.reject(new Error("Chromium timed out"));
        pending.clear();
      }, timeoutMs);
      try {
        // Wait for the page's own promise, defined by its script.
        for (;;) {
          const ready = await send("Runtime.evaluate", {
            expression: "typeof window.__done",
            returnByValue: true,
          }, session);
          if ((ready.result as { value?: string })?.value === "object") break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const result = await send("Runtime.evaluate", {
          expression,
          awaitPromise: true,
          returnByValue: true,
        }, session);
        if (result.exceptionDetails) throw new Error(JSON.stringify(result.exceptionDetails));
        return (result.result as { value?: unknown }).value;
      } finally {
        clearTimeout(timer);
        await send("Target.closeTarget", { targetId }).catch(() => {});
      }
    },
    async [Symbol.asyncDispose]() {
      for (const waiter of pending.values()) waiter.reject(new Error("Chromium closed"));
      pending.clear();
      socket.close();
      await closed;
      await stop();
    },
  };
}
