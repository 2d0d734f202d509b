// Packet-ins and flow-removed messages that never reached the apps, counted by reason for /metrics and
// logged at most once per reason per interval, with the datapath and what an operator can do about it.

import type { Logger } from 'pino';

export const DROP_REASONS = ['hold_queue_full', 'session_dead', 'undecodable'] as const;
export type DropReason = (typeof DROP_REASONS)[number];
export type DroppedKind = 'packetIn' | 'flowRemoved';

const HINTS: Record<DropReason, string> = {
  hold_queue_full:
    'more arrived while the switch was being set up than the controller holds for it; if this happens at every ' +
    'connect, the controller is too busy to finish set-ups promptly',
  session_dead:
    'they arrived on a connection that had closed or failed its set-up: the "switch disconnected" or ' +
    '"switch dropped before it came up" line for this datapath says why',
  undecodable:
    'the switch sent malformed messages (see the "bad OpenFlow message" lines): check its OpenFlow version and software',
};

/** At most one log line per reason per this interval. */
const LOG_INTERVAL_MS = 10_000;

export class MessageDrops {
  private readonly totals = zeroes();
  private readonly sinceLogged = zeroes();
  private readonly loggedAt = new Map<DropReason, number>();

  constructor(
    private readonly log: Logger,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  count(reason: DropReason, kind: DroppedKind, dpid: string | undefined, peer: string): void {
    this.totals[reason]++;
    this.sinceLogged[reason]++;
    const now = this.clock();
    const last = this.loggedAt.get(reason);
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return;
    this.log.warn(
      { dpid, peer, reason, kind, dropped: this.sinceLogged[reason], total: this.totals[reason] },
      `packet-in or flow-removed messages dropped (${reason}): ${HINTS[reason]}`,
    );
    this.loggedAt.set(reason, now);
    this.sinceLogged[reason] = 0;
  }

  /** Every reason, zero included, so that a counter exists before its first drop. */
  byReason(): Record<DropReason, number> {
    return { ...this.totals };
  }
}

function zeroes(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}
