import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMac,
  isGroupMac,
  isValidMac,
  parseMac,
  readMac,
  writeMac,
  MAC_BROADCAST,
  MAC_LLDP_NEAREST_BRIDGE,
} from '../../src/net/mac-address.js';

const anyMac = fc.integer({ min: 0, max: MAC_BROADCAST });

describe('MAC addresses as 48-bit numbers', () => {
  it('reads and formats bytes in wire order', () => {
    const b = Buffer.from('0002b3c4d5e6', 'hex');
    const mac = readMac(b, 0);
    expect(mac).toBe(0x0002b3c4d5e6);
    expect(formatMac(mac)).toBe('00:02:b3:c4:d5:e6');
    expect(readMac(Buffer.from('ffffffffffff', 'hex'), 0)).toBe(MAC_BROADCAST);
    expect(readMac(Buffer.from('990180c200000e', 'hex'), 1)).toBe(MAC_LLDP_NEAREST_BRIDGE);
  });

  it('round-trips every 48-bit value through bytes and text', () => {
    fc.assert(
      fc.property(anyMac, (mac) => {
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

  it('writes only its six bytes', () => {
    const b = Buffer.alloc(8, 0xa5);
    writeMac(b, 1, 0x102030405060);
    expect(b.toString('hex')).toBe('a5102030405060a5');
  });

  it('parses upper case and dash-separated text', () => {
    expect(parseMac('AA:BB:CC:DD:EE:FF')).toBe(0xaabbccddeeff);
    expect(parseMac('02-00-00-00-F9-01')).toBe(0x02000000f901);
    fc.assert(
      fc.property(anyMac, (mac) => {
        expect(parseMac(formatMac(mac).toUpperCase().replaceAll(':', '-'))).toBe(mac);
      }),
    );
  });

  it('rejects malformed text', () => {
    const wrongLengths = ['', '00:11:22:33:44', '00:11:22:33:44:55:66', '0:11:22:33:44:55'];
    const otherForms = ['00:11:22:33:44:gg', '001122334455', '00.11.22.33.44.55', '0011.2233.4455'];
    for (const s of [...wrongLengths, ...otherForms]) expect(parseMac(s)).toBeUndefined();
  });

  it('refuses mixed separators', () => {
    expect(parseMac('00:11-22:33:44:55')).toBeUndefined();
    expect(parseMac('00-11-22-33-44:55')).toBeUndefined();
  });

  it('does not trim: callers reading operator text trim it themselves', () => {
    expect(parseMac('00:11:22:33:44:55')).toBe(0x001122334455);
    for (const s of [
      ' 00:11:22:33:44:55',
      '00:11:22:33:44:55 ',
      '00:11:22:33:44:55\n',
      '\t00-11-22-33-44-55',
    ]) {
      expect(parseMac(s)).toBeUndefined();
    }
  });

  it('tells group from individual addresses by the I/G bit', () => {
    expect(isGroupMac(MAC_BROADCAST)).toBe(true);
    expect(isGroupMac(0x01005e000001)).toBe(true);
    expect(isGroupMac(MAC_LLDP_NEAREST_BRIDGE)).toBe(true);
    expect(isGroupMac(0x0002b3c4d5e6)).toBe(false);
    expect(isGroupMac(0xfe0000000001)).toBe(false);
    fc.assert(
      fc.property(anyMac, (mac) => {
        const b = Buffer.alloc(6);
        writeMac(b, 0, mac);
        expect(isGroupMac(mac)).toBe((b[0]! & 1) === 1);
      }),
    );
  });

  it('knows which numbers are 48-bit addresses', () => {
    expect(isValidMac(0)).toBe(true);
    expect(isValidMac(MAC_BROADCAST)).toBe(true);
    expect(isValidMac(0x02000000f901)).toBe(true);
    for (const n of [-1, MAC_BROADCAST + 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isValidMac(n)).toBe(false);
    }
  });
});
