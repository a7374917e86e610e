/**
 * What a server connection reads and writes: a socket, or memory for `inject`.
 *
 * @module
 */

import type { ByteReader } from "../../net/_read_buffer.ts";
import type { ByteWriter } from "../../net/_write_all.ts";

/**
 * A byte stream pair to serve HTTP over: a Deno.Conn, its raw view (whose `read`
 * resolves 0 rather than null at the end of the stream), or an in-memory pipe.
 */
export interface Transport extends ByteReader, ByteWriter {
  /** Closes both directions; a second call must be harmless. */
  close(): void;
  /** Ends the write direction only (TCP half-close), if the transport can. */
  closeWrite?(): Promise<void>;
  /** Pending reads keep the process alive again (the default). */
  ref?(): void;
  /** Pending reads no longer keep the process alive (a server's `unref()`). */
  unref?(): void;
}
