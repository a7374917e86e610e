/**
 * The write side of a client connection: each request's head (and a small body) encoded
 * into the connection's reused buffer and written in one go, then a larger body; writes
 * of pipelined requests queue behind each other.
 *
 * @module
 */
import { writeAll } from "../../net/_write_all.ts";
import type { ClientExchange } from "./exchange.ts";
import { framingOf, isInlineBody, RequestEncoder } from "./request_head.ts";
import type { ClientTransport } from "./transport.ts";
import { uploadBody } from "./upload_body.ts";

/** How a pool's connections write requests. */
export interface ConnectionRoute {
  /** Request targets in absolute form (through a forward proxy, RFC 9112 §3.2.2). */
  absoluteForm: boolean;
  /** Lines sent with every request (`Proxy-Authorization`), or "". */
  lines: string;
  /** The Accept-Encoding sent unless the caller set one; "" for none. */
  acceptEncoding: string;
}

/**
 * The request target of `url` (RFC 9112 §3.2): origin form, or absolute form for a
 * forward proxy. An empty query ("/p?") is kept: the "?" is part of what the caller
 * asked for.
 *
 * @param url The request URL (no fragment).
 * @param absolute Whether to use absolute form.
 * @returns The target.
 */
export function requestTarget(url: URL, absolute: boolean): string {
  let target = url.pathname + url.search;
  if (url.search === "") {
    const href = url.href;
    if (href.charCodeAt(href.length - 1) === 63) target += "?";
  }
  return absolute ? url.origin + target : target;
}

/** Writes requests on one connection, in order. */
export class RequestWriter {
  #conn: ClientTransport;
  #route: ConnectionRoute;
  #encoder = new RequestEncoder();
  /** Request writes started and not finished; above 0 the encoder's buffer is in use. */
  #pending = 0;
  /** The last write started: a pipelined request is written after it. */
  #last: Promise<void> | null = null;
  #onWritten: (exchange: ClientExchange) => void;
  #onError: (exchange: ClientExchange, error: unknown) => void;

  /**
   * Makes the writer of a connection.
   *
   * @param conn The transport.
   * @param route How requests are written.
   * @param onWritten A request was written whole (body included).
   * @param onError Writing a request failed (a `BodyError` for the body's own failure).
   */
  constructor(
    conn: ClientTransport,
    route: ConnectionRoute,
    onWritten: (exchange: ClientExchange) => void,
    onError: (exchange: ClientExchange, error: unknown) => void,
  ) {
    this.#conn = conn;
    this.#route = route;
    this.#onWritten = onWritten;
    this.#onError = onError;
  }

  /**
   * Encodes the exchange's request now and writes it, after any write in progress.
   *
   * @param exchange The exchange whose request to send.
   */
  write(exchange: ClientExchange): void {
    const request = exchange.request;
    const framing = framingOf(request);
    const url = request.url;
    const route = this.#route;
    let head = this.#encoder.encode(
      request,
      requestTarget(url, route.absoluteForm),
      url.host,
      framing,
      route.acceptEncoding,
      route.lines,
    );
    const inline = request.body === null || isInlineBody(request);
    if (this.#pending > 0) {
      // A pipelined write is still using the encoder's buffer: send a copy after it.
      head = head.slice();
      const previous = this.#last!;
      this.#pending++;
      this.#last = previous.then(() => this.#send(exchange, head, inline, framing));
      return;
    }
    this.#pending++;
    this.#last = this.#send(exchange, head, inline, framing);
  }

  async #send(
    exchange: ClientExchange,
    head: Uint8Array,
    inline: boolean,
    framing: number,
  ): Promise<void> {
    try {
      if (exchange.done) return;
      await writeAll(this.#conn, head);
      if (!inline) await uploadBody(this.#conn, exchange, framing);
      exchange.uploadDone = true;
      this.#onWritten(exchange);
    } catch (error) {
      this.#onError(exchange, error);
    } finally {
      this.#pending--;
    }
  }
}
