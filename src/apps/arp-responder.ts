// The ARP responder app: answers ARP requests for configured IPv4 -> MAC bindings from the controller and
// announces them with gratuitous ARPs. Other apps (the load balancer) add and remove bindings at run time.

import type {
  ControllerApi,
  ControllerApp,
  DatapathInfo,
  PacketInEvent,
  PacketInVerdict,
} from '../controller/app-api.js';
import { APP_ID, appCookie } from '../controller/cookies.js';
import { PacketError } from '../net/packet-error.js';
import { arpReplyFor, arpTrapFlows, gratuitousArps, type ArpBindings } from './arp-responder-policy.js';

export const ARP_RESPONDER = 'arp-responder';

export class ArpResponderApp implements ControllerApp, ArpBindings {
  readonly name = ARP_RESPONDER;
  readonly order = 20;
  readonly entries = new Map<number, number>();
  readonly cookie = appCookie(APP_ID.ARP_RESPONDER);
  private api: ControllerApi | undefined;

  constructor(
    bindings: Iterable<[ip: number, mac: number]> = [],
    private readonly trapPriority = 0xff00,
  ) {
    for (const [ip, mac] of bindings) this.entries.set(ip, mac);
  }

  start(api: ControllerApi): void {
    this.api = api;
  }

  /** Adds or changes a binding, traps its requests on every switch and announces it. */
  bind(ip: number, mac: number): void {
    this.entries.set(ip, mac);
    const one: ArpBindings = { entries: new Map([[ip, mac]]) };
    for (const dp of this.api?.datapaths() ?? []) {
      this.api!.sendAll(
        arpTrapFlows(one, dp.datapathId, { priority: this.trapPriority, cookie: this.cookie }),
      );
      this.api!.sendAll(gratuitousArps(one, dp.datapathId, this.api!.floodPorts(dp.datapathId, -1)));
    }
  }

  unbind(ip: number): void {
    if (!this.entries.delete(ip)) return;
    for (const dp of this.api?.datapaths() ?? []) {
      this.api!.deleteFlows(dp.datapathId, {
        match: { ethType: 0x0806, arpOp: 1, arpTpa: ip },
        cookie: this.cookie,
        cookieMask: 0xffff_ffff_ffff_ffffn,
        priority: this.trapPriority,
      });
    }
  }

  /** Sends gratuitous ARPs for every binding on every switch. */
  announce(): void {
    for (const dp of this.api?.datapaths() ?? []) {
      this.api!.sendAll(gratuitousArps(this, dp.datapathId, this.api!.floodPorts(dp.datapathId, -1)));
    }
  }

  onSwitchUp(dp: DatapathInfo): void {
    if (this.entries.size === 0) return;
    this.api!.sendAll(
      arpTrapFlows(this, dp.datapathId, { priority: this.trapPriority, cookie: this.cookie }),
    );
    this.api!.sendAll(gratuitousArps(this, dp.datapathId, this.api!.floodPorts(dp.datapathId, -1)));
  }

  onPacketIn(ev: PacketInEvent): PacketInVerdict {
    if (this.entries.size === 0) return 'continue';
    const p = ev.packet;
    if (p instanceof PacketError || !p.arp) return 'continue';
    const reply = arpReplyFor(this, { datapathId: ev.datapathId, inPort: ev.inPort, eth: p.eth, arp: p.arp });
    if (!reply) return 'continue';
    this.api!.send(reply);
    return 'stop';
  }
}
