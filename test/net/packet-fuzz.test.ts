import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildArpReply, buildGratuitousArp } from '../../src/net/arp.js';
import { ETH_TYPE_IPV4, writeEthernet } from '../../src/net/ethernet.js';
import { IP_PROTO_TCP, writeIpv4 } from '../../src/net/ipv4.js';
import { buildDiscoveryFrame } from '../../src/net/lldp.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket } from '../../src/net/packet.js';
import { TCP_SYN, writeTcp } from '../../src/net/tcp.js';

function tcpFrame(): Buffer {
  const b = Buffer.alloc(14 + 4 + 40);
  let p = writeEthernet(b, 0, { dst: 2, src: 1, ethType: ETH_TYPE_IPV4, vlanVid: 7, vlanPcp: 5 });
  p = writeIpv4(b, p, { src: 1, dst: 2, protocol: IP_PROTO_TCP, payloadLength: 20 });
  writeTcp(b, p, { srcPort: 1, dstPort: 2, flags: TCP_SYN }, { src: 1, dst: 2 }, 0);
  return b;
}

const SEEDS = [
  tcpFrame(),
  buildGratuitousArp(0x0a0000000001, 0x0ad50101),
  buildArpReply({ op: 1, sha: 1, spa: 2, tha: 0, tpa: 3 }, 5, 100),
  buildDiscoveryFrame(0x1234n, 3, 0x0a0000000001),
];

function check(frame: Uint8Array): void {
  const p = decodePacket(frame);
  if (p instanceof PacketError) {
    expect(frame.length).toBeLessThan(18);
    return;
  }
  // Every decoded layer lies inside the frame.
  expect(p.eth.payloadOffset).toBeLessThanOrEqual(frame.length);
  if (p.ipv4) expect(p.ipv4.payloadEnd).toBeLessThanOrEqual(frame.length);
  if (p.tcp) expect(p.tcp.payloadOffset).toBeLessThanOrEqual(p.ipv4!.payloadEnd);
  if (p.udp) expect(p.udp.payloadOffset).toBeLessThanOrEqual(p.ipv4!.payloadEnd);
}

describe('decodePacket under hostile input', () => {
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 2000 });
  });

  it('never throws on mutated and truncated valid frames', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (seed, flips, cut) => {
          const b = Buffer.from(seed);
          for (const [i, v] of flips) b[i % b.length] = v;
          check(b.subarray(0, cut % (b.length + 1)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('decodes the tagged TCP seed fully', () => {
    const p = decodePacket(tcpFrame());
    if (p instanceof PacketError) throw new Error(p.toString());
    expect(p.eth).toMatchObject({ vlanVid: 7, vlanPcp: 5, ethType: ETH_TYPE_IPV4, payloadOffset: 18 });
    expect(p.tcp?.flags).toBe(TCP_SYN);
    expect(p.error).toBeUndefined();
  });
});
