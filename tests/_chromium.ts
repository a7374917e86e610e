/**
 * A headless Chromium driven over the DevTools protocol (a WebSocket from Deno, no npm
 * package): launch, open a page, navigate, evaluate script, always close. Chromium
 * comes from Debian's package (`apt-get install -y chromium`); {@linkcode CHROMIUM} is
 * null when it is absent, and suites skip with a note.
 *
 * @module
 */

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium binary, or null when none is installed. */
export const CHROMIUM: string | null = CANDIDATES.find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}) ?? null;

/** Bound on launching, navigating and evaluating. */
export const BROWSER_TIMEOUT = 20_000;

/** One page (tab) of the browser. */
export interface Page {
  /** Navigates and waits for the load event. */
  navigate(url: string): Promise<void>;
  /**
   * Evaluates `expression` in the page (awaiting a promise) and returns its JSON value,
   * within `timeoutMs` (default BROWSER_TIMEOUT).
   */
  evaluate<T>(expression: string, timeoutMs?: number): Promise<T>;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

class DevTools {
  #ws: WebSocket;
  #id = 0;
  #pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  #waiters: { method: string; sessionId?: string; resolve: (m: Message) => void }[] = [];
  readonly closed: Promise<void>;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) => ws.addEventListener("close", () => resolve()));
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message);
        return;
      }
      const at = this.#waiters.findIndex((w) =>
        w.method === message.method &&
        (w.sessionId === undefined || w.sessionId === message.sessionId)
      );
      if (at !== -1) this.#waiters.splice(at, 1)[0].resolve(message);
    });
    ws.addEventListener("close", () => {
      for (const { reject } of this.#pending.values()) {
        reject(new Error("DevTools connection closed"));
      }
      this.#pending.clear();
    });
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = BROWSER_TIMEOUT,
  ): Promise<Message> {
    const id = ++this.#id;
    return bounded(
      new Promise<Message>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        this.#ws.send(JSON.stringify({ id, method, params, sessionId }));
      }),
      `${method} timed out`,
      timeoutMs,
    );
  }

  event(method: string, sessionId?: string): Promise<Message> {
    return bounded(
      new Promise<Message>((resolve) => this.#waiters.push({ method, sessionId, resolve })),
      `no ${method} event`,
    );
  }

  close(): Promise<void> {
    this.#ws.close();
    return this.closed;
  }
}

/** `promise`, or a rejection with `message` after `timeoutMs`; the timer never outlives it. */
export function bounded<T>(
  promise: Promise<T>,
  message: string,
  timeoutMs = BROWSER_TIMEOUT,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Launches headless Chromium, opens one page, runs `fn` with it, and always closes the
 * browser, its DevTools socket, its process and its profile directory.
 */
export async function withChromium(fn: (page: Page) => Promise<void>): Promise<void> {
  if (CHROMIUM === null) throw new Error("Chromium is not installed");
  const profile = await Deno.makeTempDir({ prefix: "wire-chromium-" });
  const child = new Deno.Command(CHROMIUM, {
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
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let devtools: DevTools | undefined;
  let draining: Promise<void> | undefined;
  try {
    let text = "";
    const deadline = AbortSignal.timeout(BROWSER_TIMEOUT);
    let match: RegExpExecArray | null = null;
    while ((match = /DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(text)) === null) {
      if (deadline.aborted) throw new Error(`Chromium did not start:\n${text}`);
      const { value, done } = await bounded(stderr.read(), "Chromium did not start");
      if (done) throw new Error(`Chromium exited:\n${text}`);
      text += value;
    }
    // Keep reading stderr so Chromium never blocks on a full pipe.
    draining = (async () => {
      while (!(await stderr.read()).done) { /* discard */ }
    })().catch(() => {});
    const ws = new WebSocket(match[1]);
    await bounded(
      new Promise<void>((resolve, reject) => {
        ws.addEventListener("open", () => resolve(), { once: true });
        ws.addEventListener("error", () => reject(new Error("DevTools socket failed")), {
          once: true,
        });
      }),
      "DevTools socket did not open",
    );
    const tools = devtools = new DevTools(ws);
    const target = await tools.send("Target.createTarget", { url: "about:blank" });
    const attached = await tools.send("Target.attachToTarget", {
      targetId: target.result!.targetId,
      flatten: true,
    });
    const session = attached.result!.sessionId as string;
    await tools.send("Page.enable", {}, session);
    await tools.send("Runtime.enable", {}, session);
    await fn({
      async navigate(url) {
        const loaded = tools.event("Page.loadEventFired", session);
        const result = await tools.send("Page.navigate", { url }, session);
        if (result.result?.errorText) {
          throw new Error(`navigate ${url}: ${result.result.errorText}`);
        }
        await loaded;
      },
      async evaluate<T>(expression: string, timeoutMs?: number): Promise<T> {
        const result = await tools.send(
          "Runtime.evaluate",
          {
            expression,
            awaitPromise: true,
            returnByValue: true,
          },
          session,
          timeoutMs,
        );
        const details = result.result?.exceptionDetails as
          | { exception?: { description?: string }; text?: string }
          | undefined;
        if (details) throw new Error(details.exception?.description ?? details.text);
        return (result.result?.result as { value: T }).value;
      },
    });
  } finally {
    if (devtools !== undefined) {
      await devtools.send("Browser.close").catch(() => {});
      await devtools.close();
    }
    try {
      child.kill("SIGKILL");
    } catch {
      // exited already
    }
    await child.status;
    await stderr.cancel().catch(() => {});
    await draining;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
