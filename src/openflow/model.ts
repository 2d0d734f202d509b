// The version-neutral OpenFlow model: one set of types for OpenFlow 1.0 (wire version 0x01) and 1.3
// (wire version 0x04). Apps and the controller speak this model; of10/ and of13/ map it to and from the
// wire. Where the two versions differ, a field documents what the other version does with it.
//
// Value conventions:
// - MAC addresses are 48-bit unsigned integers (0xaabbccddeeff), exact in a JS number. Use `parseMac` /
//   `formatMac` from src/net/mac-address.ts to go to and from "aa:bb:cc:dd:ee:ff".
// - IPv4 addresses and masks are 32-bit unsigned integers (`parseIpv4` / `formatIpv4` from
//   src/net/ipv4-address.ts).
// - IPv6 addresses and masks are 16-byte Buffers (`parseIpv6` / `formatIpv6` from src/net/ipv6-address.ts).
// - 64-bit fields (cookie, datapath id, metadata, counters) are bigint.
// - Port numbers are always in the 32-bit OpenFlow 1.3 space: OFPP.CONTROLLER is 0xfffffffd in both
//   versions; the 1.0 codec maps the 16-bit reserved ports (0xff00..0xffff) to and from it.
// - VLAN ids use the OpenFlow 1.3 convention in both versions: OFPVID_PRESENT | vid for a tagged packet,
//   OFPVID_NONE (0) for an untagged one. The 1.0 codec maps these to dl_vlan vid / 0xffff.
// - Decoded binary fields (packet data, echo data) are views into the received buffer, never copies.

/** OpenFlow wire versions this codec speaks. */
export const OFP_VERSION_10 = 0x01;
export const OFP_VERSION_13 = 0x04;
export type OfVersion = typeof OFP_VERSION_10 | typeof OFP_VERSION_13;
export const SUPPORTED_VERSIONS: readonly OfVersion[] = [OFP_VERSION_10, OFP_VERSION_13];

/** Reserved port numbers (OF1.3 spec 7.2.1; the 1.0 values are these minus 0xffff0000). */
export const OFPP = {
  MAX: 0xffffff00,
  IN_PORT: 0xfffffff8,
  TABLE: 0xfffffff9,
  NORMAL: 0xfffffffa,
  FLOOD: 0xfffffffb,
  ALL: 0xfffffffc,
  CONTROLLER: 0xfffffffd,
  LOCAL: 0xfffffffe,
  /** OFPP_ANY in 1.3, OFPP_NONE in 1.0: "no port" / wildcard port in deletes and stats requests. */
  ANY: 0xffffffff,
} as const;

/** OFPG_ANY: wildcard group in flow deletes and stats requests (1.3). */
export const OFPG_ANY = 0xffffffff;
/** OFPTT_ALL: all tables in flow deletes and stats requests (1.3; 1.0 uses 0xff too). */
export const OFPTT_ALL = 0xff;
/** OFP_NO_BUFFER: the packet is not buffered on the switch. */
export const OFP_NO_BUFFER = 0xffffffff;
/** OFPCML_NO_BUFFER: output to controller sends the whole packet. */
export const OFPCML_NO_BUFFER = 0xffff;
export const OFPVID_PRESENT = 0x1000;
export const OFPVID_NONE = 0x0000;

/** Flow-mod flags (OFPFF_*). 1.0 has SEND_FLOW_REM, CHECK_OVERLAP and EMERG (4) only. */
export const OFPFF = {
  SEND_FLOW_REM: 1 << 0,
  CHECK_OVERLAP: 1 << 1,
  RESET_COUNTS: 1 << 2,
  NO_PKT_COUNTS: 1 << 3,
  NO_BYT_COUNTS: 1 << 4,
} as const;

/** Packet-in reasons (OFPR_*; NO_MATCH and ACTION are the same in both versions). */
export const OFPR = { NO_MATCH: 0, ACTION: 1, INVALID_TTL: 2 } as const;
/** Flow-removed reasons (OFPRR_*). GROUP_DELETE is 1.3 only. */
export const OFPRR = { IDLE_TIMEOUT: 0, HARD_TIMEOUT: 1, DELETE: 2, GROUP_DELETE: 3 } as const;
/** Port-status reasons (OFPPR_*). */
export const OFPPR = { ADD: 0, DELETE: 1, MODIFY: 2 } as const;
/** Port config bits (OFPPC_*), same positions in both versions. */
export const OFPPC = { PORT_DOWN: 1, NO_RECV: 4, NO_FWD: 32, NO_PACKET_IN: 64 } as const;
/** Port state bits (OFPPS_*). LINK_DOWN is bit 0 in both versions. */
export const OFPPS = { LINK_DOWN: 1, BLOCKED: 2, LIVE: 4 } as const;
/** Switch config flags (OFPC_FRAG_*). */
export const OFPC_FRAG = { NORMAL: 0, DROP: 1, REASM: 2, MASK: 3 } as const;
/** Controller roles (OFPCR_ROLE_*; 1.3 only). */
export const OFPCR_ROLE = { NOCHANGE: 0, EQUAL: 1, MASTER: 2, SLAVE: 3 } as const;
/** Multipart request/reply flag: more parts follow. */
export const OFPMPF_MORE = 1;

/** Error types (OFPET_*) of 1.3; 1.0 uses the same numbers for HELLO_FAILED..PORT_MOD_FAILED. */
export const OFPET = {
  HELLO_FAILED: 0,
  BAD_REQUEST: 1,
  BAD_ACTION: 2,
  BAD_INSTRUCTION: 3,
  BAD_MATCH: 4,
  FLOW_MOD_FAILED: 5,
  GROUP_MOD_FAILED: 6,
  PORT_MOD_FAILED: 7,
  TABLE_MOD_FAILED: 8,
  QUEUE_OP_FAILED: 9,
  SWITCH_CONFIG_FAILED: 10,
  ROLE_REQUEST_FAILED: 11,
  METER_MOD_FAILED: 12,
  TABLE_FEATURES_FAILED: 13,
  EXPERIMENTER: 0xffff,
} as const;
/** OFPHFC_INCOMPATIBLE and OFPBRC_BAD_VERSION / BAD_TYPE / BAD_LEN: the codes a session answers with. */
export const OFPHFC_INCOMPATIBLE = 0;
export const OFPBRC = { BAD_VERSION: 0, BAD_TYPE: 1, BAD_MULTIPART: 2, BAD_LEN: 6 } as const;

// ---------------------------------------------------------------------------------------------------
// Match

/**
 * A flow match. An absent field is wildcarded. `...Mask` fields are optional bit masks (1 = bit must
 * match); a field with no mask is matched exactly.
 *
 * OpenFlow 1.0 can express: inPort, ethSrc, ethDst, ethType, vlanVid (no mask), vlanPcp, ipDscp,
 * ipProto, ipv4Src/ipv4Dst with prefix masks (0xffffff00 style), tcp/udp ports, icmpv4 type/code,
 * arpOp and arpSpa/arpTpa (with prefix masks). Anything else makes the 1.0 encoder throw OfEncodeError.
 * 1.0 keeps tcp/udp/icmp ports in the same tp_src/tp_dst slots: the decoder names them from ipProto.
 */
export interface Match {
  inPort?: number;
  inPhyPort?: number;
  metadata?: bigint;
  metadataMask?: bigint;
  ethDst?: number;
  ethDstMask?: number;
  ethSrc?: number;
  ethSrcMask?: number;
  ethType?: number;
  /** OFPVID_PRESENT | vid, or OFPVID_NONE for untagged. */
  vlanVid?: number;
  vlanVidMask?: number;
  vlanPcp?: number;
  /** 6-bit DSCP (1.0 nw_tos holds it shifted left by 2). */
  ipDscp?: number;
  ipEcn?: number;
  ipProto?: number;
  ipv4Src?: number;
  ipv4SrcMask?: number;
  ipv4Dst?: number;
  ipv4DstMask?: number;
  tcpSrc?: number;
  tcpDst?: number;
  udpSrc?: number;
  udpDst?: number;
  icmpv4Type?: number;
  icmpv4Code?: number;
  arpOp?: number;
  arpSpa?: number;
  arpSpaMask?: number;
  arpTpa?: number;
  arpTpaMask?: number;
  arpSha?: number;
  arpShaMask?: number;
  arpTha?: number;
  arpThaMask?: number;
  ipv6Src?: Buffer;
  ipv6SrcMask?: Buffer;
  ipv6Dst?: Buffer;
  ipv6DstMask?: Buffer;
  /**
   * OXM TLVs this codec does not model (other classes such as Nicira registers, or other basic fields),
   * kept verbatim so that a decoded match re-encodes to the same bytes. 1.3 only.
   */
  otherOxm?: RawOxm[];
}

export interface RawOxm {
  oxmClass: number;
  field: number;
  hasMask: boolean;
  /** Value followed by mask when hasMask. */
  payload: Buffer;
}

/** Match fields that carry a value (masks excluded): the fields a set-field action can write. */
export type MatchFieldName = Exclude<keyof Match, `${string}Mask` | 'otherOxm'>;

// ---------------------------------------------------------------------------------------------------
// Actions and instructions

export interface OutputAction {
  type: 'output';
  /** A port number or one of OFPP (CONTROLLER, FLOOD, IN_PORT, LOCAL, ALL, NORMAL, TABLE). */
  port: number;
  /** Bytes of the packet sent to the controller (OFPCML_NO_BUFFER = whole packet; builders.output's default). */
  maxLen: number;
}

/**
 * Set one header field. 1.3: OFPAT_SET_FIELD with one OXM. 1.0: the matching OFPAT_SET_* action
 * (ethSrc, ethDst, vlanVid, vlanPcp, ipv4Src, ipv4Dst, ipDscp, tcpSrc/tcpDst); udpSrc/udpDst are
 * written as SET_TP_SRC/DST and decode back as tcpSrc/tcpDst (1.0 has one action for both).
 */
export type SetFieldAction = {
  [K in MatchFieldName]: { type: 'setField'; field: K; value: NonNullable<Match[K]> };
}[MatchFieldName];

export interface PushVlanAction {
  type: 'pushVlan';
  /** 0x8100 or 0x88a8. 1.3 only (1.0 tags by setting vlanVid). */
  ethType: number;
}
export interface PopVlanAction {
  /** 1.3 OFPAT_POP_VLAN; 1.0 OFPAT_STRIP_VLAN. */
  type: 'popVlan';
}
export interface GroupAction {
  /** 1.3 only. */
  type: 'group';
  groupId: number;
}
export interface SetQueueAction {
  /** 1.3 only. */
  type: 'setQueue';
  queueId: number;
}
export interface EnqueueAction {
  /** 1.0 only (OFPAT_ENQUEUE: output to a queue of a port). */
  type: 'enqueue';
  port: number;
  queueId: number;
}
export interface DecNwTtlAction {
  /** 1.3 only. */
  type: 'decNwTtl';
}
export interface OtherAction {
  /** An action type this codec does not model (e.g. experimenter), kept verbatim. */
  type: 'other';
  actionType: number;
  /** Bytes after the 4-byte type/length header, padding included. */
  body: Buffer;
}

export type Action =
  | OutputAction
  | SetFieldAction
  | PushVlanAction
  | PopVlanAction
  | GroupAction
  | SetQueueAction
  | EnqueueAction
  | DecNwTtlAction
  | OtherAction;

/**
 * Flow instructions (1.3). OpenFlow 1.0 has a plain action list instead: the 1.0 codec accepts at most
 * one `applyActions` instruction, and decodes a 1.0 action list as `[applyActions]` (or `[]` for
 * drop), so apps build the same FlowMod for both versions.
 */
export type Instruction =
  | { type: 'gotoTable'; tableId: number }
  | { type: 'writeMetadata'; metadata: bigint; metadataMask: bigint }
  | { type: 'writeActions'; actions: Action[] }
  | { type: 'applyActions'; actions: Action[] }
  | { type: 'clearActions' }
  | { type: 'meter'; meterId: number };

// ---------------------------------------------------------------------------------------------------
// Ports

/** ofp_port (1.3, 64 bytes) / ofp_phy_port (1.0, 48 bytes). */
export interface PortDesc {
  portNo: number;
  hwAddr: number;
  /** Up to 15 bytes of ASCII. */
  name: string;
  config: number;
  state: number;
  curr: number;
  advertised: number;
  supported: number;
  peer: number;
  /** kbps; 1.3 only (0 in 1.0). */
  currSpeed: number;
  /** kbps; 1.3 only (0 in 1.0). */
  maxSpeed: number;
}

// ---------------------------------------------------------------------------------------------------
// Messages. The header's version and transaction id travel beside the message: DecodeResult carries
// them, and every encoder takes them as arguments (a session assigns xids, apps never do).

export type FlowModCommand = 'add' | 'modify' | 'modifyStrict' | 'delete' | 'deleteStrict';

export interface FlowMod {
  type: 'flowMod';
  command: FlowModCommand;
  cookie: bigint;
  /** 1.3 only (0n in 1.0). */
  cookieMask: bigint;
  /** 1.3 only (0 in 1.0). */
  tableId: number;
  idleTimeout: number;
  hardTimeout: number;
  priority: number;
  bufferId: number;
  /** For deletes; OFPP.ANY otherwise. */
  outPort: number;
  /** 1.3 only (OFPG_ANY in 1.0). */
  outGroup: number;
  flags: number;
  match: Match;
  instructions: Instruction[];
}

export interface PacketOut {
  type: 'packetOut';
  bufferId: number;
  inPort: number;
  actions: Action[];
  /** The frame to send when bufferId is OFP_NO_BUFFER (empty otherwise). */
  data: Buffer;
}

export interface PacketIn {
  type: 'packetIn';
  bufferId: number;
  totalLen: number;
  reason: number;
  /** 1.3 only (0 in 1.0). */
  tableId: number;
  /** 1.3 only (0n in 1.0). */
  cookie: bigint;
  /** Convenience copy of match.inPort (1.3) / the in_port field (1.0). */
  inPort: number;
  /** 1.3: the switch's pipeline fields (in_port and more). 1.0: { inPort }. */
  match: Match;
  data: Buffer;
}

export interface FlowRemoved {
  type: 'flowRemoved';
  cookie: bigint;
  priority: number;
  reason: number;
  /** 1.3 only (0 in 1.0). */
  tableId: number;
  durationSec: number;
  durationNsec: number;
  idleTimeout: number;
  /** 1.3 only (0 in 1.0). */
  hardTimeout: number;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
}

export interface PortStatus {
  type: 'portStatus';
  reason: number;
  port: PortDesc;
}

export interface Hello {
  type: 'hello';
  /**
   * Versions from the OFPHET_VERSIONBITMAP element (1.3), ascending; undefined when the HELLO has
   * no bitmap (as 1.0 peers send).
   */
  versions?: number[];
}

export interface ErrorMsg {
  type: 'error';
  errType: number;
  code: number;
  /** Usually the start of the offending request. */
  data: Buffer;
}

export interface EchoRequest {
  type: 'echoRequest';
  data: Buffer;
}
export interface EchoReply {
  type: 'echoReply';
  data: Buffer;
}

/** OFPT_EXPERIMENTER (1.3) / OFPT_VENDOR (1.0). 1.0 has no expType: it stays 0 and data follows the id. */
export interface Experimenter {
  type: 'experimenter';
  experimenter: number;
  expType: number;
  data: Buffer;
}

export interface FeaturesRequest {
  type: 'featuresRequest';
}

export interface FeaturesReply {
  type: 'featuresReply';
  datapathId: bigint;
  nBuffers: number;
  nTables: number;
  /** 1.3 only (0 in 1.0). */
  auxiliaryId: number;
  capabilities: number;
  /** 1.0: supported action bitmap. 0 in 1.3 (its reserved field). */
  actions: number;
  /** 1.0: the ports come here. 1.3: always [] (ask for port descriptions). */
  ports: PortDesc[];
}

export interface GetConfigRequest {
  type: 'getConfigRequest';
}
export interface GetConfigReply {
  type: 'getConfigReply';
  flags: number;
  missSendLen: number;
}
export interface SetConfig {
  type: 'setConfig';
  flags: number;
  missSendLen: number;
}

export interface BarrierRequest {
  type: 'barrierRequest';
}
export interface BarrierReply {
  type: 'barrierReply';
}

/** 1.3 only. */
export interface RoleRequest {
  type: 'roleRequest';
  role: number;
  generationId: bigint;
}
/** 1.3 only. */
export interface RoleReply {
  type: 'roleReply';
  role: number;
  generationId: bigint;
}

// Multipart (1.3) / stats (1.0)

export interface FlowStatsRequestBody {
  /** OFPTT_ALL for every table. */
  tableId: number;
  /** OFPP.ANY for no restriction. */
  outPort: number;
  /** 1.3 only (OFPG_ANY in 1.0). */
  outGroup: number;
  /** 1.3 only (0n in 1.0). */
  cookie: bigint;
  /** 1.3 only (0n in 1.0). */
  cookieMask: bigint;
  match: Match;
}

export type MultipartRequestBody =
  | { kind: 'desc' }
  | ({ kind: 'flow' } & FlowStatsRequestBody)
  | ({ kind: 'aggregate' } & FlowStatsRequestBody)
  | { kind: 'table' }
  | { kind: 'port'; /** OFPP.ANY for all ports. */ portNo: number }
  /** 1.0: Open vSwitch's stats type 13, the same number as 1.3's OFPMP_PORT_DESC. */
  | { kind: 'portDesc' }
  | { kind: 'other'; multipartType: number; body: Buffer };

export interface SwitchDesc {
  mfrDesc: string;
  hwDesc: string;
  swDesc: string;
  serialNum: string;
  dpDesc: string;
}

export interface FlowStats {
  tableId: number;
  durationSec: number;
  durationNsec: number;
  priority: number;
  idleTimeout: number;
  hardTimeout: number;
  /** 1.3 only (0 in 1.0). */
  flags: number;
  cookie: bigint;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
  instructions: Instruction[];
}

export interface AggregateStats {
  packetCount: bigint;
  byteCount: bigint;
  flowCount: number;
}

export interface PortStats {
  portNo: number;
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  rxFrameErr: bigint;
  rxOverErr: bigint;
  rxCrcErr: bigint;
  collisions: bigint;
  /** 1.3 only (0 in 1.0). */
  durationSec: number;
  /** 1.3 only (0 in 1.0). */
  durationNsec: number;
}

export interface TableStats {
  tableId: number;
  activeCount: number;
  lookupCount: bigint;
  matchedCount: bigint;
  /** 1.0 only ('' in 1.3). */
  name: string;
  /** 1.0 only (0 in 1.3). */
  wildcards: number;
  /** 1.0 only (0 in 1.3). */
  maxEntries: number;
}

export type MultipartReplyBody =
  | { kind: 'desc'; desc: SwitchDesc }
  | { kind: 'flow'; flows: FlowStats[] }
  | { kind: 'aggregate'; stats: AggregateStats }
  | { kind: 'table'; tables: TableStats[] }
  | { kind: 'port'; ports: PortStats[] }
  | { kind: 'portDesc'; ports: PortDesc[] }
  | { kind: 'other'; multipartType: number; body: Buffer };

export interface MultipartRequest {
  type: 'multipartRequest';
  flags: number;
  body: MultipartRequestBody;
}
export interface MultipartReply {
  type: 'multipartReply';
  /** OFPMPF_MORE: more replies with the same xid follow. */
  flags: number;
  body: MultipartReplyBody;
}

export type OfMessage =
  | Hello
  | ErrorMsg
  | EchoRequest
  | EchoReply
  | Experimenter
  | FeaturesRequest
  | FeaturesReply
  | GetConfigRequest
  | GetConfigReply
  | SetConfig
  | PacketIn
  | FlowRemoved
  | PortStatus
  | PacketOut
  | FlowMod
  | BarrierRequest
  | BarrierReply
  | RoleRequest
  | RoleReply
  | MultipartRequest
  | MultipartReply;

export type OfMessageType = OfMessage['type'];

/** Messages OpenFlow 1.0 can carry (no role request/reply). */
export type Of10Message = Exclude<OfMessage, RoleRequest | RoleReply>;
/** Messages OpenFlow 1.3 can carry. */
export type Of13Message = OfMessage;

// ---------------------------------------------------------------------------------------------------
// Decode results

export type OfDecodeErrorCode =
  /** Fewer bytes than the header's length, or a structure running past its container. */
  | 'truncated'
  /** A length field that is too small, not aligned, or inconsistent with its container. */
  | 'bad-length'
  /** A header version this codec does not speak. */
  | 'bad-version'
  /** An unknown message type for the version. */
  | 'bad-type'
  /** A known structure with an invalid value (e.g. an OXM field of the wrong size). */
  | 'malformed';

export interface OfDecodeError {
  code: OfDecodeErrorCode;
  message: string;
  /** Byte offset of the problem, relative to the start of the message. */
  offset: number;
  /** From the header, when at least 8 bytes were present (so a session can answer with OFPT_ERROR). */
  version?: number;
  msgType?: number;
  xid?: number;
}

export type DecodeResult =
  /**
   * `version` is the header's: always 1 or 4, except for a HELLO, which is decoded whatever its version
   * (a newer peer announces its bitmap in a HELLO of its own highest version).
   */
  { ok: true; version: number; xid: number; msg: OfMessage } | { ok: false; error: OfDecodeError };
