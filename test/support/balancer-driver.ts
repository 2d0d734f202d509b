// Drives the real load-balancer app (and its service) the way switches and members would, for API and
// dashboard tests: one switch, members that answer the controller's ARP, clients that send a TCP SYN to a
// VIP, flow statistics that count what the clients' flows carried, health probes whose answers the test
// sets. Nothing here decides anything: every placement, status and count is the product's own.

import { LoadBalancerApp } from '../../src/apps/load-balancer/lb-app.js';
import { LoadBalancerService } from '../../src/apps/load-balancer/lb-service.js';
import type { ProbeResult } from '../../src/apps/load-balancer/health-prober.js';
import { COOKIE_COUNTED, COOKIE_OUT, cookieKind } from '../../src/apps/load-balancer/lb-state.js';
import type {
  ControllerApi,
  DatapathInfo,
  PacketInEvent,
  SwitchMessage,
} from '../../src/controller/app-api.js';
import { silentLogger } from '../../src/log/logger.js';
import { ARP_OP_REPLY, buildArpFrame } from '../../src/net/arp.js';
import { parseIpv4 } from '../../src/net/ipv4-address.js';
import { parseMac } from '../../src/net/mac-address.js';
import { PacketError } from '../../src/net/packet-error.js';
import { decodePacket } from '../../src/net/packet.js';
import { OFP_NO_BUFFER, OFP_VERSION_13, type FlowMod, type FlowStats } from '../../src/openflow/model.js';
import type { Store } from '../../src/store/store.js';
import { tcpFrame } from '../apps/load-balancer/fake-fabric.js';
import { recordingControllerApi } from './fake-controller-api.js';

const DATAPATH = 1n;
const CLIENT_PORT = 100;

interface CountedFlow {
  flow: FlowMod;
  client: number;
  out: boolean;
  packets: number;
  bytes: number;
}

export class BalancerDriver {
  readonly app: LoadBalancerApp;
  readonly service: LoadBalancerService;
  /** Member addresses whose health probes fail. */
  readonly down = new Set<string>();
  readonly sent: SwitchMessage[] = [];
  private readonly counted: CountedFlow[] = [];
  private nextMemberPort = 1;

  constructor(store: Store) {
    this.app = new LoadBalancerApp({
      store,
      log: silentLogger(),
      tickMs: 60_000,
      probe: async (target): Promise<ProbeResult> =>
        this.down.has(target.address) ? { ok: false, detail: 'refused' } : { ok: true, detail: 'connected' },
    });
    this.service = new LoadBalancerService(this.app, store, silentLogger());
  }

  async start(): Promise<void> {
    await this.service.start();
    this.app.start(this.api());
    const dp: DatapathInfo = {
      datapathId: DATAPATH,
      version: OFP_VERSION_13,
      ports: new Map(),
      peer: 'driver',
      connectedAt: Date.now(),
    };
    this.app.onSwitchUp(dp);
  }

  stop(): void {
    this.app.stop();
  }

  /**
   * A new client (by MAC) sends a SYN to the pool's VIP; the members not located yet answer the ARP the
   * controller sent for them first. Resolves, once the store has the affinity entry, with the member the
   * app placed the client on, if any.
   */
  async place(poolId: string, clientMac: string): Promise<string | undefined> {
    const v = this.app.state.vips.get(poolId);
    if (!v) throw new Error(`pool ${poolId} is not served`);
    for (const m of v.members) {
      if (m.datapathId !== undefined) continue;
      const mac = m.config.mac !== undefined ? parseMac(m.config.mac)! : 0x0e0000000000 + m.ip;
      const port = this.nextMemberPort++;
      const arp = buildArpFrame(v.mac, mac, { op: ARP_OP_REPLY, sha: mac, spa: m.ip, tha: v.mac, tpa: v.ip });
      this.app.onPacketIn(packetIn(arp, port));
    }
    const mac = parseMac(clientMac);
    if (mac === undefined) throw new Error(`bad MAC ${clientMac}`);
    const ip = parseIpv4(`10.213.200.${(mac % 250) + 1}`)!;
    this.app.onPacketIn(
      packetIn(
        tcpFrame({ srcMac: mac, dstMac: v.mac, src: ip, dst: v.ip, srcPort: 40000, dstPort: v.port }),
        CLIENT_PORT,
      ),
    );
    // The claim reaches the store behind the packet-in path, as it does in production.
    await this.app.flush();
    return v.clients.entry(v.keyBy === 'mac' ? mac : ip)?.member.id;
  }

  /** The client's flows carry this much (frame bytes, in 1000-byte packets): a statistics poll reports it. */
  traffic(clientMac: string, bytesIn: number, bytesOut: number): void {
    const mac = parseMac(clientMac)!;
    for (const f of this.counted) {
      if (f.client !== mac) continue;
      const bytes = f.out ? bytesOut : bytesIn;
      f.bytes += bytes;
      f.packets += Math.ceil(bytes / 1000);
    }
    this.pollStats();
  }

  /** A flow statistics poll of the switch. */
  pollStats(): void {
    const flows: FlowStats[] = this.counted.map((f) => ({
      tableId: 0,
      durationSec: 1,
      durationNsec: 0,
      priority: f.flow.priority,
      idleTimeout: f.flow.idleTimeout,
      hardTimeout: 0,
      flags: f.flow.flags,
      cookie: f.flow.cookie,
      packetCount: BigInt(f.packets),
      byteCount: BigInt(f.bytes),
      match: f.flow.match,
      instructions: f.flow.instructions,
    }));
    this.app.onFlowStats({ datapathId: DATAPATH, flows, now: Date.now() });
  }

  /**
   * Health probes of the member at `address` fail (or succeed again) from now on; resolves when the app's
   * health monitor has taken the member down (or up).
   */
  async setHealth(poolId: string, address: string, up: boolean): Promise<void> {
    if (up) this.down.delete(address);
    else this.down.add(address);
    const v = this.app.state.vips.get(poolId);
    const m = v?.members.find((x) => x.config.address === address);
    if (!m) throw new Error(`no member at ${address} in pool ${poolId}`);
    const deadline = Date.now() + 10_000;
    while ((m.health === 'UP') !== up) {
      if (Date.now() > deadline)
        throw new Error(`member ${address} did not go ${up ? 'up' : 'down'} in 10 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A cookie-masked delete, as a switch applies it to the counted flows. */
  private remove(fm: FlowMod): void {
    for (let i = this.counted.length - 1; i >= 0; i--) {
      const f = this.counted[i]!.flow;
      if ((f.cookie & fm.cookieMask) !== (fm.cookie & fm.cookieMask)) continue;
      const covered = Object.entries(fm.match).every(
        ([k, v]) => v === undefined || (f.match as Record<string, unknown>)[k] === v,
      );
      if (covered) this.counted.splice(i, 1);
    }
  }

  private api(): ControllerApi {
    const record = (m: SwitchMessage) => {
      this.sent.push(m);
      const fm = m.message;
      if (fm.type !== 'flowMod') return;
      if (fm.command === 'delete') {
        this.remove(fm);
        return;
      }
      if (fm.command !== 'add') return;
      const kind = cookieKind(fm.cookie);
      if ((kind & COOKIE_COUNTED) === 0) return;
      const out = (kind & COOKIE_OUT) !== 0;
      const client = out ? fm.match.ethDst : fm.match.ethSrc;
      if (client !== undefined) this.counted.push({ flow: fm, client, out, packets: 0, bytes: 0 });
    };
    return recordingControllerApi(record);
  }
}

function packetIn(frame: Buffer, inPort: number): PacketInEvent {
  const packet = decodePacket(frame);
  if (packet instanceof PacketError) throw new Error(packet.toString());
  return {
    datapathId: DATAPATH,
    version: OFP_VERSION_13,
    inPort,
    now: 0,
    packet,
    bufferId: OFP_NO_BUFFER,
    data: frame,
    msg: {
      type: 'packetIn',
      bufferId: OFP_NO_BUFFER,
      totalLen: frame.length,
      reason: 0,
      tableId: 0,
      cookie: 0n,
      inPort,
      match: { inPort },
      data: frame,
    },
  };
}
