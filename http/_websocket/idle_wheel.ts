/**
 * The idle ping's clock: one interval per `idleTimeout` value for all the sockets that
 * use it, ticking every half timeout, instead of a timer per socket (a Deno timer costs
 * about half a KiB). Each tick asks every socket whether it heard anything since the
 * last one (session.ts); the interval stops when its last socket leaves.
 *
 * @module
 */

/** A socket the wheel ticks. */
export interface IdleWatcher {
  /** Called every half `idleTimeout`. */
  idleTick(): void;
}

interface Wheel {
  timer: ReturnType<typeof setInterval>;
  members: Set<IdleWatcher>;
}

const wheels = new Map<number, Wheel>();

/**
 * Ticks `member` every `seconds / 2` from now on.
 *
 * @param member The socket.
 * @param seconds Its idleTimeout (> 0).
 */
export function watchIdle(member: IdleWatcher, seconds: number): void {
  let wheel = wheels.get(seconds);
  if (wheel === undefined) {
    const members = new Set<IdleWatcher>();
    const timer = setInterval(() => {
      for (const watcher of members) watcher.idleTick();
    }, seconds * 500);
    wheel = { timer, members };
    wheels.set(seconds, wheel);
  }
  wheel.members.add(member);
}

/**
 * Stops ticking `member`; the interval ends with its last member.
 *
 * @param member The socket.
 * @param seconds The idleTimeout it was watched with.
 */
export function unwatchIdle(member: IdleWatcher, seconds: number): void {
  const wheel = wheels.get(seconds);
  if (wheel === undefined || !wheel.members.delete(member) || wheel.members.size > 0) return;
  clearInterval(wheel.timer);
  wheels.delete(seconds);
}
