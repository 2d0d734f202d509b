// What the action lists of OpenFlow 1.0 (OF1.0 spec 5.2.4) and 1.3 (OF1.3 spec 7.2.5), and 1.3's
// instruction lists (7.2.4), share on the wire: each element is {type u16, len u16, ...} with len a
// multiple of 8 covering its padding. An action type a version does not model is kept verbatim.

import { OfEncodeError, badLength, checkUint, need } from './errors.js';
import type { Action, OtherAction } from './model.js';
import { u16 } from './wire.js';

/** One version's action lists. */
export interface ActionListCodec {
  /** Validates the list and returns its length in bytes. */
  length(actions: readonly Action[]): number;
  /** Writes a list `length` validated; returns its length. */
  write(buf: Buffer, off: number, actions: readonly Action[]): number;
  /** Reads the list in [off, end). */
  read(buf: Buffer, off: number, end: number): Action[];
}

/**
 * Checks the header of the action or instruction at `off` and returns its length: a positive multiple
 * of 8, all of it before `end`.
 */
function elementLength(buf: Buffer, off: number, end: number, what: 'action' | 'instruction'): number {
  need(off, 4, end, what === 'action' ? 'action header' : 'instruction header');
  const len = buf.readUInt16BE(off + 2);
  if (len < 8 || len % 8 !== 0) badLength(`${what} length ${len} is not a positive multiple of 8`, off);
  need(off, len, end, what);
  return len;
}

/** Reads the actions (or instructions) in [off, end), each by `read` from its type and length. */
export function readElements<T>(
  buf: Buffer,
  off: number,
  end: number,
  what: 'action' | 'instruction',
  read: (buf: Buffer, off: number, len: number, type: number) => T,
): T[] {
  const out: T[] = [];
  while (off < end) {
    const len = elementLength(buf, off, end, what);
    out.push(read(buf, off, len, buf.readUInt16BE(off)));
    off += len;
  }
  return out;
}

export function otherActionLength(a: OtherAction): number {
  checkUint(a.actionType, 16, 'action type');
  if ((4 + a.body.length) % 8 !== 0 || 4 + a.body.length > 0xfff8) {
    throw new OfEncodeError(`action body of ${a.body.length} bytes does not make a multiple of 8`);
  }
  return 4 + a.body.length;
}

/** Writes an action validated by otherActionLength; returns its length. */
export function writeOtherAction(buf: Buffer, off: number, a: OtherAction): number {
  u16(buf, off, a.actionType);
  u16(buf, off + 2, 4 + a.body.length);
  buf.set(a.body, off + 4);
  return 4 + a.body.length;
}

/** The action of `len` bytes at `off`, verbatim. */
export function readOtherAction(buf: Buffer, off: number, len: number): OtherAction {
  return { type: 'other', actionType: buf.readUInt16BE(off), body: buf.subarray(off + 4, off + len) };
}
