// One libvirt RPC message (virnetprotocol.x): a 4-byte length word that counts itself, the 24-byte
// virNetMessageHeader, then the XDR body of the procedure's args, ret, msg or remote_error.

import { XdrReader } from '../xdr/reader.js';
import { XdrWriter } from '../xdr/writer.js';
import { HEADER_BYTES, MessageType } from './constants.js';
import { fail, LibvirtProtocolError, ok, type Decoded } from './errors.js';

export interface MessageHeader {
  program: number;
  version: number;
  procedure: number;
  type: number;
  serial: number;
  status: number;
}

export interface Message {
  header: MessageHeader;
  /** The XDR body: a view into the frame, valid as long as the frame is. */
  body: Buffer;
}

const MAX_TYPE = MessageType.REPLY_WITH_FDS;

/**
 * Decodes a message without its length word (what FrameDecoder hands out). Unknown message types and
 * statuses are errors; unknown programs are left to the caller, which knows what it speaks.
 */
export function decodeMessage(frame: Buffer): Decoded<Message> {
  if (frame.length < HEADER_BYTES) {
    return fail(
      new LibvirtProtocolError('header', `message of ${frame.length} bytes has no room for a header`),
    );
  }
  const type = frame.readInt32BE(12);
  const status = frame.readInt32BE(20);
  if (type < 0 || type > MAX_TYPE) {
    return fail(new LibvirtProtocolError('header', `unknown message type ${type}`));
  }
  if (status < 0 || status > 2) {
    return fail(new LibvirtProtocolError('header', `unknown message status ${status}`));
  }
  return ok({
    header: {
      program: frame.readUInt32BE(0),
      version: frame.readUInt32BE(4),
      procedure: frame.readInt32BE(8),
      type,
      serial: frame.readUInt32BE(16),
      status,
    },
    body: frame.subarray(HEADER_BYTES),
  });
}

/** Encodes a whole message, length word included. `writeBody` appends the XDR body, if any. */
export function encodeMessage(header: MessageHeader, writeBody?: (w: XdrWriter) => void): Buffer {
  const w = new XdrWriter(128);
  const at = w.placeholder();
  w.uint32(header.program)
    .uint32(header.version)
    .int32(header.procedure)
    .int32(header.type)
    .uint32(header.serial)
    .int32(header.status);
  writeBody?.(w);
  w.patchUint32(at, w.size);
  return w.toBuffer();
}

/** A reader for decoders that run one at a time on the event loop: reset, never reallocated. */
export const sharedReader = new XdrReader(Buffer.alloc(0));
