import { XdrError } from '../xdr/reader.js';

// The typed error value of a rejected sFlow datagram: decoders return it instead of throwing.

export type SflowDecodeErrorCode =
  /** A field runs past the end of the datagram or of its enclosing sample/record. */
  | 'truncated'
  /** datagram_version is not 5. */
  | 'bad-version'
  /** Agent address type is not 0, 1 or 2. */
  | 'bad-address-type'
  /** Lengths disagree: a known record or sample does not fill exactly the length it declares. */
  | 'inconsistent'
  /** A declared count or length is beyond this decoder's limits. */
  | 'limit';

export interface SflowDecodeError {
  code: SflowDecodeErrorCode;
  message: string;
  /** Byte offset in the datagram where decoding stopped. */
  offset: number;
  /** Agent address when the datagram header was readable, else undefined. */
  agent: string | undefined;
  sequence: number | undefined;
}

export class SflowFormatError extends Error {
  constructor(
    readonly code: SflowDecodeErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'SflowFormatError';
  }
}

/** Any failure inside a decoder as a typed error value. */
export function toDecodeError(
  err: unknown,
  offset: number,
  agent: string | undefined,
  sequence: number | undefined,
): SflowDecodeError {
  if (err instanceof SflowFormatError)
    return { code: err.code, message: err.message, offset: err.offset, agent, sequence };
  if (err instanceof XdrError) {
    const code = /exceeds limit/.test(err.message) ? 'limit' : 'truncated';
    return { code, message: err.message, offset: err.offset, agent, sequence };
  }
  // A decoder bug, not bad input: still a value, so one datagram never takes the collector down.
  return { code: 'inconsistent', message: `decoder fault: ${String(err)}`, offset, agent, sequence };
}
