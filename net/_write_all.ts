/** Anything with Deno.Conn's `write`. */
export interface ByteWriter {
  write(p: Uint8Array): Promise<number>;
}

/**
 * Writes every byte of `bytes`: a socket may accept fewer bytes than offered, so this
 * loops until the whole view is written. The common case is one `write` call.
 */
export async function writeAll(writer: ByteWriter, bytes: Uint8Array): Promise<void> {
  let n = await writer.write(bytes);
  while (n < bytes.length) {
    n += await writer.write(bytes.subarray(n));
  }
}
