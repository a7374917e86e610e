/**
 * A file (or ranges of it, with bytes between them) as a pull-based byte stream.
 *
 * - Big reads: each pull reads up to `chunkSize` bytes (512 KiB by default) into a fresh
 *   buffer, so a large download costs one read and one write call per chunk.
 * - Backpressure: the stream's high-water mark is 0, so the file is read only when the
 *   consumer (the server's writer, waiting on the socket) asks for more.
 * - Lifetime: the file is opened on the first pull, not before, so a Response that is
 *   never sent holds no descriptor; it is closed at the end, on cancel (a client that
 *   went away) and on error.
 * - A file that shrank since it was measured errors the stream (the server then cuts the
 *   connection rather than send fewer bytes than its Content-Length said).
 *
 * @module
 */

/** A piece of a streamed body: bytes to send as they are, or a byte range of the file. */
export type Piece = Uint8Array | { start: number; end: number };

/**
 * Streams `pieces`: fixed bytes and `[start, end)` ranges of the file at `path`.
 *
 * @param path The file.
 * @param pieces What to send, in order.
 * @param chunkSize Largest read.
 * @returns The stream.
 */
export function fileStream(
  path: string,
  pieces: readonly Piece[],
  chunkSize: number,
): ReadableStream<Uint8Array> {
  let file: Deno.FsFile | null = null;
  let index = 0;
  let offset = -1; // next byte of the current range to read; -1 before it starts
  let position = 0; // the file's read position
  let cancelled = false;
  const close = () => {
    const open = file;
    file = null;
    try {
      open?.close();
    } catch {
      // closed already
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          if (index >= pieces.length) {
            close();
            controller.close();
            return;
          }
          const piece = pieces[index];
          if (piece instanceof Uint8Array) {
            index++;
            controller.enqueue(piece);
            return;
          }
          if (offset === -1) offset = piece.start;
          if (offset >= piece.end) {
            index++;
            offset = -1;
            continue;
          }
          if (file === null) {
            const opened = await Deno.open(path, { read: true });
            if (cancelled) {
              // Cancelled while opening: nobody will pull again.
              opened.close();
              return;
            }
            file = opened;
            position = 0;
          }
          if (position !== offset) {
            await file.seek(offset, Deno.SeekMode.Start);
            position = offset;
          }
          const buffer = new Uint8Array(Math.min(chunkSize, piece.end - offset));
          const n = await file.read(buffer);
          if (n === null || n === 0) {
            throw new Error(
              `Cannot read ${path}: the file ended at byte ${offset}, before ${piece.end}`,
            );
          }
          offset += n;
          position += n;
          controller.enqueue(n === buffer.length ? buffer : buffer.subarray(0, n));
          return;
        }
      } catch (error) {
        close();
        throw error;
      }
    },
    cancel() {
      cancelled = true;
      close();
    },
  }, { highWaterMark: 0 });
}
