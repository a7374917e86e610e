/**
 * Helpers for the interop suites: run a framework's app on Wire's `serve()` on
 * 127.0.0.1:0 with a Wire `Client`, always closing both, and read server-sent events.
 *
 * @module
 */
import { Client } from "../../http/client.ts";
import type { Server } from "../../http/server.ts";
import type { ServeOptions } from "../../http/server_options.ts";

/** Bound on any single wait in the interop tests. */
export const TIMEOUT = 5_000;

/** Where the server listens: loopback, a free port, no "Listening on" line. */
export const LOOPBACK: ServeOptions = { hostname: "127.0.0.1", port: 0, onListen() {} };

/**
 * Starts a server with `start(LOOPBACK)`, runs `fn` with its base URL and a Client, then
 * closes the Client and shuts the server down at once (aborting what still runs), so the
 * sanitizers see every socket released even when an assertion failed half-way.
 */
export async function withApp(
  start: (options: ServeOptions) => Server,
  fn: (base: string, client: Client) => Promise<void>,
): Promise<void> {
  const server = start(LOOPBACK);
  const client = new Client();
  try {
    await fn(`http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`, client);
  } finally {
    await client.close();
    await server.shutdown({ deadline: 0 });
  }
}

/** One server-sent event as the client read it. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/**
 * Parses an event stream (the WHATWG "event stream interpretation", enough of it for
 * these tests): events end at a blank line, `data` lines join with "\n".
 */
export function parseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    if (block.trim() === "") continue;
    const event: SseEvent = { data: "" };
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (name === "data") data.push(value);
      else if (name === "event") event.event = value;
      else if (name === "id") event.id = value;
    }
    event.data = data.join("\n");
    events.push(event);
  }
  return events;
}

/** A promise and its resolve function, for a gate the test opens. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => open = resolve);
  return { promise, open };
}
