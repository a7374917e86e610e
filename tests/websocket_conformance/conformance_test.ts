// The Autobahn-style conformance suite against two third-party echo servers: Deno's own
// (Deno.serve + Deno.upgradeWebSocket) and node's ws (npm:ws with permessage-deflate).
// Their results are reported, not asserted: the tests check only that every case ran and
// was judged. Wire's own server asserts every case OK or NON-STRICT in wire_test.ts
// (wire_test.ts.disabled until Wire exports upgradeWebSocket).
import { assert } from "../_assert.ts";
import { type EchoServer, startDenoEcho, startWsEcho } from "./_echo_servers.ts";
import {
  allCases,
  type CaseResult,
  formatReport,
  runConformance,
  selectCases,
} from "./conformance.ts";
import { TEST_OPTIONS } from "./_test_options.ts";

const VERDICTS = new Set(["OK", "NON-STRICT", "FAILED", "INFORMATIONAL", "UNIMPLEMENTED"]);

/** Runs every case against `start()`'s server, prints the report, checks each was judged. */
async function report(name: string, start: () => Promise<EchoServer>): Promise<CaseResult[]> {
  const server = await start();
  let results: CaseResult[];
  try {
    results = await runConformance(server.url, TEST_OPTIONS);
  } finally {
    await server.close();
  }
  console.log(`\n${name} (informational):\n${formatReport(results)}\n`);
  const cases = selectCases(allCases(TEST_OPTIONS), TEST_OPTIONS.cases);
  assert.equal(results.length, cases.length);
  for (const r of results) assert.ok(VERDICTS.has(r.verdict), `${r.id}: ${r.verdict}`);
  return results;
}

Deno.test("Conformance suite runs every case against Deno.serve's WebSocket (informational)", async () => {
  await report("Deno.serve + Deno.upgradeWebSocket", startDenoEcho);
});

Deno.test("Conformance suite runs every case against node's ws (informational)", async () => {
  const results = await report("npm:ws WebSocketServer, permessage-deflate", startWsEcho);
  // ws negotiates permessage-deflate, so the compression cases really ran.
  assert.ok(results.filter((r) => r.id.startsWith("13.") && r.extension).length > 0);
});
