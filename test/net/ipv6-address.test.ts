import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv6, parseIpv6 } from '../../src/net/ipv6-address.js';

const anyIpv6 = fc.uint8Array({ minLength: 16, maxLength: 16 });

/** An IPv4-mapped address (::ffff:0:0/96): formatted in mixed notation, so not WHATWG URL's form. */
const isIpv4Mapped = (a: Uint8Array): boolean =>
  a.subarray(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff;

/** The WHATWG URL parser's serialisation of an IPv6 host: RFC 5952 compression, never mixed notation. */
const urlHost = (text: string): string => new URL(`http://[${text}]/`).hostname.slice(1, -1);

/** Text through bytes and back: its RFC 5952 canonical form. */
const canonical = (text: string): string => formatIpv6(parseIpv6(text)!);

describe('IPv6 addresses as 16 bytes', () => {
  it('formats lower case without leading zeros', () => {
    const written = ['2001:DB8:0:0:0:0:0:1', '2001:0db8:0000::0001'];
    expect(written.map(canonical)).toEqual(['2001:db8::1', '2001:db8::1']);
  });

  it('writes the longest run of two or more zero groups as "::"', () => {
    const written = ['::', '::1', 'fe80::', '1:0:0:2:0:0:0:3'];
    expect(written.map(canonical)).toEqual(['::', '::1', 'fe80::', '1:0:0:2::3']);
  });

  it('compresses the first of two equal runs, and never a single zero group', () => {
    expect(canonical('1:0:0:2:0:0:3:4')).toBe('1::2:0:0:3:4');
    expect(canonical('1:0:2:3:4:5:6:7')).toBe('1:0:2:3:4:5:6:7');
  });

  it('formats IPv4-mapped addresses in mixed notation (RFC 5952 section 5)', () => {
    const mapped = ['::ffff:10.213.249.1', '::ffff:ad5:f901', '::ffff:0:0'];
    expect(mapped.map(canonical)).toEqual(['::ffff:10.213.249.1', '::ffff:10.213.249.1', '::ffff:0.0.0.0']);
  });

  it('keeps hex for the neighbours of ::ffff:0:0/96, IPv4-compatible (deprecated) ones included', () => {
    const neighbours = ['::10.0.0.1', '::1:ffff:a00:1', '64:ff9b::10.0.0.1'];
    expect(neighbours.map(canonical)).toEqual(['::a00:1', '::1:ffff:a00:1', '64:ff9b::a00:1']);
  });

  it('reads 16 bytes at an offset', () => {
    const b = Buffer.concat([Buffer.from([0xaa, 0xbb]), parseIpv6('2001:db8::7')!, Buffer.from([0xcc])]);
    expect(formatIpv6(b, 2)).toBe('2001:db8::7');
    expect(formatIpv6(b.subarray(2))).toBe('2001:db8::7');
  });

  it('parses a dotted IPv4 tail into the last four bytes', () => {
    expect(parseIpv6('::ffff:10.213.249.1')!.toString('hex')).toBe('00000000000000000000ffff0ad5f901');
    expect(parseIpv6('1:2:3:4:5:6:10.0.0.1')!.toString('hex')).toBe('0001000200030004000500060a000001');
  });

  it('rejects malformed text', () => {
    const strayColons = ['', ':', ':::', '1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:'];
    const wrongGroupCounts = [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '1:2:3:4:5:6:7:10.0.0.1',
    ];
    const badGroups = ['12345::', 'g::1', '[::1]', '::10.0.0.1:1'];
    const badIpv4Tails = ['10.0.0.1', '::ffff:10.0.0', '::ffff:10.0.0.256'];
    for (const s of [...strayColons, ...wrongGroupCounts, ...badGroups, ...badIpv4Tails]) {
      expect(parseIpv6(s)).toBeUndefined();
    }
  });

  it('is strict: no zone id, no surrounding whitespace, no leading zeros in an IPv4 tail', () => {
    for (const s of ['fe80::1%eth0', 'fe80::1%1', ' ::1', '::1 ', '::1\n', '::ffff:010.0.0.1']) {
      expect(parseIpv6(s)).toBeUndefined();
    }
  });

  it('round-trips any 16 bytes through text', () => {
    fc.assert(
      fc.property(anyIpv6, (a) => {
        expect(parseIpv6(formatIpv6(a))).toEqual(Buffer.from(a));
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const b = parseIpv6(text);
        expect(b).toBeDefined();
        expect(parseIpv6(formatIpv6(b!))).toEqual(b);
      }),
    );
  });

  it('agrees with the WHATWG URL serialisation apart from IPv4-mapped addresses', () => {
    fc.assert(
      fc.property(
        anyIpv6.filter((a) => !isIpv4Mapped(a)),
        (a) => {
          expect(formatIpv6(a)).toBe(urlHost(formatIpv6(a)));
        },
      ),
    );
    // zero runs are where compression goes wrong: weight the bytes towards zero
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 }), (bytes) => {
        const a = Uint8Array.from(bytes);
        fc.pre(!isIpv4Mapped(a));
        expect(formatIpv6(a)).toBe(urlHost(formatIpv6(a)));
      }),
    );
  });
});
