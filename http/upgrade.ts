import type { Duplex, UpgradeTarget } from "./_codec/duplex.ts";
import { errorText } from "./_codec/error_text.ts";
import { ignore } from "./_codec/ignore.ts";
import { upgradeSlotOf } from "./_server/upgrade.ts";
import { writeAll } from "../net/_write_all.ts";

/**
 * Options for {@linkcode upgrade}.
 *
 * @example Switch to a protocol the client offered
 * ```ts
 * import type { UpgradeOptions } from "@wire/http";
 * import assert from "node:assert/strict";
 *
 * const options: UpgradeOptions = { protocol: "echo/1", headers: { "x-server": "wire" } };
 * assert.equal(options.protocol, "echo/1");
 * ```
 */
export interface UpgradeOptions {
  /**
   * The protocol to switch to, sent as the 101's `Upgrade` field. It must be one of the
   * protocols the request's `Upgrade` field lists (RFC 9110 §7.8).
   *
   * @default {the first protocol the request lists}
   */
  protocol?: string;
  /**
   * More fields for the 101 response.
   *
   * @default {undefined}
   */
  headers?: HeadersInit;
}

/**
 * A connection taken over by another protocol after `101 Switching Protocols`: the raw
 * bytes both ways, with backpressure.
 *
 * @example Echo every byte
 * ```ts ignore
 * import type { UpgradedConnection } from "@wire/http";
 *
 * async function echo(connection: UpgradedConnection): Promise<void> {
 *   await connection.readable.pipeTo(connection.writable);
 * }
 * ```
 */
export interface UpgradedConnection {
  /** What the client sends, starting with any bytes it sent right behind its request. */
  readonly readable: ReadableStream<Uint8Array>;
  /** What goes to the client; closing it ends the server's side of the stream. */
  readonly writable: WritableStream<Uint8Array>;
  /** The peer's address. */
  readonly remoteAddr: Deno.Addr;
  /**
   * Aborts when the server shuts down gracefully: the protocol should end the
   * connection itself (the shutdown deadline, if any, cuts it after that).
   */
  readonly signal: AbortSignal;
  /** Resolves once the connection is closed, by either side. */
  readonly closed: Promise<void>;
  /** Closes the connection now (a second call is harmless). */
  close(): void;
}

/**
 * What {@linkcode upgrade} returns: the 101 to answer with, and the connection once it
 * is sent.
 *
 * @example The two halves
 * ```ts ignore
 * import { upgrade } from "@wire/http";
 *
 * function handler(request: Request): Response {
 *   const { response, connection } = upgrade(request);
 *   connection.then((c) => c.readable.pipeTo(c.writable)).catch(() => {});
 *   return response;
 * }
 * ```
 */
export interface Upgrade {
  /** The `101 Switching Protocols` response: the handler returns it. */
  response: Response;
  /**
   * Resolves with the connection once the 101 is sent; rejects when it could not be
   * (the client went away, the handler returned another response).
   */
  connection: Promise<UpgradedConnection>;
}

/**
 * Switches a request's connection to another protocol (RFC 9110 §7.8): returns the 101
 * for the handler to return and, once it is sent, the raw byte streams of the
 * connection. For WebSocket use `upgradeWebSocket`, which speaks the protocol too.
 *
 * The request must come from Wire's `serve` (or `inject`) and carry `Connection: upgrade`
 * and an `Upgrade` field; otherwise this throws a TypeError (answer such a request
 * yourself, e.g. with 426). Only the 101 returned here is sent as a 101: a handler that
 * returns another 101 gets a 500. The server's graceful shutdown aborts the
 * connection's `signal`; its deadline closes the connection.
 *
 * @param request The handler's Request.
 * @param options The protocol to switch to and more fields for the 101.
 * @returns The 101 and the connection to come.
 * @throws {TypeError} When the request cannot be upgraded.
 *
 * @example A line-echo protocol over an upgraded connection
 * ```ts ignore
 * import { serve, upgrade } from "@wire/http";
 *
 * serve((request) => {
 *   if (request.headers.get("upgrade") !== "echo/1") {
 *     return new Response("upgrade to echo/1", { status: 426, headers: { upgrade: "echo/1" } });
 *   }
 *   const { response, connection } = upgrade(request, { protocol: "echo/1" });
 *   connection.then((c) => c.readable.pipeTo(c.writable)).catch(() => {});
 *   return response;
 * });
 * ```
 */
export function upgrade(request: Request, options: UpgradeOptions = {}): Upgrade {
  const slot = upgradeSlotOf(request);
  if (slot === null) {
    throw new TypeError(
      "Cannot upgrade: the request did not ask to switch protocols (Connection: upgrade and an Upgrade field), or does not come from Wire's serve() or inject()",
    );
  }
  const offered = (request.headers.get("upgrade") ?? "").split(",").map((p) => p.trim())
    .filter((p) => p !== "");
  const protocol = options.protocol ?? offered[0];
  if (protocol === undefined || !offered.some((p) => p.toLowerCase() === protocol.toLowerCase())) {
    throw new TypeError(
      `Cannot upgrade to ${JSON.stringify(protocol)}: the request offers ${
        JSON.stringify(offered.join(", "))
      }`,
    );
  }
  const headers = new Headers(options.headers);
  headers.set("upgrade", protocol);
  const response = new Response(null, { status: 101, headers });
  const target = new RawUpgrade();
  slot.accept(response, target);
  return { response, connection: target.connection };
}

/** The {@linkcode UpgradeTarget} of `upgrade()`: the socket as two byte streams. */
class RawUpgrade implements UpgradeTarget {
  readonly connection: Promise<UpgradedConnection>;
  #resolve!: (connection: UpgradedConnection) => void;
  #reject!: (reason: unknown) => void;
  #shutdown = new AbortController();
  #duplex: Duplex | null = null;
  #done: (() => void) | null = null;
  #closed = false;
  #resolveClosed!: () => void;
  #readableController: ReadableStreamDefaultController<Uint8Array> | null = null;

  constructor() {
    this.connection = new Promise<UpgradedConnection>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A handler that never asks for the connection must not see an unhandled rejection.
    this.connection.catch(ignore);
  }

  attach(duplex: Duplex, head: Uint8Array, remoteAddr: Deno.Addr, done: () => void): void {
    this.#duplex = duplex;
    this.#done = done;
    const closed = new Promise<void>((resolve) => (this.#resolveClosed = resolve));
    let pending: Uint8Array | null = head.length > 0 ? head : null;
    let readEnded = false;
    let writeEnded = false;
    const endIfBoth = () => {
      if (readEnded && writeEnded) this.#close();
    };
    const readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#readableController = controller;
      },
      pull: async (controller) => {
        if (pending !== null) {
          controller.enqueue(pending);
          pending = null;
          return;
        }
        const buffer = new Uint8Array(16 * 1024);
        let n: number | null;
        try {
          n = await duplex.read(buffer);
        } catch (error) {
          if (this.#closed) return;
          controller.error(error);
          this.#close();
          return;
        }
        if (n === null || n === 0) {
          controller.close();
          readEnded = true;
          endIfBoth();
          return;
        }
        controller.enqueue(buffer.subarray(0, n));
      },
      cancel: () => {
        readEnded = true;
        endIfBoth();
      },
    }, { highWaterMark: 0 });
    const writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (this.#closed) throw new TypeError("Cannot write: the connection is closed");
        await writeAll(duplex, chunk);
      },
      close: async () => {
        writeEnded = true;
        await duplex.closeWrite?.().catch(ignore);
        endIfBoth();
      },
      abort: () => this.#close(),
    });
    this.#resolve({
      readable,
      writable,
      remoteAddr,
      signal: this.#shutdown.signal,
      closed,
      close: () => this.#close(),
    });
  }

  fail(reason: unknown): void {
    this.#reject(
      new TypeError(`Cannot switch protocols: ${errorText(reason)}`, { cause: reason }),
    );
  }

  shutdown(): void {
    this.#shutdown.abort(
      new DOMException("The server is shutting down", "AbortError"),
    );
  }

  abort(reason: unknown): void {
    try {
      this.#readableController?.error(reason);
    } catch {
      // Closed already.
    }
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#duplex?.close();
    } catch {
      // Closed by the peer already.
    }
    this.#resolveClosed?.();
    const done = this.#done;
    this.#done = null;
    done?.();
  }
}
