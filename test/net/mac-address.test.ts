import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMac,
  isGroupMac,
  parseMac,
  readMac,
  writeMac,
  MAC_BROADCAST,
} from '../../src/net/mac-address.js';
import { formatIpv4, ipv4PrefixMask, parseIpv4, parseIpv4Cidr } from '../../src/net/ipv4-address.js';

describe('MAC addresses as 48-bit numbers', () => {
  it('reads and formats bytes in wire order', () => {
    const b = Buffer.from('0002b3c4d5e6', 'hex');
    const mac = readMac(b, 0);
    expect(mac).toBe(0x0002b3c4d5e6);
    expect(formatMac(mac)).toBe('00:02:b3:c4:d5:e6');
    expect(readMac(Buffer.from('ffffffffffff', 'hex'), 0)).toBe(MAC_BROADCAST);
  });

  it('round-trips every 48-bit value through bytes and text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAC_BROADCAST }), (mac) => {
        const b = Buffer.alloc(8);
        writeMac(b, 1, mac);
        expect(readMac(b, 1)).toBe(mac);
        expect(b.readUIntBE(1, 6)).toBe(mac);
        expect(parseMac(formatMac(mac))).toBe(mac);
        expect(formatMac(mac)).toBe(
          b
            .subarray(1, 7)
            .toString('hex')
            .replace(/(..)(?!$)/g, '$1:'),
        );
      }),
    );
  });

  it('tells group from individual addresses by the I/G bit', () => {
    expect(isGroupMac(MAC_BROADCAST)).toBe(true);
    expect(isGroupMac(0x01005e000001)).toBe(true);
    expect(isGroupMac(0x0180c200000e)).toBe(true);
    expect(isGroupMac(0x0002b3c4d5e6)).toBe(false);
    expect(isGroupMac(0xfe0000000001)).toBe(false);
  });

  it('rejects malformed text', () => {
    for (const s of ['', '00:11:22:33:44', '00:11:22:33:44:gg', '001122334455', '00:11:22:33:44:55:66']) {
      expect(parseMac(s)).toBeUndefined();
    }
  });
});

describe('IPv4 addresses as 32-bit numbers', () => {
  it('formats and parses', () => {
    expect(parseIpv4('10.213.1.11')).toBe(0x0ad5010b);
    expect(formatIpv4(0x0ad5010b)).toBe('10.213.1.11');
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const s of ['1.2.3', '1.2.3.256', '1.2.3.-1', 'a.b.c.d', '1.2.3.4.5', '01234.1.1.1']) {
      expect(parseIpv4(s)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.ipV4(), (s) => {
        expect(formatIpv4(parseIpv4(s)!)).toBe(s);
      }),
    );
  });

  it('parses CIDR and builds masks', () => {
    expect(parseIpv4Cidr('10.213.1.0/24')).toEqual({ address: 0x0ad50100, prefixLength: 24 });
    expect(parseIpv4Cidr('10.213.1.0/33')).toBeUndefined();
    expect(ipv4PrefixMask(24)).toBe(0xffffff00);
    expect(ipv4PrefixMask(0)).toBe(0);
    expect(ipv4PrefixMask(32)).toBe(0xffffffff);
  });
});
