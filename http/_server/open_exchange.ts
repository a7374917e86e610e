/**
 * Turns a parsed request head into an exchange: checks what the parser leaves to the
 * server (one Host, the body limit, a URL that can be built, a method a Request can
 * carry) and builds the handler's Request, body stream and ServeInfo.
 *
 * @module
 */

import type { Parser } from "../parser.ts";
import type { ConnectionConfig } from "./config.ts";
import { type BodySink, BodySource } from "./body_source.ts";
import type { ServerExchange } from "./exchange.ts";
import { LazyServeInfo } from "./serve_info.ts";
import { joinCookies } from "./cookie_fields.ts";
import { createRequest, fastRequestActive, requestUrl, validHost } from "./request.ts";
import { forwardedUrl, readForwarding } from "./forwarded.ts";

/**
 * Fills `ex` from the head `parser` just parsed. Returns 0 when the request is built,
 * or the status to refuse the head with (the exchange is then dropped).
 *
 * @param ex A new exchange (its version, HEAD and keep-alive already set).
 * @param parser The parser, at PARSE_HEAD.
 * @param config Limits, scheme and default host.
 * @param sink Told when the handler wants body bytes (the connection).
 * @param remoteAddr The client as the connection knows it (the PROXY header's source).
 * @param peerAddr The socket's peer.
 * @returns 0, or 400, 413, 501 or 503.
 */
export function openExchange(
  ex: ServerExchange,
  parser: Parser,
  config: ConnectionConfig,
  sink: BodySink,
  remoteAddr: Deno.Addr,
  peerAddr: Deno.Addr = remoteAddr,
): number {
  // RFC 9112 §3.2: exactly one Host on HTTP/1.1 (none only with lenient.missingHost);
  // never more than one.
  const hosts = parser.hostCount;
  if (hosts > 1 || (hosts === 0 && ex.minor === 1 && !config.missingHost)) return 400;
  if (parser.contentLength > config.maxBodyBytes) return 413;
  // Load shedding: past maxRequestsInFlight the request is refused before its body is
  // read or its handler called.
  const limit = config.maxRequestsInFlight;
  if (limit !== 0 && config.counters.requestsInFlight >= limit) return 503;
  const host = parser.host;
  const target = parser.target;
  const normalize = config.normalizePath;
  let url: string | null;
  if (host === "") url = requestUrl(config.scheme, config.defaultHost, target, normalize);
  else url = validHost(host) ? requestUrl(config.scheme, host, target, normalize) : null;
  if (url === null) return 400;
  let client = remoteAddr;
  if (config.trustProxy !== null) {
    // A trusted proxy names the client, and the scheme and host it asked for.
    const forwarding = readForwarding(config.trustProxy, parser.headers, remoteAddr);
    if (forwarding !== null) {
      if (forwarding.client !== null) client = forwarding.client;
      const authority = host === "" ? config.defaultHost : host;
      url = forwardedUrl(forwarding, config.scheme, authority, target, normalize, url);
    }
  }
  const method = parser.method;
  const hasBody = parser.hasBody;
  ex.receiving = hasBody;
  ex.remaining = parser.chunked ? -1 : parser.contentLength;
  let body: BodySource | null = null;
  try {
    // A GET or HEAD body reaches the handler on the fast route only (the public Request
    // constructor refuses one); on the public route it is drained.
    if (hasBody && (fastRequestActive() || method !== "GET" && method !== "HEAD")) {
      body = new BodySource(sink);
    }
    const handle = createRequest(
      method,
      url,
      joinCookies(parser.headers),
      body === null ? null : body.stream,
      parser.contentLength,
    );
    ex.request = handle.request;
    ex.controller = handle.controller;
  } catch {
    // Deno refuses TRACE and TRACK ("forbidden methods"); anything else is a bad request.
    return method === "TRACE" || method === "TRACK" ? 501 : 400;
  }
  ex.live = true;
  ex.body = body;
  ex.info = new LazyServeInfo(client, peerAddr);
  ex.expectContinue = parser.expectContinue && ex.minor === 1 && body !== null;
  return 0;
}
