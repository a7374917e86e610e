/**
 * A CONNECT tunnel through an HTTP proxy (RFC 9110 §9.3.6): the request in authority
 * form, the proxy's answer read with the Parser in response mode, and nothing else read
 * from the socket, so TLS to the origin can start on it.
 *
 * @module
 */
import { ReadBuffer } from "../../net/_read_buffer.ts";
import { writeAll } from "../../net/_write_all.ts";
import { Parser } from "../parser.ts";
import { PARSE_END, PARSE_ERROR, PARSE_HEAD, PARSE_NEED_MORE } from "../parse_event.ts";
import { errorText } from "../_codec/error_text.ts";
import { untilAborted } from "./abortable.ts";
import { proxyRefused } from "./errors.ts";
import type { PreparedRequest } from "./prepare_request.ts";
import type { ProxyEndpoint } from "./proxy_config.ts";
import { USER_AGENT } from "./request_head.ts";

/** Interim answers a proxy may send before its final one. */
const MAX_INTERIM = 10;

/**
 * Asks `proxy` over `conn` for a tunnel to `authority` and reads its answer.
 *
 * @param conn The connection to the proxy.
 * @param authority The origin's `host:port`.
 * @param proxy The proxy.
 * @param request The request the tunnel is for (named in errors).
 * @param limits Head limits for the answer.
 * @param signal Gives up (with its reason) when it aborts.
 * @throws {ClientError} PROXY_AUTHENTICATION_REQUIRED for a 407, PROXY_TUNNEL_FAILED for
 * any other refusal, a malformed answer or a close.
 */
export async function openTunnel(
  conn: Deno.Conn,
  authority: string,
  proxy: ProxyEndpoint,
  request: PreparedRequest,
  limits: { maxHeaderBytes: number; maxHeaderCount: number },
  signal: AbortSignal,
): Promise<void> {
  const head = `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${proxy.lines}` +
    `user-agent: ${USER_AGENT}\r\n\r\n`;
  await untilAborted(writeAll(conn, Uint8Array.from(head, (c) => c.charCodeAt(0))), signal);
  const parser = new Parser({
    mode: "response",
    maxHeaderBytes: limits.maxHeaderBytes,
    maxHeaderCount: limits.maxHeaderCount,
  });
  parser.expectNoBody();
  const buffer = new ReadBuffer(conn, 4096);
  const refuse = (status: number, detail: string, cause?: unknown) =>
    proxyRefused(request, proxy.address, status, detail, cause);
  let interim = 0;
  for (;;) {
    const event = parser.execute(buffer.buf, buffer.start, buffer.end);
    buffer.consume(parser.offset - buffer.start);
    if (event === PARSE_HEAD) {
      const status = parser.status;
      if (status < 200) {
        if (++interim > MAX_INTERIM) {
          throw refuse(0, `sent more than ${MAX_INTERIM} interim answers to CONNECT`);
        }
        continue;
      }
      if (status >= 300) {
        throw refuse(status, `answered ${status} ${parser.reason} to CONNECT ${authority}`);
      }
      if (parser.execute(buffer.buf, buffer.start, buffer.end) !== PARSE_END) {
        throw refuse(status, "sent a body with its CONNECT answer");
      }
      buffer.consume(parser.offset - buffer.start);
      // The origin speaks only after our TLS ClientHello: bytes here are not its.
      if (buffer.length > 0) throw refuse(status, "sent bytes after its CONNECT answer");
      return;
    }
    if (event === PARSE_ERROR) {
      throw refuse(
        0,
        `sent a malformed answer to CONNECT: ${errorText(parser.error)}`,
        parser.error,
      );
    }
    if (event !== PARSE_NEED_MORE && event !== PARSE_END) {
      throw refuse(0, "sent an unexpected answer to CONNECT");
    }
    if (event === PARSE_END) continue;
    let n: number | null;
    try {
      n = await untilAborted(buffer.fill(), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw refuse(0, `broke the connection before answering CONNECT (${errorText(error)})`, error);
    }
    if (n === null || n === 0) throw refuse(0, "closed the connection before answering CONNECT");
  }
}
