import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ETH_TYPE_LLDP } from '../../src/net/ethernet.js';
import {
  buildDiscoveryFrame,
  decodeLldp,
  encodeLldp,
  parseDiscoveryIds,
  type LldpPdu,
} from '../../src/net/lldp.js';
import { MAC_LLDP_NEAREST_BRIDGE } from '../../src/net/mac-address.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket } from '../../src/net/packet.js';

// An LLDPDU as a Linux lldpd sends it: chassis MAC 52:54:00:12:34:56, port "eth0" (interface name), TTL 120,
// system name "node1", end.
const LLDPD = Buffer.from(
  '0207' +
    '04525400123456' + // Chassis ID, subtype 4 (MAC)
    '0405' +
    '0565746830' + // Port ID, subtype 5 (interface name) "eth0"
    '0602' +
    '0078' + // TTL 120
    '0a05' +
    '6e6f646531' + // System name "node1"
    '0000',
  'hex',
);

describe('LLDP', () => {
  it('decodes a third-party LLDPDU and ignores it for discovery', () => {
    const pdu = decodeLldp(LLDPD, 0);
    if (pdu instanceof PacketError) throw new Error(pdu.toString());
    expect(pdu.chassisIdSubtype).toBe(4);
    expect(Buffer.from(pdu.chassisId).toString('hex')).toBe('525400123456');
    expect(pdu.portIdSubtype).toBe(5);
    expect(Buffer.from(pdu.portId).toString()).toBe('eth0');
    expect(pdu.ttl).toBe(120);
    expect(pdu.systemName).toBe('node1');
    expect(parseDiscoveryIds(pdu)).toBeUndefined();
    expect(encodeLldp(pdu).equals(LLDPD)).toBe(true);
  });

  it('builds discovery frames that name the datapath and port', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 1, max: 0xffffff00 }),
        (dpid, port) => {
          const f = buildDiscoveryFrame(dpid, port, 0x0a0000000001);
          const p = decodePacket(f);
          if (p instanceof PacketError) throw new Error(p.toString());
          expect(p.eth.ethType).toBe(ETH_TYPE_LLDP);
          expect(p.eth.dst).toBe(MAC_LLDP_NEAREST_BRIDGE);
          expect(p.lldp).toBeDefined();
          expect(parseDiscoveryIds(p.lldp!)).toEqual({ datapathId: dpid, portNo: port });
        },
      ),
    );
  });

  it('carries a stamp as the System Description of a discovery frame', () => {
    const p = decodePacket(buildDiscoveryFrame(9n, 2, 0x0a0000000001, 120, 'vigil-probe 1 abc'));
    if (p instanceof PacketError) throw new Error(p.toString());
    expect(p.lldp?.systemDescription).toBe('vigil-probe 1 abc');
    expect(p.lldp?.systemName).toBeUndefined();
    expect(parseDiscoveryIds(p.lldp!)).toEqual({ datapathId: 9n, portNo: 2 });
  });

  it('rejects LLDPDUs with missing, misordered or overlong TLVs', () => {
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['truncated value', LLDPD.subarray(0, 6)],
      ['no end', LLDPD.subarray(0, LLDPD.length - 2)],
      ['port first', Buffer.concat([LLDPD.subarray(9, 16), LLDPD.subarray(0, 9), LLDPD.subarray(16)])],
      ['end before ttl', Buffer.concat([LLDPD.subarray(0, 16), Buffer.from('0000', 'hex')])],
    ];
    for (const [, b] of cases) expect(decodeLldp(b, 0)).toBeInstanceOf(PacketError);
  });

  it('round-trips random LLDPDUs', () => {
    const id = fc.uint8Array({ minLength: 1, maxLength: 255 });
    fc.assert(
      fc.property(
        fc.record({
          chassisIdSubtype: fc.integer({ min: 0, max: 255 }),
          chassisId: id,
          portIdSubtype: fc.integer({ min: 0, max: 255 }),
          portId: id,
          ttl: fc.integer({ min: 0, max: 0xffff }),
        }),
        (pdu: LldpPdu) => {
          const d = decodeLldp(encodeLldp(pdu), 0);
          if (d instanceof PacketError) throw new Error(d.toString());
          expect({ ...d, chassisId: Buffer.from(d.chassisId), portId: Buffer.from(d.portId) }).toEqual({
            ...pdu,
            chassisId: Buffer.from(pdu.chassisId),
            portId: Buffer.from(pdu.portId),
          });
        },
      ),
    );
  });
});
