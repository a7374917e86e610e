// The llhttp conformance corpus (../shared/conformance) end to end through the server:
// through inject() (with the input also fed one byte at a time) and over TCP. Each
// accepted message reaches the handler intact (method, URL, headers, body) and is
// answered in order; each rejected case gets a status the corpus allows and a close, and
// nothing behind it is answered (no smuggling). Cases marked lenient describe llhttp
// with a relaxation the server does not use: for them only the invariants are checked
// (well-formed answers, errors end the connection). Debatable cases are counted apart.
// When the corpus folder is absent, the tests say so and skip.

import { assert } from "../../_assert.ts";
import {
  bytesOf,
  type CorpusCase,
  type CorpusExpect,
  type CorpusMessage,
  loadCorpus,
} from "../parser/_corpus.ts";
import { CONFORMANCE_EXCEPTIONS } from "../parser/_conformance_exceptions.ts";
import { injectBytes } from "../../../http/inject.ts";
import { parseResponses, rawExchange, type RawResponse, withServer } from "../../_server.ts";
import type { Handler } from "../../../http/handler.ts";

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: Uint8Array | null;
  bodyError: unknown;
}

function recorder(seen: Seen[]): Handler {
  return async (request) => {
    const entry: Seen = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: null,
      bodyError: null,
    };
    seen.push(entry);
    try {
      entry.body = new Uint8Array(await request.arrayBuffer());
    } catch (error) {
      entry.bodyError = error;
    }
    return new Response("ok");
  };
}

function latin1(bytes: Uint8Array | null): string {
  return bytes === null ? "" : Array.from(bytes, (b) => String.fromCharCode(b)).join("");
}

function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, "");
}

/** Differences between what the handler saw and what the corpus says was sent. */
function compareMessage(seen: Seen, expected: CorpusMessage): string[] {
  const problems: string[] = [];
  if (seen.method !== expected.method) problems.push(`method ${seen.method} != ${expected.method}`);
  const target = expected.target!;
  const url = new URL(seen.url);
  if (/^https?:\/\//i.test(target)) {
    if (url.href !== new URL(target).href) problems.push(`url ${url.href} != ${target}`);
  } else if (target !== "*") {
    const want = new URL(target, "http://corpus.test");
    if (url.pathname + url.search !== want.pathname + want.search) {
      problems.push(`target ${url.pathname}${url.search} != ${want.pathname}${want.search}`);
    }
  }
  const names = new Map<string, string[]>();
  for (const [name, value] of expected.headers) {
    const key = name.toLowerCase();
    if (!names.has(key)) names.set(key, []);
    names.get(key)!.push(trimOws(value));
  }
  for (const [name, values] of names) {
    const got = seen.headers.get(name);
    const want = name === "set-cookie" ? values[0] : values.join(", ");
    if (got !== want) {
      problems.push(`header ${name}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
  }
  const gotNames = new Set([...seen.headers.keys()]);
  for (const name of gotNames) if (!names.has(name)) problems.push(`extra header ${name}`);
  const body = latin1(seen.body);
  if (seen.bodyError !== null) problems.push(`body failed: ${seen.bodyError}`);
  else if (body !== expected.body) {
    problems.push(
      `body ${JSON.stringify(body.slice(0, 40))} != ${JSON.stringify(expected.body.slice(0, 40))}`,
    );
  }
  return problems;
}

/**
 * Where the server deliberately differs from the corpus's expectation (beyond the
 * parser's own list in _conformance_exceptions.ts), with the reason.
 */
const SERVER_EXCEPTIONS: Readonly<Record<string, string>> = {
  "llhttp-req-155": "an absolute-form target with userinfo (`http://a%12:b!&*$@host/`) is " +
    "answered 400: RFC 9110 §4.2.4 says to treat userinfo in an http URI from an " +
    "untrusted source as an error (and a Web Request cannot hold a URL with credentials)",
  "llhttp-req-153": "a target with a fragment (`/forums/...?page=1#posts-17408`) is answered " +
    "400: origin-form has no fragment (RFC 9112 §3.2.1), and the URL parser would cut it " +
    "off, so the handler would see a different target than a proxy in front matched " +
    "(`lenient.normalizePath` serves it without the fragment)",
};

/** Judges one server run of a strict case: what reached the handler and what was answered. */
function judge(
  c: CorpusCase,
  expect: CorpusExpect,
  seen: Seen[],
  responses: RawResponse[],
  closed: boolean,
): string[] {
  const problems: string[] = [];
  const parserException = CONFORMANCE_EXCEPTIONS[c.id];
  if (SERVER_EXCEPTIONS[c.id] !== undefined || parserException?.kind === "stricter") {
    // Wire refuses this input on purpose: it must be a clean rejection.
    const last = responses[responses.length - 1];
    if (last === undefined || last.status < 400) problems.push("expected a rejection");
    else if (last.header("connection") !== "close") {
      problems.push("rejection without connection: close");
    }
    if (!closed) problems.push("the connection stayed open after the rejection");
    return problems;
  }
  const complete = expect.kind === "accept" ? expect.messages.length : expect.afterMessages ?? 0;
  for (let i = 0; i < complete; i++) {
    if (seen[i] === undefined) {
      problems.push(`message ${i} never reached the handler`);
      continue;
    }
    for (const p of compareMessage(seen[i], expect.messages[i])) {
      problems.push(`message ${i}: ${p}`);
    }
    if (responses[i]?.status !== 200) {
      problems.push(`message ${i} answered ${responses[i]?.status}`);
    }
  }
  if (expect.kind === "accept") {
    const extra = seen.length - complete - (expect.pending && expect.pendingHeadersDone ? 1 : 0);
    if (extra > 0) problems.push(`${extra} unexpected message(s) reached the handler`);
    if (expect.closeAfter) {
      if (responses[complete - 1]?.header("connection") !== "close") {
        problems.push("the last message closes but its response lacks connection: close");
      }
      if (responses.length > complete) problems.push("a response followed a closing message");
    }
  } else {
    // The server calls the handler once a head is parsed and streams the body, so a
    // message whose body turns out malformed has reached the handler: its body stream
    // fails with the ParseError, or (when the handler answered without reading it) its
    // answer went out before the bad bytes were seen. Nothing behind it may reach it.
    const streamed = seen[complete] !== undefined &&
      (seen[complete].bodyError !== null || seen[complete].body === null);
    const reached = seen.length - complete - (streamed ? 1 : 0);
    if (reached > 0) {
      problems.push(`${reached} message(s) behind the rejection reached the handler`);
    }
    const rejection = responses[complete];
    const listed = CONFORMANCE_EXCEPTIONS[c.id] !== undefined;
    if (rejection === undefined) problems.push("no answer to the rejected message");
    else {
      const allowed = expect.statuses ?? [400];
      const answeredFirst = streamed && rejection.status === 200;
      if (
        !allowed.includes(rejection.status) && !(listed && rejection.status >= 400) &&
        !answeredFirst
      ) {
        problems.push(`rejected with ${rejection.status}, allowed ${allowed.join("/")}`);
      }
      if (rejection.header("connection") !== "close" && !answeredFirst) {
        problems.push("rejection without connection: close");
      }
    }
    if (responses.length > complete + 1) problems.push("answers after the rejection");
    if (!closed) problems.push("the connection stayed open after the rejection");
  }
  return problems;
}

/** Invariants for any input: well-formed answers, and an error answer ends the connection. */
function invariants(responses: RawResponse[]): string[] {
  const problems: string[] = [];
  responses.forEach((r, i) => {
    if (r.status >= 400 && r.header("connection") !== "close") {
      problems.push(`error ${r.status} kept the connection`);
    }
    if (r.status >= 400 && i !== responses.length - 1) problems.push("answers after an error");
  });
  return problems;
}

/** Runs one case through inject(), feeding its input in pieces of `chunkSize` bytes. */
async function viaInject(c: CorpusCase, chunkSize: number) {
  const input = (c.server ? c.server.raw : undefined) ?? c.raw;
  const seen: Seen[] = [];
  const bytes = await injectBytes(recorder(seen), bytesOf(input), {
    chunkSize,
    signal: AbortSignal.timeout(5_000),
  });
  // inject always ends with the connection closed; "closed" is judged over TCP.
  return { seen, responses: parseResponses(bytes, seen.map((s) => s.method)), closed: true };
}

const cases = await loadCorpus("requests");

if (cases === null) {
  console.log("server conformance: ../shared/conformance is absent, corpus tests skipped");
  Deno.test({ name: "Server conformance corpus is not present: skipped", ignore: true, fn() {} });
} else {
  const applicable = cases.filter((c) => c.server !== false);
  const strict = applicable.filter((c) => c.mode === "strict");
  const lenient = applicable.filter((c) => c.mode !== "strict");
  const inputOf = (c: CorpusCase) => (c.server ? c.server.raw : undefined) ?? c.raw;
  const expectOf = (c: CorpusCase) => (c.server ? c.server.expect : undefined) ?? c.expect;

  Deno.test(`server conformance: ${strict.length} strict corpus cases through inject(), whole and byte by byte`, async () => {
    const failures: string[] = [];
    let debatable = 0;
    for (const c of strict) {
      for (const chunkSize of [Infinity, 1]) {
        const { seen, responses, closed } = await viaInject(c, chunkSize);
        const problems = judge(c, expectOf(c), seen, responses, closed);
        if (problems.length > 0) {
          failures.push(`${c.id} [chunk ${chunkSize}]: ${problems.join("; ")}`);
        }
      }
      if (c.debatable) debatable++;
    }
    console.log(
      `server conformance: ${strict.length} strict cases (${debatable} debatable) checked`,
    );
    assert.deepEqual(failures, []);
  });

  Deno.test(`server conformance: ${strict.length} strict corpus cases over TCP`, async () => {
    const failures: string[] = [];
    const seen: Seen[] = [];
    await withServer(recorder(seen), {}, async (_server, addr) => {
      for (const c of strict) {
        seen.length = 0;
        // Half-close after sending: the server answers what it received, then closes.
        const { bytes, closed } = await rawExchange(addr, inputOf(c), { closeWrite: true });
        const responses = parseResponses(bytes, seen.map((s) => s.method));
        const problems = judge(c, expectOf(c), seen, responses, closed);
        if (problems.length > 0) failures.push(`${c.id}: ${problems.join("; ")}`);
      }
    });
    assert.deepEqual(failures, []);
  });

  Deno.test(`server conformance: ${lenient.length} lenient-mode cases keep the invariants`, async () => {
    const failures: string[] = [];
    for (const c of lenient) {
      const { responses } = await viaInject(c, Infinity);
      const problems = invariants(responses);
      if (problems.length > 0) failures.push(`${c.id}: ${problems.join("; ")}`);
    }
    assert.deepEqual(failures, []);
  });
}
