/**
 * {@linkcode WireWebSocket}: the WHATWG `WebSocket` of Wire, for both roles. As a
 * client, `new WireWebSocket(url, protocols)` connects over `Deno.connect` (ws: and wss:)
 * with the options Deno's WebSocket lacks: permessage-deflate, limits, headers, TLS
 * roots. As a server socket it comes from `upgradeWebSocket(request)`.
 *
 * @module
 */

import { errorText } from "./_codec/error_text.ts";
import { checkClose } from "./_websocket/close_code.ts";
import { connectClient, prepareClient } from "./_websocket/client_socket.ts";
import {
  CLOSED,
  CLOSING,
  CONNECTING,
  OPEN,
  Session,
  type SessionHost,
} from "./_websocket/session.ts";
import { ServerSocketInit } from "./_websocket/socket_init.ts";
import { closeEvent, errorEvent, messageEvent, openEvent } from "./_websocket/socket_events.ts";
import type { WireWebSocketOptions } from "./websocket_options.ts";

const encoder = new TextEncoder();

/** A socket's SessionHost (made in WireWebSocket's static block). */
let hostOf: (socket: WireWebSocket) => SessionHost;
/** The listener behind every on* handler (made in WireWebSocket's static block). */
let forwardToHandler: (event: Event) => void;

// The four event types as bits.
const OPEN_EVENT = 1;
const MESSAGE_EVENT = 2;
const ERROR_EVENT = 4;
const CLOSE_EVENT = 8;

function eventBit(type: string): number {
  return type === "message"
    ? MESSAGE_EVENT
    : type === "open"
    ? OPEN_EVENT
    : type === "error"
    ? ERROR_EVENT
    : type === "close"
    ? CLOSE_EVENT
    : 0;
}

/**
 * A WebSocket (RFC 6455, with permessage-deflate, RFC 7692) with the standard
 * `WebSocket` interface: an `EventTarget` with `open`, `message`, `error` and `close`
 * events and their `on*` handlers, `send`, `close(code, reason)`, `readyState`,
 * `binaryType` ("blob" or "arraybuffer"; a client starts with "blob" as in browsers, a
 * server socket with "arraybuffer" as Deno's), `bufferedAmount`, `protocol`,
 * `extensions` and `url`. Code written for Deno's `WebSocket` (or for Hono's and oak's
 * adapters of it) works on it unchanged: `const ws: WebSocket = new WireWebSocket(url)`.
 *
 * `new WireWebSocket(url, protocols)` connects as a client; the second argument may also
 * be {@linkcode WireWebSocketOptions}. Server sockets come from `upgradeWebSocket`.
 *
 * Received pings are answered; text is checked to be UTF-8 (close code 1007 otherwise);
 * a message longer than `maxPayload` fails with 1009; any other protocol violation with
 * 1002. A failure fires `error`, then `close` with that code and `wasClean` false; a
 * connection lost without a close handshake reports 1006. `close()` waits up to
 * `closeTimeout` for the peer's close frame. `await using` closes the socket (1000)
 * and waits for the close event.
 *
 * @example Talk to a server
 * ```ts ignore
 * import { WireWebSocket } from "@wire/http";
 *
 * const ws = new WireWebSocket("ws://127.0.0.1:8080/chat", ["chat.v2"]);
 * ws.binaryType = "arraybuffer";
 * ws.onopen = () => ws.send("hello");
 * ws.onmessage = (event) => {
 *   console.log(event.data);
 *   ws.close(1000, "bye");
 * };
 * ws.onclose = (event) => console.log(event.code, event.reason, event.wasClean);
 * ```
 *
 * @example Compression and extra handshake headers
 * ```ts ignore
 * import { WireWebSocket } from "@wire/http";
 *
 * const ws = new WireWebSocket("wss://example.com/feed", {
 *   headers: { authorization: "Bearer token" },
 *   perMessageDeflate: true,
 *   maxPayload: 1024 * 1024,
 * });
 * ws.addEventListener("message", (event) => console.log(event.data));
 * ```
 *
 * @example Invalid arguments throw as the WHATWG constructor does
 * ```ts
 * import { WireWebSocket } from "@wire/http";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new WireWebSocket("ftp://127.0.0.1/"), { name: "SyntaxError" });
 * assert.throws(() => new WireWebSocket("ws://127.0.0.1/", ["a", "a"]), { name: "SyntaxError" });
 * ```
 */
export class WireWebSocket extends EventTarget implements WebSocket, AsyncDisposable {
  /** readyState before the connection is open. */
  static readonly CONNECTING: number = CONNECTING;
  /** readyState while open. */
  static readonly OPEN: number = OPEN;
  /** readyState during the close handshake. */
  static readonly CLOSING: number = CLOSING;
  /** readyState once closed. */
  static readonly CLOSED: number = CLOSED;

  static {
    // Where the class's private fields are in reach: the session's host, one small
    // object per socket (no closures), and the one listener behind every on* handler.
    class Host implements SessionHost {
      readonly socket: WireWebSocket;
      constructor(socket: WireWebSocket) {
        this.socket = socket;
      }
      opened(): void {
        this.socket.#emitOpen();
      }
      message(data: string | Uint8Array): void {
        const socket = this.socket;
        const value = typeof data === "string"
          ? data
          : socket.#binaryType === "arraybuffer"
          ? data.buffer as ArrayBuffer
          : new Blob([data as Uint8Array<ArrayBuffer>]);
        if ((socket.#listened & MESSAGE_EVENT) !== 0) {
          socket.dispatchEvent(messageEvent(null, value, socket.#origin));
        } else if (socket.#onmessage !== null) {
          call(socket.#onmessage, socket, messageEvent(socket, value, socket.#origin));
        }
      }
      errored(message: string, cause?: unknown): void {
        this.socket.#emitError(message, cause ?? new Error(message));
      }
      closed(code: number, reason: string, wasClean: boolean): void {
        this.socket.#emitClose(code, reason, wasClean);
      }
    }
    hostOf = (socket) => new Host(socket);
    forwardToHandler = (event) => {
      const socket = event.currentTarget as WireWebSocket;
      // deno-lint-ignore no-explicit-any
      (socket.#handler(eventBit(event.type)) as ((this: WebSocket, ev: any) => unknown) | null)
        ?.call(socket, event);
    };
  }

  readonly #url: string;
  readonly #origin: string;
  #session: Session | null = null;
  /** readyState while there is no session (a client connecting, or failed). */
  #state: number = CONNECTING;
  #protocol = "";
  #extensions = "";
  #binaryType: BinaryType = "blob";
  #lateBytes = 0;
  #abort: AbortController | null = null;
  #closedWaiters: (() => void)[] | null = null;
  /** Event types that have (had) an addEventListener listener: they are dispatched. */
  #listened = 0;
  /** Event types whose on* handler is in the listener list (behind forwardToHandler). */
  #forwarding = 0;
  #onopen: ((this: WebSocket, ev: Event) => unknown) | null = null;
  #onmessage: ((this: WebSocket, ev: MessageEvent) => unknown) | null = null;
  #onerror: ((this: WebSocket, ev: Event | ErrorEvent) => unknown) | null = null;
  #onclose: ((this: WebSocket, ev: CloseEvent) => unknown) | null = null;

  /**
   * Connects to `url` as a client.
   *
   * @param url A ws:, wss:, http: or https: URL without a fragment.
   * @param protocolsOrOptions Subprotocols to offer (a name or a list), or options.
   * @throws {DOMException} SyntaxError for a bad URL, or subprotocols that are not
   *   tokens or repeat.
   * @throws {TypeError} When an option has the wrong type.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(url: string | URL, protocolsOrOptions?: string | string[] | WireWebSocketOptions) {
    super();
    if (url instanceof ServerSocketInit) {
      this.#url = url.url;
      this.#origin = originOf(url.url);
      this.#protocol = url.protocol;
      this.#extensions = url.extensions;
      // As Deno.upgradeWebSocket's sockets: a server socket starts with "arraybuffer".
      this.#binaryType = "arraybuffer";
      this.#session = url.session = new Session(url.options, hostOf(this));
      return;
    }
    const options: WireWebSocketOptions = typeof protocolsOrOptions === "object" &&
        protocolsOrOptions !== null && !Array.isArray(protocolsOrOptions)
      ? protocolsOrOptions
      : { protocols: protocolsOrOptions as string | string[] | undefined };
    const { url: parsed, config } = prepareClient("WebSocket", url, options);
    this.#url = parsed.href;
    this.#origin = originOf(parsed.href);
    const abort = this.#abort = new AbortController();
    connectClient(parsed, config, abort.signal, hostOf(this)).then(({ session, connection }) => {
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
      if (this.#state === CLOSED) return;
      this.#state = CLOSED;
      this.#emitError(errorText(error), error);
      this.#emitClose(1006, "", false);
    });
  }

  /** The URL of the connection (for a server socket, the upgrade request's URL). */
  get url(): string {
    return this.#url;
  }

  /** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
  get readyState(): number {
    return this.#session?.readyState ?? this.#state;
  }

  /** The subprotocol agreed in the handshake, or "". */
  get protocol(): string {
    return this.#protocol;
  }

  /** The Sec-WebSocket-Extensions of the handshake's response, or "". */
  get extensions(): string {
    return this.#extensions;
  }

  /** Application bytes passed to `send()` and not yet written to the network. */
  get bufferedAmount(): number {
    return (this.#session?.bufferedAmount ?? 0) + this.#lateBytes;
  }

  /**
   * How binary messages are delivered: "blob" or "arraybuffer". Clients start with
   * "blob" (as browsers and Deno's client), server sockets with "arraybuffer" (as
   * `Deno.upgradeWebSocket`'s).
   */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(value: BinaryType) {
    // An invalid value is ignored, as for any enumerated IDL attribute.
    if (value === "blob" || value === "arraybuffer") this.#binaryType = value;
  }

  /** 0, as `WebSocket.CONNECTING`. */
  get CONNECTING(): number {
    return CONNECTING;
  }

  /** 1, as `WebSocket.OPEN`. */
  get OPEN(): number {
    return OPEN;
  }

  /** 2, as `WebSocket.CLOSING`. */
  get CLOSING(): number {
    return CLOSING;
  }

  /** 3, as `WebSocket.CLOSED`. */
  get CLOSED(): number {
    return CLOSED;
  }

  /** The `open` event handler. */
  get onopen(): ((this: WebSocket, ev: Event) => unknown) | null {
    return this.#onopen;
  }

  set onopen(handler: ((this: WebSocket, ev: Event) => unknown) | null) {
    this.#onopen = typeof handler === "function" ? handler : null;
    this.#handlerChanged(OPEN_EVENT, "open");
  }

  /** The `message` event handler. */
  get onmessage(): ((this: WebSocket, ev: MessageEvent) => unknown) | null {
    return this.#onmessage;
  }

  set onmessage(handler: ((this: WebSocket, ev: MessageEvent) => unknown) | null) {
    this.#onmessage = typeof handler === "function" ? handler : null;
    this.#handlerChanged(MESSAGE_EVENT, "message");
  }

  /** The `error` event handler. */
  get onerror(): ((this: WebSocket, ev: Event | ErrorEvent) => unknown) | null {
    return this.#onerror;
  }

  set onerror(handler: ((this: WebSocket, ev: Event | ErrorEvent) => unknown) | null) {
    this.#onerror = typeof handler === "function" ? handler : null;
    this.#handlerChanged(ERROR_EVENT, "error");
  }

  /** The `close` event handler. */
  get onclose(): ((this: WebSocket, ev: CloseEvent) => unknown) | null {
    return this.#onclose;
  }

  set onclose(handler: ((this: WebSocket, ev: CloseEvent) => unknown) | null) {
    this.#onclose = typeof handler === "function" ? handler : null;
    this.#handlerChanged(CLOSE_EVENT, "close");
  }

  /**
   * Adds a listener for `open`, `message`, `error` or `close`, typed by the event name
   * as on `WebSocket`.
   *
   * @param type The event name.
   * @param listener The listener.
   * @param options `once`, `signal`, ...
   */
  override addEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (this: WireWebSocket, ev: WebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /**
   * Adds a listener for any event type.
   *
   * @param type The event name.
   * @param listener The listener.
   * @param options `once`, `signal`, ...
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const bit = eventBit(type);
    if (bit !== 0 && listener !== null) {
      // A handler set before this listener runs before it.
      this.#forwardHandler(bit, type);
      this.#listened |= bit;
    }
    super.addEventListener(type, listener, options);
  }

  /**
   * Dispatches `event` to the listeners and the `on*` handler of its type.
   *
   * @param event The event.
   * @returns False when a listener cancelled it.
   */
  override dispatchEvent(event: Event): boolean {
    const bit = eventBit(event.type);
    if (bit !== 0) this.#forwardHandler(bit, event.type);
    return super.dispatchEvent(event);
  }

  /**
   * Removes a listener added with `addEventListener`.
   *
   * @param type The event name.
   * @param listener The listener.
   * @param options `capture`.
   */
  override removeEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (this: WireWebSocket, ev: WebSocketEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  /**
   * Removes a listener of any event type.
   *
   * @param type The event name.
   * @param listener The listener.
   * @param options `capture`.
   */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  /**
   * Sends a message: a string as text, an ArrayBuffer, a typed array or DataView (its
   * bytes, copied now) or a Blob as binary. Other values are sent as their string form.
   * Once the socket is closing, the data is dropped and only counted in
   * `bufferedAmount`, as the WHATWG standard says.
   *
   * @param data The message.
   * @throws {DOMException} InvalidStateError while the socket is connecting.
   */
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.readyState === CONNECTING) {
      throw new DOMException("Cannot send: the WebSocket is still connecting", "InvalidStateError");
    }
    let payload: string | Uint8Array | Blob;
    if (typeof data === "string") payload = data;
    else if (ArrayBuffer.isView(data)) {
      payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) {
      payload = new Uint8Array(data);
    } else if (data instanceof Blob) payload = data;
    else payload = String(data);
    const session = this.#session;
    if (session === null) {
      this.#lateBytes += typeof payload === "string"
        ? encoder.encode(payload).length
        : payload instanceof Blob
        ? payload.size
        : payload.length;
      return;
    }
    session.send(payload);
  }

  /**
   * Starts the closing handshake, or gives up connecting (error and close events, 1006).
   * A second call is harmless.
   *
   * @param code 1000, or 3000 to 4999; without it the close frame carries no code
   *   (unless a reason is given: then 1000).
   * @param reason At most 123 bytes of UTF-8.
   * @throws {DOMException} InvalidAccessError for another code; SyntaxError for a longer
   *   reason.
   */
  close(code?: number, reason?: string): void {
    const [closeCode, closeReason] = checkClose(code, reason);
    const state = this.readyState;
    if (state === CLOSING || state === CLOSED) return;
    const session = this.#session;
    if (session !== null) {
      session.close(closeCode, closeReason);
      return;
    }
    // A client still connecting: fail the connection (WHATWG "fail the WebSocket
    // connection"), then the handshake's rejection finds the state CLOSED.
    this.#state = CLOSED;
    this.#abort?.abort(new DOMException("closed before the connection opened", "AbortError"));
    const message = "WebSocket closed before the connection opened";
    this.#emitError(message, new Error(message));
    this.#emitClose(1006, "", false);
  }

  /**
   * Closes with 1000 (if open) and resolves once the close event has fired.
   *
   * @returns A promise for the end of the connection.
   */
  [Symbol.asyncDispose](): Promise<void> {
    if (this.readyState === CLOSED) return Promise.resolve();
    const done = new Promise<void>((resolve) => (this.#closedWaiters ??= []).push(resolve));
    this.close(1000);
    return done;
  }

  #handler(bit: number): ((this: WebSocket, ev: never) => unknown) | null {
    return bit === MESSAGE_EVENT
      ? this.#onmessage
      : bit === OPEN_EVENT
      ? this.#onopen
      : bit === ERROR_EVENT
      ? this.#onerror
      : bit === CLOSE_EVENT
      ? this.#onclose
      : null;
  }

  /** Puts a set on* handler into the listener list, where the standard has it. */
  #forwardHandler(bit: number, type: string): void {
    if ((this.#forwarding & bit) !== 0 || this.#handler(bit) === null) return;
    this.#forwarding |= bit;
    super.addEventListener(type, forwardToHandler);
  }

  /**
   * An on* handler was set: with listeners of its type it joins their list (at the end,
   * as the standard says); without, it is called directly when the event comes. Set to
   * null, it leaves the list.
   */
  #handlerChanged(bit: number, type: string): void {
    if (this.#handler(bit) === null) {
      if ((this.#forwarding & bit) !== 0) {
        this.#forwarding &= ~bit;
        super.removeEventListener(type, forwardToHandler);
      }
    } else if ((this.#listened & bit) !== 0) {
      this.#forwardHandler(bit, type);
    }
  }

  #emitOpen(): void {
    if ((this.#listened & OPEN_EVENT) !== 0) this.dispatchEvent(openEvent(null));
    else if (this.#onopen !== null) call(this.#onopen, this, openEvent(this));
  }

  #emitError(message: string, error: unknown): void {
    if ((this.#listened & ERROR_EVENT) !== 0) this.dispatchEvent(errorEvent(null, message, error));
    else if (this.#onerror !== null) call(this.#onerror, this, errorEvent(this, message, error));
  }

  #emitClose(code: number, reason: string, wasClean: boolean): void {
    if ((this.#listened & CLOSE_EVENT) !== 0) {
      this.dispatchEvent(closeEvent(null, code, reason, wasClean));
    } else if (this.#onclose !== null) {
      call(this.#onclose, this, closeEvent(this, code, reason, wasClean));
    }
    const waiters = this.#closedWaiters;
    this.#closedWaiters = null;
    if (waiters !== null) { for (const resolve of waiters) resolve(); }
  }
}

/**
 * Calls an on* handler as dispatching would: an exception goes to `reportError` (the
 * global "error" event), not to the caller (the socket's read loop).
 */
function call(
  // deno-lint-ignore no-explicit-any
  handler: (this: WebSocket, ev: any) => unknown,
  socket: WebSocket,
  event: Event,
): void {
  try {
    handler.call(socket, event);
  } catch (error) {
    reportError(error);
  }
}

/** The origin of a URL, as MessageEvent.origin has it. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}
