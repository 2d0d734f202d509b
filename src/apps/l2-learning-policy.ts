// L2 learning as a pure policy: (now, packet-in, state) -> flow-mods and packet-outs. No I/O, no clock.
// Each datapath has its own MAC table. A known unicast destination gets a flow entry (in_port, eth_src,
// eth_dst -> output) with an idle timeout; anything else is flooded by packet-out along the ports the
// topology allows.

import type { SwitchMessage } from '../controller/app-api.js';
import type { EthernetHeader } from '../net/ethernet.js';
import { ETH_TYPE_LLDP, NO_VLAN } from '../net/ethernet.js';
import { isGroupMac } from '../net/mac-address.js';
import { OFP_NO_BUFFER, OFPFF, OFPP, OFPVID_PRESENT, type Action, type Match } from '../openflow/model.js';
import { flowMod, output, outputTo, packetOut } from '../openflow/builders.js';

export interface L2LearningOptions {
  /** Priority of learned flows. */
  priority: number;
  idleTimeoutSeconds: number;
  hardTimeoutSeconds: number;
  cookie: bigint;
  cookieMask: bigint;
  /** A MAC not seen for this long is forgotten (ms). */
  macAgeMs: number;
  /** A full table learns nothing new until entries age out: one noisy port cannot exhaust memory. */
  maxMacsPerDatapath: number;
}

export const L2_DEFAULTS: Omit<L2LearningOptions, 'cookie' | 'cookieMask'> = {
  priority: 100,
  idleTimeoutSeconds: 60,
  hardTimeoutSeconds: 0,
  macAgeMs: 300_000,
  maxMacsPerDatapath: 65_536,
};

export interface MacEntry {
  port: number;
  lastSeen: number;
}

export class L2State {
  readonly tables = new Map<bigint, Map<number, MacEntry>>();
  private lastId = -1n;
  private last: Map<number, MacEntry> | undefined;

  table(datapathId: bigint): Map<number, MacEntry> {
    if (this.last !== undefined && datapathId === this.lastId) return this.last;
    let t = this.tables.get(datapathId);
    if (!t) {
      t = new Map();
      this.tables.set(datapathId, t);
    }
    this.lastId = datapathId;
    this.last = t;
    return t;
  }

  /** Forgets a datapath's table (it disconnected). */
  drop(datapathId: bigint): void {
    this.tables.delete(datapathId);
    if (datapathId === this.lastId) this.last = undefined;
  }
}

/** What the policy needs to know about the topology (from link discovery). */
export interface FloodView {
  floodPorts(datapathId: bigint, inPort: number): readonly number[] | undefined;
  acceptsFrom(datapathId: bigint, inPort: number): boolean;
}

export interface L2PacketIn {
  datapathId: bigint;
  inPort: number;
  bufferId: number;
  /** The whole frame (sent back in the packet-out when the switch did not buffer it). */
  data: Buffer;
  eth: EthernetHeader;
}

/** IEEE 802.1D: 01:80:c2:00:00:00..0f are link-local (STP, LACP, LLDP, ...); bridges never forward them. */
function isLinkLocal(mac: number): boolean {
  return mac >= 0x0180c2000000 && mac <= 0x0180c200000f;
}

export function l2PacketIn(
  state: L2State,
  opts: L2LearningOptions,
  now: number,
  ev: L2PacketIn,
  view: FloodView,
): SwitchMessage[] {
  const { eth, datapathId, inPort } = ev;
  if (eth.ethType === ETH_TYPE_LLDP || isLinkLocal(eth.dst)) return [];
  if (!view.acceptsFrom(datapathId, inPort)) return [];
  const table = state.table(datapathId);
  const out: SwitchMessage[] = [];

  if (!isGroupMac(eth.src)) {
    const known = table.get(eth.src);
    if (known === undefined) {
      if (table.size < opts.maxMacsPerDatapath) table.set(eth.src, { port: inPort, lastSeen: now });
    } else {
      if (known.port !== inPort) {
        // The host moved: flows that send to its old port are wrong now.
        out.push({
          datapathId,
          message: flowMod({
            command: 'delete',
            cookie: opts.cookie,
            cookieMask: opts.cookieMask,
            match: { ethDst: eth.src },
          }),
        });
        known.port = inPort;
      }
      known.lastSeen = now;
    }
  }

  const dst = isGroupMac(eth.dst) ? undefined : table.get(eth.dst);
  if (dst !== undefined && now - dst.lastSeen > opts.macAgeMs) {
    table.delete(eth.dst);
  } else if (dst !== undefined) {
    if (dst.port === inPort) return out; // would go back where it came from: drop
    const match: Match = { inPort, ethSrc: eth.src, ethDst: eth.dst };
    if (eth.vlanVid !== NO_VLAN) match.vlanVid = OFPVID_PRESENT | eth.vlanVid;
    const to = outputTo(dst.port);
    out.push({
      datapathId,
      message: flowMod({
        cookie: opts.cookie,
        priority: opts.priority,
        idleTimeout: opts.idleTimeoutSeconds,
        hardTimeout: opts.hardTimeoutSeconds,
        bufferId: ev.bufferId,
        flags: OFPFF.SEND_FLOW_REM,
        match,
        instructions: to.instructions,
      }),
    });
    // A buffered packet is released by the flow-mod itself (OF1.3 spec 6.4); otherwise send it along.
    if (ev.bufferId === OFP_NO_BUFFER) {
      out.push({ datapathId, message: packetOut({ inPort, actions: to.actions, data: ev.data }) });
    }
    return out;
  }

  out.push({ datapathId, message: floodPacketOut(ev, view) });
  return out;
}

export function floodActions(datapathId: bigint, inPort: number, view: FloodView): Action[] {
  const ports = view.floodPorts(datapathId, inPort);
  if (ports === undefined) return [output(OFPP.FLOOD)];
  const actions: Action[] = [];
  for (const p of ports) if (p !== inPort) actions.push(output(p));
  return actions;
}

function floodPacketOut(ev: L2PacketIn, view: FloodView) {
  return packetOut({
    inPort: ev.inPort,
    bufferId: ev.bufferId,
    actions: floodActions(ev.datapathId, ev.inPort, view),
    data: ev.bufferId === OFP_NO_BUFFER ? ev.data : Buffer.alloc(0),
  });
}

/** A port went down or away: forget the MACs behind it and remove the flows that output to it. */
export function l2PortDown(
  state: L2State,
  opts: L2LearningOptions,
  datapathId: bigint,
  portNo: number,
): SwitchMessage[] {
  const table = state.tables.get(datapathId);
  if (!table) return [];
  for (const [mac, e] of table) if (e.port === portNo) table.delete(mac);
  return [
    {
      datapathId,
      message: flowMod({
        command: 'delete',
        cookie: opts.cookie,
        cookieMask: opts.cookieMask,
        outPort: portNo,
      }),
    },
  ];
}

export function l2SwitchDown(state: L2State, datapathId: bigint): void {
  state.drop(datapathId);
}

/** Forgets MACs not seen for macAgeMs; returns how many were removed. */
export function l2Age(state: L2State, opts: L2LearningOptions, now: number): number {
  let n = 0;
  for (const table of state.tables.values()) {
    for (const [mac, e] of table) {
      if (now - e.lastSeen > opts.macAgeMs) {
        table.delete(mac);
        n++;
      }
    }
  }
  return n;
}
