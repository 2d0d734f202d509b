import { describe, expect, it } from 'vitest';
import * as openflow from '../../src/openflow/index.js';
import * as ipv4 from '../../src/net/ipv4-address.js';
import * as ipv6 from '../../src/net/ipv6-address.js';
import * as mac from '../../src/net/mac-address.js';

describe('the codec re-exports the address helpers of src/net', () => {
  it('under their names in src/net', () => {
    expect(openflow.parseMac).toBe(mac.parseMac);
    expect(openflow.formatMac).toBe(mac.formatMac);
    expect(openflow.readMac).toBe(mac.readMac);
    expect(openflow.writeMac).toBe(mac.writeMac);
    expect(openflow.parseIpv4).toBe(ipv4.parseIpv4);
    expect(openflow.formatIpv4).toBe(ipv4.formatIpv4);
    expect(openflow.ipv4PrefixMask).toBe(ipv4.ipv4PrefixMask);
    expect(openflow.ipv4MaskPrefixLen).toBe(ipv4.ipv4MaskPrefixLen);
    expect(openflow.parseIpv6).toBe(ipv6.parseIpv6);
    expect(openflow.formatIpv6).toBe(ipv6.formatIpv6);
  });

  it('under the codec’s older names', () => {
    expect(openflow.BROADCAST_MAC).toBe(mac.MAC_BROADCAST);
    expect(openflow.isMulticastMac).toBe(mac.isGroupMac);
  });
});
