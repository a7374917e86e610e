/**
 * The batteries in one small app: request IDs, an access log, CORS for a browser app,
 * a signed session cookie, server-sent events and an upload limit, composed around a
 * Router.
 *
 *   GET  /login       sets a signed `sid` cookie
 *   GET  /whoami      200 {"sid"} with a valid signed cookie, 401 without or tampered
 *   GET  /api/ping    {"pong":true}; /api/* (and /events) allow CORS from the app's origin,
 *   GET  /api/whoami  with credentials
 *   GET  /events      three events, ids 1-3, then the end; a reconnect resumes after
 *                     Last-Event-ID (204 once all were seen, so EventSource stops)
 *   POST /upload      at most 1 MiB (413 past it, before 100 Continue)
 *
 * Every response carries `x-request-id`; every request is logged in the combined format.
 *
 * Run: `deno task example:batteries --port 8000 [--hostname 127.0.0.1]`, then
 *   curl -i -c jar http://127.0.0.1:8000/login && curl -i -b jar http://127.0.0.1:8000/whoami
 *   curl -N http://127.0.0.1:8000/events
 *   curl -i -H 'Origin: http://app.test' http://127.0.0.1:8000/api/ping
 *
 * @module
 */
import {
  type AccessLogMiddleware,
  bodyLimit,
  type ComposedMiddleware,
  composeWith,
  cookies,
  cors,
  httpError,
  logger,
  type Middleware,
  requestId,
  Router,
  serve,
  streamSSE,
} from "@wire/http";

/** The largest upload POST /upload accepts. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;
/** The origin allowed to call the API from a browser unless told otherwise. */
export const DEFAULT_APP_ORIGIN = "http://app.test";
/** How many events GET /events sends. */
export const EVENT_COUNT = 3;

/** Options for {@linkcode createApp}. */
export interface BatteriesOptions {
  /** The browser app's origin, allowed to call /api/* and /events with credentials. */
  appOrigin?: string;
  /** Keys for the session cookie, newest first (random per process by default). */
  keys?: readonly string[];
  /** Where the access log goes (default: standard output). */
  log?: (text: string) => void | Promise<void>;
  /** Milliseconds between events (default 1000). */
  eventInterval?: number;
}

/** The app: its handler, and its access log (to flush or close). */
export interface BatteriesApp {
  handler: ComposedMiddleware;
  log: AccessLogMiddleware;
}

/**
 * Builds the app.
 *
 * @param options Origin, keys, log sink, event pace.
 * @returns The handler and its access log.
 */
export function createApp(options: BatteriesOptions = {}): BatteriesApp {
  const interval = options.eventInterval ?? 1000;
  const keys = options.keys ?? [randomKey()];
  const log = logger({ format: "combined", write: options.log });

  // CORS for the browser app: only the API and the event stream. It sits before the
  // router so that preflights are answered before allowedMethods() could 405 them.
  const appCors = cors({ origin: options.appOrigin ?? DEFAULT_APP_ORIGIN, credentials: true });
  const apiCors: Middleware = (ctx, next) =>
    ctx.path.startsWith("/api/") || ctx.path === "/events" ? appCors(ctx, next) : next();

  const whoami: Middleware = async (ctx) => {
    const sid = await ctx.cookies.getSigned("sid");
    if (sid === undefined) httpError(401, "Log in first: GET /login");
    return Response.json({ sid });
  };

  const router = new Router()
    .get("/login", async (ctx) => {
      const sid = crypto.randomUUID();
      await ctx.cookies.setSigned("sid", sid, { sameSite: "Lax", maxAge: 24 * 60 * 60 });
      return Response.json({ sid });
    })
    .get("/whoami", whoami)
    .get("/api/whoami", whoami)
    .get("/api/ping", () => Response.json({ pong: true }))
    .get("/events", (ctx) => {
      const last = lastEventId(ctx.request);
      // All seen: 204 tells EventSource to stop reconnecting (HTML §9.2.3).
      if (last >= EVENT_COUNT) return new Response(null, { status: 204 });
      return streamSSE(ctx, async (stream) => {
        for (let id = last + 1; id <= EVENT_COUNT && !stream.closed; id++) {
          if (id > last + 1) await stream.sleep(interval);
          await stream.write({ id, event: "tick", data: JSON.stringify({ n: id }) });
        }
      }, { retry: 1000 });
    })
    .post("/upload", bodyLimit(MAX_UPLOAD_BYTES), async (ctx) => {
      let bytes = 0;
      for await (const chunk of ctx.request.body ?? []) bytes += chunk.byteLength;
      return Response.json({ bytes }, { status: 201 });
    });

  const handler = composeWith(
    {
      // A crash still answers with the request's ID, for the log and the bug report.
      onError(error, ctx) {
        console.error(`request ${ctx.state.requestId} failed:`, error);
        return new Response("Internal Server Error", {
          status: 500,
          headers: { "x-request-id": String(ctx.state.requestId) },
        });
      },
    },
    requestId(),
    log,
    apiCors,
    cookies({ keys }),
    router.routes(),
    router.allowedMethods(),
  );
  return { handler, log };
}

function lastEventId(request: Request): number {
  const value = Number(request.headers.get("last-event-id") ?? 0);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function randomKey(): string {
  return crypto.getRandomValues(new Uint8Array(32)).reduce((s, b) => s + b.toString(16), "");
}

/** `--name value` from the command line. */
function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? undefined : args[at + 1];
}

if (import.meta.main) {
  const port = Number(flag(Deno.args, "port") ?? 8000);
  const hostname = flag(Deno.args, "hostname") ?? "127.0.0.1";
  const { handler, log } = createApp();
  const server = serve(handler, {
    port,
    hostname,
    onListen(addr) {
      const { hostname, port } = addr as Deno.NetAddr;
      console.log(`Listening on http://${hostname}:${port}/`);
    },
  });
  const stop = async () => {
    await server.shutdown({ deadline: 2_000 });
    await log.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
