// A fake flow table and a fake network of switches for testing pure policies without a switch or a clock
// (in the spirit of faucet's valve tests). Flow entries follow OpenFlow semantics closely enough for the
// policies under test: priority order, exact field matches, non-strict delete with cookie mask and out_port,
// idle timeouts by explicit time, and packet-out / apply-actions with output to a port, FLOOD or IN_PORT.

import type { SwitchMessage } from '../../src/controller/app-api.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, NO_VLAN } from '../../src/net/ethernet.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket, type DecodedPacket } from '../../src/net/packet.js';
import {
  OFP_NO_BUFFER,
  OFPP,
  OFPVID_PRESENT,
  type Action,
  type FlowMod,
  type Match,
} from '../../src/openflow/model.js';

export interface FlowEntry {
  priority: number;
  cookie: bigint;
  match: Match;
  actions: Action[];
  idleTimeout: number;
  lastUsed: number;
  packets: number;
}

function fieldValues(p: DecodedPacket, inPort: number): Record<string, number | undefined> {
  return {
    inPort,
    ethDst: p.eth.dst,
    ethSrc: p.eth.src,
    ethType: p.eth.ethType,
    vlanVid: p.eth.vlanVid === NO_VLAN ? 0 : OFPVID_PRESENT | p.eth.vlanVid,
    arpOp: p.arp?.op,
    arpSpa: p.arp?.spa,
    arpTpa: p.arp?.tpa,
    ipv4Src: p.ipv4?.src,
    ipv4Dst: p.ipv4?.dst,
    ipProto: p.ipv4?.protocol,
  };
}

const PREREQ: Record<string, number> = {
  arpOp: ETH_TYPE_ARP,
  arpSpa: ETH_TYPE_ARP,
  arpTpa: ETH_TYPE_ARP,
  ipv4Src: ETH_TYPE_IPV4,
  ipv4Dst: ETH_TYPE_IPV4,
  ipProto: ETH_TYPE_IPV4,
};

export function matches(m: Match, p: DecodedPacket, inPort: number): boolean {
  const v = fieldValues(p, inPort);
  for (const [k, want] of Object.entries(m)) {
    if (want === undefined) continue;
    if (!(k in v)) throw new Error(`fake flow table cannot match on ${k}`);
    if (k in PREREQ && m.ethType !== PREREQ[k])
      throw new Error(`match on ${k} without its eth_type prerequisite`);
    if (v[k] !== want) return false;
  }
  return true;
}

/** Non-strict delete: the entry's match includes every field of `m` with the same value. */
function covers(m: Match, entry: Match): boolean {
  for (const [k, want] of Object.entries(m)) {
    if (want === undefined) continue;
    if ((entry as Record<string, unknown>)[k] !== want) return false;
  }
  return true;
}

export class FakeFlowTable {
  entries: FlowEntry[] = [];
  removed: Array<{ entry: FlowEntry; reason: 'idle' | 'delete' }> = [];

  apply(fm: FlowMod, now: number): void {
    if (fm.command === 'add') {
      const actions = fm.instructions.flatMap((i) => (i.type === 'applyActions' ? i.actions : []));
      // OF spec: an add with an identical match and priority replaces the entry.
      this.entries = this.entries.filter(
        (e) => !(e.priority === fm.priority && JSON.stringify(e.match) === JSON.stringify(fm.match)),
      );
      this.entries.push({
        priority: fm.priority,
        cookie: fm.cookie,
        match: fm.match,
        actions,
        idleTimeout: fm.idleTimeout,
        lastUsed: now,
        packets: 0,
      });
      this.entries.sort((a, b) => b.priority - a.priority);
    } else if (fm.command === 'delete') {
      const keep: FlowEntry[] = [];
      for (const e of this.entries) {
        const cookieOk = (e.cookie & fm.cookieMask) === (fm.cookie & fm.cookieMask);
        const portOk =
          fm.outPort === OFPP.ANY || e.actions.some((a) => a.type === 'output' && a.port === fm.outPort);
        if (cookieOk && portOk && covers(fm.match, e.match))
          this.removed.push({ entry: e, reason: 'delete' });
        else keep.push(e);
      }
      this.entries = keep;
    } else {
      throw new Error(`fake flow table: unsupported command ${fm.command}`);
    }
  }

  lookup(p: DecodedPacket, inPort: number, now: number): FlowEntry | undefined {
    const e = this.entries.find((x) => matches(x.match, p, inPort));
    if (e) {
      e.lastUsed = now;
      e.packets++;
    }
    return e;
  }

  expire(now: number): void {
    this.entries = this.entries.filter((e) => {
      const dead = e.idleTimeout > 0 && now - e.lastUsed >= e.idleTimeout * 1000;
      if (dead) this.removed.push({ entry: e, reason: 'idle' });
      return !dead;
    });
  }
}

export type Endpoint = { host: string } | { datapathId: bigint; port: number };

export interface PacketInCall {
  datapathId: bigint;
  inPort: number;
  bufferId: number;
  data: Buffer;
  packet: DecodedPacket;
}

/** Switches, their ports, and the wires between ports and hosts or other switches' ports. */
export class FakeNetwork {
  readonly tables = new Map<bigint, FakeFlowTable>();
  readonly ports = new Map<bigint, number[]>();
  private readonly wires = new Map<string, Endpoint>();
  readonly received = new Map<string, Buffer[]>();
  packetIns = 0;
  hops = 0;
  now = 0;

  constructor(private readonly controller: (ev: PacketInCall, now: number) => SwitchMessage[]) {}

  addSwitch(datapathId: bigint, ports: number[]): void {
    this.tables.set(datapathId, new FakeFlowTable());
    this.ports.set(datapathId, ports);
  }

  attachHost(host: string, datapathId: bigint, port: number): void {
    for (const [k, ep] of this.wires) if ('host' in ep && ep.host === host) this.wires.delete(k);
    this.wires.set(`${datapathId}:${port}`, { host });
    this.received.set(host, []);
  }

  link(a: bigint, aPort: number, b: bigint, bPort: number): void {
    this.wires.set(`${a}:${aPort}`, { datapathId: b, port: bPort });
    this.wires.set(`${b}:${bPort}`, { datapathId: a, port: aPort });
  }

  /** Runs the controller's messages as a switch would (flow-mods first, then packet-outs). */
  execute(ms: readonly SwitchMessage[]): void {
    for (const m of ms) {
      const table = this.tables.get(m.datapathId);
      if (!table) throw new Error(`message for unknown datapath ${m.datapathId}`);
      if (m.message.type === 'flowMod') table.apply(m.message, this.now);
      else this.runActions(m.datapathId, m.message.inPort, m.message.actions, m.message.data);
    }
  }

  /** A host sends a frame: it travels until delivered or dropped everywhere. */
  send(fromHost: string, frame: Buffer): void {
    for (const [k, ep] of this.wires) {
      if ('host' in ep && ep.host === fromHost) {
        const [dp, port] = k.split(':');
        this.arrive(BigInt(dp!), Number(port), frame);
        return;
      }
    }
    throw new Error(`no host ${fromHost}`);
  }

  private arrive(datapathId: bigint, inPort: number, frame: Buffer): void {
    if (++this.hops > 10_000) throw new Error('forwarding loop: more than 10000 hops');
    const p = decodePacket(frame);
    if (p instanceof PacketError) throw new Error(p.toString());
    const table = this.tables.get(datapathId)!;
    const e = table.lookup(p, inPort, this.now);
    if (e) {
      this.runActions(datapathId, inPort, e.actions, frame);
      return;
    }
    this.packetIns++;
    this.execute(
      this.controller({ datapathId, inPort, bufferId: OFP_NO_BUFFER, data: frame, packet: p }, this.now),
    );
  }

  private runActions(datapathId: bigint, inPort: number, actions: Action[], frame: Buffer): void {
    for (const a of actions) {
      if (a.type !== 'output') throw new Error(`fake switch: unsupported action ${a.type}`);
      if (a.port === OFPP.FLOOD || a.port === OFPP.ALL) {
        for (const p of this.ports.get(datapathId)!)
          if (p !== inPort || a.port === OFPP.ALL) this.emit(datapathId, p, frame);
      } else if (a.port === OFPP.IN_PORT) {
        this.emit(datapathId, inPort, frame);
      } else if (a.port === OFPP.CONTROLLER) {
        continue;
      } else {
        // OF spec: output to the in_port itself is dropped unless OFPP_IN_PORT is used.
        if (a.port !== inPort) this.emit(datapathId, a.port, frame);
      }
    }
  }

  private emit(datapathId: bigint, port: number, frame: Buffer): void {
    const ep = this.wires.get(`${datapathId}:${port}`);
    if (!ep) return;
    if ('host' in ep) this.received.get(ep.host)!.push(frame);
    else this.arrive(ep.datapathId, ep.port, frame);
  }

  clearReceived(): void {
    for (const list of this.received.values()) list.length = 0;
  }
}
