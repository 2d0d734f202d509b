// Version dispatch: one entry point to decode any message, and encoders for both versions.

import { OfEncodeError, OfParseError } from './errors.js';
import { TemplatedFlowMod } from './flow-mod-template.js';
import { OFP_HEADER_LEN, OFP_MAX_MESSAGE_LEN } from './header.js';
import { OFPT_HELLO, readHelloBody } from './hello.js';
import type { DecodeResult, FlowMod, OfDecodeError, OfMessage, OfVersion, PacketOut } from './model.js';
import { OFP_VERSION_10, OFP_VERSION_13 } from './model.js';
import { UnknownType10, of10Length, readOf10, writeOf10 } from './of10/messages.js';
import { UnknownType13, of13Length, readOf13, writeOf13 } from './of13/messages.js';

function fail(error: OfDecodeError): DecodeResult {
  return { ok: false, error };
}

/**
 * Decodes one whole message occupying exactly [start, end) of `buf`. Never throws: truncated,
 * oversized, unknown or malformed input comes back as { ok: false, error }.
 */
export function decodeMessage(buf: Buffer, start = 0, end: number = buf.length): DecodeResult {
  if (end - start < OFP_HEADER_LEN) {
    return fail({
      code: 'truncated',
      message: `message of ${end - start} bytes is shorter than a header`,
      offset: 0,
    });
  }
  const version = buf[start] as number;
  const type = buf[start + 1] as number;
  const length = buf.readUInt16BE(start + 2);
  const xid = buf.readUInt32BE(start + 4);
  const hdr = { version, msgType: type, xid };
  if (length < OFP_HEADER_LEN) {
    return fail({ code: 'bad-length', message: `header length ${length} < 8`, offset: 2, ...hdr });
  }
  if (length > end - start) {
    return fail({
      code: 'truncated',
      message: `header length ${length} but ${end - start} bytes`,
      offset: 2,
      ...hdr,
    });
  }
  if (length < end - start) {
    return fail({
      code: 'bad-length',
      message: `header length ${length} but ${end - start} bytes given`,
      offset: 2,
      ...hdr,
    });
  }
  try {
    if (type === OFPT_HELLO)
      return { ok: true, version, xid, msg: readHelloBody(buf, start + 8, end, version) };
    if (version === OFP_VERSION_13) return { ok: true, version, xid, msg: readOf13(buf, start, end, type) };
    if (version === OFP_VERSION_10) return { ok: true, version, xid, msg: readOf10(buf, start, end, type) };
    return fail({
      code: 'bad-version',
      message: `unsupported OpenFlow version 0x${version.toString(16)}`,
      offset: 0,
      ...hdr,
    });
  } catch (e) {
    if (e instanceof OfParseError)
      return fail({ code: e.code, message: e.message, offset: e.offset - start, ...hdr });
    if (e instanceof UnknownType13 || e instanceof UnknownType10) {
      return fail({ code: 'bad-type', message: e.message, offset: 1, ...hdr });
    }
    // Defensive: a bounds check missed by a structure reader surfaces as Node's RangeError.
    const message = e instanceof Error ? e.message : String(e);
    return fail({ code: 'malformed', message: `unexpected decode failure: ${message}`, offset: 0, ...hdr });
  }
}

/** Exact encoded length of `msg` in `version`; throws OfEncodeError when it cannot be expressed. */
export function messageLength(version: OfVersion, msg: OfMessage): number {
  if (version === OFP_VERSION_13 && msg instanceof TemplatedFlowMod) return msg.template.length;
  let len: number;
  if (version === OFP_VERSION_13) len = of13Length(msg);
  else if (version === OFP_VERSION_10) len = of10Length(msg);
  else throw new OfEncodeError(`unsupported OpenFlow version ${String(version)}`);
  if (len > OFP_MAX_MESSAGE_LEN) throw new OfEncodeError(`${msg.type} of ${len} bytes exceeds 65535`);
  return len;
}

function writeChecked(buf: Buffer, offset: number, version: OfVersion, xid: number, msg: OfMessage): number {
  const len = messageLength(version, msg);
  if (offset < 0 || offset + len > buf.length) {
    throw new RangeError(`${msg.type} needs ${len} bytes at offset ${offset}, buffer has ${buf.length}`);
  }
  // An instance of a flow-mod template: the template's bytes with its own values written in.
  if (version === OFP_VERSION_13 && msg instanceof TemplatedFlowMod)
    return msg.template.write(buf, offset, xid, msg);
  if (version === OFP_VERSION_13) writeOf13(buf, offset, xid, msg, len);
  else writeOf10(buf, offset, xid, msg, len);
  return len;
}

/** Writes `msg` into `buf` at `offset`; returns its length. RangeError if it does not fit. */
export function writeMessage(
  buf: Buffer,
  offset: number,
  version: OfVersion,
  xid: number,
  msg: OfMessage,
): number {
  return writeChecked(buf, offset, version, xid, msg);
}

export function encodeMessage(version: OfVersion, xid: number, msg: OfMessage): Buffer {
  const buf = Buffer.allocUnsafe(messageLength(version, msg));
  writeChecked(buf, 0, version, xid, msg);
  return buf;
}

export function flowModLength(version: OfVersion, fm: FlowMod): number {
  return messageLength(version, fm);
}
export function writeFlowMod(
  buf: Buffer,
  offset: number,
  version: OfVersion,
  xid: number,
  fm: FlowMod,
): number {
  return writeChecked(buf, offset, version, xid, fm);
}
export function encodeFlowMod(version: OfVersion, xid: number, fm: FlowMod): Buffer {
  return encodeMessage(version, xid, fm);
}

export function packetOutLength(version: OfVersion, po: PacketOut): number {
  return messageLength(version, po);
}
export function writePacketOut(
  buf: Buffer,
  offset: number,
  version: OfVersion,
  xid: number,
  po: PacketOut,
): number {
  return writeChecked(buf, offset, version, xid, po);
}
export function encodePacketOut(version: OfVersion, xid: number, po: PacketOut): Buffer {
  return encodeMessage(version, xid, po);
}
