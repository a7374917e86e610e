// The one list of llhttp corpus cases where Wire's parser deliberately answers
// differently from llhttp, each with its reason. conformance_test.ts fails when a listed
// case starts agreeing (the entry is stale) or an unlisted case disagrees.

/** Why a case differs: Wire does not speak the protocol, is stricter, or chose otherwise. */
export type ExceptionKind = "unsupported" | "stricter" | "status" | "llhttp-quirk";

/** One listed difference. */
export interface ConformanceException {
  kind: ExceptionKind;
  reason: string;
}

/** Corpus case id -> why Wire differs. */
export const CONFORMANCE_EXCEPTIONS: Readonly<Record<string, ConformanceException>> = {
  // --- requests -------------------------------------------------------------------------
  "llhttp-req-046": {
    kind: "status",
    reason: "ANNOUNCE is not a registered HTTP method: Wire rejects it too, but with 501 " +
      "(RFC 9110 §9.1) where the corpus allows 400/505 (llhttp treats it as an RTSP method)",
  },
  "llhttp-req-064": {
    kind: "llhttp-quirk",
    reason: "lenient-all with LF-only lines: llhttp reads `0\\n\\nBaz: ghi\\n\\n` as the last " +
      "chunk followed by the trailer Baz; Wire (optionalCrBeforeLf) takes the bare LF after " +
      "the last-chunk line as the empty line ending the trailer section, then rejects the " +
      "following `Baz: ghi` as a request line",
  },
  "llhttp-req-088": {
    kind: "unsupported",
    reason: "ICE/1.0 request (SHOUTcast): Wire parses HTTP only and rejects other protocol " +
      "names with INVALID_VERSION",
  },
  "llhttp-req-089": {
    kind: "unsupported",
    reason: "RTSP/1.0 request: Wire parses HTTP only (INVALID_VERSION)",
  },
  "llhttp-req-090": {
    kind: "unsupported",
    reason: "RTSP/1.0 request with the RTSP-only method ANNOUNCE: Wire parses HTTP only",
  },
  "llhttp-req-091": {
    kind: "unsupported",
    reason: "the HTTP/2 connection preface (PRI * ... SM): Wire is HTTP/1.1 only; PRI parses " +
      "as an ordinary request and the `SM` line after it is rejected as a request line",
  },
  "llhttp-req-106": {
    kind: "stricter",
    reason: "debatable: an HTTP/0.9 request line (no version) is rejected with 505; Wire " +
      "supports HTTP/1.0 and 1.1 only",
  },
  "llhttp-req-134": {
    kind: "stricter",
    reason: "debatable: `Transfer-Encoding: deflate, chunked` in a request is answered 501; " +
      "Wire implements no transfer coding but chunked (RFC 9112 §6.1: a server SHOULD " +
      "answer 501 to a coding it does not understand)",
  },
  "llhttp-req-135": {
    kind: "stricter",
    reason: "debatable: the same coding list spread over two Transfer-Encoding fields; 501 " +
      "as for llhttp-req-134",
  },

  // --- responses ------------------------------------------------------------------------
  "llhttp-res-049": {
    kind: "unsupported",
    reason: "RTSP/1.1 response: Wire parses HTTP only (INVALID_VERSION)",
  },
  "llhttp-res-050": {
    kind: "unsupported",
    reason: "ICE/1.1 response: Wire parses HTTP only (INVALID_VERSION)",
  },
  "llhttp-res-065": {
    kind: "stricter",
    reason: "an HTTP/0.9 status line is rejected with 505 (only 1.0 and 1.1 are spoken; " +
      "`lenient.version` accepts it)",
  },
};
