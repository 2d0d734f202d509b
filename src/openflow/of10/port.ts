// OpenFlow 1.0 port numbers (16-bit) and ofp_phy_port (OF1.0 spec 5.2.1, 48 bytes).

import { readMac, writeMac } from '../../net/mac-address.js';
import { OfEncodeError, checkUint, checkUint64 } from '../errors.js';
import { readFixedString, writeFixedString } from '../fixed-string.js';
import type { PortDesc, PortStats } from '../model.js';
import { PORT_COUNTERS, readPortCounters, writePortCounters } from '../of13/port.js';
import { u16, u32, zero } from '../wire.js';

export const OFP10_PHY_PORT_LEN = 48;
export const OFP10_PORT_STATS_LEN = 104;

/** OF1.0 reserved ports are 0xff00..0xffff; the model keeps the 1.3 numbers 0xffffff00..0xffffffff. */
export function port16To32(p: number): number {
  return p >= 0xff00 ? p + 0xffff0000 : p;
}

export function port32To16(p: number, what: string): number {
  if (Number.isInteger(p) && p >= 0 && p < 0xff00) return p;
  if (Number.isInteger(p) && p >= 0xffffff00 && p <= 0xffffffff) return p - 0xffff0000;
  throw new OfEncodeError(`${what} ${p} has no OpenFlow 1.0 port number`);
}

export function readPhyPort(buf: Buffer, off: number): PortDesc {
  return {
    portNo: port16To32(buf.readUInt16BE(off)),
    hwAddr: readMac(buf, off + 2),
    name: readFixedString(buf, off + 8, 16),
    config: buf.readUInt32BE(off + 24),
    state: buf.readUInt32BE(off + 28),
    curr: buf.readUInt32BE(off + 32),
    advertised: buf.readUInt32BE(off + 36),
    supported: buf.readUInt32BE(off + 40),
    peer: buf.readUInt32BE(off + 44),
    currSpeed: 0,
    maxSpeed: 0,
  };
}

export function checkPhyPort(p: PortDesc): void {
  port32To16(p.portNo, 'port_no');
  for (const k of ['config', 'state', 'curr', 'advertised', 'supported', 'peer'] as const)
    checkUint(p[k], 32, k);
}

export function writePhyPort(buf: Buffer, off: number, p: PortDesc): void {
  u16(buf, off, port32To16(p.portNo, 'port_no'));
  writeMac(buf, off + 2, p.hwAddr);
  writeFixedString(buf, off + 8, 16, p.name, 'port name');
  u32(buf, off + 24, p.config);
  u32(buf, off + 28, p.state);
  u32(buf, off + 32, p.curr);
  u32(buf, off + 36, p.advertised);
  u32(buf, off + 40, p.supported);
  u32(buf, off + 44, p.peer);
}

export function readPortStats10(buf: Buffer, off: number): PortStats {
  return readPortCounters(buf, off + 8, port16To32(buf.readUInt16BE(off)), 0, 0);
}

export function checkPortStats10(s: PortStats): void {
  port32To16(s.portNo, 'port_no');
  for (const k of PORT_COUNTERS) checkUint64(s[k], k);
}

export function writePortStats10(buf: Buffer, off: number, s: PortStats): void {
  u16(buf, off, port32To16(s.portNo, 'port_no'));
  zero(buf, off + 2, off + 8);
  writePortCounters(buf, off + 8, s);
}
