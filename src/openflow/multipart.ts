// Multipart messages (OF1.3 spec 7.3.5) and OpenFlow 1.0's stats messages (OF1.0 spec 5.3.5): a header of
// type u16 and flags u16 (1.3: then 4 bytes of padding), and a body whose layout the type gives. The type
// numbers are the same in both versions; 1.0 has no port description request of its own, and Open
// vSwitch answers 1.3's number, 13, in 1.0 too. The bodies laid out alike in both versions (switch
// description, aggregate statistics, the empty requests, and the types this codec does not model) are
// written here; each version gives the rest (MultipartWire).

import { badLength, checkUint, checkUint64, exactly, need } from './errors.js';
import { readFixedString, writeFixedString } from './fixed-string.js';
import { arrayLength, readArray, writeArray, type FixedStruct } from './fixed-struct.js';
import type { FlowStatsEntry } from './flow-stats.js';
import type { MessageCodec, MessageOf } from './message-table.js';
import type {
  FlowStats,
  FlowStatsRequestBody,
  MultipartReplyBody,
  MultipartRequestBody,
  OfVersion,
  PortDesc,
  SwitchDesc,
} from './model.js';
import { portStats } from './port-stats.js';
import { tableStats } from './table-stats.js';
import { u16, u32, u64, zero } from './wire.js';

/** OFPMP_* (1.3) / OFPST_* (1.0) of each body kind the model names. */
export const MULTIPART_TYPES = { desc: 0, flow: 1, aggregate: 2, table: 3, port: 4, portDesc: 13 } as const;
type Kind = keyof typeof MULTIPART_TYPES;

const KIND_OF_TYPE: (Kind | undefined)[] = [];
for (const kind of Object.keys(MULTIPART_TYPES) as Kind[]) KIND_OF_TYPE[MULTIPART_TYPES[kind]] = kind;

/** Sizes (validating), writes and reads one kind of body. */
export interface BodyCodec<B> {
  length(b: B): number;
  write(buf: Buffer, off: number, b: B): void;
  /** Reads the body in [off, end). */
  read(buf: Buffer, off: number, end: number): B;
}

/** What one version's multipart messages are made of. */
export interface MultipartWire {
  readonly version: OfVersion;
  /** Bytes before the body: 12 in 1.0, 16 in 1.3. */
  readonly headerLength: number;
  /** 'stats' in 1.0, 'multipart' in 1.3 (the spec's word, for error messages). */
  readonly word: string;
  /** The body of flow and aggregate statistics requests. */
  readonly flowStatsRequest: BodyCodec<FlowStatsRequestBody>;
  /** ofp_port_stats_request: the port number padded to 8 bytes, as ofp_port_stats begins. */
  readonly portStatsRequest: FixedStruct<number>;
  readonly flowStats: FlowStatsEntry;
  /** The version's port description, as port description replies carry it. */
  readonly port: FixedStruct<PortDesc>;
}

/** The multipart request and reply messages of one version. */
export function multipartMessages(wire: MultipartWire): {
  request: MessageCodec<'multipartRequest'>;
  reply: MessageCodec<'multipartReply'>;
} {
  const requests: Bodies<MultipartRequestBody> = {
    desc: emptyRequest('desc', 'desc request body'),
    flow: flowStatsRequest('flow', wire.flowStatsRequest),
    aggregate: flowStatsRequest('aggregate', wire.flowStatsRequest),
    table: emptyRequest('table', 'table stats request body'),
    port: portStatsRequest(wire.portStatsRequest),
    portDesc: emptyRequest('portDesc', 'port desc request body'),
  };
  const replies: Bodies<MultipartReplyBody> = {
    desc: descReply,
    flow: flowStatsReply(wire.flowStats),
    aggregate: aggregateReply,
    table: arrayReply('table', 'tables', tableStats(wire.version), 'table stats'),
    port: arrayReply('port', 'ports', portStats(wire.version, wire.portStatsRequest), 'port stats'),
    portDesc: arrayReply('portDesc', 'ports', wire.port, 'port desc'),
  };
  return {
    request: multipart('multipartRequest', wire, requests),
    reply: multipart('multipartReply', wire, replies),
  };
}

type Multipart = MessageOf<'multipartRequest' | 'multipartReply'>;
type AnyBody = Multipart['body'];
type Bodies<U extends AnyBody> = { readonly [K in Kind]: BodyCodec<Extract<U, { kind: K }>> };

function multipart<K extends 'multipartRequest' | 'multipartReply'>(
  type: K,
  wire: MultipartWire,
  bodies: Bodies<MessageOf<K>['body']>,
): MessageCodec<K> {
  const h = wire.headerLength;
  const flags = `${wire.word} flags`;
  const typeName = `${wire.word} type`;
  const header = `${wire.word} ${type === 'multipartRequest' ? 'request' : 'reply'} header`;
  const codec = (kind: Kind) => bodies[kind] as BodyCodec<AnyBody>;
  return {
    length(msg: Multipart) {
      checkUint(msg.flags, 16, flags);
      const b: AnyBody = msg.body;
      if (b.kind !== 'other') return h + codec(b.kind).length(b);
      checkUint(b.multipartType, 16, typeName);
      return h + b.body.length;
    },
    write(buf, off, msg: Multipart) {
      const b: AnyBody = msg.body;
      u16(buf, off + 8, b.kind === 'other' ? b.multipartType : MULTIPART_TYPES[b.kind]);
      u16(buf, off + 10, msg.flags);
      zero(buf, off + 12, off + h);
      if (b.kind === 'other') buf.set(b.body, off + h);
      else codec(b.kind).write(buf, off + h, b);
    },
    read(buf, off, end) {
      need(off, h, end, header);
      const mpType = buf.readUInt16BE(off + 8);
      const kind = KIND_OF_TYPE[mpType];
      const body =
        kind === undefined
          ? { kind: 'other', multipartType: mpType, body: buf.subarray(off + h, end) }
          : codec(kind).read(buf, off + h, end);
      return { type, flags: buf.readUInt16BE(off + 10), body } as MessageOf<K>;
    },
  };
}

function emptyRequest<K extends 'desc' | 'table' | 'portDesc'>(
  kind: K,
  what: string,
): BodyCodec<{ kind: K }> {
  return {
    length: () => 0,
    write: () => undefined,
    read(_buf, off, end) {
      exactly(end - off, 0, what, off);
      return { kind };
    },
  };
}

function flowStatsRequest<K extends 'flow' | 'aggregate'>(
  kind: K,
  c: BodyCodec<FlowStatsRequestBody>,
): BodyCodec<{ kind: K } & FlowStatsRequestBody> {
  return {
    length: (b) => c.length(b),
    write: (buf, off, b) => c.write(buf, off, b),
    read: (buf, off, end) => ({ kind, ...c.read(buf, off, end) }),
  };
}

function portStatsRequest(s: FixedStruct<number>): BodyCodec<{ kind: 'port'; portNo: number }> {
  return {
    length(b) {
      s.check(b.portNo);
      return s.size;
    },
    write: (buf, off, b) => s.write(buf, off, b.portNo),
    read(buf, off, end) {
      exactly(end - off, s.size, 'port stats request body', off);
      return { kind: 'port', portNo: s.read(buf, off) };
    },
  };
}

// ofp_desc: four 256-byte strings and a 32-byte serial number.
const DESC_STR_LEN = 256;
const SERIAL_NUM_LEN = 32;
const DESC_LEN = 4 * DESC_STR_LEN + SERIAL_NUM_LEN;

const descReply: BodyCodec<{ kind: 'desc'; desc: SwitchDesc }> = {
  length: () => DESC_LEN,
  write(buf, off, { desc: d }) {
    writeFixedString(buf, off, DESC_STR_LEN, d.mfrDesc, 'mfr_desc');
    writeFixedString(buf, off + 256, DESC_STR_LEN, d.hwDesc, 'hw_desc');
    writeFixedString(buf, off + 512, DESC_STR_LEN, d.swDesc, 'sw_desc');
    writeFixedString(buf, off + 768, SERIAL_NUM_LEN, d.serialNum, 'serial_num');
    writeFixedString(buf, off + 800, DESC_STR_LEN, d.dpDesc, 'dp_desc');
  },
  read(buf, off, end) {
    exactly(end - off, DESC_LEN, 'desc reply body', off);
    const desc = {
      mfrDesc: readFixedString(buf, off, DESC_STR_LEN),
      hwDesc: readFixedString(buf, off + 256, DESC_STR_LEN),
      swDesc: readFixedString(buf, off + 512, DESC_STR_LEN),
      serialNum: readFixedString(buf, off + 768, SERIAL_NUM_LEN),
      dpDesc: readFixedString(buf, off + 800, DESC_STR_LEN),
    };
    return { kind: 'desc', desc };
  },
};

// ofp_aggregate_stats_reply: packet_count u64, byte_count u64, flow_count u32, pad 4.
const AGGREGATE_LEN = 24;

const aggregateReply: BodyCodec<Extract<MultipartReplyBody, { kind: 'aggregate' }>> = {
  length({ stats }) {
    checkUint64(stats.packetCount, 'packet_count');
    checkUint64(stats.byteCount, 'byte_count');
    checkUint(stats.flowCount, 32, 'flow_count');
    return AGGREGATE_LEN;
  },
  write(buf, off, { stats }) {
    u64(buf, off, stats.packetCount);
    u64(buf, off + 8, stats.byteCount);
    u32(buf, off + 16, stats.flowCount);
    u32(buf, off + 20, 0);
  },
  read(buf, off, end) {
    exactly(end - off, AGGREGATE_LEN, 'aggregate reply body', off);
    const stats = {
      packetCount: buf.readBigUInt64BE(off),
      byteCount: buf.readBigUInt64BE(off + 8),
      flowCount: buf.readUInt32BE(off + 16),
    };
    return { kind: 'aggregate', stats };
  },
};

function flowStatsReply(e: FlowStatsEntry): BodyCodec<{ kind: 'flow'; flows: FlowStats[] }> {
  return {
    length({ flows }) {
      let n = 0;
      for (const s of flows) n += e.length(s);
      return n;
    },
    write(buf, off, { flows }) {
      for (const s of flows) {
        const n = e.write(buf, off, s);
        u16(buf, off, n);
        buf[off + 2] = s.tableId;
        buf[off + 3] = 0;
        off += n;
      }
    },
    read(buf, off, end) {
      const flows: FlowStats[] = [];
      while (off < end) {
        need(off, e.fixedLength, end, 'flow stats entry');
        const len = buf.readUInt16BE(off);
        if (len < e.minLength) badLength(`flow stats entry length ${len}`, off);
        need(off, len, end, 'flow stats entry');
        flows.push(e.read(buf, off, off + len));
        off += len;
      }
      return { kind: 'flow', flows };
    },
  };
}

/** A reply body that is an array of one structure, under `key`. */
function arrayReply<B extends Extract<MultipartReplyBody, { kind: 'table' | 'port' | 'portDesc' }>, T>(
  kind: B['kind'],
  key: 'tables' | 'ports',
  s: FixedStruct<T>,
  what: string,
): BodyCodec<B> {
  const list = (b: B) => (b as unknown as Record<string, T[]>)[key] as T[];
  return {
    length: (b) => arrayLength(s, list(b)),
    write: (buf, off, b) => writeArray(s, buf, off, list(b)),
    read: (buf, off, end) => ({ kind, [key]: readArray(s, buf, off, end, what) }) as unknown as B,
  };
}
