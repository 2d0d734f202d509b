import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  finishChecksum,
  internetChecksum,
  ipv4PseudoHeaderSum,
  onesComplementSum,
} from '../../src/net/checksum.js';
import { ETH_TYPE_IPV4, writeEthernet } from '../../src/net/ethernet.js';
import { decodeIcmp, ICMP_ECHO_REQUEST, writeIcmp } from '../../src/net/icmp.js';
import {
  decodeIpv4,
  ipv4HeaderChecksumValid,
  IP_PROTO_ICMP,
  IP_PROTO_TCP,
  IP_PROTO_UDP,
  writeIpv4,
} from '../../src/net/ipv4.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket } from '../../src/net/packet.js';
import { decodeTcp, TCP_ACK, TCP_SYN, writeTcp } from '../../src/net/tcp.js';
import { decodeUdp, writeUdp } from '../../src/net/udp.js';

// RFC 1071's worked example header (192.168.0.1 -> 192.168.0.199, UDP, checksum 0xb861).
const HEADER = Buffer.from('450000730000400040 11b861c0a80001c0a800c7'.replace(/ /g, ''), 'hex');

function frame(l4: 'tcp' | 'udp' | 'icmp', payload: Buffer): Buffer {
  const l4Len = l4 === 'tcp' ? 20 : 8;
  const buf = Buffer.alloc(14 + 20 + l4Len + payload.length);
  const ip = { src: 0x0ad5010b, dst: 0x0ad5010c };
  let p = writeEthernet(buf, 0, { dst: 0x0a0000000012, src: 0x0a0000000011, ethType: ETH_TYPE_IPV4 });
  const proto = l4 === 'tcp' ? IP_PROTO_TCP : l4 === 'udp' ? IP_PROTO_UDP : IP_PROTO_ICMP;
  p = writeIpv4(buf, p, {
    ...ip,
    protocol: proto,
    payloadLength: l4Len + payload.length,
    dscp: 46,
    identification: 7,
  });
  payload.copy(buf, p + l4Len);
  if (l4 === 'tcp')
    writeTcp(
      buf,
      p,
      { srcPort: 40000, dstPort: 80, seq: 1, ack: 2, flags: TCP_SYN | TCP_ACK },
      ip,
      payload.length,
    );
  else if (l4 === 'udp') writeUdp(buf, p, { srcPort: 5353, dstPort: 53 }, ip, payload.length);
  else writeIcmp(buf, p, { type: ICMP_ECHO_REQUEST, code: 0, identifier: 0x1234, sequence: 9 }, buf.length);
  return buf;
}

describe('Internet checksum', () => {
  it('matches the known header checksum and verifies to zero', () => {
    const h = Buffer.from(HEADER);
    expect(internetChecksum(h, 0, 20)).toBe(0);
    h.writeUInt16BE(0, 10);
    expect(internetChecksum(h, 0, 20)).toBe(0xb861);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(finishChecksum(onesComplementSum(Buffer.from([0x12, 0x34, 0x56]), 0, 3))).toBe(
      ~(0x1234 + 0x5600) & 0xffff,
    );
  });
});

describe('IPv4 and its transports', () => {
  it('decodes the RFC 1071 example header', () => {
    const buf = Buffer.concat([HEADER, Buffer.alloc(0x73 - 20)]);
    const h = decodeIpv4(buf, 0);
    if (h instanceof PacketError) throw new Error(h.toString());
    expect(h).toMatchObject({
      protocol: IP_PROTO_UDP,
      ttl: 64,
      src: 0xc0a80001,
      dst: 0xc0a800c7,
      totalLength: 0x73,
    });
    expect(h.dontFragment).toBe(true);
    expect(ipv4HeaderChecksumValid(buf, h)).toBe(true);
  });

  it('writes TCP segments the decoder reads back, with valid checksums', () => {
    const f = frame('tcp', Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    const p = decodePacket(f);
    if (p instanceof PacketError) throw new Error(p.toString());
    expect(p.ipv4).toMatchObject({
      src: 0x0ad5010b,
      dst: 0x0ad5010c,
      protocol: IP_PROTO_TCP,
      dscp: 46,
      identification: 7,
    });
    expect(p.tcp).toMatchObject({
      srcPort: 40000,
      dstPort: 80,
      seq: 1,
      ack: 2,
      flags: TCP_SYN | TCP_ACK,
      headerLength: 20,
    });
    expect(ipv4HeaderChecksumValid(f, p.ipv4!)).toBe(true);
    const l4 = p.ipv4!.payloadOffset;
    const len = p.ipv4!.payloadEnd - l4;
    expect(
      finishChecksum(onesComplementSum(f, l4, l4 + len, ipv4PseudoHeaderSum(0x0ad5010b, 0x0ad5010c, 6, len))),
    ).toBe(0);
    expect(f.subarray(p.tcp!.payloadOffset).toString()).toBe('GET / HTTP/1.0\r\n\r\n');
  });

  it('writes UDP and ICMP echo the decoder reads back', () => {
    const u = decodePacket(frame('udp', Buffer.from([1, 2, 3])));
    if (u instanceof PacketError) throw new Error(u.toString());
    expect(u.udp).toMatchObject({ srcPort: 5353, dstPort: 53, length: 11 });
    const f = frame('icmp', Buffer.from('abcdefgh'));
    const i = decodePacket(f);
    if (i instanceof PacketError) throw new Error(i.toString());
    expect(i.icmp).toMatchObject({ type: ICMP_ECHO_REQUEST, code: 0, identifier: 0x1234, sequence: 9 });
    expect(internetChecksum(f, 34, f.length)).toBe(0);
  });

  it('ignores Ethernet padding after the datagram', () => {
    const f = Buffer.concat([frame('udp', Buffer.alloc(0)), Buffer.alloc(18)]);
    const p = decodePacket(f);
    if (p instanceof PacketError) throw new Error(p.toString());
    expect(p.ipv4!.payloadEnd).toBe(14 + 28);
    expect(p.udp?.length).toBe(8);
  });

  it('stops at a later fragment: no transport header is decoded', () => {
    const f = frame('tcp', Buffer.alloc(8));
    f.writeUInt16BE(0x0001, 14 + 6);
    const p = decodePacket(f);
    if (p instanceof PacketError) throw new Error(p.toString());
    expect(p.ipv4?.fragmentOffset).toBe(1);
    expect(p.tcp).toBeUndefined();
  });

  it('returns typed errors for bad version, header length, total length and truncation', () => {
    const f = frame('tcp', Buffer.alloc(0));
    const bad = (mutate: (b: Buffer) => void, layer: string): void => {
      const b = Buffer.from(f);
      mutate(b);
      const p = decodePacket(b);
      if (p instanceof PacketError) throw new Error(p.toString());
      expect(p.error?.layer).toBe(layer);
    };
    bad((b) => (b[14] = 0x65), 'ipv4');
    bad((b) => (b[14] = 0x44), 'ipv4');
    bad((b) => b.writeUInt16BE(10, 16), 'ipv4');
    bad((b) => b.writeUInt16BE(2000, 16), 'ipv4');
    bad((b) => (b[14 + 20 + 12] = 0x40), 'tcp');
    bad((b) => (b[14 + 20 + 12] = 0xf0), 'tcp');
    expect(decodeTcp(f, 34, 50)).toBeInstanceOf(PacketError);
    expect(decodeUdp(f, 34, 40)).toBeInstanceOf(PacketError);
    expect(decodeIcmp(f, 34, 40)).toBeInstanceOf(PacketError);
  });

  it('round-trips random header fields', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: 64 }),
        (src, dst, dscp, sport, dport, payload) => {
          const buf = Buffer.alloc(20 + 8 + payload.length);
          writeIpv4(buf, 0, {
            src,
            dst,
            dscp,
            protocol: IP_PROTO_UDP,
            payloadLength: 8 + payload.length,
            ttl: 3,
          });
          buf.set(payload, 28);
          writeUdp(buf, 20, { srcPort: sport, dstPort: dport }, { src, dst }, payload.length);
          const ip = decodeIpv4(buf, 0);
          if (ip instanceof PacketError) throw new Error(ip.toString());
          expect(ip).toMatchObject({
            src,
            dst,
            dscp,
            ttl: 3,
            protocol: IP_PROTO_UDP,
            totalLength: buf.length,
          });
          expect(decodeUdp(buf, 20)).toMatchObject({
            srcPort: sport,
            dstPort: dport,
            length: 8 + payload.length,
          });
          expect(ipv4HeaderChecksumValid(buf, ip)).toBe(true);
        },
      ),
    );
  });
});
