import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  ipv4MaskPrefixLen,
  ipv4PrefixMask,
  parseIpv4,
  parseIpv4Cidr,
} from '../../src/net/ipv4-address.js';

const anyIpv4 = fc.integer({ min: 0, max: 0xffff_ffff });
const anyPrefixLength = fc.integer({ min: 0, max: 32 });

describe('IPv4 addresses as 32-bit numbers', () => {
  it('formats and parses dotted quads', () => {
    expect(parseIpv4('10.213.1.11')).toBe(0x0ad5010b);
    expect(formatIpv4(0x0ad5010b)).toBe('10.213.1.11');
    expect(parseIpv4('255.255.255.255')).toBe(0xffff_ffff);
    expect(formatIpv4(0xffff_ffff)).toBe('255.255.255.255');
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(formatIpv4(0)).toBe('0.0.0.0');
    fc.assert(
      fc.property(fc.ipV4(), (s) => {
        expect(formatIpv4(parseIpv4(s)!)).toBe(s);
      }),
    );
    fc.assert(
      fc.property(anyIpv4, (addr) => {
        expect(parseIpv4(formatIpv4(addr))).toBe(addr);
      }),
    );
  });

  it('rejects what is not four decimal octets 0..255', () => {
    const wrongOctetCounts = ['', '1.2.3', '1.2.3.4.5', '1.2.3.4.', '1..3.4'];
    const notDecimalOctets = [
      '1.2.3.256',
      '1.2.3.-1',
      '+1.2.3.4',
      'a.b.c.d',
      '01234.1.1.1',
      '0x0a.1.1.1',
      '1.2.3.1e1',
    ];
    for (const s of [...wrongOctetCounts, ...notDecimalOctets]) expect(parseIpv4(s)).toBeUndefined();
  });

  it('rejects leading zeros, which inet_aton would read as octal', () => {
    for (const s of ['010.1.1.1', '10.01.1.1', '10.1.1.00', '10.1.1.000'])
      expect(parseIpv4(s)).toBeUndefined();
  });

  it('does not trim: callers reading operator text trim it themselves', () => {
    for (const s of [' 10.0.0.1', '10.0.0.1 ', '10.0.0.1\n', '10. 0.0.1'])
      expect(parseIpv4(s)).toBeUndefined();
  });

  it('parses CIDR text', () => {
    expect(parseIpv4Cidr('10.213.1.0/24')).toEqual({ address: 0x0ad50100, prefixLength: 24 });
    expect(parseIpv4Cidr('10.213.1.7/24')).toEqual({ address: 0x0ad50107, prefixLength: 24 });
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ address: 0, prefixLength: 0 });
    expect(parseIpv4Cidr('10.0.0.1/32')).toEqual({ address: 0x0a000001, prefixLength: 32 });
    const badPrefixLengths = [
      '10.213.1.0/33',
      '10.213.1.0/08',
      '10.213.1.0/',
      '10.213.1.0',
      '10.213.1.0/24/8',
    ];
    const badText = ['010.213.1.0/24', ' 10.213.1.0/24', '10.213.1.0/24 '];
    for (const s of [...badPrefixLengths, ...badText]) expect(parseIpv4Cidr(s)).toBeUndefined();
    fc.assert(
      fc.property(anyIpv4, anyPrefixLength, (address, prefixLength) => {
        expect(parseIpv4Cidr(`${formatIpv4(address)}/${prefixLength}`)).toEqual({ address, prefixLength });
      }),
    );
  });
});

describe('IPv4 prefix masks', () => {
  it('builds the netmask of a prefix length', () => {
    expect(ipv4PrefixMask(0)).toBe(0);
    expect(ipv4PrefixMask(1)).toBe(0x8000_0000);
    expect(ipv4PrefixMask(24)).toBe(0xffff_ff00);
    expect(ipv4PrefixMask(31)).toBe(0xffff_fffe);
    expect(ipv4PrefixMask(32)).toBe(0xffff_ffff);
  });

  it('throws a RangeError naming a prefix length that is not an integer 0..32', () => {
    for (const n of [-1, 33, 64, 1.5, Number.NaN]) {
      expect(() => ipv4PrefixMask(n)).toThrow(RangeError);
      expect(() => ipv4PrefixMask(n)).toThrow(`prefix length ${n} `);
    }
  });

  it('finds the prefix length of a contiguous mask, -1 for any other', () => {
    expect(ipv4MaskPrefixLen(0)).toBe(0);
    expect(ipv4MaskPrefixLen(0xffff_ff00)).toBe(24);
    expect(ipv4MaskPrefixLen(0xffff_ffff)).toBe(32);
    for (const mask of [0xff00_ff00, 0x00ff_ffff, 1, 0x7fff_ffff]) expect(ipv4MaskPrefixLen(mask)).toBe(-1);
    fc.assert(
      fc.property(anyPrefixLength, (p) => {
        expect(ipv4MaskPrefixLen(ipv4PrefixMask(p))).toBe(p);
      }),
    );
    fc.assert(
      fc.property(anyIpv4, (mask) => {
        const p = ipv4MaskPrefixLen(mask);
        if (p >= 0) expect(ipv4PrefixMask(p)).toBe(mask);
        else expect(Array.from({ length: 33 }, (_, len) => ipv4PrefixMask(len))).not.toContain(mask);
      }),
    );
  });
});
