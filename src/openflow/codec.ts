// Version dispatch: one entry point to decode any message, and the encoders of both versions, by way of
// each version's message table (message-registry.ts).

import { hello } from './common-messages.js';
import { OfEncodeError, OfParseError } from './errors.js';
import { TemplatedFlowMod } from './flow-mod-template.js';
import { OFP_HEADER_LEN } from './header.js';
import { OFPT_HELLO } from './hello.js';
import { checkRoom, type MessageTable } from './message-table.js';
import { tableOf } from './message-registry.js';
import type { DecodeResult, OfDecodeError, OfMessage, OfVersion } from './model.js';
import { OFP_VERSION_10, OFP_VERSION_13 } from './model.js';
import * as of10 from './of10/messages.js';
import * as of13 from './of13/messages.js';

/** OFPT_PACKET_IN, the same in both versions. */
const OFPT_PACKET_IN = 10;

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
    // Packet-ins come at line rate: they are read by direct calls, which V8 inlines here, where a call
    // through the table cannot be.
    if (type === OFPT_PACKET_IN && version === OFP_VERSION_13)
      return { ok: true, version, xid, msg: of13.packetIn.read(buf, start, end) };
    if (type === OFPT_PACKET_IN && version === OFP_VERSION_10)
      return { ok: true, version, xid, msg: of10.packetIn.read(buf, start, end) };
    const table = tableOf(version);
    // A HELLO is read whatever its version: negotiation needs a newer peer's bitmap.
    const codec = table === undefined ? (type === OFPT_HELLO ? hello : undefined) : table.codecOf(type);
    if (codec !== undefined) return { ok: true, version, xid, msg: codec.read(buf, start, end) };
    if (table !== undefined) {
      return fail({
        code: 'bad-type',
        message: `unknown ${table.label} message type ${type}`,
        offset: 1,
        ...hdr,
      });
    }
    return fail({
      code: 'bad-version',
      message: `unsupported OpenFlow version 0x${version.toString(16)}`,
      offset: 0,
      ...hdr,
    });
  } catch (e) {
    if (e instanceof OfParseError)
      return fail({ code: e.code, message: e.message, offset: e.offset - start, ...hdr });
    // Defensive: a bounds check missed by a structure reader surfaces as Node's RangeError.
    const message = e instanceof Error ? e.message : String(e);
    return fail({ code: 'malformed', message: `unexpected decode failure: ${message}`, offset: 0, ...hdr });
  }
}

function tableFor(version: OfVersion): MessageTable {
  const table = tableOf(version);
  if (table === undefined) throw new OfEncodeError(`unsupported OpenFlow version ${String(version)}`);
  return table;
}

/** Exact encoded length of `msg` in `version`; throws OfEncodeError when it cannot be expressed. */
export function messageLength(version: OfVersion, msg: OfMessage): number {
  if (version === OFP_VERSION_13 && msg instanceof TemplatedFlowMod) return msg.template.length;
  return tableFor(version).length(msg);
}

/** Writes `msg` into `buf` at `offset`; returns its length. RangeError if it does not fit. */
export function writeMessage(
  buf: Buffer,
  offset: number,
  version: OfVersion,
  xid: number,
  msg: OfMessage,
): number {
  // An instance of a flow-mod template: the template's bytes with its own values written in.
  if (version === OFP_VERSION_13 && msg instanceof TemplatedFlowMod) {
    checkRoom(buf, offset, msg.template.length, msg);
    return msg.template.write(buf, offset, xid, msg);
  }
  return tableFor(version).write(buf, offset, xid, msg);
}

export function encodeMessage(version: OfVersion, xid: number, msg: OfMessage): Buffer {
  const buf = Buffer.allocUnsafe(messageLength(version, msg));
  writeMessage(buf, 0, version, xid, msg);
  return buf;
}
