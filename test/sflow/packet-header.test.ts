import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderSummary } from '../../src/net/header-summary.js';
import { decodePacketHeader, summarizeHeader } from '../../src/sflow/packet-header.js';
import { hex } from './support/hex.js';

const eth = '020000000002 020000000001'; // dst, src

describe('sampled header parser', () => {
  it('802.1Q-tagged IPv4/UDP', () => {
    const b = hex`${eth} 8100 a064 0800       # 802.1Q: pcp 5, vid 100; then IPv4
      45 b8 0030 0001 0000 3f 11 0000 0ad50201 0ad50202  # IPv4: tos 184, total 48, ttl 63, UDP
      0035 d431 001c 0000                                # UDP 53 -> 54321, length 28`;
    expect(decodePacketHeader(b, 1)).toEqual({
      ethernet: {
        dst: '02:00:00:00:00:02',
        src: '02:00:00:00:00:01',
        etherType: 0x0800,
        vlans: [{ vid: 100, pcp: 5, dei: 0 }],
      },
      ipv4: {
        src: '10.213.2.1',
        dst: '10.213.2.2',
        protocol: 17,
        ttl: 63,
        tos: 184,
        totalLength: 48,
        id: 1,
        flags: 0,
        fragmentOffset: 0,
        headerLength: 20,
      },
      udp: { srcPort: 53, dstPort: 54321, length: 28 },
    });
  });

  it('QinQ (802.1ad outer, 802.1Q inner) keeps both tags, outer first', () => {
    const b = hex`${eth} 88a8 0010 8100 2020 0806  0001 0800 06 04 0001`;
    const h = decodePacketHeader(b, 1);
    expect(h?.ethernet?.vlans).toEqual([
      { vid: 16, pcp: 0, dei: 0 },
      { vid: 32, pcp: 1, dei: 0 },
    ]);
    expect(h?.ethernet?.etherType).toBe(0x0806);
    expect(h?.truncated).toBe('arp');
  });

  it('ARP request', () => {
    const b = hex`ffffffffffff 020000000001 0806
      0001 0800 06 04 0001              # Ethernet/IPv4, request
      020000000001 0ad50201             # sender
      000000000000 0ad50202             # target`;
    expect(decodePacketHeader(b, 1)?.arp).toEqual({
      hardwareType: 1,
      protocolType: 0x0800,
      operation: 1,
      senderMac: '02:00:00:00:00:01',
      senderIp: '10.213.2.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '10.213.2.2',
    });
  });

  it('IPv6 with a hop-by-hop extension header, then ICMPv6', () => {
    const b = hex`${eth} 86dd
      6 00 00000 0010 00 ff                       # version 6, tc 0, flow 0, payload 16, next hop-by-hop, hop limit 255
      fd000213000000000000000000000001 ff020000000000000000000000000001
      3a 00 0000 00000000                         # hop-by-hop: next ICMPv6, length 0 (8 bytes)
      80 00 0000 0001 0001                        # echo request`;
    const h = decodePacketHeader(b, 1);
    expect(h?.ipv6).toEqual({
      src: 'fd00:213::1',
      dst: 'ff02::1',
      nextHeader: 58,
      hopLimit: 255,
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 16,
    });
    expect(h?.icmp).toEqual({ version: 6, type: 128, code: 0 });
    expect(h?.truncated).toBeUndefined();
  });

  it('header protocol 11 starts at IPv4 (no Ethernet); TCP SYN', () => {
    const b = hex`45 00 003c 0000 4000 40 06 0000 0ad50201 0ad50202  9c40 0050 00000064 00000000 a0 02 faf0 0000 0000`;
    const h = decodePacketHeader(b, 11);
    expect(h?.ethernet).toBeUndefined();
    expect(h?.tcp).toEqual({
      srcPort: 40000,
      dstPort: 80,
      seq: 100,
      ack: 0,
      flags: 0x02,
      window: 64240,
      dataOffset: 40,
    });
  });

  it('a non-first IPv4 fragment carries no transport header', () => {
    const b = hex`45 00 0030 0001 00b9 40 11 0000 0ad50201 0ad50202  0035 d431 001c 0000`;
    const h = decodePacketHeader(b, 11);
    expect(h?.ipv4?.fragmentOffset).toBe(0xb9);
    expect(h?.udp).toBeUndefined();
  });

  it('unknown header protocols are not parsed', () => {
    expect(decodePacketHeader(hex`0102030405`, 7)).toBeUndefined();
  });

  it('honours the captured length: each cut reports the layer it fell in, and never reads past it', () => {
    const full = hex`${eth} 0800 45 00 05dc 1234 4000 40 06 0000 0ad50201 0ad50202  9c40 1f90 00000001 00000002 50 18 ffff 0000 0000`;
    const layerAt = (n: number) => (n < 14 ? 'ethernet' : n < 34 ? 'ipv4' : n < 54 ? 'tcp' : undefined);
    for (let n = 0; n <= full.length; n++) {
      // copy into a larger buffer full of bytes that would change the result if read
      const big = Buffer.alloc(100, 0xff);
      full.copy(big, 0, 0, n);
      const s = new HeaderSummary();
      summarizeHeader(big, 0, n, 1, s);
      expect(s.truncated, `cut at ${n}`).toBe(layerAt(n));
      const h = decodePacketHeader(full.subarray(0, n), 1);
      expect(h?.truncated).toBe(layerAt(n));
      if (n >= 38) expect(h?.tcp?.dstPort).toBe(8080);
      if (n >= 34 && n < 38) expect(h?.tcp).toBeUndefined();
    }
  });

  it('fuzz: any bytes, any cut, any protocol: no throw, and nothing past the captured length is read', () => {
    const frame = hex`${eth} 0800 45 00 05dc 1234 4000 40 06 0000 0ad50201 0ad50202  9c40 1f90 00000001 00000002 50 18 ffff 0000 0000`;
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      // a valid frame with some bytes overwritten: reaches the deeper layers
      fc
        .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
        .map(([edits]) => {
          const b = Uint8Array.from(frame);
          for (const [at, v] of edits) b[at % b.length] = v;
          return b;
        }),
    );
    fc.assert(
      fc.property(
        bytes,
        fc.constantFrom(1, 11, 12),
        fc.integer({ min: 0, max: 255 }),
        (b, protocol, fill) => {
          const exact = Buffer.from(b);
          // the same bytes followed by garbage: the result must not change
          const padded = Buffer.concat([exact, Buffer.alloc(64, fill)]);
          const a = new HeaderSummary();
          const z = new HeaderSummary();
          summarizeHeader(exact, 0, exact.length, protocol, a);
          summarizeHeader(padded, 0, exact.length, protocol, z);
          expect(z).toEqual(a);
          expect(decodePacketHeader(exact, protocol)).toBeDefined();
        },
      ),
      { numRuns: 5000 },
    );
  });
});
