import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ETH_TYPE_IPV4, writeEthernet } from '../../src/net/ethernet.js';
import { IP_PROTO_TCP, IP_PROTO_UDP, writeIpv4 } from '../../src/net/ipv4.js';
import { readMac } from '../../src/net/mac-address.js';
import { readU16, readU32 } from '../../src/net/bytes.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket } from '../../src/net/packet.js';
import { TCP_SYN, writeTcp } from '../../src/net/tcp.js';
import { tcpFrameIpv4Offset, tcpOffset } from '../../src/net/tcp-frame.js';

function frame(opts: { vlan: boolean; protocol: number; payload: number }): Buffer {
  const b = Buffer.alloc(18 + 20 + 20 + opts.payload);
  const vlan = opts.vlan ? { vlanVid: 7, vlanPcp: 5 } : {};
  let p = writeEthernet(b, 0, { dst: 0x0a0000000002, src: 0x0a00000000f1, ethType: ETH_TYPE_IPV4, ...vlan });
  p = writeIpv4(b, p, {
    src: 0x0ad50432,
    dst: 0x0ad50464,
    protocol: opts.protocol,
    payloadLength: 20 + opts.payload,
  });
  writeTcp(b, p, { srcPort: 40000, dstPort: 80, flags: TCP_SYN }, { src: 0x0ad50432, dst: 0x0ad50464 }, 0);
  return b.subarray(0, p + 20 + opts.payload);
}

const SEEDS = [
  frame({ vlan: false, protocol: IP_PROTO_TCP, payload: 0 }),
  frame({ vlan: true, protocol: IP_PROTO_TCP, payload: 6 }),
  frame({ vlan: false, protocol: IP_PROTO_UDP, payload: 0 }),
];

let accepted = 0;

/** The fast path takes a frame exactly when decodePacket finds IPv4 and TCP in it, and reads the same fields. */
function agrees(f: Uint8Array): void {
  const ip = tcpFrameIpv4Offset(f);
  const p = decodePacket(f);
  const decoded = !(p instanceof PacketError) && p.ipv4 !== undefined && p.tcp !== undefined;
  expect(ip >= 0).toBe(decoded);
  if (ip < 0 || p instanceof PacketError) return;
  accepted++;
  const tcp = tcpOffset(f, ip);
  expect(readMac(f, 6)).toBe(p.eth.src);
  expect(readMac(f, 0)).toBe(p.eth.dst);
  expect(readU32(f, ip + 12)).toBe(p.ipv4!.src);
  expect(readU32(f, ip + 16)).toBe(p.ipv4!.dst);
  expect(readU16(f, tcp)).toBe(p.tcp!.srcPort);
  expect(readU16(f, tcp + 2)).toBe(p.tcp!.dstPort);
}

describe('TCP frames located from the bytes', () => {
  it('takes the well-formed seeds and refuses the UDP one', () => {
    expect(tcpFrameIpv4Offset(SEEDS[0]!)).toBe(14);
    expect(tcpFrameIpv4Offset(SEEDS[1]!)).toBe(18);
    expect(tcpFrameIpv4Offset(SEEDS[2]!)).toBe(-1);
    for (const s of SEEDS) agrees(s);
  });

  it('agrees with decodePacket on mutated and truncated frames', () => {
    accepted = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        // Mutations aimed at the headers (the first 64 bytes), where every length and type field lies.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 3,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        (seed, flips, cut) => {
          const b = Buffer.from(seed);
          for (const [i, v] of flips) b[i % b.length] = v;
          agrees(cut === undefined ? b : b.subarray(0, cut % (b.length + 1)));
        },
      ),
      { numRuns: 5000 },
    );
    // The property also held where the fast path took the frame, not only where both refused it.
    expect(accepted).toBeGreaterThan(200);
  });

  it('agrees with decodePacket on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), agrees), { numRuns: 2000 });
  });
});
