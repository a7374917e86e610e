/**
 * The byte stream a client connection runs on: a `Deno.Conn` (TCP, TLS, Unix), a TLS
 * stream through a proxy's tunnel, or an in-memory connection to a handler.
 *
 * @module
 */

/** What a client connection needs of its stream. */
export interface ClientTransport {
  /** Reads into `buffer`; resolves the count, or 0 or null at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `buffer`; resolves how many bytes were taken. */
  write(buffer: Uint8Array): Promise<number>;
  /** Closes both directions. */
  close(): void;
  /** Pending reads keep the process alive (sockets only). */
  ref?(): void;
  /** Pending reads no longer keep the process alive (sockets only). */
  unref?(): void;
}
