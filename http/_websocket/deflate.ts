/**
 * permessage-deflate (RFC 7692) over `node:zlib`: a message is compressed with raw
 * DEFLATE and a sync flush, and the flush's empty stored block `00 00 ff ff` is taken
 * off its end (§7.2.1); the receiver puts it back before inflating (§7.2.2). With
 * context takeover the zlib streams keep their window from message to message; without
 * it (the `*_no_context_takeover` parameters) the stream is reset after each message.
 *
 * zlib works asynchronously, so each direction runs one message at a time: the session
 * sends compressed messages in order through one queue, and stops reading while a
 * message inflates. Inflating stops as soon as the output passes the limit (maxPayload),
 * so a small bomb never expands into memory (1009); corrupt data fails with 1007.
 *
 * @module
 */

import zlib from "node:zlib";
import { CLOSE_INVALID_DATA, CLOSE_TOO_BIG } from "./close_code.ts";

/** The parameters both sides agreed on in the handshake (RFC 7692 §7.1). */
export interface DeflateParams {
  /** The server resets its compressor after each message. */
  serverNoContextTakeover: boolean;
  /** The client resets its compressor after each message. */
  clientNoContextTakeover: boolean;
  /** The server's LZ77 window, 8 to 15 bits (15 when not negotiated). */
  serverMaxWindowBits: number;
  /** The client's LZ77 window, 8 to 15 bits (15 when not negotiated). */
  clientMaxWindowBits: number;
}

/** Compression settings of this side that are not negotiated. */
export interface DeflateTuning {
  /** Messages shorter than this many bytes are sent uncompressed. */
  threshold: number;
  /** zlib compression level, 0 to 9. */
  level: number;
  /** zlib memLevel, 1 to 9 (memory for the compressor's state). */
  memLevel: number;
}

/** A failure to inflate: the close code to send and why. */
export class InflateError extends Error {
  /** 1007 (corrupt data) or 1009 (too big). */
  readonly code: number;

  /**
   * @param code The close code.
   * @param message What went wrong.
   */
  constructor(code: number, message: string) {
    super(message);
    this.name = "InflateError";
    this.code = code;
  }
}

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
const { Z_SYNC_FLUSH } = zlib.constants;

type ZlibStream = zlib.DeflateRaw | zlib.InflateRaw;

/** The compressor and decompressor of one connection. */
export class PerMessageDeflate {
  readonly #ownNoContext: boolean;
  readonly #peerNoContext: boolean;
  readonly #ownBits: number;
  readonly #peerBits: number;
  readonly #tuning: DeflateTuning;
  readonly #limit: number;
  #deflate: zlib.DeflateRaw | null = null;
  #inflate: zlib.InflateRaw | null = null;
  #closed = false;

  /**
   * @param params What the handshake agreed.
   * @param isServer Whether this side is the server (it compresses with the server's
   *   parameters and inflates with the client's).
   * @param tuning Threshold, level and memLevel.
   * @param maxPayload Most bytes a message may inflate to.
   */
  constructor(params: DeflateParams, isServer: boolean, tuning: DeflateTuning, maxPayload: number) {
    this.#ownNoContext = isServer ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.#peerNoContext = isServer
      ? params.clientNoContextTakeover
      : params.serverNoContextTakeover;
    this.#ownBits = isServer ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    this.#peerBits = isServer ? params.clientMaxWindowBits : params.serverMaxWindowBits;
    this.#tuning = tuning;
    this.#limit = maxPayload;
  }

  /**
   * Whether a message of `length` bytes should be compressed: at least the threshold,
   * and never with an 8-bit window, which zlib cannot produce for raw deflate (it uses
   * 9); sending uncompressed is always allowed (RFC 7692 §6).
   *
   * @param length The message's length.
   * @returns True to compress.
   */
  shouldCompress(length: number): boolean {
    return length >= this.#tuning.threshold && this.#ownBits > 8 && !this.#closed;
  }

  /**
   * Compresses one message.
   *
   * @param data The message.
   * @returns The compressed payload, without the trailing `00 00 ff ff`.
   */
  compress(data: Uint8Array): Promise<Uint8Array> {
    const stream = this.#deflate ??= quiet(zlib.createDeflateRaw({
      windowBits: this.#ownBits,
      level: this.#tuning.level,
      memLevel: this.#tuning.memLevel,
    }));
    return run(stream, [data], Infinity).then((chunks) => {
      if (this.#ownNoContext) stream.reset();
      let out = concat(chunks);
      if (endsWithTail(out)) out = out.subarray(0, out.length - 4);
      return out;
    }, (error) => {
      quietClose(stream);
      this.#deflate = null;
      throw error;
    });
  }

  /**
   * Inflates one message from its compressed frames.
   *
   * @param parts The compressed payload, frame by frame.
   * @returns The message (an exact-length array), or a rejection with an
   *   {@linkcode InflateError}.
   */
  decompress(parts: Uint8Array[]): Promise<Uint8Array> {
    // zlib cannot inflate a raw stream with an 8-bit window; 9 reads everything 8 wrote.
    const stream = this.#inflate ??= quiet(zlib.createInflateRaw({
      windowBits: Math.max(9, this.#peerBits),
    }));
    parts.push(TAIL);
    return run(stream, parts, this.#limit).then((chunks) => {
      if (this.#peerNoContext) stream.reset();
      return concat(chunks);
    }, (error) => {
      // The connection fails with this error; the stream is of no more use.
      quietClose(stream);
      this.#inflate = null;
      throw error instanceof InflateError
        ? error
        : new InflateError(CLOSE_INVALID_DATA, "Invalid compressed data");
    });
  }

  /** Frees both zlib streams. */
  close(): void {
    this.#closed = true;
    quietClose(this.#deflate);
    quietClose(this.#inflate);
    this.#deflate = null;
    this.#inflate = null;
  }
}

/**
 * Writes `parts` and a sync flush through `stream`, collecting the output; past `limit`
 * output bytes the stream is closed and the promise rejects with 1009.
 */
function run(stream: ZlibStream, parts: Uint8Array[], limit: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let settled = false;
    const finish = (error: unknown) => {
      if (settled) return;
      settled = true;
      stream.removeListener("data", onData);
      stream.removeListener("error", onError);
      if (error === null) resolve(chunks);
      else reject(error);
    };
    const onData = (chunk: Uint8Array) => {
      total += chunk.length;
      if (total > limit) {
        quietClose(stream);
        finish(new InflateError(CLOSE_TOO_BIG, `Message inflates past ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onError = (error: unknown) => finish(error);
    stream.on("data", onData);
    stream.on("error", onError);
    for (const part of parts) stream.write(part);
    stream.flush(Z_SYNC_FLUSH, () => {
      // In Deno the flush callback can run before the "error" event of a failed write.
      const failed = (stream as unknown as { errored: unknown }).errored;
      finish(failed ? failed : null);
    });
  });
}

function ignore(): void {}

/**
 * A zlib stream whose errors never go unhandled: `run` reports them to its caller (and a
 * failed stream goes on emitting errors for the writes queued behind the bad one).
 */
function quiet<T extends ZlibStream>(stream: T): T {
  stream.on("error", ignore);
  return stream;
}

/** Closes a zlib stream whose output and errors no longer matter. */
function quietClose(stream: ZlibStream | null): void {
  if (stream === null) return;
  stream.removeAllListeners("data");
  stream.close();
}

function endsWithTail(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 4 && bytes[n - 4] === 0x00 && bytes[n - 3] === 0x00 && bytes[n - 2] === 0xff &&
    bytes[n - 1] === 0xff;
}

/** One exact-length Uint8Array (not a Buffer, not a view into zlib's memory). */
function concat(chunks: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
