// sflow_version_5.txt "address": a uint32 type (0 unknown, 1 IPv4, 2 IPv6) followed by 0, 4 or 16 bytes.

import type { XdrReader } from '../xdr/reader.js';
import { formatIpv4 } from '../net/ipv4-address.js';
import { formatIpv6 } from '../net/ipv6-address.js';
import { SflowFormatError } from './decode-error.js';

export interface SflowAddress {
  type: 'ipv4' | 'ipv6' | 'unknown';
  text: string;
}

export function readAddress(r: XdrReader): SflowAddress {
  const type = r.uint32();
  if (type === 1) return { type: 'ipv4', text: formatIpv4(r.uint32()) };
  if (type === 2) {
    const bytes = r.fixedOpaque(16);
    return { type: 'ipv6', text: formatIpv6(bytes, 0) };
  }
  if (type === 0) return { type: 'unknown', text: '' };
  throw new SflowFormatError('bad-address-type', `address type ${type} is not 0, 1 or 2`, r.offset - 4);
}
