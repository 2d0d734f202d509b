import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARP_OP_REPLY,
  ARP_OP_REQUEST,
  buildArpFrame,
  buildArpReply,
  buildGratuitousArp,
  decodeArp,
  type ArpPacket,
} from '../../src/net/arp.js';
import { decodeEthernet, ETH_TYPE_ARP, NO_VLAN } from '../../src/net/ethernet.js';
import { MAC_BROADCAST } from '../../src/net/mac-address.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket } from '../../src/net/packet.js';

// An ARP request as a Linux host sends it: who-has 10.213.1.12 tell 10.213.1.11.
const REQUEST = Buffer.from(
  'ffffffffffff' +
    '0a0000000011' +
    '0806' + // Ethernet: broadcast, from 0a:00:00:00:00:11, ARP
    '0001' +
    '0800' +
    '06' +
    '04' +
    '0001' + // Ethernet/IPv4, request
    '0a0000000011' +
    '0ad5010b' + // sender 0a:00:00:00:00:11 / 10.213.1.11
    '000000000000' +
    '0ad5010c', // target ?? / 10.213.1.12
  'hex',
);

describe('ARP', () => {
  it('decodes a request captured from a Linux host', () => {
    const eth = decodeEthernet(REQUEST);
    if (eth instanceof PacketError) throw new Error(eth.toString());
    expect(eth.ethType).toBe(ETH_TYPE_ARP);
    expect(eth.dst).toBe(MAC_BROADCAST);
    const arp = decodeArp(REQUEST, eth.payloadOffset);
    expect(arp).toEqual({
      op: ARP_OP_REQUEST,
      sha: 0x0a0000000011,
      spa: 0x0ad5010b,
      tha: 0,
      tpa: 0x0ad5010c,
    });
  });

  it('builds the reply with the answered address as sender, back to the requester', () => {
    const req = decodeArp(REQUEST, 14) as ArpPacket;
    const reply = buildArpReply(req, 0x0a00000000ff);
    expect(decodeArp(reply, 14)).toEqual({
      op: ARP_OP_REPLY,
      sha: 0x0a00000000ff,
      spa: req.tpa,
      tha: req.sha,
      tpa: req.spa,
    });
    expect(reply.toString('hex')).toBe(
      '0a0000000011' +
        '0a00000000ff' +
        '0806' +
        '0001080006040002' +
        '0a00000000ff' +
        '0ad5010c' +
        '0a0000000011' +
        '0ad5010b',
    );
  });

  it('builds a gratuitous ARP (RFC 5227 announcement), optionally VLAN-tagged', () => {
    const g = buildGratuitousArp(0x0a00000000ff, 0x0ad50164);
    const p = decodePacket(g);
    if (p instanceof PacketError) throw new Error(p.toString());
    expect(p.eth.dst).toBe(MAC_BROADCAST);
    expect(p.arp).toEqual({
      op: ARP_OP_REQUEST,
      sha: 0x0a00000000ff,
      spa: 0x0ad50164,
      tha: 0,
      tpa: 0x0ad50164,
    });
    const tagged = decodePacket(buildGratuitousArp(0x0a00000000ff, 0x0ad50164, 42));
    if (tagged instanceof PacketError) throw new Error(tagged.toString());
    expect(tagged.eth.vlanVid).toBe(42);
    expect(tagged.arp?.spa).toBe(0x0ad50164);
  });

  it('round-trips any ARP packet through a frame', () => {
    const arb = fc.record({
      op: fc.integer({ min: 0, max: 0xffff }),
      sha: fc.integer({ min: 0, max: MAC_BROADCAST }),
      spa: fc.integer({ min: 0, max: 0xffffffff }),
      tha: fc.integer({ min: 0, max: MAC_BROADCAST }),
      tpa: fc.integer({ min: 0, max: 0xffffffff }),
    });
    fc.assert(
      fc.property(arb, fc.oneof(fc.constant(NO_VLAN), fc.integer({ min: 0, max: 4095 })), (arp, vid) => {
        const p = decodePacket(buildArpFrame(arp.tha, arp.sha, arp, vid));
        if (p instanceof PacketError) throw new Error(p.toString());
        expect(p.arp).toEqual(arp);
        expect(p.eth.vlanVid).toBe(vid);
      }),
    );
  });

  it('rejects truncated and non-Ethernet/IPv4 packets with a typed error', () => {
    expect(decodeArp(REQUEST.subarray(0, 41), 14)).toBeInstanceOf(PacketError);
    const other = Buffer.from(REQUEST);
    other[15] = 6; // hardware type 6 (IEEE 802)
    const e = decodeArp(other, 14);
    expect(e).toBeInstanceOf(PacketError);
    expect((e as PacketError).layer).toBe('arp');
  });
});
