/**
 * What a server's connections share so that an idle keep-alive connection holds little:
 * large read buffers (one module-wide pool) and parsers (a pool per server, since a
 * parser is made with that server's limits).
 *
 * @module
 */

import { Parser } from "../parser.ts";
import type { ConnectionConfig } from "./config.ts";

/** Read buffer of a connection between requests: small, since idle connections hold it. */
export const SMALL_READ_BYTES = 1024;
/**
 * Read buffer while a large message or body streams in (taken from a pool). 128 KiB
 * rather than 64: a 256 MiB upload then costs about a quarter less CPU (fewer reads,
 * stream chunks and loop turns), and 256 KiB measured no better.
 */
export const LARGE_READ_BYTES = 128 * 1024;
const MAX_POOLED_READ_BUFFERS = 32;
/** Most idle parsers kept per server. */
const MAX_POOLED_PARSERS = 256;
const readPool: Uint8Array[] = [];

/**
 * A LARGE_READ_BYTES read buffer, from the pool when one is free.
 *
 * @returns The buffer.
 */
export function takeLargeReadBuffer(): Uint8Array {
  return readPool.pop() ?? new Uint8Array(LARGE_READ_BYTES);
}

/**
 * Gives a buffer from {@linkcode takeLargeReadBuffer} back (dropped when the pool is full).
 *
 * @param buffer The buffer, no longer used.
 */
export function returnLargeReadBuffer(buffer: Uint8Array): void {
  if (readPool.length < MAX_POOLED_READ_BUFFERS) readPool.push(buffer);
}

/**
 * A request parser with the server's limits: an idle one from its pool, or a new one.
 * Parsers (with their span tables and value caches) are worth sharing: an idle
 * keep-alive connection holds none, nor does a slow half-sent head once parked.
 *
 * @param config The server's connection settings (limits and pool).
 * @returns A parser ready for a request.
 */
export function takeParser(config: ConnectionConfig): Parser {
  return config.parsers.pop() ?? new Parser({
    mode: "request",
    maxHeaderBytes: config.maxHeaderBytes,
    maxHeaderCount: config.maxHeaderCount,
    maxUrlBytes: config.maxUrlBytes,
    upgrade: true,
    lenient: config.parserLenient,
  });
}

/**
 * Resets a parser between messages and gives it back to the server's pool (dropped when
 * the pool is full).
 *
 * @param config The server's connection settings.
 * @param parser A parser from {@linkcode takeParser}, no longer used.
 */
export function returnParser(config: ConnectionConfig, parser: Parser): void {
  parser.reset();
  if (config.parsers.length < MAX_POOLED_PARSERS) config.parsers.push(parser);
}
