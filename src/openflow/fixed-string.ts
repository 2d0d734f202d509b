// Fixed-size, NUL-padded ASCII fields (port names, switch descriptions, table names).

import { OfEncodeError } from './errors.js';
import { zero } from './wire.js';

export function readFixedString(buf: Buffer, off: number, size: number): string {
  let end = off;
  const limit = off + size;
  while (end < limit && buf[end] !== 0) end++;
  return buf.toString('latin1', off, end);
}

export function writeFixedString(buf: Buffer, off: number, size: number, text: string, what: string): void {
  if (text.length > size) throw new OfEncodeError(`${what} "${text}" is longer than ${size} bytes`);
  const n = buf.write(text, off, size, 'latin1');
  zero(buf, off + n, off + size);
}
