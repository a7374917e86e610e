/**
 * A byte stream both ways, and what takes over an upgraded connection. The server hands
 * an upgraded socket (or, under `inject`, one end of an in-memory pipe) to an
 * {@linkcode UpgradeTarget}; the WebSocket client runs over a connected socket. Both
 * see it as a {@linkcode Duplex}.
 *
 * @module
 */

/** A byte stream both ways: a socket, an upgraded server connection, or memory. */
export interface Duplex {
  /**
   * Reads into `buffer` (never empty); resolves how many bytes arrived, or 0 or null at
   * the end of the stream. Rejects when the stream failed (reset, closed under it).
   */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `buffer`; resolves how many bytes were taken (at least one). */
  write(buffer: Uint8Array): Promise<number>;
  /** Closes both directions; a second call is harmless. */
  close(): void;
  /** Ends the write direction only (TCP half-close), if the stream can. */
  closeWrite?(): Promise<void>;
}

/**
 * What takes over a connection once the server has sent `101 Switching Protocols`: a
 * WebSocket, or the raw stream of `upgrade()`. The server calls exactly one of `attach`
 * and `fail`; after `attach` the target owns the stream and reports its end with `done`,
 * while the server still calls `shutdown` (graceful) or `abort` (deadline) on it.
 */
export interface UpgradeTarget {
  /**
   * The 101 is sent: `duplex` now carries the new protocol. `head` holds the bytes the
   * server had already read behind the request head (they belong to the new protocol).
   * `done` must be called once, when the target has closed the stream.
   */
  attach(duplex: Duplex, head: Uint8Array, remoteAddr: Deno.Addr, done: () => void): void;
  /** The 101 could not be sent (the client went away, the server closed): no upgrade. */
  fail(reason: unknown): void;
  /** The server shuts down gracefully: close politely (WebSocket: 1001), then `done`. */
  shutdown(): void;
  /** The server's deadline passed: close the stream now, then `done`. */
  abort(reason: unknown): void;
}
