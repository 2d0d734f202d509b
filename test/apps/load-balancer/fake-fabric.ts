// A fake fabric of switches and hosts for the load-balancer policy: flow tables with OpenFlow semantics
// (priority order, exact matches including TCP ports, set-field rewriting of the frame with checksums
// fixed, cookie-masked non-strict deletes, idle timeouts by explicit time with flow-removed for flows that
// ask for it), wires between ports, hosts and other switches. No switch process and no clock.

import type { SwitchMessage } from '../../../src/controller/app-api.js';
import {
  finishChecksum,
  internetChecksum,
  ipv4PseudoHeaderSum,
  onesComplementSum,
} from '../../../src/net/checksum.js';
import { writeU16, writeU32 } from '../../../src/net/bytes.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4 } from '../../../src/net/ethernet.js';
import { writeMac } from '../../../src/net/mac-address.js';
import { PacketError } from '../../../src/net/packet-error.js';
import { decodePacket, type DecodedPacket } from '../../../src/net/packet.js';
import {
  OFP_NO_BUFFER,
  OFPFF,
  OFPP,
  OFPRR,
  type Action,
  type FlowMod,
  type FlowStats,
  type Match,
} from '../../../src/openflow/model.js';

export interface FakeFlow {
  priority: number;
  cookie: bigint;
  match: Match;
  actions: Action[];
  idleTimeout: number;
  flags: number;
  lastUsed: number;
  addedAt: number;
  packets: number;
  /** Frame bytes matched, as a switch counts them. */
  bytes: number;
  /** priority + match, to find the entry an identical add replaces. */
  key: string;
  fields: Array<[string, number]>;
}

export interface RemovedFlow {
  datapathId: bigint;
  flow: FakeFlow;
  reason: number;
}

function fieldValue(k: string, p: DecodedPacket, inPort: number): number | undefined {
  switch (k) {
    case 'inPort':
      return inPort;
    case 'ethDst':
      return p.eth.dst;
    case 'ethSrc':
      return p.eth.src;
    case 'ethType':
      return p.eth.ethType;
    case 'arpOp':
      return p.arp?.op;
    case 'arpSpa':
      return p.arp?.spa;
    case 'arpTpa':
      return p.arp?.tpa;
    case 'ipv4Src':
      return p.ipv4?.src;
    case 'ipv4Dst':
      return p.ipv4?.dst;
    case 'ipProto':
      return p.ipv4?.protocol;
    case 'tcpSrc':
      return p.tcp?.srcPort;
    case 'tcpDst':
      return p.tcp?.dstPort;
    default:
      throw new Error(`fake fabric cannot match on ${k}`);
  }
}

const PREREQ: Record<string, [string, number]> = {
  arpOp: ['ethType', ETH_TYPE_ARP],
  arpSpa: ['ethType', ETH_TYPE_ARP],
  arpTpa: ['ethType', ETH_TYPE_ARP],
  ipv4Src: ['ethType', ETH_TYPE_IPV4],
  ipv4Dst: ['ethType', ETH_TYPE_IPV4],
  ipProto: ['ethType', ETH_TYPE_IPV4],
  tcpSrc: ['ipProto', 6],
  tcpDst: ['ipProto', 6],
};

/** The match's fields, checked for their prerequisites as a switch does when the flow is added. */
export function matchFields(m: Match): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [k, want] of Object.entries(m)) {
    if (want === undefined) continue;
    const pre = PREREQ[k];
    // OF1.3 spec 7.2.3.6: a field without its prerequisite is an error (OFPBMC_BAD_PREREQ).
    if (pre && (m as Record<string, unknown>)[pre[0]] !== pre[1])
      throw new Error(`match on ${k} without ${pre[0]}=${pre[1]}`);
    if (typeof want !== 'number') throw new Error(`fake fabric cannot match on ${k}`);
    out.push([k, want]);
  }
  return out;
}

export function flowMatches(fields: Array<[string, number]>, p: DecodedPacket, inPort: number): boolean {
  for (const [k, want] of fields) if (fieldValue(k, p, inPort) !== want) return false;
  return true;
}

function covers(m: Match, entry: Match): boolean {
  for (const [k, want] of Object.entries(m)) {
    if (want === undefined) continue;
    if ((entry as Record<string, unknown>)[k] !== want) return false;
  }
  return true;
}

/** Applies a set-field to a copy of the frame, fixing the IPv4 and TCP checksums. */
function setField(frame: Buffer, a: Extract<Action, { type: 'setField' }>): Buffer {
  const f = Buffer.from(frame);
  const p = decodePacket(f);
  if (p instanceof PacketError) throw new Error(p.toString());
  const ipOff = p.eth.payloadOffset;
  switch (a.field) {
    case 'ethDst':
      writeMac(f, 0, a.value);
      return f;
    case 'ethSrc':
      writeMac(f, 6, a.value);
      return f;
    case 'ipv4Src':
      writeU32(f, ipOff + 12, a.value);
      break;
    case 'ipv4Dst':
      writeU32(f, ipOff + 16, a.value);
      break;
    case 'tcpSrc':
      writeU16(f, p.ipv4!.payloadOffset, a.value);
      break;
    case 'tcpDst':
      writeU16(f, p.ipv4!.payloadOffset + 2, a.value);
      break;
    default:
      throw new Error(`fake fabric cannot set ${a.field}`);
  }
  const ip = p.ipv4!;
  writeU16(f, ipOff + 10, 0);
  writeU16(f, ipOff + 10, internetChecksum(f, ipOff, ip.payloadOffset));
  if (ip.protocol === 6) {
    const len = ip.payloadEnd - ip.payloadOffset;
    const src = f.readUInt32BE(ipOff + 12);
    const dst = f.readUInt32BE(ipOff + 16);
    writeU16(f, ip.payloadOffset + 16, 0);
    writeU16(
      f,
      ip.payloadOffset + 16,
      finishChecksum(
        onesComplementSum(f, ip.payloadOffset, ip.payloadEnd, ipv4PseudoHeaderSum(src, dst, 6, len)),
      ),
    );
  }
  return f;
}

export class FakeSwitch {
  flows: FakeFlow[] = [];
  constructor(
    readonly datapathId: bigint,
    readonly ports: number[],
  ) {}

  apply(fm: FlowMod, now: number, removed: RemovedFlow[]): void {
    if (fm.command === 'add') {
      const actions = fm.instructions.flatMap((i) => (i.type === 'applyActions' ? i.actions : []));
      const key = `${fm.priority}/${JSON.stringify(fm.match)}`;
      const i = this.flows.findIndex((e) => e.key === key);
      const flow: FakeFlow = {
        priority: fm.priority,
        cookie: fm.cookie,
        match: fm.match,
        actions,
        idleTimeout: fm.idleTimeout,
        flags: fm.flags,
        lastUsed: now,
        addedAt: now,
        packets: 0,
        bytes: 0,
        key,
        fields: matchFields(fm.match),
      };
      // OF spec: an add with an identical match and priority replaces the entry.
      if (i >= 0) this.flows[i] = flow;
      else {
        let at = this.flows.findIndex((e) => e.priority < fm.priority);
        if (at < 0) at = this.flows.length;
        this.flows.splice(at, 0, flow);
      }
      return;
    }
    if (fm.command !== 'delete') throw new Error(`fake switch: unsupported command ${fm.command}`);
    const keep: FakeFlow[] = [];
    for (const e of this.flows) {
      const cookieOk = (e.cookie & fm.cookieMask) === (fm.cookie & fm.cookieMask);
      const portOk =
        fm.outPort === OFPP.ANY || e.actions.some((a) => a.type === 'output' && a.port === fm.outPort);
      if (cookieOk && portOk && covers(fm.match, e.match)) {
        if (e.flags & OFPFF.SEND_FLOW_REM)
          removed.push({ datapathId: this.datapathId, flow: e, reason: OFPRR.DELETE });
      } else keep.push(e);
    }
    this.flows = keep;
  }
}

export interface PacketInCall {
  datapathId: bigint;
  inPort: number;
  bufferId: number;
  data: Buffer;
  packet: DecodedPacket;
}

type Endpoint = { host: string } | { datapathId: bigint; port: number };

export interface Controller {
  packetIn(ev: PacketInCall, now: number): SwitchMessage[];
  flowRemoved(r: RemovedFlow, now: number): void;
}

export class FakeFabric {
  readonly switches = new Map<bigint, FakeSwitch>();
  private readonly wires = new Map<string, Endpoint>();
  private readonly hostPorts = new Map<string, string>();
  readonly received = new Map<string, Buffer[]>();
  /** Hosts that answer TCP segments addressed to them (a server): swap the addresses and reply. */
  readonly servers = new Set<string>();
  packetIns = 0;
  now = 0;
  private hops = 0;

  constructor(private readonly controller: Controller) {}

  addSwitch(datapathId: bigint, ports: number[]): FakeSwitch {
    const s = new FakeSwitch(datapathId, ports);
    this.switches.set(datapathId, s);
    return s;
  }

  attachHost(host: string, datapathId: bigint, port: number): void {
    this.wires.set(`${datapathId}:${port}`, { host });
    this.hostPorts.set(host, `${datapathId}:${port}`);
    this.received.set(host, []);
  }

  detachHost(host: string): void {
    const at = this.hostPorts.get(host);
    if (at) this.wires.delete(at);
    this.hostPorts.delete(host);
  }

  link(a: bigint, aPort: number, b: bigint, bPort: number): void {
    this.wires.set(`${a}:${aPort}`, { datapathId: b, port: bPort });
    this.wires.set(`${b}:${bPort}`, { datapathId: a, port: aPort });
  }

  execute(ms: readonly SwitchMessage[]): void {
    const removed: RemovedFlow[] = [];
    for (const m of ms) {
      const sw = this.switches.get(m.datapathId);
      if (!sw) throw new Error(`message for unknown datapath ${m.datapathId}`);
      if (m.message.type === 'flowMod') sw.apply(m.message, this.now, removed);
      else {
        if (m.message.bufferId !== OFP_NO_BUFFER) throw new Error('fake switches do not buffer');
        this.runActions(m.datapathId, m.message.inPort, m.message.actions, m.message.data);
      }
    }
    for (const r of removed) this.controller.flowRemoved(r, this.now);
  }

  send(fromHost: string, frame: Buffer): void {
    const at = this.hostPorts.get(fromHost);
    if (!at) throw new Error(`no host ${fromHost}`);
    const [dp, port] = at.split(':');
    this.hops = 0;
    this.arrive(BigInt(dp!), Number(port), frame);
  }

  /** Advances time and expires idle flows, reporting those with SEND_FLOW_REM. */
  advance(ms: number): void {
    this.now += ms;
    const removed: RemovedFlow[] = [];
    for (const sw of this.switches.values()) {
      sw.flows = sw.flows.filter((e) => {
        const dead = e.idleTimeout > 0 && this.now - e.lastUsed >= e.idleTimeout * 1000;
        if (dead && e.flags & OFPFF.SEND_FLOW_REM)
          removed.push({ datapathId: sw.datapathId, flow: e, reason: OFPRR.IDLE_TIMEOUT });
        return !dead;
      });
    }
    for (const r of removed) this.controller.flowRemoved(r, this.now);
  }

  /** One switch's flows as a flow statistics reply lists them. */
  flowStats(datapathId: bigint): FlowStats[] {
    return this.switches.get(datapathId)!.flows.map((e) => ({
      tableId: 0,
      durationSec: Math.floor((this.now - e.addedAt) / 1000),
      durationNsec: 0,
      priority: e.priority,
      idleTimeout: e.idleTimeout,
      hardTimeout: 0,
      flags: e.flags,
      cookie: e.cookie,
      packetCount: BigInt(e.packets),
      byteCount: BigInt(e.bytes),
      match: e.match,
      instructions: [],
    }));
  }

  flowCount(): number {
    let n = 0;
    for (const s of this.switches.values()) n += s.flows.length;
    return n;
  }

  private arrive(datapathId: bigint, inPort: number, frame: Buffer): void {
    if (++this.hops > 1000) throw new Error('forwarding loop');
    const p = decodePacket(frame);
    if (p instanceof PacketError) throw new Error(p.toString());
    const sw = this.switches.get(datapathId)!;
    const e = sw.flows.find((x) => flowMatches(x.fields, p, inPort));
    if (e) {
      e.lastUsed = this.now;
      e.packets++;
      e.bytes += frame.length;
      this.runActions(datapathId, inPort, e.actions, frame);
      return;
    }
    this.toController(datapathId, inPort, frame, p);
  }

  private toController(datapathId: bigint, inPort: number, frame: Buffer, p: DecodedPacket): void {
    this.packetIns++;
    this.execute(
      this.controller.packetIn(
        { datapathId, inPort, bufferId: OFP_NO_BUFFER, data: frame, packet: p },
        this.now,
      ),
    );
  }

  private runActions(datapathId: bigint, inPort: number, actions: Action[], frame: Buffer): void {
    let f = frame;
    for (const a of actions) {
      if (a.type === 'setField') {
        f = setField(f, a);
        continue;
      }
      if (a.type !== 'output') throw new Error(`fake switch: unsupported action ${a.type}`);
      if (a.port === OFPP.FLOOD || a.port === OFPP.ALL) {
        for (const p of this.switches.get(datapathId)!.ports) if (p !== inPort) this.emit(datapathId, p, f);
      } else if (a.port === OFPP.IN_PORT) {
        this.emit(datapathId, inPort, f);
      } else if (a.port === OFPP.CONTROLLER) {
        const p = decodePacket(f);
        if (p instanceof PacketError) throw new Error(p.toString());
        this.toController(datapathId, inPort, f, p);
      } else if (a.port !== inPort) {
        this.emit(datapathId, a.port, f);
      }
    }
  }

  private emit(datapathId: bigint, port: number, frame: Buffer): void {
    const ep = this.wires.get(`${datapathId}:${port}`);
    if (!ep) return;
    if ('host' in ep) {
      this.received.get(ep.host)!.push(frame);
      if (this.servers.has(ep.host)) this.serve(ep.host, frame);
    } else this.arrive(ep.datapathId, ep.port, frame);
  }

  private serve(host: string, frame: Buffer): void {
    const p = decodePacket(frame);
    if (p instanceof PacketError || !p.tcp || !p.ipv4) return;
    this.send(
      host,
      tcpFrame({
        srcMac: p.eth.dst,
        dstMac: p.eth.src,
        src: p.ipv4.dst,
        dst: p.ipv4.src,
        srcPort: p.tcp.dstPort,
        dstPort: p.tcp.srcPort,
        flags: 0x12,
      }),
    );
  }

  clearReceived(): void {
    for (const l of this.received.values()) l.length = 0;
  }
}

export function tcpFrame(f: {
  srcMac: number;
  dstMac: number;
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  flags?: number;
}): Buffer {
  const frame = Buffer.alloc(14 + 20 + 20);
  writeMac(frame, 0, f.dstMac);
  writeMac(frame, 6, f.srcMac);
  writeU16(frame, 12, ETH_TYPE_IPV4);
  frame[14] = 0x45;
  writeU16(frame, 16, 40);
  writeU16(frame, 20, 0x4000);
  frame[22] = 64;
  frame[23] = 6;
  writeU32(frame, 26, f.src);
  writeU32(frame, 30, f.dst);
  writeU16(frame, 24, internetChecksum(frame, 14, 34));
  writeU16(frame, 34, f.srcPort);
  writeU16(frame, 36, f.dstPort);
  writeU16(frame, 46, (5 << 12) | (f.flags ?? 0x02));
  writeU16(frame, 48, 65535);
  writeU16(
    frame,
    50,
    finishChecksum(onesComplementSum(frame, 34, 54, ipv4PseudoHeaderSum(f.src, f.dst, 6, 20))),
  );
  return frame;
}
