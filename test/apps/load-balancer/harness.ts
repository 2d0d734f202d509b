// Runs the load-balancer policy against the fake fabric: switch messages go to the fake switches,
// everything else (affinity operations, placements, events) is kept for the test to inspect.

import type { ServedMember, ServedPool } from '../../../src/balancer/served-pool.js';
import type { PlacementRecord } from '../../../src/balancer/placement-log.js';
import { BALANCER_DEFAULTS, type BalancerSettings } from '../../../src/balancer/settings.js';
import type { SwitchLink, SwitchMessage } from '../../../src/controller/app-api.js';
import { LbState } from '../../../src/apps/load-balancer/lb-state.js';
import * as policy from '../../../src/apps/load-balancer/lb-policy.js';
import type { LbAction } from '../../../src/apps/load-balancer/lb-policy.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST, buildArpFrame } from '../../../src/net/arp.js';
import { MAC_BROADCAST } from '../../../src/net/mac-address.js';
import { FakeFabric, tcpFrame, type PacketInCall, type RemovedFlow } from './fake-fabric.js';

export const VIP = 0x0ad50464; // 10.213.4.100
export const VIP_PORT = 80;

export function ip(last: number): number {
  return (0x0ad50400 | last) >>> 0;
}
export function mac(n: number): number {
  return 0x0a0000000000 + n;
}

export function lbConfig(
  over: Partial<ServedPool> & { members: ServedMember[] },
  vip = '10.213.4.100',
): ServedPool {
  return {
    id: 'web-pool',
    loadBalancerId: 'web',
    adminStateUp: true,
    vip: { address: vip, port: VIP_PORT },
    algorithm: 'ROUND_ROBIN',
    persistence: { type: 'SOURCE_MAC', timeoutSeconds: 60 },
    ...over,
  };
}

export function member(n: number, over: Partial<ServedMember> = {}): ServedMember {
  return {
    id: `m${n}`,
    address: `10.213.4.${10 + n}`,
    port: 8080,
    weight: 1,
    adminStateUp: true,
    vm: `vm-${n}`,
    ...over,
  };
}

export class Harness {
  readonly state: LbState;
  readonly fabric: FakeFabric;
  readonly actions: LbAction[] = [];
  /** Every placement's log record, read back as the adapter does when the action is run. */
  readonly records: PlacementRecord[] = [];
  /** The affinity table as the store would hold it (pool/client -> member). */
  readonly store = new Map<string, string>();

  constructor(settings: Partial<BalancerSettings> = {}) {
    this.state = new LbState({ ...BALANCER_DEFAULTS, ...settings });
    this.fabric = new FakeFabric({
      packetIn: (ev: PacketInCall, now: number) => this.run(policy.packetIn(this.state, now, ev).actions),
      flowRemoved: (r: RemovedFlow, now: number) => {
        this.fabric.execute(
          this.run(
            policy.flowRemoved(this.state, now, {
              datapathId: r.datapathId,
              cookie: r.flow.cookie,
              reason: r.reason,
              idleTimeout: r.flow.idleTimeout,
              durationSec: Math.floor((now - r.flow.addedAt) / 1000),
              packetCount: BigInt(r.flow.packets),
              byteCount: BigInt(r.flow.bytes),
              match: r.flow.match,
            }),
          ),
        );
      },
    });
  }

  /** Splits actions: switch messages are returned for the fabric, the rest is recorded. */
  run(actions: LbAction[]): SwitchMessage[] {
    const msgs: SwitchMessage[] = [];
    for (const a of actions) {
      if (a.kind === 'send') msgs.push(a);
      else {
        this.actions.push(a);
        if (a.kind === 'placed') {
          const r = this.state.log.get(a.seq);
          if (r === undefined) throw new Error(`placement ${a.seq} is no longer in the log`);
          this.records.push(r);
        } else if (a.kind === 'claim') {
          const k = `${a.pool}/${a.client}`;
          if (!this.store.has(k)) this.store.set(k, a.member);
        } else if (a.kind === 'forget') this.store.delete(`${a.pool}/${a.client}`);
        else if (a.kind === 'forgetMember') {
          for (const [k, m] of this.store)
            if (k.startsWith(`${a.pool}/`) && m === a.member) this.store.delete(k);
        }
      }
    }
    return msgs;
  }

  exec(actions: LbAction[]): void {
    this.fabric.execute(this.run(actions));
  }

  switchUp(dp: bigint, ports: number[]): void {
    this.fabric.addSwitch(dp, ports);
    this.exec(policy.switchUp(this.state, this.fabric.now, dp));
  }

  links(links: SwitchLink[]): void {
    for (const l of links) if (l.src < l.dst) this.fabric.link(l.src, l.srcPort, l.dst, l.dstPort);
    policy.linksChanged(this.state, links);
  }

  configure(pools: ServedPool[]): void {
    this.exec(policy.applyPools(this.state, this.fabric.now, pools));
  }

  /** A member answers the controller's ARP probe (as a host does when asked for its address). */
  memberAnswers(host: string, m: { mac: number; ip: number }, vipMac: number): void {
    this.fabric.send(
      host,
      buildArpFrame(vipMac, m.mac, { op: ARP_OP_REPLY, sha: m.mac, spa: m.ip, tha: vipMac, tpa: VIP }),
    );
  }

  arpRequest(host: string, from: { mac: number; ip: number }, target: number): void {
    this.fabric.send(
      host,
      buildArpFrame(MAC_BROADCAST, from.mac, {
        op: ARP_OP_REQUEST,
        sha: from.mac,
        spa: from.ip,
        tha: 0,
        tpa: target,
      }),
    );
  }

  /** A client sends a TCP SYN to the VIP (addressed to the VIP's MAC, as its ARP cache says). */
  connect(host: string, c: { mac: number; ip: number }, vipMac: number, srcPort = 40000, vip = VIP): void {
    this.fabric.send(
      host,
      tcpFrame({ srcMac: c.mac, dstMac: vipMac, src: c.ip, dst: vip, srcPort, dstPort: VIP_PORT }),
    );
  }

  tick(): void {
    this.exec(policy.tick(this.state, this.fabric.now));
  }

  placements(): Array<{ client: string; member: string }> {
    return this.records.map((r) => ({ client: r.client, member: r.member }));
  }
}
