// Structures of one fixed size (ofp_port, ofp_port_stats, ofp_table_stats) and the arrays of them that
// features replies, port-status messages and multipart replies carry.

import { badLength } from './errors.js';

export interface FixedStruct<T> {
  /** Bytes on the wire. */
  readonly size: number;
  /** Throws OfEncodeError when `v` cannot be written. */
  check(v: T): void;
  /** Writes `v` (checked) at `off`, padding included. */
  write(buf: Buffer, off: number, v: T): void;
  /** Reads `size` bytes at `off` (the caller made sure they are there). */
  read(buf: Buffer, off: number): T;
}

/** Checks every element and returns the array's length in bytes. */
export function arrayLength<T>(s: FixedStruct<T>, list: readonly T[]): number {
  for (const v of list) s.check(v);
  return s.size * list.length;
}

export function writeArray<T>(s: FixedStruct<T>, buf: Buffer, off: number, list: readonly T[]): void {
  for (const v of list) {
    s.write(buf, off, v);
    off += s.size;
  }
}

/** Reads [off, end) as an array of `s`; bad-length unless it holds a whole number of them. */
export function readArray<T>(s: FixedStruct<T>, buf: Buffer, off: number, end: number, what: string): T[] {
  if ((end - off) % s.size !== 0)
    badLength(`${what} body of ${end - off} bytes is not a multiple of ${s.size}`, off);
  const out: T[] = [];
  for (; off < end; off += s.size) out.push(s.read(buf, off));
  return out;
}
