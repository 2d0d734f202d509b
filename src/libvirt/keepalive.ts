// libvirt's keepalive (src/rpc/virkeepalive.c): when nothing has arrived from the peer for `intervalMs`,
// send a PING; keep sending one every `intervalMs`; after `count` PINGs with nothing received, the peer
// is dead. Anything received (a PONG, a reply, an event) proves the peer alive. Pure: the caller passes
// the time and does what tick() answers.

export interface KeepaliveOptions {
  /** Silence before the first PING and between PINGs (libvirt's default is 5 s). */
  intervalMs: number;
  /** Unanswered PINGs before the connection is declared dead (libvirt's default is 5). */
  count: number;
}

export const DEFAULT_KEEPALIVE: KeepaliveOptions = { intervalMs: 5000, count: 5 };

export type KeepaliveAction = 'none' | 'ping' | 'dead';

export class Keepalive {
  private lastReceived: number;
  private pingsSent = 0;

  constructor(
    readonly options: KeepaliveOptions,
    now: number,
  ) {
    this.lastReceived = now;
  }

  /** Unanswered PINGs so far. */
  get unanswered(): number {
    return this.pingsSent;
  }

  received(now: number): void {
    this.lastReceived = now;
    this.pingsSent = 0;
  }

  tick(now: number): KeepaliveAction {
    const due = this.lastReceived + this.options.intervalMs * (this.pingsSent + 1);
    if (now < due) return 'none';
    if (this.pingsSent >= this.options.count) return 'dead';
    this.pingsSent++;
    return 'ping';
  }

  /** Milliseconds until tick() may answer something other than 'none'. */
  nextDue(now: number): number {
    return Math.max(0, this.lastReceived + this.options.intervalMs * (this.pingsSent + 1) - now);
  }
}
