// fast-check arbitraries for the OpenFlow model, one set per version. Each generates only values the
// version can express, in the canonical form its decoder produces, so decode(encode(x)) = x holds.

import fc from 'fast-check';
import type {
  Action,
  FlowMod,
  FlowStats,
  FlowStatsRequestBody,
  Instruction,
  Match,
  MultipartReplyBody,
  MultipartRequestBody,
  OfMessage,
  PortDesc,
  PortStats,
  RawOxm,
  SwitchDesc,
  TableStats,
} from '../../src/openflow/model.js';
import { OFPG_ANY, OFPVID_NONE, OFPVID_PRESENT } from '../../src/openflow/model.js';

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
export const mac = fc.integer({ min: 0, max: 0xffffffffffff });
export const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
export const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const nameChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.'.split(''));
export const fixedString = (maxLength: number) => fc.string({ unit: nameChars, maxLength });
/** A port number that has a 1.0 encoding: a physical port or a reserved one. */
export const port10 = fc.oneof(
  fc.integer({ min: 0, max: 0xfeff }),
  fc.integer({ min: 0xffffff00, max: 0xffffffff }),
);
/** A prefix mask other than /0 and /32 (those decode as "no field" and "no mask" in 1.0). */
export const prefixMask = fc.integer({ min: 1, max: 31 }).map((p) => (0xffffffff << (32 - p)) >>> 0);

function withoutUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

// ---------------------------------------------------------------------------------------------------
// 1.3

const FIELD_ARB_13: Record<string, fc.Arbitrary<unknown>> = {
  inPort: u32,
  inPhyPort: u32,
  metadata: u64,
  ethDst: mac,
  ethSrc: mac,
  ethType: u16,
  vlanVid: u16,
  vlanPcp: u8,
  ipDscp: u8,
  ipEcn: u8,
  ipProto: u8,
  ipv4Src: u32,
  ipv4Dst: u32,
  tcpSrc: u16,
  tcpDst: u16,
  udpSrc: u16,
  udpDst: u16,
  icmpv4Type: u8,
  icmpv4Code: u8,
  arpOp: u16,
  arpSpa: u32,
  arpTpa: u32,
  arpSha: mac,
  arpTha: mac,
  ipv6Src: ipv6,
  ipv6Dst: ipv6,
};
const MASKABLE_13 = [
  'metadata',
  'ethDst',
  'ethSrc',
  'vlanVid',
  'ipv4Src',
  'ipv4Dst',
  'arpSpa',
  'arpTpa',
  'arpSha',
  'arpTha',
  'ipv6Src',
  'ipv6Dst',
];

const rawOxm: fc.Arbitrary<RawOxm> = fc
  .record({
    oxmClass: fc.constantFrom(0x0000, 0x0001, 0xffff),
    field: fc.integer({ min: 0, max: 0x7f }),
    hasMask: fc.boolean(),
    half: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  })
  .map(({ oxmClass, field, hasMask, half }) => ({
    oxmClass,
    field,
    hasMask,
    payload: Buffer.from(hasMask ? [...half, ...half] : [...half]),
  }));

export const match13: fc.Arbitrary<Match> = fc
  .record(
    {
      ...FIELD_ARB_13,
      ...Object.fromEntries(MASKABLE_13.map((k) => [`${k}Mask`, FIELD_ARB_13[k] as fc.Arbitrary<unknown>])),
      otherOxm: fc.array(rawOxm, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  )
  .map((m) => {
    const r = m as Record<string, unknown>;
    for (const k of MASKABLE_13) if (r[k] === undefined) delete r[`${k}Mask`];
    return withoutUndefined(r) as Match;
  });

const setField13: fc.Arbitrary<Action> = fc
  .constantFrom(...Object.keys(FIELD_ARB_13))
  .chain((field) =>
    (FIELD_ARB_13[field] as fc.Arbitrary<unknown>).map(
      (value) => ({ type: 'setField', field, value }) as Action,
    ),
  );

const otherAction = (known: readonly number[]): fc.Arbitrary<Action> =>
  fc.record({
    type: fc.constant('other' as const),
    actionType: u16.filter((t) => !known.includes(t)),
    body: fc
      .constantFrom(4, 12, 20)
      .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a))),
  });

export const action13: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('output' as const), port: u32, maxLen: u16 }),
  setField13,
  fc.record({ type: fc.constant('pushVlan' as const), ethType: u16 }),
  fc.constant({ type: 'popVlan' as const }),
  fc.record({ type: fc.constant('group' as const), groupId: u32 }),
  fc.record({ type: fc.constant('setQueue' as const), queueId: u32 }),
  fc.constant({ type: 'decNwTtl' as const }),
  otherAction([0, 17, 18, 21, 22, 24, 25]),
);
export const actions13 = fc.array(action13, { maxLength: 5 });

export const instruction13: fc.Arbitrary<Instruction> = fc.oneof(
  fc.record({ type: fc.constant('gotoTable' as const), tableId: u8 }),
  fc.record({ type: fc.constant('writeMetadata' as const), metadata: u64, metadataMask: u64 }),
  fc.record({ type: fc.constant('writeActions' as const), actions: actions13 }),
  fc.record({ type: fc.constant('applyActions' as const), actions: actions13 }),
  fc.constant({ type: 'clearActions' as const }),
  fc.record({ type: fc.constant('meter' as const), meterId: u32 }),
);
export const instructions13 = fc.array(instruction13, { maxLength: 4 });

export const port13: fc.Arbitrary<PortDesc> = fc.record({
  portNo: u32,
  hwAddr: mac,
  name: fixedString(16),
  config: u32,
  state: u32,
  curr: u32,
  advertised: u32,
  supported: u32,
  peer: u32,
  currSpeed: u32,
  maxSpeed: u32,
});

const counters = {
  rxPackets: u64,
  txPackets: u64,
  rxBytes: u64,
  txBytes: u64,
  rxDropped: u64,
  txDropped: u64,
  rxErrors: u64,
  txErrors: u64,
  rxFrameErr: u64,
  rxOverErr: u64,
  rxCrcErr: u64,
  collisions: u64,
};

const portStats13: fc.Arbitrary<PortStats> = fc.record({
  portNo: u32,
  ...counters,
  durationSec: u32,
  durationNsec: u32,
});

const desc: fc.Arbitrary<SwitchDesc> = fc.record({
  mfrDesc: fixedString(256),
  hwDesc: fixedString(40),
  swDesc: fixedString(40),
  serialNum: fixedString(32),
  dpDesc: fixedString(40),
});

const flowStatsRequest13: fc.Arbitrary<FlowStatsRequestBody> = fc.record({
  tableId: u8,
  outPort: u32,
  outGroup: u32,
  cookie: u64,
  cookieMask: u64,
  match: match13,
});

const KNOWN_MP = [0, 1, 2, 3, 4, 13];
const otherMp = u16.filter((t) => !KNOWN_MP.includes(t));

const mpRequest13: fc.Arbitrary<MultipartRequestBody> = fc.oneof(
  fc.constant({ kind: 'desc' as const }),
  flowStatsRequest13.map((b) => ({ kind: 'flow' as const, ...b })),
  flowStatsRequest13.map((b) => ({ kind: 'aggregate' as const, ...b })),
  fc.constant({ kind: 'table' as const }),
  fc.record({ kind: fc.constant('port' as const), portNo: u32 }),
  fc.constant({ kind: 'portDesc' as const }),
  fc.record({ kind: fc.constant('other' as const), multipartType: otherMp, body: bytes(24) }),
);

const flowStats13: fc.Arbitrary<FlowStats> = fc.record({
  tableId: u8,
  durationSec: u32,
  durationNsec: u32,
  priority: u16,
  idleTimeout: u16,
  hardTimeout: u16,
  flags: u16,
  cookie: u64,
  packetCount: u64,
  byteCount: u64,
  match: match13,
  instructions: instructions13,
});

const tableStats13: fc.Arbitrary<TableStats> = fc.record({
  tableId: u8,
  activeCount: u32,
  lookupCount: u64,
  matchedCount: u64,
  name: fc.constant(''),
  wildcards: fc.constant(0),
  maxEntries: fc.constant(0),
});

const mpReply13: fc.Arbitrary<MultipartReplyBody> = fc.oneof(
  desc.map((d) => ({ kind: 'desc' as const, desc: d })),
  fc.array(flowStats13, { maxLength: 3 }).map((flows) => ({ kind: 'flow' as const, flows })),
  fc
    .record({ packetCount: u64, byteCount: u64, flowCount: u32 })
    .map((stats) => ({ kind: 'aggregate' as const, stats })),
  fc.array(tableStats13, { maxLength: 4 }).map((tables) => ({ kind: 'table' as const, tables })),
  fc.array(portStats13, { maxLength: 4 }).map((ports) => ({ kind: 'port' as const, ports })),
  fc.array(port13, { maxLength: 4 }).map((ports) => ({ kind: 'portDesc' as const, ports })),
  fc.record({ kind: fc.constant('other' as const), multipartType: otherMp, body: bytes(24) }),
);

const versionSet = fc
  .uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 6 })
  .map((v) => v.sort((a, b) => a - b));

function common(dataLen: number) {
  return [
    fc.record({ type: fc.constant('hello' as const), versions: versionSet }),
    fc.constant({ type: 'hello' as const }),
    fc.record({ type: fc.constant('error' as const), errType: u16, code: u16, data: bytes(dataLen) }),
    fc.record({ type: fc.constant('echoRequest' as const), data: bytes(dataLen) }),
    fc.record({ type: fc.constant('echoReply' as const), data: bytes(dataLen) }),
    fc.constant({ type: 'featuresRequest' as const }),
    fc.constant({ type: 'getConfigRequest' as const }),
    fc.record({ type: fc.constant('getConfigReply' as const), flags: u16, missSendLen: u16 }),
    fc.record({ type: fc.constant('setConfig' as const), flags: u16, missSendLen: u16 }),
    fc.constant({ type: 'barrierRequest' as const }),
    fc.constant({ type: 'barrierReply' as const }),
  ] as fc.Arbitrary<OfMessage>[];
}

const command = fc.constantFrom('add', 'modify', 'modifyStrict', 'delete', 'deleteStrict' as const);

export const flowMod13: fc.Arbitrary<FlowMod> = fc.record({
  type: fc.constant('flowMod' as const),
  command,
  cookie: u64,
  cookieMask: u64,
  tableId: u8,
  idleTimeout: u16,
  hardTimeout: u16,
  priority: u16,
  bufferId: u32,
  outPort: u32,
  outGroup: u32,
  flags: u16,
  match: match13,
  instructions: instructions13,
});

export const message13: fc.Arbitrary<OfMessage> = fc.oneof(
  ...common(64),
  fc.record({ type: fc.constant('experimenter' as const), experimenter: u32, expType: u32, data: bytes(32) }),
  fc.record({
    type: fc.constant('featuresReply' as const),
    datapathId: u64,
    nBuffers: u32,
    nTables: u8,
    auxiliaryId: u8,
    capabilities: u32,
    actions: u32,
    ports: fc.constant([] as PortDesc[]),
  }),
  fc
    .record({
      bufferId: u32,
      totalLen: u16,
      reason: u8,
      tableId: u8,
      cookie: u64,
      inPort: u32,
      match: match13,
      data: bytes(100),
    })
    .map((p) => ({ type: 'packetIn' as const, ...p, match: { ...p.match, inPort: p.inPort } })),
  fc.record({
    type: fc.constant('flowRemoved' as const),
    cookie: u64,
    priority: u16,
    reason: u8,
    tableId: u8,
    durationSec: u32,
    durationNsec: u32,
    idleTimeout: u16,
    hardTimeout: u16,
    packetCount: u64,
    byteCount: u64,
    match: match13,
  }),
  fc.record({ type: fc.constant('portStatus' as const), reason: u8, port: port13 }),
  fc.record({
    type: fc.constant('packetOut' as const),
    bufferId: u32,
    inPort: u32,
    actions: actions13,
    data: bytes(100),
  }),
  flowMod13,
  fc.record({
    type: fc.constantFrom('roleRequest' as const, 'roleReply' as const),
    role: u32,
    generationId: u64,
  }),
  fc.record({ type: fc.constant('multipartRequest' as const), flags: u16, body: mpRequest13 }),
  fc.record({ type: fc.constant('multipartReply' as const), flags: u16, body: mpReply13 }),
);

// ---------------------------------------------------------------------------------------------------
// 1.0

const transport10 = fc.oneof(
  fc.record({ ipProto: fc.constant(6), tcpSrc: u16, tcpDst: u16 }, { requiredKeys: ['ipProto'] }),
  fc.record({ ipProto: fc.constant(17), udpSrc: u16, udpDst: u16 }, { requiredKeys: ['ipProto'] }),
  fc.record({ ipProto: fc.constant(1), icmpv4Type: u8, icmpv4Code: u8 }, { requiredKeys: ['ipProto'] }),
  fc.record({ ipProto: u8 }, { requiredKeys: [] }),
);

const network10 = fc.oneof(
  fc.constant({}),
  fc
    .record(
      {
        ethType: u16.filter((t) => t !== 0x0806),
        ipv4Src: u32,
        ipv4SrcMask: prefixMask,
        ipv4Dst: u32,
        ipv4DstMask: prefixMask,
        ipDscp: fc.integer({ min: 0, max: 63 }),
        t: transport10,
      },
      { requiredKeys: ['t'] },
    )
    .map(({ t, ...rest }) => {
      const r: Record<string, unknown> = { ...rest, ...t };
      if (r.ipv4Src === undefined) delete r.ipv4SrcMask;
      if (r.ipv4Dst === undefined) delete r.ipv4DstMask;
      return r;
    }),
  fc
    .record(
      {
        arpOp: u8,
        arpSpa: u32,
        arpSpaMask: prefixMask,
        arpTpa: u32,
        arpTpaMask: prefixMask,
        ipDscp: fc.integer({ min: 0, max: 63 }),
      },
      { requiredKeys: [] },
    )
    .map((r: Record<string, unknown>) => {
      if (r.arpSpa === undefined) delete r.arpSpaMask;
      if (r.arpTpa === undefined) delete r.arpTpaMask;
      return { ...r, ethType: 0x0806 };
    }),
);

export const match10: fc.Arbitrary<Match> = fc
  .record(
    {
      inPort: port10,
      ethSrc: mac,
      ethDst: mac,
      vlanVid: fc.oneof(
        fc.constant(OFPVID_NONE),
        fc.integer({ min: 0, max: 0xfff }).map((v) => OFPVID_PRESENT | v),
      ),
      vlanPcp: u8,
      nw: network10,
    },
    { requiredKeys: ['nw'] },
  )
  .map(({ nw, ...rest }) => withoutUndefined({ ...rest, ...(nw as object) }) as Match);

const setField10: fc.Arbitrary<Action> = fc
  .oneof(
    fc.record({ field: fc.constantFrom('ethSrc' as const, 'ethDst' as const), value: mac }),
    fc.record({
      field: fc.constant('vlanVid' as const),
      value: fc.integer({ min: 0, max: 0xfff }).map((v) => OFPVID_PRESENT | v),
    }),
    fc.record({ field: fc.constant('vlanPcp' as const), value: u8 }),
    fc.record({ field: fc.constantFrom('ipv4Src' as const, 'ipv4Dst' as const), value: u32 }),
    fc.record({ field: fc.constant('ipDscp' as const), value: fc.integer({ min: 0, max: 63 }) }),
    fc.record({ field: fc.constantFrom('tcpSrc' as const, 'tcpDst' as const), value: u16 }),
  )
  .map((f) => ({ type: 'setField', ...f }) as Action);

export const action10: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('output' as const), port: port10, maxLen: u16 }),
  setField10,
  fc.constant({ type: 'popVlan' as const }),
  fc.record({ type: fc.constant('enqueue' as const), port: port10, queueId: u32 }),
  otherAction([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
);
export const actions10 = fc.array(action10, { maxLength: 5 });
export const instructions10: fc.Arbitrary<Instruction[]> = fc
  .array(action10, { minLength: 1, maxLength: 5 })
  .chain((actions) => fc.constantFrom([] as Instruction[], [{ type: 'applyActions' as const, actions }]));

export const port10Desc: fc.Arbitrary<PortDesc> = fc.record({
  portNo: port10,
  hwAddr: mac,
  name: fixedString(16),
  config: u32,
  state: u32,
  curr: u32,
  advertised: u32,
  supported: u32,
  peer: u32,
  currSpeed: fc.constant(0),
  maxSpeed: fc.constant(0),
});

const portStats10: fc.Arbitrary<PortStats> = fc.record({
  portNo: port10,
  ...counters,
  durationSec: fc.constant(0),
  durationNsec: fc.constant(0),
});

const flowStatsRequest10: fc.Arbitrary<FlowStatsRequestBody> = fc.record({
  tableId: u8,
  outPort: port10,
  outGroup: fc.constant(OFPG_ANY),
  cookie: fc.constant(0n),
  cookieMask: fc.constant(0n),
  match: match10,
});

const mpRequest10: fc.Arbitrary<MultipartRequestBody> = fc.oneof(
  fc.constant({ kind: 'desc' as const }),
  flowStatsRequest10.map((b) => ({ kind: 'flow' as const, ...b })),
  flowStatsRequest10.map((b) => ({ kind: 'aggregate' as const, ...b })),
  fc.constant({ kind: 'table' as const }),
  fc.record({ kind: fc.constant('port' as const), portNo: port10 }),
  fc.constant({ kind: 'portDesc' as const }),
  fc.record({ kind: fc.constant('other' as const), multipartType: otherMp, body: bytes(24) }),
);

const flowStats10: fc.Arbitrary<FlowStats> = fc.record({
  tableId: u8,
  durationSec: u32,
  durationNsec: u32,
  priority: u16,
  idleTimeout: u16,
  hardTimeout: u16,
  flags: fc.constant(0),
  cookie: u64,
  packetCount: u64,
  byteCount: u64,
  match: match10,
  instructions: instructions10,
});

const tableStats10: fc.Arbitrary<TableStats> = fc.record({
  tableId: u8,
  activeCount: u32,
  lookupCount: u64,
  matchedCount: u64,
  name: fixedString(32),
  wildcards: u32,
  maxEntries: u32,
});

const mpReply10: fc.Arbitrary<MultipartReplyBody> = fc.oneof(
  desc.map((d) => ({ kind: 'desc' as const, desc: d })),
  fc.array(flowStats10, { maxLength: 3 }).map((flows) => ({ kind: 'flow' as const, flows })),
  fc
    .record({ packetCount: u64, byteCount: u64, flowCount: u32 })
    .map((stats) => ({ kind: 'aggregate' as const, stats })),
  fc.array(tableStats10, { maxLength: 4 }).map((tables) => ({ kind: 'table' as const, tables })),
  fc.array(portStats10, { maxLength: 4 }).map((ports) => ({ kind: 'port' as const, ports })),
  fc.array(port10Desc, { maxLength: 4 }).map((ports) => ({ kind: 'portDesc' as const, ports })),
  fc.record({ kind: fc.constant('other' as const), multipartType: otherMp, body: bytes(24) }),
);

export const message10: fc.Arbitrary<OfMessage> = fc.oneof(
  ...common(64),
  fc.record({
    type: fc.constant('experimenter' as const),
    experimenter: u32,
    expType: fc.constant(0),
    data: bytes(32),
  }),
  fc.record({
    type: fc.constant('featuresReply' as const),
    datapathId: u64,
    nBuffers: u32,
    nTables: u8,
    auxiliaryId: fc.constant(0),
    capabilities: u32,
    actions: u32,
    ports: fc.array(port10Desc, { maxLength: 4 }),
  }),
  fc
    .record({ bufferId: u32, totalLen: u16, reason: u8, inPort: port10, data: bytes(100) })
    .map((p) => ({ type: 'packetIn' as const, ...p, tableId: 0, cookie: 0n, match: { inPort: p.inPort } })),
  fc.record({
    type: fc.constant('flowRemoved' as const),
    cookie: u64,
    priority: u16,
    reason: u8,
    tableId: fc.constant(0),
    durationSec: u32,
    durationNsec: u32,
    idleTimeout: u16,
    hardTimeout: fc.constant(0),
    packetCount: u64,
    byteCount: u64,
    match: match10,
  }),
  fc.record({ type: fc.constant('portStatus' as const), reason: u8, port: port10Desc }),
  fc.record({
    type: fc.constant('packetOut' as const),
    bufferId: u32,
    inPort: port10,
    actions: actions10,
    data: bytes(100),
  }),
  fc.record({
    type: fc.constant('flowMod' as const),
    command,
    cookie: u64,
    cookieMask: fc.constant(0n),
    tableId: fc.constant(0),
    idleTimeout: u16,
    hardTimeout: u16,
    priority: u16,
    bufferId: u32,
    outPort: port10,
    outGroup: fc.constant(OFPG_ANY),
    flags: u16,
    match: match10,
    instructions: instructions10,
  }),
  fc.record({ type: fc.constant('multipartRequest' as const), flags: u16, body: mpRequest10 }),
  fc.record({ type: fc.constant('multipartReply' as const), flags: u16, body: mpReply10 }),
);
