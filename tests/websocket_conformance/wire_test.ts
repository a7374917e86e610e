// Wire's WebSocket server against the whole conformance suite (Autobahn|Testsuite
// sections 1-7, 9, 10, 12, 13 as ported here, plus the RFC 6455/7692 extras "X").
//
// Unlike the Deno and ws runs in conformance_test.ts (reported only), this asserts: every
// case must be OK, NON-STRICT or INFORMATIONAL. UNIMPLEMENTED fails it, because
// permessage-deflate is part of the target.
import { serve, upgradeWebSocket } from "../../mod.ts";
import { assert } from "../_assert.ts";
import { formatReport, PASSING, runConformance } from "./conformance.ts";
import { TEST_OPTIONS } from "./_test_options.ts";

/** Echoes every message as it came, with permessage-deflate on for every size. */
function echo(request: Request): Response {
  const { socket, response } = upgradeWebSocket(request, {
    perMessageDeflate: { threshold: 0 },
  });
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event: MessageEvent) => socket.send(event.data);
  return response;
}

Deno.test("Wire's WebSocket server passes every conformance case (OK or NON-STRICT)", async () => {
  const server = serve(echo, { hostname: "127.0.0.1", port: 0, onListen() {} });
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const results = await runConformance(`ws://127.0.0.1:${port}/`, TEST_OPTIONS);
    console.log(`\nWire (serve + upgradeWebSocket):\n${formatReport(results)}\n`);
    const failures = results
      .filter((r) => !PASSING.has(r.verdict))
      .map((r) => `${r.id} ${r.verdict}: ${r.description} — ${r.result}; ${r.closeResult}`);
    assert.deepEqual(failures, []);
  } finally {
    await server.shutdown({ deadline: 0 });
  }
});
