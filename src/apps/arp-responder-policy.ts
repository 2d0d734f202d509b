// ARP responder as a pure policy: answers requests for a configured set of IPv4 -> MAC bindings (virtual
// IPs of the load balancer, gateway addresses) from the controller, and builds gratuitous ARPs so that
// neighbours learn or refresh a binding.

import type { SwitchMessage } from '../controller/app-api.js';
import { ARP_OP_REQUEST, buildArpReply, buildGratuitousArp, type ArpPacket } from '../net/arp.js';
import { ETH_TYPE_ARP, type EthernetHeader } from '../net/ethernet.js';
import { OFPP } from '../openflow/model.js';
import { applyActions, flowMod, output, packetOut } from '../openflow/builders.js';

export interface ArpBindings {
  /** IPv4 (32-bit number) -> MAC (48-bit number). */
  readonly entries: ReadonlyMap<number, number>;
}

/**
 * The reply to an ARP request for one of `bindings`, sent back out of the port it came in on;
 * undefined when the packet is not a request for one of them (another app should see it).
 */
export function arpReplyFor(
  bindings: ArpBindings,
  ev: { datapathId: bigint; inPort: number; eth: EthernetHeader; arp: ArpPacket },
): SwitchMessage | undefined {
  const { arp } = ev;
  if (arp.op !== ARP_OP_REQUEST) return undefined;
  const mac = bindings.entries.get(arp.tpa);
  if (mac === undefined) return undefined;
  // RFC 5227: a request whose sender is the target address is a probe/announcement, not a question.
  if (arp.spa === arp.tpa) return undefined;
  return arpReply(ev, mac);
}

/** The reply to an ARP request saying its target address is at `mac`, sent back out of its port. */
export function arpReply(
  ev: { datapathId: bigint; inPort: number; eth: EthernetHeader; arp: ArpPacket },
  mac: number,
): SwitchMessage {
  return {
    datapathId: ev.datapathId,
    message: packetOut({
      inPort: ev.inPort,
      actions: [output(OFPP.IN_PORT)],
      data: buildArpReply(ev.arp, mac, ev.eth.vlanVid),
    }),
  };
}

/** Gratuitous ARPs for every binding, flooded from the controller on one switch. */
export function gratuitousArps(
  bindings: ArpBindings,
  datapathId: bigint,
  floodPorts?: readonly number[],
): SwitchMessage[] {
  const actions = floodPorts ? floodPorts.map((p) => output(p)) : [output(OFPP.FLOOD)];
  const out: SwitchMessage[] = [];
  for (const [ip, mac] of bindings.entries) {
    out.push({
      datapathId,
      message: packetOut({ inPort: OFPP.CONTROLLER, actions, data: buildGratuitousArp(mac, ip) }),
    });
  }
  return out;
}

/**
 * Flow entries that send ARP requests for the bound addresses to the controller above any forwarding
 * flow, so the responder answers even when other apps install broad flows.
 */
export function arpTrapFlows(
  bindings: ArpBindings,
  datapathId: bigint,
  opts: { priority: number; cookie: bigint },
): SwitchMessage[] {
  const out: SwitchMessage[] = [];
  for (const ip of bindings.entries.keys()) {
    out.push({
      datapathId,
      message: flowMod({
        cookie: opts.cookie,
        priority: opts.priority,
        match: { ethType: ETH_TYPE_ARP, arpOp: ARP_OP_REQUEST, arpTpa: ip },
        instructions: [applyActions(output(OFPP.CONTROLLER))],
      }),
    });
  }
  return out;
}
