// The suite's judgement, checked end to end against a server that gets it wrong on
// purpose: a raw echo that validates nothing (it answers pings, echoes every other frame
// as it came and mirrors the close). Cases that need no validation must pass; cases
// where RFC 6455 requires failing the connection must come out FAILED.
import { assert } from "../_assert.ts";
import { encodeBase64 } from "./_base64.ts";
import { encodeFrame, FrameDecoder } from "./_frame.ts";
import { type CaseResult, runConformance } from "./conformance.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

async function serveNaive(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  let head = "";
  let rest = new Uint8Array(0);
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) return;
    head += String.fromCharCode(...buf.subarray(0, n));
  }
  const end = head.indexOf("\r\n\r\n") + 4;
  rest = Uint8Array.from(head.slice(end), (c) => c.charCodeAt(0));
  const key = /sec-websocket-key: *(\S+)/i.exec(head)![1];
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID));
  await conn.write(new TextEncoder().encode(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${encodeBase64(new Uint8Array(digest))}\r\n\r\n`,
  ));
  const decoder = new FrameDecoder();
  decoder.push(rest);
  for (;;) {
    for (let f = decoder.next(); f !== null; f = decoder.next()) {
      const opcode = f.opcode === 9 ? 10 : f.opcode;
      const out = { opcode, fin: f.fin, rsv: f.rsv, payload: f.payload, mask: false };
      await conn.write(encodeFrame(out, new Uint8Array(4)));
      if (f.opcode === 8) return;
    }
    const n = await conn.read(buf);
    if (n === null) return;
    decoder.push(buf.slice(0, n));
  }
}

async function naiveRun(cases: string[]): Promise<Map<string, CaseResult>> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      serveNaive(conn).catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* the client closed it */ }
      });
    }
  })();
  try {
    const results = await runConformance(`ws://127.0.0.1:${listener.addr.port}/`, {
      cases,
      waitMs: 300,
      closeTimeoutMs: 300,
      pauseMs: 100,
    });
    return new Map(results.map((r) => [r.id, r]));
  } finally {
    listener.close();
    await accepting;
    for (const conn of conns) conn.close();
  }
}

Deno.test("Conformance suite passes what a validate-nothing echo does right and fails the rest", async () => {
  const passing = ["1.1.1", "1.2.6", "2.1", "2.6", "5.6", "6.2.3", "7.1.1", "7.7.1", "9.7.2"];
  const failing = [
    "2.5", // 126-byte ping answered with a 126-byte pong
    "3.1", // RSV bits echoed back
    "4.1.1", // reserved opcode echoed back
    "5.1", // fragmented ping answered fragmented
    "6.3.1", // invalid UTF-8 echoed back
    "6.4.1", // never fails the connection
    "7.9.1", // close code 0 mirrored
    "7.3.6", // 126-byte close payload mirrored
    "X.3.1", // unmasked frame accepted
  ];
  const results = await naiveRun([...passing, ...failing]);
  for (const id of passing) {
    const r = results.get(id)!;
    assert.equal(r.verdict, "OK", `${id}: ${r.result}; ${r.closeResult}`);
  }
  for (const id of failing) {
    const r = results.get(id)!;
    assert.equal(r.verdict, "FAILED", `${id}: ${r.result}; ${r.closeResult}`);
  }
});
