/**
 * Calls the handler for each exchange of a connection and settles its answer: a
 * Response becomes the exchange's answer; a throw, a rejection or anything that is not a
 * Response goes to `onError`, and when that fails too the server answers 500 itself.
 *
 * @module
 */

import { EX_PENDING, type ServerExchange } from "./exchange.ts";
import type { ConnectionConfig } from "./config.ts";
import type { WriteLoop } from "./write_loop.ts";
import { kindOf } from "../_codec/error_text.ts";
import { ignore } from "../_codec/ignore.ts";
import { withSpan } from "../_codec/telemetry.ts";

/** Deno's `Response` global is a lazy accessor (about 27 ns a read): read it once. */
const ResponseClass = Response;

/**
 * The handler side of one connection. The common case, one handler promise pending at a
 * time, is settled through the dispatcher's own two callbacks, which find the exchange in
 * `#awaited`: no closure per request. Only a second promise pending at the same time
 * (pipelining into a slow handler) gets closures of its own.
 */
export class Dispatcher {
  #config: ConnectionConfig;
  #writer: WriteLoop;
  /** The exchange whose handler promise #onResolved / #onRejected will settle. */
  #awaited: ServerExchange | null = null;

  /**
   * @param config The handler and onError.
   * @param writer Where answers go.
   */
  constructor(config: ConnectionConfig, writer: WriteLoop) {
    this.#config = config;
    this.#writer = writer;
  }

  /**
   * Calls the handler with `ex`'s request; its answer reaches `ex` now or when it
   * settles.
   *
   * @param ex An exchange whose request is built.
   */
  call(ex: ServerExchange): void {
    let result: unknown;
    try {
      const handler = this.#config.handler;
      result = ex.span === null
        ? handler(ex.request!, ex.info!)
        : withSpan(this.#config.observers!.telemetry!, ex.span, handler, ex.request!, ex.info!);
    } catch (error) {
      this.failed(ex, error);
      return;
    }
    if (result instanceof ResponseClass) {
      ex.respond(result);
      return;
    }
    if (result instanceof Promise) {
      if (this.#awaited === null) {
        this.#awaited = ex;
        result.then(this.#onResolved, this.#onRejected);
      } else {
        result.then((value) => this.#settle(ex, value), (error) => this.failed(ex, error));
      }
      return;
    }
    if (result !== null && typeof result === "object" && "then" in result) {
      Promise.resolve(result).then(
        (value) => this.#settle(ex, value),
        (error) => this.failed(ex, error),
      );
      return;
    }
    this.failed(ex, new TypeError(`Handler returned ${kindOf(result)}, not a Response`));
  }

  #onResolved = (value: unknown): void => {
    const ex = this.#awaited;
    this.#awaited = null;
    if (ex !== null) this.#settle(ex, value);
  };

  #onRejected = (error: unknown): void => {
    const ex = this.#awaited;
    this.#awaited = null;
    if (ex !== null) this.failed(ex, error);
  };

  #settle(ex: ServerExchange, value: unknown): void {
    if (ex.state !== EX_PENDING) {
      // Answered already (a limit or timeout): drop this response.
      if (value instanceof ResponseClass) value.body?.cancel().catch(ignore);
      return;
    }
    if (value instanceof ResponseClass) {
      this.#writer.answer(ex, value);
      return;
    }
    this.failed(ex, new TypeError(`Handler returned ${kindOf(value)}, not a Response`));
  }

  /**
   * The handler threw or gave no Response, or its Response could not be sent: asks
   * onError, else answers a plain 500.
   *
   * @param ex The exchange, still pending.
   * @param error What went wrong.
   */
  failed(ex: ServerExchange, error: unknown): void {
    if (ex.state !== EX_PENDING) return;
    let result: unknown;
    try {
      result = this.#config.onError(error, ex.request ?? undefined);
    } catch (hookError) {
      console.error("Wire: onError failed:", hookError);
      result = null;
    }
    if (result instanceof ResponseClass) {
      ex.respond(result);
      return;
    }
    if (result !== null && typeof result === "object" && "then" in result) {
      Promise.resolve(result).then(
        (value) => this.#errorSettled(ex, value),
        (hookError) => {
          console.error("Wire: onError failed:", hookError);
          this.#errorSettled(ex, null);
        },
      );
      return;
    }
    this.#errorSettled(ex, result);
  }

  /**
   * Reports a failure that comes too late for any answer (a response body that errored
   * or broke its Content-Length after its head went out) to onError, as Deno.serve
   * does; whatever onError returns is dropped, a response having already begun.
   *
   * @param ex The exchange whose response broke.
   * @param error What went wrong.
   */
  report(ex: ServerExchange, error: unknown): void {
    try {
      const result: unknown = this.#config.onError(error, ex.request ?? undefined);
      if (result instanceof ResponseClass) result.body?.cancel().catch(ignore);
      else if (result !== null && typeof result === "object" && "then" in result) {
        Promise.resolve(result).then((value) => {
          if (value instanceof ResponseClass) value.body?.cancel().catch(ignore);
        }, (hookError) => console.error("Wire: onError failed:", hookError));
      }
    } catch (hookError) {
      console.error("Wire: onError failed:", hookError);
    }
  }

  #errorSettled(ex: ServerExchange, value: unknown): void {
    if (ex.state !== EX_PENDING) return;
    if (value instanceof ResponseClass) ex.respond(value);
    else ex.answerWith(500);
  }
}
