// How each kind of message goes to and from one version's wire, kept in a table per version (the shape
// of os-ken's per-version parser registries): decoding finds a message's codec by its header's type
// code, encoding by the model's name. message-registry.ts fills the tables of 1.0 and 1.3.

import { OfEncodeError } from './errors.js';
import { OFP_MAX_MESSAGE_LEN, writeHeader } from './header.js';
import type { OfMessage, OfMessageType, OfVersion } from './model.js';

/** The model's message of type name K. */
export type MessageOf<K extends OfMessageType> = Extract<OfMessage, { type: K }>;

/** Sizes, writes and reads the messages of type name K. */
export interface MessageCodec<K extends OfMessageType = OfMessageType> {
  /** Exact length of `msg`, header included; throws OfEncodeError when the version cannot express it. */
  length(msg: MessageOf<K>): number;
  /** Writes the body of `msg` (validated by `length`, `len` bytes in all) after its header at `off`. */
  write(buf: Buffer, off: number, msg: MessageOf<K>, len: number): void;
  /** Reads the whole message at [off, end), whose header the caller checked. */
  read(buf: Buffer, off: number, end: number): MessageOf<K>;
}

/** A codec with the type code (OFPT_*) one version gives it. */
export interface MessageType extends MessageCodec {
  readonly code: number;
}

/** One version's entry for a kind: its type code and codec, or what the version lacks ("role messages"). */
export type TableEntry<K extends OfMessageType> = readonly [code: number, codec: MessageCodec<K>] | string;
export type TableEntries = { readonly [K in OfMessageType]: TableEntry<K> };

export class MessageTable {
  /** Indexed by type code; a hole where the version has no message of that code. */
  private readonly byCode: (MessageType | undefined)[] = [];
  private readonly byName: { [K in OfMessageType]?: MessageType } = {};
  private readonly lacking: { [K in OfMessageType]?: string } = {};

  constructor(
    readonly version: OfVersion,
    /** "OpenFlow 1.3", for error messages. */
    readonly label: string,
    entries: TableEntries,
  ) {
    for (const name of Object.keys(entries) as OfMessageType[]) {
      const e = entries[name];
      if (typeof e === 'string') {
        this.lacking[name] = e;
        continue;
      }
      const [code, codec] = e as readonly [number, MessageCodec];
      if (this.byCode[code] !== undefined) throw new Error(`${label}: two messages of type ${code}`);
      const type: MessageType = { code, length: codec.length, write: codec.write, read: codec.read };
      this.byCode[code] = type;
      this.byName[name] = type;
    }
  }

  /** The codec of messages of type `code`; undefined when the version has none. */
  codecOf(code: number): MessageType | undefined {
    return this.byCode[code];
  }

  /** The entry for `msg`'s kind; throws OfEncodeError when the version has no such message. */
  typeOf(msg: OfMessage): MessageType {
    const t = this.byName[msg.type];
    if (t !== undefined) return t;
    const lack = this.lacking[msg.type];
    throw new OfEncodeError(
      lack === undefined ? `unknown message type ${String(msg.type)}` : `${this.label} has no ${lack}`,
    );
  }

  /** Exact encoded length of `msg` (validates it). */
  length(msg: OfMessage): number {
    return checkedLength(this.typeOf(msg), msg);
  }

  /** Writes `msg` at `off` and returns its length; RangeError when it does not fit. */
  write(buf: Buffer, off: number, xid: number, msg: OfMessage): number {
    const t = this.typeOf(msg);
    const len = checkedLength(t, msg);
    checkRoom(buf, off, len, msg);
    writeHeader(buf, off, this.version, t.code, len, xid);
    t.write(buf, off, msg, len);
    return len;
  }
}

/** Throws RangeError unless `len` bytes of `msg` fit in `buf` at `off`. */
export function checkRoom(buf: Buffer, off: number, len: number, msg: OfMessage): void {
  if (off < 0 || off + len > buf.length) {
    throw new RangeError(`${msg.type} needs ${len} bytes at offset ${off}, buffer has ${buf.length}`);
  }
}

function checkedLength(t: MessageType, msg: OfMessage): number {
  const len = t.length(msg);
  if (len > OFP_MAX_MESSAGE_LEN) throw new OfEncodeError(`${msg.type} of ${len} bytes exceeds 65535`);
  return len;
}
