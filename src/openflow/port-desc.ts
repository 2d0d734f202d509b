// What OpenFlow 1.0's ofp_phy_port (OF1.0 spec 5.2.1) and 1.3's ofp_port (OF1.3 spec 7.2.1) share: from
// the name on, name[16] and six u32 words (config, state, curr, advertised, supported, peer). Before it
// they differ (port number width, padding); after it 1.3 adds the two speeds.

import { checkUint } from './errors.js';
import { readFixedString, writeFixedString } from './fixed-string.js';
import type { PortDesc } from './model.js';
import { u32 } from './wire.js';

const OFP_MAX_PORT_NAME_LEN = 16;
const WORDS = ['config', 'state', 'curr', 'advertised', 'supported', 'peer'] as const;

/** Checks the six words and, when given, more u32 fields. */
export function checkPortWords(p: PortDesc, more: readonly ('currSpeed' | 'maxSpeed')[] = []): void {
  for (const k of WORDS) checkUint(p[k], 32, k);
  for (const k of more) checkUint(p[k], 32, k);
}

/** Writes the name and the six words at `nameOff`; returns the offset after them. */
export function writePortTail(buf: Buffer, nameOff: number, p: PortDesc): number {
  writeFixedString(buf, nameOff, OFP_MAX_PORT_NAME_LEN, p.name, 'port name');
  const words = nameOff + OFP_MAX_PORT_NAME_LEN;
  for (let i = 0; i < WORDS.length; i++) u32(buf, words + 4 * i, p[WORDS[i]!]);
  return words + 4 * WORDS.length;
}

/** A port description with the name and six words read at `nameOff`, the other fields from the caller. */
export function readPortDesc(
  buf: Buffer,
  nameOff: number,
  portNo: number,
  hwAddr: number,
  currSpeed: number,
  maxSpeed: number,
): PortDesc {
  const w = nameOff + OFP_MAX_PORT_NAME_LEN;
  return {
    portNo,
    hwAddr,
    name: readFixedString(buf, nameOff, OFP_MAX_PORT_NAME_LEN),
    config: buf.readUInt32BE(w),
    state: buf.readUInt32BE(w + 4),
    curr: buf.readUInt32BE(w + 8),
    advertised: buf.readUInt32BE(w + 12),
    supported: buf.readUInt32BE(w + 16),
    peer: buf.readUInt32BE(w + 20),
    currSpeed,
    maxSpeed,
  };
}
