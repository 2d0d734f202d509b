// The OpenFlow controller: a TCP listener, one SwitchSession per connection, the datapath registry, link
// discovery, statistics polling, and the apps. It implements ControllerApi, the only way apps reach switches.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { ETH_TYPE_LLDP } from '../net/ethernet.js';
import { buildDiscoveryFrame, parseDiscoveryIds } from '../net/lldp.js';
import { PacketError } from '../net/packet-error.js';
import { decodePacket, type DecodedPacket } from '../net/packet.js';
import {
  OFPCML_NO_BUFFER,
  OFPP,
  OFPPR,
  OFPPS,
  OFPPC,
  applyActions,
  flowMod,
  output,
  packetOut,
  type FlowMod,
  type Match,
  type MultipartReplyBody,
  type MultipartRequestBody,
  type OfMessage,
  type OfVersion,
  type PacketIn,
} from '../openflow/index.js';
import type {
  ControllerApi,
  ControllerApp,
  DatapathInfo,
  PacketInEvent,
  SwitchLink,
  SwitchMessage,
} from './app-api.js';
import { AppRegistry } from './app-registry.js';
import { APP_ID, appCookie } from './cookies.js';
import { DatapathRegistry } from './datapath-registry.js';
import { FlowBook } from './flow-book.js';
import { LinkTable } from './link-discovery.js';
import { MessageDrops, type DropReason, type DroppedKind } from './message-drops.js';
import { ProbeStamper } from './probe-stamp.js';
import { ReadTurns } from './read-turns.js';
import { SocketTransport } from './socket-transport.js';
import { StatsPoller } from './stats-poller.js';
import { SESSION_DEFAULTS, SwitchSession, formatDatapathId, type SessionOptions } from './switch-session.js';
import { SwitchStatsStore } from './switch-stats.js';

export interface ControllerOptions {
  host: string;
  port: number;
  session: SessionOptions;
  /** Connections accepted at once; more are refused by the listener. */
  maxConnections: number;
  /** A peer that does not read its socket is dropped once this much is queued for it. */
  maxQueuedBytes: number;
  /** Install a priority-0 "send to controller" entry on every switch (1.3 drops table misses without it). */
  tableMiss: boolean;
  /** LLDP probe interval (ms); 0 disables link discovery. */
  discoveryIntervalMs: number;
  /** Flow and port statistics polling interval (ms); 0 disables it. */
  statsIntervalMs: number;
}

export const CONTROLLER_DEFAULTS: ControllerOptions = {
  host: '0.0.0.0',
  port: 6653,
  session: SESSION_DEFAULTS,
  maxConnections: 4096,
  maxQueuedBytes: 16 * 1024 * 1024,
  tableMiss: true,
  discoveryIntervalMs: 5_000,
  statsIntervalMs: 10_000,
};

/** Running totals since the controller started, for /metrics and the API. */
export interface ControllerCounters {
  switchesConnected: number;
  packetIns: number;
  packetOuts: number;
  flowMods: number;
  /** OFPT_ERROR messages received from switches. */
  errorsReceived: number;
  /** Packet-ins and flow-removed messages that never reached the apps, by reason. */
  droppedMessages: Record<DropReason, number>;
}

export const CORE_COOKIE = appCookie(APP_ID.CORE);
export const DISCOVERY_COOKIE = appCookie(APP_ID.LINK_DISCOVERY);
/** Above every forwarding flow: discovery frames always reach the controller. */
const LLDP_TRAP_PRIORITY = 0xfff0;
/** At most one log line per this interval about forged discovery frames. */
const FORGED_LOG_INTERVAL_MS = 10_000;

class PacketInContext implements PacketInEvent {
  private decoded: DecodedPacket | PacketError | undefined;

  constructor(
    readonly datapathId: bigint,
    readonly version: OfVersion,
    readonly inPort: number,
    readonly msg: PacketIn,
    readonly now: number,
  ) {}

  get bufferId(): number {
    return this.msg.bufferId;
  }

  get data(): Buffer {
    return this.msg.data;
  }

  get packet(): DecodedPacket | PacketError {
    return (this.decoded ??= decodePacket(this.msg.data));
  }
}

export class Controller implements ControllerApi {
  readonly datapathRegistry = new DatapathRegistry();
  readonly apps: AppRegistry;
  readonly flowBook = new FlowBook();
  readonly stats = new SwitchStatsStore();
  readonly linkTable: LinkTable;
  private readonly poller: StatsPoller;
  private readonly stamper: ProbeStamper;
  private forgedProbes = 0;
  private packetIns = 0;
  private packetOuts = 0;
  private flowMods = 0;
  /** Errors counted by sessions that are gone. */
  private errorsFromClosed = 0;
  private forgedLoggedAt = 0;
  private readonly sessions = new Set<SwitchSession>();
  /** Every session reads its share per event-loop turn from this one clock of turns. */
  private readonly turns = new ReadTurns();
  private readonly drops: MessageDrops;
  private server: Server | undefined;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private readonly opts: ControllerOptions;

  constructor(
    opts: Partial<ControllerOptions>,
    private readonly log: Logger,
  ) {
    this.opts = { ...CONTROLLER_DEFAULTS, ...opts, session: { ...SESSION_DEFAULTS, ...opts.session } };
    this.apps = new AppRegistry(log);
    this.drops = new MessageDrops(log);
    this.linkTable = new LinkTable(Math.max(3 * this.opts.discoveryIntervalMs, 1000));
    this.stamper = new ProbeStamper(Math.max(2 * this.opts.discoveryIntervalMs, 2000));
    this.poller = new StatsPoller(
      this,
      this.stats,
      this.opts.statsIntervalMs,
      log,
      Date.now,
      (dp, now, flows) =>
        this.apps.each('flow stats', (a) => a.onFlowStats?.({ datapathId: dp, now, flows })),
    );
  }

  use(app: ControllerApp): this {
    this.apps.register(app);
    app.start?.(this);
    return this;
  }

  async listen(): Promise<AddressInfo> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    server.maxConnections = this.opts.maxConnections;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err }, 'OpenFlow listener error'));
    const addr = server.address() as AddressInfo;
    this.log.info({ address: addr.address, port: addr.port }, 'OpenFlow controller listening');
    this.poller.start();
    if (this.opts.discoveryIntervalMs > 0) {
      this.discoveryTimer = setInterval(() => this.discoveryRound(), this.opts.discoveryIntervalMs);
      this.discoveryTimer.unref();
    }
    return addr;
  }

  async close(): Promise<void> {
    this.poller.stop();
    if (this.discoveryTimer) clearInterval(this.discoveryTimer);
    for (const s of [...this.sessions]) s.close('controller shutting down');
    this.apps.each('stop', (a) => a.stop?.());
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  internals(): ControllerCounters {
    let errors = this.errorsFromClosed;
    for (const s of this.sessions) errors += s.errorsReceived;
    return {
      switchesConnected: this.datapathRegistry.size,
      packetIns: this.packetIns,
      packetOuts: this.packetOuts,
      flowMods: this.flowMods,
      errorsReceived: errors,
      droppedMessages: this.drops.byReason(),
    };
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const holder: { session?: SwitchSession } = {};
    const transport = new SocketTransport(socket, this.opts.maxQueuedBytes, () =>
      holder.session?.close(`peer is not reading: more than ${this.opts.maxQueuedBytes} bytes queued`),
    );
    const s = new SwitchSession(transport, peer, this.opts.session, this.handlers, this.log, this.turns);
    holder.session = s;
    this.sessions.add(s);
    socket.on('data', (chunk: Buffer) => s.receive(chunk));
    socket.on('error', (err) => s.close(`socket error: ${err.message}`));
    socket.on('close', () => s.close('connection closed by peer'));
  }

  private readonly handlers = {
    up: (s: SwitchSession): void => this.switchUp(s),
    dead: (s: SwitchSession, _reason: string): void => this.switchDead(s),
    message: (s: SwitchSession, msg: OfMessage): void => this.switchMessage(s, msg),
    dropped: (s: SwitchSession, reason: DropReason, kind: DroppedKind): void =>
      this.drops.count(reason, kind, s.dpidText(), s.peer),
  };

  private switchUp(s: SwitchSession): void {
    const displaced = this.datapathRegistry.add(s);
    displaced?.close('replaced by a new connection from the same datapath');
    const dpid = s.datapathId!;
    if (this.opts.tableMiss) {
      this.sendFlowMod(
        s,
        flowMod({
          cookie: CORE_COOKIE,
          priority: 0,
          instructions: [applyActions(output(OFPP.CONTROLLER, OFPCML_NO_BUFFER))],
        }),
      );
    }
    if (this.opts.discoveryIntervalMs > 0) {
      this.sendFlowMod(
        s,
        flowMod({
          cookie: DISCOVERY_COOKIE,
          priority: LLDP_TRAP_PRIORITY,
          match: { ethType: ETH_TYPE_LLDP },
          instructions: [applyActions(output(OFPP.CONTROLLER, OFPCML_NO_BUFFER))],
        }),
      );
      this.probe(s);
    }
    const info = this.datapathRegistry.get(dpid)!;
    this.apps.each('switch up', (a) => a.onSwitchUp?.(info));
  }

  private switchDead(s: SwitchSession): void {
    this.sessions.delete(s);
    this.errorsFromClosed += s.errorsReceived;
    if (!this.datapathRegistry.remove(s)) return;
    const dpid = s.datapathId!;
    this.stats.forget(dpid);
    this.flowBook.forget(dpid);
    if (this.linkTable.forget(dpid)) this.linksChanged();
    this.apps.each('switch down', (a) => a.onSwitchDown?.(dpid));
  }

  private switchMessage(s: SwitchSession, msg: OfMessage): void {
    const dpid = s.datapathId!;
    switch (msg.type) {
      case 'packetIn': {
        this.packetIns++;
        const now = s.receivedAt;
        const d = msg.data;
        // Discovery frames are ours: handle them before any app.
        if (d.length >= 14 && d[12] === 0x88 && d[13] === 0xcc) {
          this.onLldp(dpid, msg.inPort, msg.data, now);
          return;
        }
        this.apps.packetIn(new PacketInContext(dpid, s.version!, msg.inPort, msg, now));
        return;
      }
      case 'flowRemoved': {
        this.flowBook.removed(dpid, msg);
        const ev = { datapathId: dpid, msg, now: s.receivedAt };
        this.apps.each('flow removed', (a) => a.onFlowRemoved?.(ev));
        return;
      }
      case 'portStatus': {
        const p = msg.port;
        const down =
          msg.reason === OFPPR.DELETE ||
          (p.state & OFPPS.LINK_DOWN) !== 0 ||
          (p.config & OFPPC.PORT_DOWN) !== 0;
        this.log.info(
          { dpid: formatDatapathId(dpid), port: p.portNo, name: p.name, reason: msg.reason, down },
          'port status',
        );
        if (down && this.linkTable.forget(dpid, p.portNo)) this.linksChanged();
        if (!down && this.opts.discoveryIntervalMs > 0) this.probe(s, [p.portNo]);
        const ev = { datapathId: dpid, msg, now: performance.now() };
        this.apps.each('port status', (a) => a.onPortStatus?.(ev));
        return;
      }
      default:
        return;
    }
  }

  // ---- link discovery

  private probe(s: SwitchSession, only?: number[]): void {
    const dpid = s.datapathId!;
    for (const p of s.ports.values()) {
      if (p.portNo >= OFPP.MAX || (only && !only.includes(p.portNo))) continue;
      if ((p.config & OFPPC.PORT_DOWN) !== 0 || (p.state & OFPPS.LINK_DOWN) !== 0) continue;
      const stamp = this.stamper.stamp(dpid, p.portNo, Date.now());
      s.send(
        packetOut({
          actions: [output(p.portNo)],
          data: buildDiscoveryFrame(dpid, p.portNo, p.hwAddr, 120, stamp),
        }),
      );
    }
  }

  private discoveryRound(): void {
    if (this.linkTable.expire(performance.now())) this.linksChanged();
    for (const dp of this.datapathRegistry.values()) this.probe(dp.session);
  }

  private onLldp(dpid: bigint, inPort: number, frame: Buffer, now: number): void {
    const p = decodePacket(frame);
    if (p instanceof PacketError || !p.lldp) return;
    const ids = parseDiscoveryIds(p.lldp);
    if (!ids || !this.datapathRegistry.get(ids.datapathId)) return;
    if (!this.stamper.verify(p.lldp.systemDescription, ids.datapathId, ids.portNo, Date.now())) {
      // Forged or replayed probes come from whoever sits on a port: log them, but not one line each.
      this.forgedProbes++;
      const now = Date.now();
      if (now - this.forgedLoggedAt > FORGED_LOG_INTERVAL_MS) {
        this.log.warn(
          {
            dpid: formatDatapathId(dpid),
            inPort,
            claims: `${formatDatapathId(ids.datapathId)}:${ids.portNo}`,
            count: this.forgedProbes,
          },
          'discovery frames with a bad or stale stamp ignored',
        );
        this.forgedLoggedAt = now;
        this.forgedProbes = 0;
      }
      return;
    }
    const link: SwitchLink = { src: ids.datapathId, srcPort: ids.portNo, dst: dpid, dstPort: inPort };
    if (this.linkTable.observe(now, link)) {
      this.log.info(
        {
          src: formatDatapathId(link.src),
          srcPort: link.srcPort,
          dst: formatDatapathId(link.dst),
          dstPort: link.dstPort,
        },
        'link discovered',
      );
      this.linksChanged();
    }
  }

  private linksChanged(): void {
    const links = this.linkTable.links();
    this.apps.each('links changed', (a) => a.onLinksChanged?.(links));
  }

  // ---- ControllerApi

  private sendFlowMod(s: SwitchSession, fm: FlowMod): boolean {
    if (s.send(fm) === false) return false;
    this.flowMods++;
    this.flowBook.sent(s.datapathId!, fm);
    return true;
  }

  send(m: SwitchMessage): boolean {
    const dp = this.datapathRegistry.get(m.datapathId);
    if (!dp) return false;
    if (m.message.type === 'flowMod') return this.sendFlowMod(dp.session, m.message);
    if (dp.session.send(m.message) === false) return false;
    this.packetOuts++;
    return true;
  }

  /**
   * Sends in order. A switch may reorder messages not separated by a barrier (OF1.3 spec 6.2), so a
   * flow delete followed by more messages gets an OFPT_BARRIER_REQUEST after it: a delete can then never
   * remove the flow added just after it.
   */
  sendAll(ms: readonly SwitchMessage[]): void {
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i]!;
      this.send(m);
      const msg = m.message;
      if (
        i + 1 < ms.length &&
        msg.type === 'flowMod' &&
        (msg.command === 'delete' || msg.command === 'deleteStrict')
      ) {
        this.datapathRegistry.get(m.datapathId)?.session.send({ type: 'barrierRequest' });
      }
    }
  }

  deleteFlows(
    datapathId: bigint,
    opts: { match?: Match; cookie: bigint; cookieMask: bigint; priority?: number },
  ): boolean {
    return this.send({
      datapathId,
      message: flowMod({
        command: opts.priority === undefined ? 'delete' : 'deleteStrict',
        cookie: opts.cookie,
        cookieMask: opts.cookieMask,
        match: opts.match ?? {},
        ...(opts.priority === undefined ? {} : { priority: opts.priority }),
      }),
    });
  }

  requestStats(datapathId: bigint, body: MultipartRequestBody): Promise<MultipartReplyBody[]> {
    const dp = this.datapathRegistry.get(datapathId);
    if (!dp) return Promise.reject(new Error(`no switch ${formatDatapathId(datapathId)}`));
    return dp.session.requestStats(body);
  }

  barrier(datapathId: bigint): Promise<void> {
    const dp = this.datapathRegistry.get(datapathId);
    if (!dp) return Promise.reject(new Error(`no switch ${formatDatapathId(datapathId)}`));
    return dp.session.barrier();
  }

  datapath(datapathId: bigint): DatapathInfo | undefined {
    return this.datapathRegistry.get(datapathId);
  }

  datapaths(): Iterable<DatapathInfo> {
    return this.datapathRegistry.values();
  }

  floodPorts(datapathId: bigint, inPort: number): readonly number[] | undefined {
    if (!this.linkTable.hasBlockedPorts(datapathId)) return undefined;
    const dp = this.datapathRegistry.get(datapathId);
    if (!dp) return [];
    const out: number[] = [];
    for (const p of dp.ports.keys()) {
      if (p !== inPort && p < OFPP.MAX && this.linkTable.acceptsFrom(datapathId, p)) out.push(p);
    }
    return out;
  }

  acceptsFrom(datapathId: bigint, inPort: number): boolean {
    return this.linkTable.acceptsFrom(datapathId, inPort);
  }

  links(): readonly SwitchLink[] {
    return this.linkTable.links();
  }
}
