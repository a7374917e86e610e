// Hostile input against a live server: at least 50,000 seeded mutations of the shared
// conformance corpus, each on its own connection, many connections at once. Invariants: the
// server never crashes or hangs past its timeouts, every reply is a sequence of well-formed
// HTTP/1.1 responses (strict parse, Date header, server-made errors close the connection,
// nothing after a closing response) or a clean close; afterwards it still answers and every
// descriptor is released. WIRE_SEED repeats a run; WIRE_FUZZ_COUNT changes the count.

import { assert } from "../_assert.ts";
import { serve } from "../../http/serve.ts";
import { fdsBackTo, openFds, prng, runSeed, within } from "./_fd.ts";
import { checkReply, HANDLER_MARK, inputShape, loadSeeds, Mutator } from "./_mutate.ts";
import { closeQuietly, connectLocal, encodeRequest, ResponseReader, send } from "./_wire.ts";
import { concat } from "../../net/_bytes.ts";

const COUNT = Number(Deno.env.get("WIRE_FUZZ_COUNT") ?? 50_000);
const CONCURRENCY = 128;
const HEADERS_TIMEOUT = 1_000;
const REQUEST_TIMEOUT = 2_000;
const KEEP_ALIVE_TIMEOUT = 500;
const MAX_BODY = 64 * 1024;
/** One input in this many is sent without a half-close: only the server's timeouts end it. */
const NO_HALF_CLOSE_EVERY = 200;
/** Longest a connection may stay open: the slowest timeout plus a margin for a busy machine. */
const HANG_LIMIT = REQUEST_TIMEOUT + HEADERS_TIMEOUT + 5_000;

const seeds = await loadSeeds();
if (seeds === null) {
  console.warn(
    "fuzz_live_test: ../shared/conformance not found next to the repository, skipping the live fuzzer",
  );
}

interface Outcome {
  reply: Uint8Array;
  reset: boolean;
  writeCut: boolean;
}

async function exchange(port: number, input: Uint8Array, halfClose: boolean): Promise<Outcome> {
  const conn = await connectLocal(port);
  const outcome: Outcome = { reply: new Uint8Array(0), reset: false, writeCut: false };
  const parts: Uint8Array[] = [];
  try {
    const reading = (async () => {
      const buf = new Uint8Array(16 * 1024);
      for (;;) {
        let n: number | null;
        try {
          n = await conn.read(buf);
        } catch (error) {
          if (error instanceof Deno.errors.ConnectionReset) {
            outcome.reset = true;
            return;
          }
          throw error;
        }
        if (n === null) return;
        parts.push(buf.slice(0, n));
      }
    })();
    try {
      await send(conn, input);
      if (halfClose) await conn.closeWrite();
    } catch (error) {
      // The server closed (after an error status) before taking all of the input.
      if (
        !(error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionReset ||
          error instanceof Deno.errors.NotConnected)
      ) throw error;
      outcome.writeCut = true;
    }
    await within(reading, HANG_LIMIT, "the server to answer and close");
  } finally {
    closeQuietly(conn);
  }
  outcome.reply = concat(parts);
  return outcome;
}

function printable(bytes: Uint8Array, max = 300): string {
  let out = "";
  for (const b of bytes.subarray(0, max)) {
    out += b >= 0x20 && b < 0x7f
      ? String.fromCharCode(b)
      : b === 0x0d
      ? "\\r"
      : b === 0x0a
      ? "\\n"
      : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return bytes.length > max ? out + "..." : out;
}

Deno.test({
  name: "serve() takes 50,000 mutated corpus requests without a crash, a hang or a malformed reply",
  ignore: seeds === null,
  fn: async () => {
    const seed = runSeed("fuzz live", 0xf022);
    const random = prng(seed);
    const mutator = new Mutator(seeds!, random);
    // Inputs are generated up front, in order, so a seed always gives the same inputs.
    const inputs: Uint8Array[] = [];
    const halfClose: boolean[] = [];
    let inputBytes = 0;
    for (let i = 0; i < COUNT; i++) {
      const input = mutator.next();
      inputs.push(input);
      inputBytes += input.length;
      halfClose.push(random() * NO_HALF_CLOSE_EVERY >= 1);
    }

    const rejections: unknown[] = [];
    const onRejection = (event: PromiseRejectionEvent) => {
      rejections.push(event.reason);
      event.preventDefault();
    };
    globalThis.addEventListener("unhandledrejection", onRejection);
    let handled = 0;
    const fdBase = openFds();
    const server = serve(async (request) => {
      handled++;
      let length = -1;
      try {
        length = (await request.arrayBuffer()).byteLength;
      } catch {
        // A body cut short or past maxBodyBytes: the server answers for it.
      }
      return new Response(`ok ${length}`, { headers: { [HANDLER_MARK]: request.method } });
    }, {
      hostname: "127.0.0.1",
      port: 0,
      headersTimeout: HEADERS_TIMEOUT,
      requestTimeout: REQUEST_TIMEOUT,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT,
      maxBodyBytes: MAX_BODY,
      onListen() {},
      onError(error) {
        // The handler never throws: anything here is the server's own failure.
        console.error("fuzz: onError", error);
        return new Response("error", { status: 500 });
      },
    });
    const port = (server.addr as Deno.NetAddr).port;
    const statuses = new Map<number, number>();
    const tally = {
      replies: 0,
      responses: 0,
      fromHandler: 0,
      interim: 0,
      silentCloses: 0,
      resets: 0,
      writeCut: 0,
      bad: 0,
      unanswered: 0,
      hangs: 0,
    };
    const failures: string[] = [];
    const started = performance.now();
    try {
      let next = 0;
      const worker = async () => {
        while (next < COUNT) {
          const i = next++;
          let outcome: Outcome;
          try {
            outcome = await exchange(port, inputs[i], halfClose[i]);
          } catch (error) {
            tally.hangs++;
            if (failures.length < 10) {
              failures.push(
                `input ${i}: ${(error as Error).message}\n  sent: ${printable(inputs[i])}`,
              );
            }
            continue;
          }
          tally.replies++;
          if (outcome.reset) tally.resets++;
          if (outcome.writeCut) tally.writeCut++;
          const verdict = checkReply(outcome.reply, outcome.reset);
          if (verdict.problem !== "") {
            tally.bad++;
            if (failures.length < 10) {
              failures.push(
                `input ${i}: ${verdict.problem}\n  sent: ${printable(inputs[i])}\n  got: ${
                  printable(outcome.reply)
                }`,
              );
            }
            continue;
          }
          // What the server owes: nothing may be left unanswered on a connection it kept open.
          const shape = inputShape(inputs[i]);
          const lastKeptOpen = verdict.statuses.length > 0 && verdict.lastKeepAlive;
          let owed = "";
          if (verdict.statuses.length === 0 && (shape.complete > 0 || shape.rest === "error")) {
            owed =
              `closed without answering (${shape.complete} complete requests, then ${shape.rest})`;
          } else if (lastKeptOpen && verdict.statuses.length < shape.complete) {
            owed = `${verdict.statuses.length} responses for ${shape.complete} complete requests`;
          }
          if (owed !== "") {
            tally.unanswered++;
            if (failures.length < 10) {
              failures.push(
                `input ${i}: ${owed}\n  sent: ${printable(inputs[i])}\n  got: ${
                  printable(outcome.reply)
                }`,
              );
            }
            continue;
          }
          if (verdict.statuses.length === 0) tally.silentCloses++;
          tally.responses += verdict.statuses.length;
          tally.fromHandler += verdict.fromHandler;
          tally.interim += verdict.interim;
          for (const s of verdict.statuses) statuses.set(s, (statuses.get(s) ?? 0) + 1);
        }
      };
      const workers = [];
      for (let w = 0; w < CONCURRENCY; w++) workers.push(worker());
      await within(Promise.all(workers), 240_000, "the fuzz run");

      // Still alive and answering.
      const conn = await connectLocal(port);
      try {
        const reader = new ResponseReader(conn);
        await send(conn, encodeRequest({ path: "/after", close: true }));
        const response = await within(reader.next(), 5_000, "a normal request after the fuzz run");
        assert.equal(response?.status, 200);
      } finally {
        closeQuietly(conn);
      }
    } finally {
      await within(server.shutdown({ deadline: 2_000 }), 10_000, "server shutdown");
      globalThis.removeEventListener("unhandledrejection", onRejection);
    }
    const seconds = (performance.now() - started) / 1000;
    const byStatus = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) =>
      `${s}:${n}`
    )
      .join(" ");
    console.log(
      `fuzz live: ${COUNT} inputs (${(inputBytes / 2 ** 20).toFixed(1)} MiB, seed ${seed}) in ${
        seconds.toFixed(1)
      } s ` +
        `over ${CONCURRENCY} parallel connections; ${tally.responses} responses (${tally.fromHandler} from the ` +
        `handler, ${tally.interim} 100-continue), ${tally.silentCloses} clean closes without a response, ` +
        `${tally.resets} resets, ${tally.writeCut} inputs cut off by an early close; ${tally.bad} malformed, ` +
        `${tally.unanswered} left unanswered, ` +
        `${tally.hangs} hangs; statuses ${byStatus}`,
    );
    console.log(`fuzz live: mutations ${JSON.stringify(mutator.counts)}`);
    assert.deepEqual(failures, []);
    assert.equal(tally.replies, COUNT);
    assert.deepEqual(rejections, []);
    await fdsBackTo(fdBase, 10_000);
  },
});
