/**
 * How the server role reaches the public classes' constructors, whose signatures are the
 * client's (`new WireWebSocket(url, protocols)`): the internal factory passes a
 * {@linkcode ServerSocketInit} as the URL, and the constructor fills in the session it
 * made, for the factory's {@linkcode UpgradeTarget}.
 *
 * @module
 */

import type { Session, SessionOptions } from "./session.ts";

/** A server-side socket's settings, handed to a public constructor in place of a URL. */
export class ServerSocketInit {
  /** The request's URL (the socket's `url`). */
  readonly url: string;
  /** The subprotocol in the 101, or "". */
  readonly protocol: string;
  /** The Sec-WebSocket-Extensions of the 101, or "". */
  readonly extensions: string;
  /** The session's settings. */
  readonly options: SessionOptions;
  /** Set by the constructor: the session behind the new object. */
  session: Session | null = null;

  /**
   * @param url The request's URL.
   * @param protocol The chosen subprotocol.
   * @param extensions The extensions header value.
   * @param options The session's settings.
   */
  constructor(url: string, protocol: string, extensions: string, options: SessionOptions) {
    this.url = url;
    this.protocol = protocol;
    this.extensions = extensions;
    this.options = options;
  }
}
