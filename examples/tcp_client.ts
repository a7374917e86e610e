/**
 * Talks to the TCP echo server (examples/tcp_echo.ts): connects, sends a few messages
 * one at a time, prints each reply and exits.
 *
 *     deno task example:tcp_echo &        # the server, on 127.0.0.1:8080
 *     deno task example:tcp_client        # or: deno task example:tcp_client 9000
 *
 * @module
 */
import { connect } from "@wire/http/net";

/** What the example sends when no messages are given. */
export const DEFAULT_MESSAGES: readonly string[] = ["hello", "from", "wire"];

/** Where to connect and what to send. */
export interface EchoClientOptions {
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** @default {8080} */
  port?: number;
  /** @default {["hello", "from", "wire"]} */
  messages?: readonly string[];
  /** Gives up on connecting, reading or writing when aborted. */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends each message and waits for its full reply (`echo:` + the message; TCP may hand
 * it over in pieces), then closes. Returns the replies in order.
 */
export async function runEchoClient(options: EchoClientOptions = {}): Promise<string[]> {
  const messages = options.messages ?? DEFAULT_MESSAGES;
  using conn = await connect({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8080,
    signal: options.signal,
    timeout: 5_000,
  });
  const onAbort = () => conn.close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const replies: string[] = [];
    const buf = new Uint8Array(64 * 1024);
    for (const message of messages) {
      const bytes = encoder.encode(message);
      let written = 0;
      while (written < bytes.length) written += await conn.write(bytes.subarray(written));
      const expected = "echo:".length + bytes.length;
      const reply = new Uint8Array(expected);
      let got = 0;
      while (got < expected) {
        const n = await conn.read(buf.subarray(0, expected - got));
        if (n === null) throw new Error(`Cannot read the reply to "${message}": the server closed`);
        reply.set(buf.subarray(0, n), got);
        got += n;
      }
      replies.push(decoder.decode(reply));
    }
    return replies;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

if (import.meta.main) {
  const port = Deno.args[0] === undefined ? 8080 : Number(Deno.args[0]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`Cannot use port "${Deno.args[0]}": give an integer from 1 to 65535`);
    Deno.exit(2);
  }
  const messages = Deno.args.length > 1 ? Deno.args.slice(1) : DEFAULT_MESSAGES;
  try {
    for (
      const reply of await runEchoClient({ port, messages, signal: AbortSignal.timeout(10_000) })
    ) {
      console.log(reply);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
