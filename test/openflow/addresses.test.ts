import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  formatIpv6,
  formatMac,
  ipv4MaskPrefixLen,
  ipv4PrefixMask,
  isMulticastMac,
  parseIpv4,
  parseIpv6,
  parseMac,
  readMac,
  writeMac,
} from '../../src/openflow/addresses.js';

describe('address helpers', () => {
  it('parse and format MAC addresses', () => {
    expect(parseMac('aa:bb:cc:dd:ee:ff')).toBe(0xaabbccddeeff);
    expect(parseMac('02-00-00-00-F9-01')).toBe(0x02000000f901);
    expect(parseMac('02:00:00:00:f9')).toBeUndefined();
    expect(formatMac(0x02000000f901)).toBe('02:00:00:00:f9:01');
    expect(isMulticastMac(0xffffffffffff)).toBe(true);
    expect(isMulticastMac(0x0180c200000e)).toBe(true);
    expect(isMulticastMac(0x02000000f901)).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffffffff }), (m) => {
        expect(parseMac(formatMac(m))).toBe(m);
        const b = Buffer.alloc(8);
        writeMac(b, 1, m);
        expect(readMac(b, 1)).toBe(m);
        expect(b.subarray(1, 7).toString('hex')).toBe(m.toString(16).padStart(12, '0'));
      }),
    );
  });

  it('parse and format IPv4 addresses and masks', () => {
    expect(parseIpv4('10.213.249.1')).toBe(0x0ad5f901);
    expect(parseIpv4('10.213.249')).toBeUndefined();
    expect(parseIpv4('10.213.249.256')).toBeUndefined();
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
    expect(ipv4PrefixMask(24)).toBe(0xffffff00);
    expect(ipv4PrefixMask(0)).toBe(0);
    expect(ipv4PrefixMask(32)).toBe(0xffffffff);
    expect(ipv4MaskPrefixLen(0xff00ff00)).toBe(-1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (ip, p) => {
        expect(parseIpv4(formatIpv4(ip))).toBe(ip);
        expect(ipv4MaskPrefixLen(ipv4PrefixMask(p))).toBe(p);
      }),
    );
  });

  it('parse and format IPv6 addresses (RFC 5952 text)', () => {
    expect(formatIpv6(parseIpv6('2001:DB8:0:0:0:0:0:1') as Buffer)).toBe('2001:db8::1');
    expect(formatIpv6(parseIpv6('::') as Buffer)).toBe('::');
    expect(formatIpv6(parseIpv6('::ffff:10.213.249.1') as Buffer)).toBe('::ffff:ad5:f901');
    expect(formatIpv6(parseIpv6('1:0:0:2:0:0:0:3') as Buffer)).toBe('1:0:0:2::3');
    expect(formatIpv6(parseIpv6('1:0:2:3:4:5:6:7') as Buffer)).toBe('1:0:2:3:4:5:6:7');
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7::8')).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (a) => {
        expect(parseIpv6(formatIpv6(a))).toEqual(Buffer.from(a));
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const b = parseIpv6(text);
        expect(b).toBeDefined();
        expect(parseIpv6(formatIpv6(b as Buffer))).toEqual(b);
      }),
    );
  });
});
