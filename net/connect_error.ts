/**
 * Why {@linkcode ConnectError} was thrown: the errno-style name of the failure. The
 * common ones are listed; others come straight from the operating system's error.
 */
export type ConnectErrorCode =
  | "ECONNREFUSED"
  | "ETIMEDOUT"
  | "ENOENT"
  | "ECONNRESET"
  | "EHOSTUNREACH"
  | "ENETUNREACH"
  | "EADDRNOTAVAIL"
  | "ENOTFOUND"
  | "ETLS"
  | (string & Record<never, never>);

/**
 * A connection could not be made. The message names the address and the reason, as in
 * "Cannot connect to 127.0.0.1:1234: connection refused"; `code` is the reason as an
 * errno-style name and `cause` the underlying error, when there is one.
 *
 * @example Tell a refused connection from a timeout
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError } from "@wire/http/net";
 *
 * const error = new ConnectError("127.0.0.1:1234", "ECONNREFUSED", "connection refused");
 * assert.equal(error.message, "Cannot connect to 127.0.0.1:1234: connection refused");
 * assert.equal(error.code, "ECONNREFUSED");
 * assert.equal(error.address, "127.0.0.1:1234");
 * ```
 */
export class ConnectError extends Error {
  /** The failure as an errno-style name, such as `"ECONNREFUSED"` or `"ETIMEDOUT"`. */
  code: ConnectErrorCode;
  /** The address that was dialled: `host:port` (`[v6]:port`), or the socket path. */
  address: string;

  /**
   * Makes the error; its message is "Cannot connect to ADDRESS: REASON".
   *
   * @param address The address that was dialled.
   * @param code The failure as an errno-style name.
   * @param reason What went wrong, in lower case.
   * @param options The underlying error as `cause`.
   *
   * @example Wrap an underlying error
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectError } from "@wire/http/net";
   *
   * const cause = new Error("boom");
   * const error = new ConnectError("/tmp/app.sock", "ENOENT", "no such socket", { cause });
   * assert.equal(error.cause, cause);
   * ```
   */
  constructor(address: string, code: ConnectErrorCode, reason: string, options?: ErrorOptions) {
    super(`Cannot connect to ${address}: ${reason}`, options);
    this.name = "ConnectError";
    this.code = code;
    this.address = address;
  }
}
