/**
 * The Upgrade mechanism (RFC 9110 §7.8) of a server connection: a request that asks to
 * switch protocols carries a slot; `upgradeWebSocket()` or `upgrade()` fills it with the
 * 101 Response it made and the {@linkcode UpgradeTarget} that takes the connection over.
 * The connection sends that 101 (and only that one: any other 101 is a 500) and then
 * hands over the socket, with the bytes already read behind the request head.
 *
 * @module
 */

import type { UpgradeTarget } from "../_codec/duplex.ts";

/** Where the slot of an upgrade request is kept on the Request object itself. */
const SLOT = Symbol("wire.upgradeSlot");

/** What a handler's upgrade call fills in for the connection. */
export class UpgradeSlot {
  /** The 101 the connection must send to switch. */
  response: Response | null = null;
  /** What takes the connection over once the 101 is sent. */
  target: UpgradeTarget | null = null;
  /** The peer, for the target. */
  readonly remoteAddr: Deno.Addr;

  constructor(remoteAddr: Deno.Addr) {
    this.remoteAddr = remoteAddr;
  }

  /**
   * Takes the upgrade: `response` (status 101) is what the handler returns, `target`
   * what gets the connection. A request is upgraded once.
   *
   * @param response The 101 Switching Protocols response.
   * @param target What takes the connection over.
   */
  accept(response: Response, target: UpgradeTarget): void {
    if (this.target !== null) {
      throw new TypeError("Cannot upgrade: this request was upgraded already");
    }
    this.response = response;
    this.target = target;
  }
}

/**
 * Gives `request` an upgrade slot (the server does it for requests that ask to switch
 * protocols).
 *
 * @param request The handler's Request.
 * @param remoteAddr The peer.
 * @returns The slot.
 */
export function openUpgradeSlot(request: Request, remoteAddr: Deno.Addr): UpgradeSlot {
  const slot = new UpgradeSlot(remoteAddr);
  (request as unknown as Record<symbol, UpgradeSlot>)[SLOT] = slot;
  return slot;
}

/**
 * The upgrade slot of `request`, or null when it is not a request from Wire's server
 * (or `inject`) that asked to switch protocols.
 *
 * @param request A handler's Request.
 * @returns The slot, or null.
 */
export function upgradeSlotOf(request: Request): UpgradeSlot | null {
  const slot = (request as unknown as Record<symbol, unknown>)[SLOT];
  return slot instanceof UpgradeSlot ? slot : null;
}
