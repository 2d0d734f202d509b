// What the load-balancer policy returns, and what it reads from a packet-in: its actions are switch
// messages, affinity operations for the store, placements (by their number in the placement log) and
// operational events.

import type { SwitchMessage } from '../../controller/app-api.js';
import type { PacketError } from '../../net/packet-error.js';
import type { DecodedPacket } from '../../net/packet.js';

export type LbAction =
  /** A switch message (the action itself is one: `kind` aside, it is a SwitchMessage). */
  | ({ kind: 'send' } & SwitchMessage)
  | { kind: 'claim'; pool: string; client: string; member: string; idleMs: number }
  | { kind: 'touch'; pool: string; client: string; idleMs: number }
  | { kind: 'forget'; pool: string; client: string }
  | { kind: 'forgetMember'; pool: string; member: string }
  /** A placement recorded in the log as `seq`: read it with state.log.get(seq) while it is in the ring. */
  | { kind: 'placed'; seq: number }
  | { kind: 'event'; event: LbNotice };

/** Operational events for the log and the event stream. */
export type LbNotice =
  | { type: 'member-down'; pool: string; member: string; reason: string; clients: number }
  | { type: 'member-up'; pool: string; member: string }
  | { type: 'member-located'; pool: string; member: string; mac: string; datapathId: string; port: number }
  | { type: 'member-detached'; pool: string; member: string; reason: string }
  | { type: 'member-suspended'; pool: string; member: string; reason: string }
  | { type: 'member-resumed'; pool: string; member: string }
  | { type: 'vip-up'; loadBalancer: string; pool: string; address: string; mac: string }
  | { type: 'vip-down'; loadBalancer: string; pool: string; address: string }
  | { type: 'client-dropped'; pool: string; client: string; reason: string };

export interface LbPacketIn {
  datapathId: bigint;
  inPort: number;
  bufferId: number;
  /** The frame. A new client's TCP segment is read straight from it. */
  data: Buffer;
  /** The frame decoded, for every other packet (the app decodes it only when this is read). */
  readonly packet: DecodedPacket | PacketError;
}

export interface PacketInResult {
  /** 'stop' when the packet was the load balancer's (no later app should see it). */
  verdict: 'stop' | 'continue';
  actions: LbAction[];
}

export const send = (datapathId: bigint, message: SwitchMessage['message']): LbAction => ({
  kind: 'send',
  datapathId,
  message,
});
