// What the API consumes. The API knows no controller, collector or balancer class: `vigil up` hands it
// objects with these shapes, and a route whose provider is absent answers 503.

export { ServiceError, type BalancerService } from '../balancer/service.js';
import type { Datapath, FlowEntry } from './schemas/switches.js';
import type { TrafficFlow, VmTraffic } from './schemas/traffic.js';

/** The switches connected to the controller. */
export interface SwitchView {
  datapaths(): Promise<Datapath[]>;
  /** One datapath by its canonical id (16 lowercase hex digits); undefined when not connected. */
  datapath(datapathId: string): Promise<Datapath | undefined>;
  /** The datapath's flow entries (from a flow stats request); undefined when not connected. */
  flowTable(datapathId: string): Promise<FlowEntry[] | undefined>;
}

/** Traffic estimated from sFlow samples. */
export interface TrafficView {
  /** Seconds the rates are computed over. */
  readonly windowSeconds: number;
  topFlows(opts: { limit: number; by: 'bytes' | 'packets' }): Promise<TrafficFlow[]>;
  vmTraffic(): Promise<VmTraffic[]>;
}

/** Per-host libvirt polling figures. */
export interface LibvirtPollFigures {
  host: string;
  polls: number;
  errors: number;
  /** Sum of the durations of every poll, in seconds. */
  durationSecondsTotal: number;
  lastDurationSeconds?: number;
  connected: boolean;
}

/** Counters of the controller, collector and monitor, all monotonic since start unless noted. */
export interface Internals {
  controller?: {
    switchesConnected: number;
    packetIns: number;
    packetOuts: number;
    flowMods: number;
    errorsReceived: number;
    /** Packet-ins and flow-removed messages that never reached the apps, by reason. */
    droppedMessages?: Record<string, number>;
  };
  collector?: {
    datagrams: number;
    flowSamples: number;
    counterSamples: number;
    /** Datagrams dropped, by reason (decode_error, unknown_agent, too_large, ...). */
    drops: Record<string, number>;
  };
  monitor?: { hosts: LibvirtPollFigures[] };
}

export interface InternalsView {
  internals(): Internals;
}
