/**
 * The content codings Wire compresses and decodes (RFC 9110 §8.4.1): gzip, deflate (the
 * zlib format), br (RFC 7932) and zstd (RFC 8878), all through `node:zlib`, which Deno
 * implements natively. One-shot functions for bodies known whole, streaming transforms
 * (with the flush mode that pushes out everything written so far) for the rest.
 *
 * @module
 */

import * as zlib from "node:zlib";

/** A content coding Wire can produce and decode. */
export type Coding = "br" | "zstd" | "gzip" | "deflate";

/** Every coding Wire knows, in its default order of preference. */
export const CODINGS: readonly Coding[] = ["br", "zstd", "gzip", "deflate"];

/** The effort of each coding and the output chunk size of the streaming ones. */
export interface CodingLevels {
  gzipLevel: number;
  brotliQuality: number;
  zstdLevel: number;
  chunkSize: number;
}

/**
 * Brotli's window for streams, 2^19 = 512 KiB (the library default is 4 MiB): what one
 * compressing response may hold besides its output chunks. One-shot calls keep the
 * default window and pass the size as a hint, which shrinks it for small bodies.
 */
const STREAM_BROTLI_WINDOW = 19;

const C = zlib.constants;

/** The node:zlib flush flag that makes a compressor emit all input so far. */
export function flushFlag(coding: Coding): number {
  if (coding === "br") return C.BROTLI_OPERATION_FLUSH;
  if (coding === "zstd") return C.ZSTD_e_flush;
  return C.Z_SYNC_FLUSH;
}

/**
 * Compresses a whole body in one call.
 *
 * @param coding The coding.
 * @param bytes The body.
 * @param levels Effort per coding.
 * @returns The encoded bytes.
 */
export function compressBytes(coding: Coding, bytes: Uint8Array, levels: CodingLevels): Uint8Array {
  switch (coding) {
    case "gzip":
      return zlib.gzipSync(bytes, { level: levels.gzipLevel });
    case "deflate":
      return zlib.deflateSync(bytes, { level: levels.gzipLevel });
    case "br":
      return zlib.brotliCompressSync(bytes, {
        params: {
          [C.BROTLI_PARAM_QUALITY]: levels.brotliQuality,
          [C.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      });
    case "zstd":
      return zlib.zstdCompressSync(bytes, {
        params: { [C.ZSTD_c_compressionLevel]: levels.zstdLevel },
      });
  }
}

/** A node:zlib transform, as the stream adapter uses it. */
export type ZlibTransform = ReturnType<typeof zlib.createGzip>;

/**
 * A streaming compressor for `coding`.
 *
 * @param coding The coding.
 * @param levels Effort per coding and the output chunk size.
 * @returns A node:zlib transform.
 */
export function createCompressor(coding: Coding, levels: CodingLevels): ZlibTransform {
  const chunkSize = levels.chunkSize;
  switch (coding) {
    case "gzip":
      return zlib.createGzip({ level: levels.gzipLevel, chunkSize });
    case "deflate":
      return zlib.createDeflate({ level: levels.gzipLevel, chunkSize });
    case "br":
      return zlib.createBrotliCompress({
        chunkSize,
        params: {
          [C.BROTLI_PARAM_QUALITY]: levels.brotliQuality,
          [C.BROTLI_PARAM_LGWIN]: STREAM_BROTLI_WINDOW,
        },
      }) as unknown as ZlibTransform;
    case "zstd":
      return zlib.createZstdCompress({
        chunkSize,
        params: { [C.ZSTD_c_compressionLevel]: levels.zstdLevel },
      }) as unknown as ZlibTransform;
  }
}

/**
 * A streaming decoder for `coding`. `deflate` accepts both the zlib format RFC 9110
 * names and the raw deflate some clients send instead (told apart by the first byte).
 *
 * @param coding The coding.
 * @param chunkSize Output chunk size.
 * @param first The first encoded bytes (to tell zlib from raw deflate).
 * @returns A node:zlib transform.
 */
export function createDecompressor(
  coding: Coding,
  chunkSize: number,
  first: Uint8Array | null,
): ZlibTransform {
  switch (coding) {
    case "gzip":
      return zlib.createGunzip({ chunkSize });
    case "deflate": {
      // A zlib stream starts with CMF 0x?8 and a header checksum (RFC 1950 §2.2).
      const zlibFormat = first === null || first.length < 2 ||
        ((first[0] & 0x0f) === 8 && ((first[0] << 8) | first[1]) % 31 === 0);
      return zlibFormat ? zlib.createInflate({ chunkSize }) : zlib.createInflateRaw({ chunkSize });
    }
    case "br":
      return zlib.createBrotliDecompress({ chunkSize }) as unknown as ZlibTransform;
    case "zstd":
      return zlib.createZstdDecompress({ chunkSize }) as unknown as ZlibTransform;
  }
}
