// The edge of every body decoder: runs a reader function over the body and turns any failure into a
// typed error value, so nothing a peer sends can throw into the caller.

import { XdrError, type XdrReader } from '../xdr/reader.js';
import { fail, LibvirtProtocolError, ok, type Decoded } from './errors.js';
import { sharedReader } from './message.js';

export function decodeBody<T>(body: Buffer, what: string, read: (r: XdrReader) => T): Decoded<T> {
  try {
    return decodeWith(sharedReader.reset(body), what, read);
  } finally {
    // Drop the reference so a large reply can be collected.
    sharedReader.reset(EMPTY);
  }
}

const EMPTY = Buffer.alloc(0);

/** Runs `read` on a reader the caller owns (for decoders that resume), with the same edge. */
export function decodeWith<T>(r: XdrReader, what: string, read: (r: XdrReader) => T): Decoded<T> {
  try {
    return ok(read(r));
  } catch (err) {
    const detail = err instanceof XdrError ? `${err.message} at byte ${err.offset}` : String(err);
    return fail(new LibvirtProtocolError('body', `malformed ${what}: ${detail}`));
  }
}
