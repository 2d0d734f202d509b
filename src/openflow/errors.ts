import type { OfDecodeErrorCode } from './model.js';

/**
 * Thrown by the encoders when a message cannot be expressed in the requested version (e.g. an IPv6
 * match in OpenFlow 1.0) or a value is out of its field's range. This is a programming error in the
 * caller, never a consequence of network input: decoders never throw.
 */
export class OfEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OfEncodeError';
  }
}

/** Internal to the decoders: thrown deep in a structure, turned into an OfDecodeError at decodeMessage. */
export class OfParseError extends Error {
  constructor(
    readonly code: OfDecodeErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'OfParseError';
  }
}

/** Throws OfParseError('truncated') unless `n` bytes are available at `off` before `end`. */
export function need(off: number, n: number, end: number, what: string): void {
  if (off + n > end)
    throw new OfParseError('truncated', `truncated ${what}: need ${n} bytes, ${end - off} left`, off);
}

/** Throws OfParseError('bad-length') unless a fixed-size structure of `expected` bytes is `len` long. */
export function exactly(len: number, expected: number, what: string, off: number): void {
  if (len !== expected) badLength(`${what} length ${len}, expected ${expected}`, off);
}

export function malformed(message: string, offset: number): never {
  throw new OfParseError('malformed', message, offset);
}

export function badLength(message: string, offset: number): never {
  throw new OfParseError('bad-length', message, offset);
}

export function checkUint(value: number, bits: 8 | 16 | 32, what: string): void {
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new OfEncodeError(`${what} ${value} does not fit in ${bits} bits`);
  }
}

export function checkUint64(value: bigint, what: string): void {
  if (value < 0n || value > 0xffffffffffffffffn)
    throw new OfEncodeError(`${what} ${value} does not fit in 64 bits`);
}
