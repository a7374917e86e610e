// The llhttp conformance corpus (../shared/conformance, see its README) and a
// parser-level runner shared by the parser, split, conformance and fuzz tests. The corpus
// is read at test time, never copied into the repository; `loadCorpus` returns null when
// the folder is absent (a user's clone), and the tests then skip with a note.

import { prng } from "../../_prng.ts";

import {
  PARSE_BODY,
  PARSE_END,
  PARSE_ERROR,
  PARSE_HEAD,
  PARSE_NEED_MORE,
  PARSE_UPGRADE,
} from "../../../http/parse_event.ts";
import { Parser } from "../../../http/parser.ts";
import type { ParserLenientFlags, ParserOptions } from "../../../http/parser_options.ts";
import type { ParseError } from "../../../http/parse_error.ts";

/** Folder of the shared corpus, relative to the repository root's parent. */
export const CORPUS_URL: URL = new URL("../../../../shared/conformance/", import.meta.url);

/** One message as the corpus records it (strings hold one char per byte). */
export interface CorpusMessage {
  method?: string;
  target?: string;
  status?: number;
  reason?: string;
  protocol?: string;
  version: string;
  headers: [string, string][];
  body: string;
  trailers?: [string, string][];
  completesAtEof?: boolean;
}

/** What a parser (or server) must do with a case's bytes. */
export interface CorpusExpect {
  kind: "accept" | "reject";
  messages: CorpusMessage[];
  pending?: CorpusMessage;
  pendingHeadersDone?: boolean;
  closeAfter?: boolean;
  dataAfterClose?: string;
  upgrade?: { offset: number; tail: string; llhttp?: string };
  finish?: "ok" | "error";
  afterMessages?: number;
  at?: number;
  llhttpError?: string;
  statuses?: number[];
}

/** One corpus case. */
export interface CorpusCase {
  id: string;
  source: string;
  type: "request" | "response";
  mode: string;
  raw: string;
  expect: CorpusExpect;
  server?: false | { raw?: string; expect?: CorpusExpect };
  serverNote?: string;
  debatable?: boolean;
  debatableNote?: string;
  skipBody?: boolean;
  requestMethod?: string;
  halfClose?: boolean;
}

/**
 * Reads `llhttp-requests.json` or `llhttp-responses.json`, or returns null when the
 * corpus folder is not there.
 */
export async function loadCorpus(which: "requests" | "responses"): Promise<CorpusCase[] | null> {
  try {
    const text = await Deno.readTextFile(new URL(`llhttp-${which}.json`, CORPUS_URL));
    return JSON.parse(text) as CorpusCase[];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Bytes of a corpus string (one char per byte). */
export function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Every lenient flag, for llhttp's `lenient-all`. */
export const ALL_LENIENT: ParserLenientFlags = {
  headers: true,
  headerValueRelaxed: true,
  chunkedLength: true,
  keepAlive: true,
  transferEncoding: true,
  version: true,
  dataAfterClose: true,
  optionalLfAfterCr: true,
  optionalCrBeforeLf: true,
  optionalCrlfAfterChunk: true,
  spacesAfterChunkSize: true,
};

/** The Parser lenient flags matching a corpus mode (llhttp flag names). */
export function lenientFor(mode: string): ParserLenientFlags {
  switch (mode) {
    case "strict":
      return {};
    case "lenient-all":
      return ALL_LENIENT;
    case "lenient-headers":
      return { headers: true };
    case "lenient-header-value-relaxed":
      return { headerValueRelaxed: true };
    case "lenient-chunked-length":
      return { chunkedLength: true };
    case "lenient-keep-alive":
      return { keepAlive: true };
    case "lenient-transfer-encoding":
      return { transferEncoding: true };
    case "lenient-version":
      return { version: true };
    case "lenient-data-after-close":
      return { dataAfterClose: true };
    case "lenient-optional-lf-after-cr":
      return { optionalLfAfterCr: true };
    case "lenient-optional-cr-before-lf":
      return { optionalCrBeforeLf: true };
    case "lenient-optional-crlf-after-chunk":
      return { optionalCrlfAfterChunk: true };
    case "lenient-spaces-after-chunk-size":
      return { spacesAfterChunkSize: true };
  }
  throw new Error(`Unknown corpus mode ${mode}`);
}

/** A message as the runner saw it. */
export interface SeenMessage {
  method: string;
  target: string;
  status: number;
  reason: string;
  version: string;
  headers: [string, string][];
  body: string;
  trailers: [string, string][];
  keepAlive: boolean;
  upgrade: boolean;
  complete: boolean;
  contentLength: number;
  chunked: boolean;
  hostCount: number;
  host: string;
  expectContinue: boolean;
}

/** Everything a parser reported for one input. */
export interface RunResult {
  messages: SeenMessage[];
  /** The message in progress when the input ran out (head seen or not). */
  pending: SeenMessage | null;
  /** Whether any byte of a next message was consumed (pending without a head). */
  pendingStarted: boolean;
  error: ParseError | null;
  /** Stream offset of the first byte after an upgrade head (or its body), else -1. */
  upgradeOffset: number;
  /** The event of parser.finish() after the input. */
  finish: number;
  /** The message completed by finish(), when there was one. */
  finishedMessage: SeenMessage | null;
  /** The error finish() reported (the close cut a message short). */
  finishError: ParseError | null;
  /** Number of execute calls. */
  events: number;
  /** Largest parser.bufferSize seen, for memory bounds. */
  maxBuffer: number;
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** Options for {@linkcode runParser}. */
export interface RunOptions extends ParserOptions {
  /** Call expectNoBody() before every message (responses to HEAD, llhttp's skipBody). */
  noBody?: boolean;
  /** Most events before giving up (guards against a parser that never progresses). */
  maxEvents?: number;
}

/**
 * Feeds `chunks` (in order, each a fresh buffer that is scribbled over after use, so a
 * parser keeping views into it would be caught) and records every message.
 */
export function runParser(chunks: Uint8Array[], options: RunOptions = {}): RunResult {
  const parser = new Parser(options);
  const maxEvents = options.maxEvents ?? 1_000_000;
  const result: RunResult = {
    messages: [],
    pending: null,
    pendingStarted: false,
    error: null,
    upgradeOffset: -1,
    finish: PARSE_NEED_MORE,
    finishedMessage: null,
    finishError: null,
    events: 0,
    maxBuffer: 0,
  };
  let current: SeenMessage | null = null;
  let body: number[] = [];
  let streamOffset = 0;
  let stopped = false;
  if (options.noBody) parser.expectNoBody();
  const startMessage = (upgrade: boolean) => {
    current = {
      method: parser.method,
      target: parser.target,
      status: parser.status,
      reason: parser.reason,
      version: `${parser.versionMajor}.${parser.versionMinor}`,
      headers: pairs(parser.headers),
      body: "",
      trailers: [],
      keepAlive: parser.keepAlive,
      upgrade,
      complete: false,
      contentLength: parser.contentLength,
      chunked: parser.chunked,
      hostCount: parser.hostCount,
      host: parser.host,
      expectContinue: parser.expectContinue,
    };
    body = [];
  };
  const endMessage = () => {
    const message = current!;
    message.body = latin1(Uint8Array.from(body));
    message.trailers = pairs(parser.trailers);
    message.keepAlive = parser.keepAlive;
    message.complete = true;
    result.messages.push(message);
    current = null;
    body = [];
    if (options.noBody) parser.expectNoBody();
  };
  for (const chunk of chunks) {
    if (stopped) break;
    let pos = 0;
    for (;;) {
      if (++result.events > maxEvents) throw new Error("Parser did not progress");
      const before = pos;
      const event = parser.execute(chunk, pos, chunk.length);
      if (parser.offset < before || parser.offset > chunk.length) {
        throw new Error(`Parser offset ${parser.offset} out of [${before}, ${chunk.length}]`);
      }
      streamOffset += parser.offset - before;
      if (parser.bufferSize > result.maxBuffer) result.maxBuffer = parser.bufferSize;
      pos = parser.offset;
      if (event === PARSE_NEED_MORE) {
        if (pos !== chunk.length) throw new Error("PARSE_NEED_MORE before the end of the data");
        break;
      }
      if (event === PARSE_HEAD) {
        startMessage(false);
      } else if (event === PARSE_UPGRADE) {
        if ((current as SeenMessage | null)?.upgrade === true) {
          // Again after an upgrade request's body: the parser has stopped.
          result.upgradeOffset = streamOffset;
          stopped = true;
          break;
        }
        if (current === null && result.messages.at(-1)?.upgrade === true) {
          result.upgradeOffset = streamOffset;
          stopped = true;
          break;
        }
        startMessage(true);
        if (!parser.hasBody) {
          const message = current!;
          message.complete = true;
          result.messages.push(message);
          current = null;
          result.upgradeOffset = streamOffset;
          stopped = true;
          break;
        }
      } else if (event === PARSE_BODY) {
        if (current === null) throw new Error("PARSE_BODY outside a message");
        for (let i = parser.bodyStart; i < parser.bodyEnd; i++) body.push(chunk[i]);
      } else if (event === PARSE_END) {
        if (current === null) throw new Error("PARSE_END outside a message");
        endMessage();
      } else if (event === PARSE_ERROR) {
        result.error = parser.error;
        stopped = true;
        break;
      } else {
        throw new Error(`Unknown event ${event}`);
      }
    }
    chunk.fill(0xee);
  }
  if (current !== null) {
    const message = current as SeenMessage;
    message.body = latin1(Uint8Array.from(body));
    result.pending = message;
  }
  result.pendingStarted = !parser.idle;
  if (!stopped) {
    result.finish = parser.finish();
    if (result.finish === PARSE_END && current !== null) {
      endMessage();
      result.finishedMessage = result.messages.at(-1)!;
    }
    if (result.finish === PARSE_ERROR) result.finishError = parser.error;
  }
  return result;
}

/** `bytes` cut at the given offsets (sorted, within 1..length-1), each piece copied. */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    out.push(bytes.slice(from, cut));
    from = cut;
  }
  out.push(bytes.slice(from));
  return out;
}

/** `bytes` as one-byte pieces. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes.slice(i, i + 1));
  return out;
}

/** A comparable summary of a run (for "split feeding gives the same result" checks). */
export function summary(result: RunResult): string {
  return JSON.stringify({
    messages: result.messages,
    pending: result.pending,
    error: result.error === null
      ? null
      : { code: result.error.code, status: result.error.status, offset: result.error.offset },
    upgradeOffset: result.upgradeOffset,
    finish: result.finish,
  });
}

function sameMessage(seen: SeenMessage, want: CorpusMessage, body: boolean): string {
  const problems: string[] = [];
  if (want.method !== undefined && seen.method !== want.method) {
    problems.push(`method ${seen.method} != ${want.method}`);
  }
  if (want.target !== undefined && seen.target !== want.target) {
    problems.push(`target ${JSON.stringify(seen.target)} != ${JSON.stringify(want.target)}`);
  }
  if (want.status !== undefined && seen.status !== want.status) {
    problems.push(`status ${seen.status} != ${want.status}`);
  }
  if (want.reason !== undefined && seen.reason !== want.reason) {
    problems.push(`reason ${JSON.stringify(seen.reason)} != ${JSON.stringify(want.reason)}`);
  }
  if (want.version !== undefined && seen.version !== want.version) {
    problems.push(`version ${seen.version} != ${want.version}`);
  }
  if (JSON.stringify(seen.headers) !== JSON.stringify(want.headers ?? [])) {
    problems.push(`headers ${JSON.stringify(seen.headers)} != ${JSON.stringify(want.headers)}`);
  }
  if (body && seen.body !== want.body) {
    problems.push(`body ${JSON.stringify(seen.body)} != ${JSON.stringify(want.body)}`);
  }
  if (
    want.trailers !== undefined &&
    JSON.stringify(seen.trailers) !== JSON.stringify(want.trailers)
  ) {
    problems.push(`trailers ${JSON.stringify(seen.trailers)} != ${JSON.stringify(want.trailers)}`);
  }
  return problems.join("; ");
}

/**
 * Compares a run with a corpus expectation; returns the mismatches (empty: agrees).
 * Error offsets are not compared (llhttp's `at` is where its state machine noticed),
 * statuses are: ours must be one the corpus allows.
 */
export function checkExpect(result: RunResult, expect: CorpusExpect): string[] {
  const problems: string[] = [];
  const complete = result.messages.filter((m) => m !== result.finishedMessage);
  if (expect.kind === "reject") {
    if (result.error === null) {
      problems.push(`accepted: ${complete.length} messages, no error`);
      return problems;
    }
    if (expect.statuses !== undefined && !expect.statuses.includes(result.error.status)) {
      problems.push(`status ${result.error.status} not in ${expect.statuses.join("/")}`);
    }
    const after = expect.afterMessages ?? 0;
    if (complete.length !== after) {
      problems.push(`${complete.length} messages before the error, expected ${after}`);
    }
    for (let i = 0; i < Math.min(after, complete.length); i++) {
      const problem = sameMessage(complete[i], expect.messages[i], true);
      if (problem) problems.push(`message ${i + 1}: ${problem}`);
    }
    return problems;
  }
  // accept
  const closedData = expect.dataAfterClose !== undefined;
  if (result.error !== null) {
    if (!closedData || result.error.code !== "CLOSED_CONNECTION") {
      problems.push(`rejected: ${result.error.code}: ${result.error.message}`);
    }
  } else if (closedData) {
    problems.push("data after a closing message was not refused");
  }
  if (complete.length !== expect.messages.length) {
    problems.push(`${complete.length} messages, expected ${expect.messages.length}`);
  }
  for (let i = 0; i < Math.min(complete.length, expect.messages.length); i++) {
    const problem = sameMessage(complete[i], expect.messages[i], true);
    if (problem) problems.push(`message ${i + 1}: ${problem}`);
  }
  if (expect.pending !== undefined) {
    const pending = expect.pending;
    if (expect.pendingHeadersDone) {
      if (result.pending === null) {
        if (!(pending.completesAtEof && result.finishedMessage !== null)) {
          problems.push("no pending message after the input");
        }
      } else {
        const problem = sameMessage(result.pending, pending, true);
        if (problem) problems.push(`pending: ${problem}`);
      }
      if (pending.completesAtEof) {
        if (result.finishedMessage === null) problems.push("finish() did not complete the body");
        else {
          const problem = sameMessage(result.finishedMessage, pending, true);
          if (problem) problems.push(`at EOF: ${problem}`);
        }
      }
    } else {
      if (result.pending !== null) problems.push("pending message reported its head too early");
      if (!result.pendingStarted) problems.push("pending message bytes were not consumed");
    }
  } else if (result.pending !== null && result.upgradeOffset < 0) {
    problems.push("a message is left incomplete");
  }
  if (expect.upgrade !== undefined) {
    if (result.upgradeOffset !== expect.upgrade.offset) {
      problems.push(`upgrade offset ${result.upgradeOffset}, expected ${expect.upgrade.offset}`);
    }
  } else if (result.upgradeOffset >= 0) {
    problems.push("reported an upgrade");
  }
  if (expect.closeAfter === true && complete.length > 0 && complete.at(-1)!.keepAlive) {
    problems.push("last message should close the connection");
  }
  if (
    expect.closeAfter === undefined && expect.upgrade === undefined &&
    expect.pending === undefined &&
    complete.length > 0 && !complete.at(-1)!.keepAlive
  ) {
    problems.push("last message should keep the connection alive");
  }
  if (expect.finish === "ok" && result.finish === PARSE_ERROR) problems.push("finish() failed");
  if (expect.finish === "error" && result.finish !== PARSE_ERROR) {
    problems.push("finish() should fail mid-message");
  }
  return problems;
}

export { prng };
