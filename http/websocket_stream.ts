/**
 * {@linkcode WireWebSocketStream}: a WebSocket as a pair of streams with backpressure,
 * shaped like the WHATWG `WebSocketStream` (which Deno offers only as an unstable API).
 *
 * @module
 */

import { errorText } from "./_codec/error_text.ts";
import { checkClose } from "./_websocket/close_code.ts";
import { connectClient, prepareClient } from "./_websocket/client_socket.ts";
import { resolveHighWaterMark } from "./_websocket/config.ts";
import { CLOSED, CONNECTING, OPEN, Session, type SessionHost } from "./_websocket/session.ts";
import { ServerSocketInit } from "./_websocket/socket_init.ts";
import type { WireWebSocketStreamOptions } from "./websocket_options.ts";

/**
 * What `opened` resolves with: the message streams and what the handshake agreed.
 *
 * @example Read the first message
 * ```ts ignore
 * import { WireWebSocketStream } from "@wire/http";
 *
 * const { readable } = await new WireWebSocketStream("ws://127.0.0.1:8080").opened;
 * const { value } = await readable.getReader().read();
 * console.log(value);
 * ```
 */
export interface WebSocketStreamConnection {
  /** Received messages: strings (text) and Uint8Arrays (binary). */
  readable: ReadableStream<string | Uint8Array<ArrayBuffer>>;
  /** Messages to send: strings as text, ArrayBuffers and views as binary. */
  writable: WritableStream<string | BufferSource>;
  /** The subprotocol agreed, or "". */
  protocol: string;
  /** The Sec-WebSocket-Extensions agreed, or "". */
  extensions: string;
}

/**
 * How the connection closed: what `closed` resolves with.
 *
 * @example Log the close code
 * ```ts ignore
 * import { WireWebSocketStream } from "@wire/http";
 *
 * const { closeCode, reason } = await new WireWebSocketStream("ws://127.0.0.1:8080").closed;
 * console.log(closeCode, reason);
 * ```
 */
export interface WebSocketStreamCloseInfo {
  /** The close code the peer sent (1005 when its close frame had none). */
  closeCode: number;
  /** The reason the peer sent. */
  reason: string;
}

/**
 * The argument of {@linkcode WireWebSocketStream.close}: `closeCode` as the WHATWG
 * standard names it (`code`, as in Deno's unstable type, works too).
 *
 * @example Close with a code and a reason
 * ```ts
 * import type { WebSocketStreamCloseOptions } from "@wire/http";
 * import assert from "node:assert/strict";
 *
 * const info: WebSocketStreamCloseOptions = { closeCode: 4000, reason: "done" };
 * assert.equal(info.closeCode, 4000);
 * ```
 */
export interface WebSocketStreamCloseOptions {
  /** 1000, or 3000 to 4999. */
  closeCode?: number;
  /** Same as `closeCode`. */
  code?: number;
  /** At most 123 bytes of UTF-8. */
  reason?: string;
}

/**
 * Why a {@linkcode WireWebSocketStream} failed: the handshake did not complete, or the
 * connection ended without a close handshake (`closeCode` 1006) or with a protocol error
 * (1002, 1007, 1009). Its `name` is "WebSocketError", as the WHATWG standard's class.
 * Passing one to `readable.cancel()` or `writable.abort()` closes with its code.
 *
 * @example Cancel the readable with a code
 * ```ts
 * import { WebSocketStreamError } from "@wire/http";
 * import assert from "node:assert/strict";
 *
 * const error = new WebSocketStreamError("going away", { closeCode: 4001, reason: "bye" });
 * assert.equal(error.name, "WebSocketError");
 * assert.equal(error.closeCode, 4001);
 * ```
 */
export class WebSocketStreamError extends DOMException {
  /** The close code: the one received, or 1006. */
  readonly closeCode: number;
  /** The close reason. */
  readonly reason: string;

  /**
   * Makes an error with a close code (1006 by default) and reason.
   *
   * @param message What happened.
   * @param init The close code and reason.
   */
  constructor(message = "", init: { closeCode?: number; reason?: string } = {}) {
    super(message, "WebSocketError");
    this.closeCode = init.closeCode ?? 1006;
    this.reason = init.reason ?? "";
  }
}

/**
 * A WebSocket as streams, with backpressure both ways: `readable` yields each message
 * (a string for text, a Uint8Array for binary) and stops reading the socket while more
 * than `highWaterMark` bytes wait unread; `writable` takes messages and resolves each
 * write once it is written to the socket. The API is that of the WHATWG
 * `WebSocketStream`: `opened`, `closed` and `close({ closeCode, reason })`.
 *
 * `new WireWebSocketStream(url, options)` connects as a client (options as
 * {@linkcode WireWebSocket}'s, plus `highWaterMark`); server streams come from
 * `upgradeWebSocketStream`. `opened` rejects when the handshake fails; `closed` resolves
 * after a close handshake and rejects with a {@linkcode WebSocketStreamError} otherwise.
 * Closing the writable starts the close handshake; cancelling the readable or aborting
 * the writable too (with the code of a WebSocketStreamError reason).
 *
 * @example Echo every message back, at the pace of the slower side
 * ```ts ignore
 * import { WireWebSocketStream } from "@wire/http";
 *
 * const wss = new WireWebSocketStream("ws://127.0.0.1:8080/echo");
 * const { readable, writable } = await wss.opened;
 * await readable.pipeTo(writable);
 * console.log(await wss.closed);
 * ```
 *
 * @example Send, then close with a code
 * ```ts ignore
 * import { WireWebSocketStream } from "@wire/http";
 *
 * const wss = new WireWebSocketStream("ws://127.0.0.1:8080/feed", { protocols: ["feed.v1"] });
 * const { writable } = await wss.opened;
 * const writer = writable.getWriter();
 * await writer.write("subscribe");
 * wss.close({ closeCode: 1000, reason: "done" });
 * ```
 */
export class WireWebSocketStream {
  readonly #url: string;
  readonly #opened: Promise<WebSocketStreamConnection>;
  readonly #closed: Promise<WebSocketStreamCloseInfo>;
  #resolveOpened!: (connection: WebSocketStreamConnection) => void;
  #rejectOpened!: (reason: unknown) => void;
  #resolveClosed!: (info: WebSocketStreamCloseInfo) => void;
  #rejectClosed!: (reason: unknown) => void;
  #session: Session | null = null;
  /** CONNECTING until opened (or failed to), OPEN, then CLOSED once `closed` settled. */
  #state = CONNECTING;
  #protocol = "";
  #extensions = "";
  readonly #highWaterMark: number;
  #abort: AbortController | null = null;
  #readController: ReadableStreamDefaultController<string | Uint8Array<ArrayBuffer>> | null = null;
  #writeController: WritableStreamDefaultController | null = null;
  #error: unknown = null;

  /**
   * Connects to `url` as a client.
   *
   * @param url A ws:, wss:, http: or https: URL without a fragment.
   * @param options Subprotocols, headers, compression, limits, TLS, `highWaterMark`.
   * @throws {DOMException} SyntaxError for a bad URL or bad subprotocols.
   * @throws {TypeError} When an option has the wrong type.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(url: string | URL, options: WireWebSocketStreamOptions = {}) {
    this.#opened = new Promise((resolve, reject) => {
      this.#resolveOpened = resolve;
      this.#rejectOpened = reject;
    });
    this.#closed = new Promise((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    // Nobody may be listening: a failure must not be an unhandled rejection.
    this.#opened.catch(() => {});
    this.#closed.catch(() => {});
    this.#highWaterMark = resolveHighWaterMark(options?.highWaterMark);
    if (url instanceof ServerSocketInit) {
      this.#url = url.url;
      this.#protocol = url.protocol;
      this.#extensions = url.extensions;
      this.#session = url.session = new Session(url.options, this.#host());
      return;
    }
    const { url: parsed, config } = prepareClient("WebSocketStream", url, options);
    this.#url = parsed.href;
    const abort = this.#abort = new AbortController();
    connectClient(parsed, config, abort.signal, this.#host()).then(({ session, connection }) => {
      this.#abort = null;
      if (this.#state !== CONNECTING) {
        connection.duplex.close();
        return;
      }
      this.#protocol = connection.protocol;
      this.#extensions = connection.extensions;
      this.#session = session;
      session.start(connection.duplex, connection.head, null);
    }, (error) => {
      this.#abort = null;
      this.#failed(new WebSocketStreamError(errorText(error)));
    });
  }

  /** The URL of the connection. */
  get url(): string {
    return this.#url;
  }

  /** Resolves once the connection is open, with its streams; rejects if it never opens. */
  get opened(): Promise<WebSocketStreamConnection> {
    return this.#opened;
  }

  /**
   * Resolves with the peer's close code and reason after a close handshake; rejects with
   * a {@linkcode WebSocketStreamError} when the connection ends otherwise.
   */
  get closed(): Promise<WebSocketStreamCloseInfo> {
    return this.#closed;
  }

  /**
   * Starts the close handshake (or gives up connecting). A second call is harmless.
   *
   * @param closeInfo `closeCode` (1000 or 3000-4999) and `reason` (at most 123 bytes).
   * @throws {DOMException} InvalidAccessError for another code; SyntaxError for a longer
   *   reason.
   */
  close(closeInfo: WebSocketStreamCloseOptions = {}): void {
    const [code, reason] = checkClose(closeInfo.closeCode ?? closeInfo.code, closeInfo.reason);
    this.#close(code, reason);
  }

  #close(code: number | undefined, reason: string): void {
    const session = this.#session;
    if (session !== null) {
      session.close(code, reason);
      return;
    }
    if (this.#state !== CONNECTING) return;
    this.#abort?.abort(new DOMException("closed before the connection opened", "AbortError"));
    this.#failed(new WebSocketStreamError("WebSocketStream closed before the connection opened"));
  }

  /** Closes with the code of a WebSocketStreamError reason, or with none. */
  #closeFor(reason: unknown): void {
    if (reason instanceof WebSocketStreamError) {
      try {
        const [code, text] = checkClose(reason.closeCode, reason.reason);
        this.#close(code, text);
        return;
      } catch {
        // A code an application may not send: close without one.
      }
    }
    this.#close(undefined, "");
  }

  /** The handshake failed: both promises reject. */
  #failed(error: WebSocketStreamError): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#rejectOpened(error);
    this.#rejectClosed(error);
  }

  #host(): SessionHost {
    return {
      opened: () => {
        this.#state = OPEN;
        const session = this.#session!;
        const readable = new ReadableStream<string | Uint8Array<ArrayBuffer>>({
          start: (controller) => {
            this.#readController = controller;
          },
          pull: () => session.resume(),
          cancel: (reason) => {
            this.#readController = null;
            session.resume();
            this.#closeFor(reason);
          },
        }, {
          highWaterMark: this.#highWaterMark,
          size: (chunk) => typeof chunk === "string" ? chunk.length : chunk.byteLength,
        });
        const writable = new WritableStream<string | BufferSource>({
          start: (controller) => {
            this.#writeController = controller;
          },
          write: (chunk) => {
            if (typeof chunk === "string") session.send(chunk);
            else if (ArrayBuffer.isView(chunk)) {
              session.send(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            } else if (chunk instanceof ArrayBuffer) session.send(new Uint8Array(chunk));
            else {
              throw new TypeError("Cannot send: a message must be a string or a BufferSource");
            }
            return session.flushed();
          },
          close: () => this.#close(undefined, ""),
          abort: (reason) => this.#closeFor(reason),
        });
        this.#resolveOpened({
          readable,
          writable,
          protocol: this.#protocol,
          extensions: this.#extensions,
        });
      },
      message: (data) => {
        const controller = this.#readController;
        if (controller === null) return;
        controller.enqueue(data as string | Uint8Array<ArrayBuffer>);
        if ((controller.desiredSize ?? 0) <= 0) this.#session!.pause();
      },
      errored: (message, cause) => {
        this.#error ??= cause ?? new Error(message);
      },
      closed: (code, reason, wasClean) => {
        const error = wasClean ? null : new WebSocketStreamError(
          this.#error === null ? "The connection closed abnormally" : errorText(this.#error),
          { closeCode: code, reason },
        );
        if (this.#readController !== null) {
          if (error === null) this.#readController.close();
          else this.#readController.error(error);
          this.#readController = null;
        }
        if (this.#writeController !== null) {
          this.#writeController.error(
            error ?? new WebSocketStreamError("The WebSocket is closed", {
              closeCode: code,
              reason,
            }),
          );
          this.#writeController = null;
        }
        if (this.#state === CONNECTING) {
          // Never opened (a server stream whose 101 was not sent).
          this.#failed(error ?? new WebSocketStreamError("The connection never opened"));
          return;
        }
        this.#state = CLOSED;
        if (error === null) this.#resolveClosed({ closeCode: code, reason });
        else this.#rejectClosed(error);
      },
    };
  }
}
