// Every ClientError the client raises is built in http/_client/errors.ts: codes,
// messages, method, timeout and cause, as callers see them.

import { assert } from "../../_assert.ts";
import { ConnectError } from "../../../net/connect_error.ts";
import type { ClientError } from "../../../http/client_error.ts";
import {
  abortReason,
  bodyNotReplayable,
  clientClosed,
  closedEarly,
  connectFailed,
  malformed,
  redirectRejected,
  requestBodyFailed,
  timedOut,
  tooManyRedirects,
} from "../../../http/_client/errors.ts";
import { type PreparedRequest, prepareRequest } from "../../../http/_client/prepare_request.ts";
import { BodyError } from "../../../http/_client/upload_body.ts";

const TARGET = "http://127.0.0.1:1/path";

function prepared(init?: RequestInit): PreparedRequest {
  const request = prepareRequest(TARGET, init);
  assert.ok(!(request instanceof Promise));
  return request;
}

Deno.test("errors: abortReason is the signal's reason, and clientClosed names the request", () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  controller.abort(reason);
  assert.equal(abortReason(prepared({ method: "PUT", signal: controller.signal })), reason);
  const plain = new AbortController();
  plain.abort();
  const error = abortReason(prepared({ signal: plain.signal }));
  assert.ok(error instanceof DOMException);
  assert.equal(error.name, "AbortError");
  const closed = clientClosed(prepared());
  assert.equal(closed.code, "CLIENT_CLOSED");
  assert.equal(closed.message, `Cannot fetch ${TARGET}: the client was closed`);
});

Deno.test("errors: closedEarly names the part and the read error, else keeps the write error", () => {
  const request = prepared();
  const reset = new Error("connection reset");
  const head = closedEarly(request, "response head", reset, undefined);
  assert.equal(head.code, "CLOSED_EARLY");
  assert.equal(
    head.message,
    `Cannot fetch ${TARGET}: the connection closed before the response head was complete ` +
      "(connection reset)",
  );
  assert.equal(head.cause, reset);
  const broken = new Error("broken pipe");
  const body = closedEarly(request, "response body", undefined, broken);
  assert.equal(
    body.message,
    `Cannot fetch ${TARGET}: the connection closed before the response body was complete`,
  );
  assert.equal(body.cause, broken);
});

Deno.test("errors: malformed, timedOut and requestBodyFailed", () => {
  const request = prepared({ method: "DELETE" });
  const cause = new SyntaxError("bad byte");
  const bad = malformed(request, "bad byte", cause);
  assert.equal(bad.code, "MALFORMED_RESPONSE");
  assert.equal(bad.message, `Cannot fetch DELETE ${TARGET}: malformed response: bad byte`);
  assert.equal(bad.cause, cause);
  const headers = timedOut(request, "headers", 50);
  assert.equal(headers.code, "ETIMEDOUT");
  assert.equal(headers.timeout, "headers");
  assert.match(headers.message, /no response head within the headers timeout of 50 ms$/);
  const body = timedOut(request, "body", 70);
  assert.equal(body.timeout, "body");
  assert.match(body.message, /no response body data within the body timeout of 70 ms$/);
  const streamError = new Error("source failed");
  const failed = requestBodyFailed(request, new BodyError("the stream failed", streamError));
  assert.equal(failed.code, "REQUEST_BODY_FAILED");
  assert.equal(failed.message, `Cannot fetch DELETE ${TARGET}: the stream failed`);
  assert.equal(failed.cause, streamError);
});

Deno.test("errors: connectFailed maps ConnectError codes and passes argument errors through", () => {
  const request = prepared();
  const address = "127.0.0.1:1";
  const cases = [
    ["ECONNREFUSED", "ECONNREFUSED"],
    ["ENOTFOUND", "ENOTFOUND"],
    ["ETIMEDOUT", "ETIMEDOUT"],
    ["ETLS", "CONNECT_FAILED"],
  ] as const;
  for (const [from, to] of cases) {
    const cause = new ConnectError(address, from, "it failed");
    const error = connectFailed(request, cause) as ClientError;
    assert.equal(error.code, to, from);
    assert.equal(error.message, `Cannot fetch ${TARGET}: cannot connect to ${address}: it failed`);
    assert.equal(error.cause, cause);
    assert.equal(error.timeout, from === "ETIMEDOUT" ? "connect" : undefined);
  }
  const other = connectFailed(request, new Error("odd")) as ClientError;
  assert.equal(other.code, "CONNECT_FAILED");
  assert.equal(other.message, `Cannot fetch ${TARGET}: cannot connect: odd`);
  const argument = new TypeError("bad hostname");
  assert.equal(connectFailed(request, argument), argument);
});

Deno.test("errors: connectFailed reports an aborted signal with its reason", () => {
  const controller = new AbortController();
  const reason = new Error("gone");
  controller.abort(reason);
  assert.equal(connectFailed(prepared({ signal: controller.signal }), new Error("x")), reason);
});

Deno.test("errors: the redirect errors", () => {
  const request = prepared({ method: "PUT", body: "x" });
  const many = tooManyRedirects(request, 20);
  assert.equal(many.code, "TOO_MANY_REDIRECTS");
  assert.equal(many.message, `Cannot fetch PUT ${TARGET}: more than 20 redirects`);
  const cause = new TypeError("Invalid URL");
  const rejected = redirectRejected(request, "no", cause);
  assert.equal(rejected.code, "REDIRECT_REJECTED");
  assert.equal(rejected.cause, cause);
  assert.equal("cause" in redirectRejected(request, "no"), false);
  const replay = bodyNotReplayable(request, 307, new URL("http://127.0.0.1:2/next"));
  assert.equal(replay.code, "BODY_NOT_REPLAYABLE");
  assert.equal(
    replay.message,
    `Cannot fetch PUT ${TARGET}: 307 redirect to http://127.0.0.1:2/next needs the request ` +
      "body again, but it was a stream",
  );
});
