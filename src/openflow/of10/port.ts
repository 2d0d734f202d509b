// OpenFlow 1.0 port numbers (16-bit) and ofp_phy_port (OF1.0 spec 5.2.1, 48 bytes).

import { readMac, writeMac } from '../../net/mac-address.js';
import { OfEncodeError } from '../errors.js';
import type { FixedStruct } from '../fixed-struct.js';
import type { PortDesc } from '../model.js';
import { checkPortWords, readPortDesc, writePortTail } from '../port-desc.js';
import { paddedPortNo, type PortNumberField } from '../port-number.js';
import { u16 } from '../wire.js';

/** OF1.0 reserved ports are 0xff00..0xffff; the model keeps the 1.3 numbers 0xffffff00..0xffffffff. */
export function port16To32(p: number): number {
  return p >= 0xff00 ? p + 0xffff0000 : p;
}

export function port32To16(p: number, what: string): number {
  if (Number.isInteger(p) && p >= 0 && p < 0xff00) return p;
  if (Number.isInteger(p) && p >= 0xffffff00 && p <= 0xffffffff) return p - 0xffff0000;
  throw new OfEncodeError(`${what} ${p} has no OpenFlow 1.0 port number`);
}

export const portNumber10: PortNumberField = {
  size: 2,
  check: (p, what) => void port32To16(p, what),
  write: (buf, off, p, what) => u16(buf, off, port32To16(p, what)),
  read: (buf, off) => port16To32(buf.readUInt16BE(off)),
};

/** port_no and 6 bytes of padding: ofp_port_stats_request, and the start of ofp_port_stats. */
export const paddedPortNo10 = paddedPortNo(portNumber10);

/** port_no u16, hw_addr, then as ofp_port from the name on. */
export const phyPort: FixedStruct<PortDesc> = {
  size: 48,
  check(p) {
    port32To16(p.portNo, 'port_no');
    checkPortWords(p);
  },
  write(buf, off, p) {
    u16(buf, off, port32To16(p.portNo, 'port_no'));
    writeMac(buf, off + 2, p.hwAddr);
    writePortTail(buf, off + 8, p);
  },
  read: (buf, off) =>
    readPortDesc(buf, off + 8, port16To32(buf.readUInt16BE(off)), readMac(buf, off + 2), 0, 0),
};
