import { describe, expect, it } from 'vitest';
import {
  arpReplyFor,
  arpTrapFlows,
  gratuitousArps,
  type ArpBindings,
} from '../../src/apps/arp-responder-policy.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST, buildArpFrame } from '../../src/net/arp.js';
import { ETH_TYPE_ARP } from '../../src/net/ethernet.js';
import { MAC_BROADCAST } from '../../src/net/mac-address.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket, type DecodedPacket } from '../../src/net/packet.js';
import { OFPP, type FlowMod, type PacketOut } from '../../src/openflow/model.js';
import { FakeNetwork } from './fake-network.js';

const VIP = 0x0ad50164; // 10.213.1.100
const VMAC = 0x0a00000000fe;
const H1 = { mac: 0x0a0000000001, ip: 0x0ad50101 };
const bindings: ArpBindings = { entries: new Map([[VIP, VMAC]]) };

function request(tpa: number, spa = H1.ip, vlanVid?: number): Buffer {
  return buildArpFrame(MAC_BROADCAST, H1.mac, { op: ARP_OP_REQUEST, sha: H1.mac, spa, tha: 0, tpa }, vlanVid);
}

function decode(b: Buffer): DecodedPacket {
  const p = decodePacket(b);
  if (p instanceof PacketError) throw new Error(p.toString());
  return p;
}

describe('ARP responder policy', () => {
  it('answers a request for a bound address back out of the port it came from', () => {
    const p = decode(request(VIP));
    const m = arpReplyFor(bindings, { datapathId: 5n, inPort: 3, eth: p.eth, arp: p.arp! });
    expect(m?.datapathId).toBe(5n);
    const po = m!.message as PacketOut;
    expect(po.inPort).toBe(3);
    expect(po.actions).toEqual([{ type: 'output', port: OFPP.IN_PORT, maxLen: 0xffff }]);
    const reply = decode(po.data);
    expect(reply.eth).toMatchObject({ dst: H1.mac, src: VMAC, ethType: ETH_TYPE_ARP });
    expect(reply.arp).toEqual({ op: ARP_OP_REPLY, sha: VMAC, spa: VIP, tha: H1.mac, tpa: H1.ip });
  });

  it('keeps the VLAN tag of the request', () => {
    const p = decode(request(VIP, H1.ip, 12));
    const m = arpReplyFor(bindings, { datapathId: 1n, inPort: 1, eth: p.eth, arp: p.arp! });
    expect(decode((m!.message as PacketOut).data).eth.vlanVid).toBe(12);
  });

  it('ignores requests for other addresses, replies, and probes/announcements of the address itself', () => {
    const other = decode(request(0x0ad50102));
    expect(
      arpReplyFor(bindings, { datapathId: 1n, inPort: 1, eth: other.eth, arp: other.arp! }),
    ).toBeUndefined();
    const announce = decode(request(VIP, VIP));
    expect(
      arpReplyFor(bindings, { datapathId: 1n, inPort: 1, eth: announce.eth, arp: announce.arp! }),
    ).toBeUndefined();
    const rep = decode(
      buildArpFrame(VMAC, H1.mac, { op: ARP_OP_REPLY, sha: H1.mac, spa: H1.ip, tha: VMAC, tpa: VIP }),
    );
    expect(arpReplyFor(bindings, { datapathId: 1n, inPort: 1, eth: rep.eth, arp: rep.arp! })).toBeUndefined();
  });

  it('floods gratuitous ARPs that every host on the switch receives', () => {
    const net = new FakeNetwork(() => []);
    net.addSwitch(1n, [1, 2]);
    net.attachHost('a', 1n, 1);
    net.attachHost('b', 1n, 2);
    const two: ArpBindings = {
      entries: new Map([
        [VIP, VMAC],
        [VIP + 1, VMAC + 1],
      ]),
    };
    net.execute(gratuitousArps(two, 1n));
    for (const h of ['a', 'b']) {
      const frames = net.received.get(h)!.map(decode);
      expect(frames.map((f) => [f.arp!.spa, f.arp!.tpa, f.arp!.sha, f.eth.dst])).toEqual([
        [VIP, VIP, VMAC, MAC_BROADCAST],
        [VIP + 1, VIP + 1, VMAC + 1, MAC_BROADCAST],
      ]);
    }
    const limited = gratuitousArps(bindings, 1n, [2]);
    expect((limited[0]!.message as PacketOut).actions).toEqual([{ type: 'output', port: 2, maxLen: 0xffff }]);
  });

  it('traps requests for bound addresses to the controller above other flows', () => {
    const net = new FakeNetwork(() => []);
    net.addSwitch(1n, [1]);
    net.execute(arpTrapFlows(bindings, 1n, { priority: 1000, cookie: 77n }));
    const fm = net.tables.get(1n)!.entries[0]!;
    expect(fm).toMatchObject({ priority: 1000, cookie: 77n });
    const hit = net.tables.get(1n)!.lookup(decode(request(VIP)), 1, 0);
    expect(hit?.actions).toEqual([{ type: 'output', port: OFPP.CONTROLLER, maxLen: 0xffff }]);
    expect(net.tables.get(1n)!.lookup(decode(request(VIP + 5)), 1, 0)).toBeUndefined();
    const flows = arpTrapFlows(bindings, 1n, { priority: 1000, cookie: 77n });
    expect((flows[0]!.message as FlowMod).match).toEqual({ ethType: ETH_TYPE_ARP, arpOp: 1, arpTpa: VIP });
  });
});
