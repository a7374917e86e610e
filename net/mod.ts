/**
 * Sockets: the accept loop (`listen`) and `connect`, over TCP, TLS and Unix sockets.
 *
 * @example Accept connections
 * ```ts ignore
 * import { listen } from "@wire/http/net";
 *
 * using listener = listen({ port: 0 });
 * for await (const conn of listener) conn.close();
 * ```
 *
 * @module
 */
