// OpenFlow 1.3 ofp_port (OF1.3 spec 7.2.1, 64 bytes) and ofp_port_stats (7.3.5.6, 112 bytes).

import { readMac, writeMac } from '../../net/mac-address.js';
import { checkUint, checkUint64 } from '../errors.js';
import { readFixedString, writeFixedString } from '../fixed-string.js';
import type { PortDesc, PortStats } from '../model.js';
import { u16, u32, u64 } from '../wire.js';

export const OFP13_PORT_LEN = 64;
export const OFP13_PORT_STATS_LEN = 112;
const OFP_MAX_PORT_NAME_LEN = 16;

export function readPort13(buf: Buffer, off: number): PortDesc {
  return {
    portNo: buf.readUInt32BE(off),
    hwAddr: readMac(buf, off + 8),
    name: readFixedString(buf, off + 16, OFP_MAX_PORT_NAME_LEN),
    config: buf.readUInt32BE(off + 32),
    state: buf.readUInt32BE(off + 36),
    curr: buf.readUInt32BE(off + 40),
    advertised: buf.readUInt32BE(off + 44),
    supported: buf.readUInt32BE(off + 48),
    peer: buf.readUInt32BE(off + 52),
    currSpeed: buf.readUInt32BE(off + 56),
    maxSpeed: buf.readUInt32BE(off + 60),
  };
}

export function checkPort13(p: PortDesc): void {
  checkUint(p.portNo, 32, 'port_no');
  for (const k of [
    'config',
    'state',
    'curr',
    'advertised',
    'supported',
    'peer',
    'currSpeed',
    'maxSpeed',
  ] as const) {
    checkUint(p[k], 32, k);
  }
}

export function writePort13(buf: Buffer, off: number, p: PortDesc): void {
  u32(buf, off, p.portNo);
  u32(buf, off + 4, 0);
  writeMac(buf, off + 8, p.hwAddr);
  u16(buf, off + 14, 0);
  writeFixedString(buf, off + 16, OFP_MAX_PORT_NAME_LEN, p.name, 'port name');
  u32(buf, off + 32, p.config);
  u32(buf, off + 36, p.state);
  u32(buf, off + 40, p.curr);
  u32(buf, off + 44, p.advertised);
  u32(buf, off + 48, p.supported);
  u32(buf, off + 52, p.peer);
  u32(buf, off + 56, p.currSpeed);
  u32(buf, off + 60, p.maxSpeed);
}

/** The twelve u64 counters shared by the 1.0 and 1.3 port stats, in wire order. */
export const PORT_COUNTERS = [
  'rxPackets',
  'txPackets',
  'rxBytes',
  'txBytes',
  'rxDropped',
  'txDropped',
  'rxErrors',
  'txErrors',
  'rxFrameErr',
  'rxOverErr',
  'rxCrcErr',
  'collisions',
] as const;

export function readPortCounters(
  buf: Buffer,
  off: number,
  portNo: number,
  durationSec: number,
  durationNsec: number,
): PortStats {
  return {
    portNo,
    rxPackets: buf.readBigUInt64BE(off),
    txPackets: buf.readBigUInt64BE(off + 8),
    rxBytes: buf.readBigUInt64BE(off + 16),
    txBytes: buf.readBigUInt64BE(off + 24),
    rxDropped: buf.readBigUInt64BE(off + 32),
    txDropped: buf.readBigUInt64BE(off + 40),
    rxErrors: buf.readBigUInt64BE(off + 48),
    txErrors: buf.readBigUInt64BE(off + 56),
    rxFrameErr: buf.readBigUInt64BE(off + 64),
    rxOverErr: buf.readBigUInt64BE(off + 72),
    rxCrcErr: buf.readBigUInt64BE(off + 80),
    collisions: buf.readBigUInt64BE(off + 88),
    durationSec,
    durationNsec,
  };
}

export function checkPortCounters(s: PortStats): void {
  for (const k of PORT_COUNTERS) checkUint64(s[k], k);
}

export function writePortCounters(buf: Buffer, off: number, s: PortStats): void {
  for (let i = 0; i < PORT_COUNTERS.length; i++)
    u64(buf, off + 8 * i, s[PORT_COUNTERS[i] as (typeof PORT_COUNTERS)[number]]);
}

export function readPortStats13(buf: Buffer, off: number): PortStats {
  return readPortCounters(
    buf,
    off + 8,
    buf.readUInt32BE(off),
    buf.readUInt32BE(off + 104),
    buf.readUInt32BE(off + 108),
  );
}

export function writePortStats13(buf: Buffer, off: number, s: PortStats): void {
  u32(buf, off, s.portNo);
  u32(buf, off + 4, 0);
  writePortCounters(buf, off + 8, s);
  u32(buf, off + 104, s.durationSec);
  u32(buf, off + 108, s.durationNsec);
}
