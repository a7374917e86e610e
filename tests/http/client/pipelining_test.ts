// The pipelining rules (http/_client/pipelining.ts): which requests may share a
// connection with others in flight, and when a busy connection takes one more.

import { assert } from "../../_assert.ts";
import type { ClientExchange } from "../../../http/_client/exchange.ts";
import { hasRoom, isPipelinable, type PipelineView } from "../../../http/_client/pipelining.ts";
import { type PreparedRequest, prepareRequest } from "../../../http/_client/prepare_request.ts";
import { INLINE_BODY_BYTES } from "../../../http/_client/request_head.ts";

const TARGET = "http://127.0.0.1:1/";

function prepared(init?: RequestInit): PreparedRequest {
  const request = prepareRequest(TARGET, init);
  assert.ok(!(request instanceof Promise), "these inits take the synchronous path");
  return request;
}

Deno.test("isPipelinable allows idempotent requests without a body once pipelining is above 1", () => {
  for (const method of ["GET", "HEAD", "OPTIONS", "DELETE", "PUT", "QUERY"]) {
    assert.equal(isPipelinable(prepared({ method }), 2), true, method);
    assert.equal(isPipelinable(prepared({ method }), 1), false, `${method} without pipelining`);
  }
});

Deno.test("isPipelinable refuses non-idempotent methods", () => {
  // "query" is not QUERY: methods are case-sensitive and fetch upper-cases only its six.
  for (const method of ["POST", "PATCH", "PROPFIND", "query"]) {
    assert.equal(isPipelinable(prepared({ method }), 8), false, method);
  }
});

Deno.test("isPipelinable allows an inline body at INLINE_BODY_BYTES and refuses one byte more", () => {
  const at = prepared({ method: "PUT", body: new Uint8Array(INLINE_BODY_BYTES) });
  const past = prepared({ method: "PUT", body: new Uint8Array(INLINE_BODY_BYTES + 1) });
  assert.equal(isPipelinable(at, 2), true);
  assert.equal(isPipelinable(past, 2), false);
});

Deno.test("isPipelinable allows a QUERY with an inline body, as a safe and idempotent method", () => {
  const query = prepared({ method: "QUERY", body: '{"q":1}' });
  assert.equal(query.method, "QUERY");
  assert.equal(isPipelinable(query, 2), true);
});

Deno.test("isPipelinable refuses Blob and stream bodies and Connection: close", () => {
  assert.equal(isPipelinable(prepared({ method: "PUT", body: new Blob(["x"]) }), 2), false);
  const stream = ReadableStream.from([new Uint8Array(1)]);
  assert.equal(isPipelinable(prepared({ method: "PUT", body: stream }), 2), false);
  assert.equal(isPipelinable(prepared({ headers: { connection: "close" } }), 2), false);
});

function view(overrides: Partial<PipelineView>, last?: Partial<ClientExchange>): PipelineView {
  return {
    pipelining: 3,
    busy: true,
    inFlight: 1,
    reserved: 0,
    last: { pipelinable: true, keepAlive: true, ...last } as ClientExchange,
    ...overrides,
  };
}

Deno.test("hasRoom counts requests in flight and reserved against pipelining", () => {
  assert.equal(hasRoom(view({ inFlight: 2 })), true);
  assert.equal(hasRoom(view({ inFlight: 3 })), false);
  assert.equal(hasRoom(view({ inFlight: 2, reserved: 1 })), false);
});

Deno.test("hasRoom needs a busy connection whose last request lets others follow", () => {
  assert.equal(hasRoom(view({ busy: false })), false);
  assert.equal(hasRoom(view({ inFlight: 0, last: undefined })), false);
  assert.equal(hasRoom(view({}, { pipelinable: false })), false);
  assert.equal(hasRoom(view({}, { keepAlive: false })), false);
});
