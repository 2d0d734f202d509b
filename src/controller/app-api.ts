// The contract between the controller and its apps. Apps see version-neutral OpenFlow (the codec's
// model) and decoded packet headers; they never see a socket, an xid or a wire version.

import type {
  FlowMod,
  FlowRemoved,
  FlowStats,
  Match,
  MultipartReplyBody,
  MultipartRequestBody,
  OfVersion,
  PacketIn,
  PacketOut,
  PortDesc,
  PortStatus,
} from '../openflow/index.js';
import type { DecodedPacket } from '../net/packet.js';
import type { PacketError } from '../net/packet-error.js';

/** A message an app (or a pure policy) wants sent to one switch. */
export interface SwitchMessage {
  datapathId: bigint;
  message: FlowMod | PacketOut;
}

export interface DatapathInfo {
  datapathId: bigint;
  version: OfVersion;
  /** Ports by number, as the switch last described them. */
  ports: ReadonlyMap<number, PortDesc>;
  /** Remote address of the switch's OpenFlow connection. */
  peer: string;
  /** When the switch connected, in milliseconds since the epoch (wall clock, not the monotonic clock). */
  connectedAt: number;
}

/** A discovered inter-switch link, one direction: frames sent out of (src, srcPort) arrive at (dst, dstPort). */
export interface SwitchLink {
  src: bigint;
  srcPort: number;
  dst: bigint;
  dstPort: number;
}

export interface PacketInEvent {
  datapathId: bigint;
  version: OfVersion;
  inPort: number;
  msg: PacketIn;
  /** The message's buffer id and frame (msg.bufferId and msg.data). */
  readonly bufferId: number;
  readonly data: Buffer;
  /** The frame's headers, decoded once for all apps (a PacketError when even Ethernet is missing). */
  readonly packet: DecodedPacket | PacketError;
  /** Monotonic milliseconds when the packet-in arrived. */
  now: number;
}

export interface FlowRemovedEvent {
  datapathId: bigint;
  msg: FlowRemoved;
  now: number;
}

/** A statistics poll read every flow of one switch. */
export interface FlowStatsEvent {
  datapathId: bigint;
  flows: readonly FlowStats[];
  now: number;
}

export interface PortStatusEvent {
  datapathId: bigint;
  msg: PortStatus;
  now: number;
}

/** What a packet-in handler returns: 'stop' when it consumed the packet, so later apps do not see it. */
export type PacketInVerdict = 'stop' | 'continue';

/** The controller as apps see it. Sending to a switch that is gone is a no-op that returns false. */
export interface ControllerApi {
  send(m: SwitchMessage): boolean;
  sendAll(ms: readonly SwitchMessage[]): void;
  /** Deletes flows matching `match` whose cookie matches cookie/cookieMask (the mask is 1.3 only). */
  deleteFlows(
    datapathId: bigint,
    opts: { match?: Match; cookie: bigint; cookieMask: bigint; priority?: number },
  ): boolean;
  /** Sends a statistics request and resolves with the reply bodies (all parts of a multipart reply). */
  requestStats(datapathId: bigint, body: MultipartRequestBody): Promise<MultipartReplyBody[]>;
  /** Resolves when the switch has processed every message sent to it before (OFPT_BARRIER). */
  barrier(datapathId: bigint): Promise<void>;
  datapath(datapathId: bigint): DatapathInfo | undefined;
  datapaths(): Iterable<DatapathInfo>;
  /** Where frames may be flooded on this switch: undefined = all ports (OFPP_FLOOD is loop-free). */
  floodPorts(datapathId: bigint, inPort: number): readonly number[] | undefined;
  /** False for an inter-switch port that the spanning tree blocks: frames arriving there are dropped. */
  acceptsFrom(datapathId: bigint, inPort: number): boolean;
  links(): readonly SwitchLink[];
}

/**
 * A controller app. Handlers are thin: find the state, call the pure policy, send what it returns.
 * Packet-in handlers are called in ascending `order` until one returns 'stop'.
 */
export interface ControllerApp {
  readonly name: string;
  /** Packet-in dispatch order: lower first (discovery 10, ARP responder 20, load balancer 30, L2 100). */
  readonly order: number;
  start?(api: ControllerApi): void;
  stop?(): void;
  onSwitchUp?(dp: DatapathInfo): void;
  onSwitchDown?(datapathId: bigint): void;
  onPacketIn?(ev: PacketInEvent): PacketInVerdict;
  onFlowRemoved?(ev: FlowRemovedEvent): void;
  /** After every flow statistics poll of a switch (controller.statsIntervalSeconds). */
  onFlowStats?(ev: FlowStatsEvent): void;
  onPortStatus?(ev: PortStatusEvent): void;
  onLinksChanged?(links: readonly SwitchLink[]): void;
}
