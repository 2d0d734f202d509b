// Monitors one libvirt host: one bulk GetAllDomainStats call (NOWAIT) per interval for every running
// domain, rates against the previous poll, inventory from each domain's XML kept current by lifecycle
// events. When the daemon is unreachable the last samples are served marked stale with their age while
// the connection is retried with exponential backoff.

import { CounterTracker } from '../counters/counter-tracker.js';
import { LibvirtClient, type LibvirtClientOptions } from '../libvirt/client.js';
import {
  DomainStatsFlag,
  DomainStatsGroup,
  LifecycleDetail,
  LifecycleEventType,
  ListDomainsFlag,
} from '../libvirt/constants.js';
import type { DomainRef } from '../libvirt/domain.js';
import type { LifecycleEvent } from '../libvirt/lifecycle-event.js';
import { parseDomainInventory, type DomainInventory } from './domain-inventory.js';
import { parseDomainStats } from './domain-stats.js';
import { computeVmMetrics, type StatsSnapshot } from './rates.js';
import { withStaleness } from '../store/sample-staleness.js';
import { buildVmSample, markStale, type VmSample } from './vm-sample.js';

export const DEFAULT_INTERVAL_MS = 5000;
export const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 } as const;
/** Domain XML fetched at once when (re)building the inventory. */
const XML_FETCH_CONCURRENCY = 16;
/**
 * The statistics groups the monitor uses. Groups a driver does not support are left out by libvirt
 * (no ENFORCE_STATS flag); perf, dirty-rate, iothread and memory-bandwidth groups are never asked for.
 */
const STATS_GROUPS =
  DomainStatsGroup.STATE |
  DomainStatsGroup.CPU_TOTAL |
  DomainStatsGroup.BALLOON |
  DomainStatsGroup.VCPU |
  DomainStatsGroup.INTERFACE |
  DomainStatsGroup.BLOCK;
/** A poll hands the event loop back after this much continuous work. */
const YIELD_AFTER_MS = 2;

/** The subset of a pino logger the monitor writes to. */
export interface MonitorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface VmRef {
  uuid: string;
  name: string;
  host: string;
}

export interface VmRemoved extends VmRef {
  /**
   * Lifecycle event name (stopped, undefined, crashed), "migrated" when it stopped here because it moved
   * to another host, or "gone" when a poll no longer lists it.
   */
  reason: string;
}

export interface HostMonitorOptions {
  /** libvirt URI: qemu:///system (read-only socket), qemu+tcp://host/system, qemu+tls://host/system. */
  uri: string;
  /** Name put in samples' `host`; default the URI. */
  label?: string;
  intervalMs?: number;
  onSample: (sample: VmSample) => void;
  /** A VM left the inventory (stopped, undefined, crashed, or no longer running). */
  onRemove?: (vm: VmRemoved) => void;
  /** A VM entered the inventory or its XML was re-read. */
  onInventory?: (host: string, inventory: DomainInventory) => void;
  logger?: MonitorLogger;
  /** Options for each connection (timeouts, keepalive, TLS, ...). */
  client?: LibvirtClientOptions;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Replaces LibvirtClient.connect (tests). */
  connect?: (uri: string, options: LibvirtClientOptions) => Promise<LibvirtClient>;
}

export interface HostStatus {
  uri: string;
  label: string;
  connected: boolean;
  /** The daemon's hostname once connected. */
  hostname?: string;
  domains: number;
  lastPollAt?: number;
  /** Wall time of the last poll: call, decode and rates. */
  lastPollMs?: number;
  lastError?: string;
  /** Polls completed and failed since start, and the wall time of all completed polls. */
  polls: number;
  pollErrors: number;
  pollMsTotal: number;
  /** When the connection was lost (ms since the epoch); absent while connected. */
  disconnectedSince?: number;
  reconnectAttempts: number;
}

interface InventoryEntry {
  inventory?: DomainInventory;
  ref: DomainRef;
  /** Inventory sequence number when this entry was (re)added, to tell a fresh start from a stale poll. */
  addedAt: number;
}

const NO_LOG: MonitorLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class HostMonitor {
  readonly uri: string;
  readonly label: string;
  readonly intervalMs: number;

  private readonly opts: HostMonitorOptions;
  private readonly log: MonitorLogger;
  private client: LibvirtClient | null = null;
  private hostname: string | undefined;
  private running = false;
  private tickTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private polling: Promise<VmSample[]> | null = null;
  private attempts = 0;
  private lastError: string | undefined;
  private disconnectedSince: number | undefined = Date.now();
  private lastPollAt: number | undefined;
  private lastPollMs: number | undefined;
  private polls = 0;
  private pollErrors = 0;
  private pollMsTotal = 0;
  private pollFailing = false;

  private readonly entries = new Map<string, InventoryEntry>();
  /** Inventory changes and polls are numbered in the order they happen. */
  private seq = 0;
  private readonly removedAt = new Map<string, number>();
  private readonly xmlFetches = new Map<string, Promise<void>>();
  /** Each domain's previous stats record: the baseline of its rates. */
  private readonly baselines = new CounterTracker<StatsSnapshot>();
  private readonly last = new Map<string, VmSample>();
  private readonly byMac = new Map<string, VmRef>();
  private readonly byPort = new Map<string, VmRef>();

  constructor(opts: HostMonitorOptions) {
    this.opts = opts;
    this.uri = opts.uri;
    this.label = opts.label ?? opts.uri;
    this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!(this.intervalMs >= 10))
      throw new RangeError(`monitor interval ${this.intervalMs} ms is below 10 ms`);
    this.log = opts.logger ?? NO_LOG;
  }

  /** Connects (retrying with backoff) and polls every interval until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.ensureConnected();
    this.scheduleTick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.tickTimer = this.retryTimer = null;
    await this.connecting?.catch(() => {});
    const c = this.client;
    this.client = null;
    if (c) await c.close();
  }

  /** Connects now if not connected; rejects with the connection error (no retry). */
  async connect(): Promise<void> {
    if (this.client?.isOpen) return;
    this.connecting ??= this.openConnection().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  status(): HostStatus {
    const s: HostStatus = {
      uri: this.uri,
      label: this.label,
      connected: this.client?.isOpen ?? false,
      domains: this.entries.size,
      reconnectAttempts: this.attempts,
      polls: this.polls,
      pollErrors: this.pollErrors,
      pollMsTotal: this.pollMsTotal,
    };
    if (this.hostname !== undefined) s.hostname = this.hostname;
    if (this.lastPollAt !== undefined) s.lastPollAt = this.lastPollAt;
    if (this.lastPollMs !== undefined) s.lastPollMs = this.lastPollMs;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.disconnectedSince !== undefined && !s.connected) s.disconnectedSince = this.disconnectedSince;
    return s;
  }

  /**
   * The latest sample of every VM, stale by the staleness rule: at once while the host is unreachable
   * or its last poll failed, with their age.
   */
  samples(now = Date.now()): VmSample[] {
    const unpolled = !(this.client?.isOpen ?? false) || this.pollFailing;
    const out: VmSample[] = [];
    for (const s of this.last.values()) out.push(withStaleness(s, now, unpolled));
    return out;
  }

  inventory(): DomainInventory[] {
    const out: DomainInventory[] = [];
    for (const e of this.entries.values()) if (e.inventory) out.push(e.inventory);
    return out;
  }

  /** UUIDs of the running domains the monitor knows, with or without their XML yet. */
  domainUuids(): string[] {
    return [...this.entries.keys()];
  }

  vmByMac(mac: string): VmRef | undefined {
    return this.byMac.get(mac.toLowerCase());
  }

  vmByPort(portName: string): VmRef | undefined {
    return this.byPort.get(portName);
  }

  /** True when `host` names this monitor: its label, URI or the daemon's hostname. */
  matchesHost(host: string): boolean {
    return (
      host === this.label || host === this.uri || (this.hostname !== undefined && host === this.hostname)
    );
  }

  /**
   * One poll now: the bulk stats call, rates, samples handed to onSample. Rejects when not connected
   * or when the call fails (a failure that ends the connection starts the reconnect loop).
   */
  poll(): Promise<VmSample[]> {
    this.polling ??= this.doPoll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  // --- connection

  private async openConnection(): Promise<void> {
    const connect = this.opts.connect ?? ((u, o) => LibvirtClient.connect(u, o));
    const client = await connect(this.uri, {
      ...this.opts.client,
      logger: this.opts.client?.logger ?? this.log,
    });
    client.on('close', ({ error }) => this.onClose(client, error));
    client.on('error', () => {
      // reported through 'close'
    });
    client.on('lifecycle', (e) => this.onLifecycle(e, client));
    try {
      await client.registerLifecycleEvents();
      this.hostname = await client.getHostname().catch(() => this.hostname);
      const listSeq = ++this.seq;
      const domains = await client.listAllDomains(ListDomainsFlag.ACTIVE);
      // Events that arrived while the list was on its way are newer than the list.
      const live = new Set(domains.map((d) => d.uuid));
      for (const [uuid, e] of this.entries) {
        if (!live.has(uuid) && e.addedAt < listSeq) this.removeDomain(uuid, e.ref.name, 'gone');
      }
      for (const d of domains) {
        if ((this.removedAt.get(d.uuid) ?? 0) > listSeq) continue;
        const known = this.entries.get(d.uuid);
        if (known) known.ref = d;
        else this.entries.set(d.uuid, { ref: d, addedAt: ++this.seq });
      }
      this.client = client;
      const known = domains.filter((d) => this.entries.has(d.uuid));
      await forEachLimited(known, XML_FETCH_CONCURRENCY, (d) => this.fetchXml(d, client));
      if (!client.isOpen) throw new Error(`libvirt connection ${this.uri} ended while reading the inventory`);
    } catch (err) {
      this.client = null;
      await client.close();
      throw err;
    }
    const was = this.disconnectedSince;
    this.disconnectedSince = undefined;
    this.attempts = 0;
    this.lastError = undefined;
    this.log.info(
      {
        uri: this.uri,
        hostname: this.hostname,
        domains: this.entries.size,
        ...(was !== undefined && this.lastPollAt !== undefined
          ? { downSeconds: (Date.now() - was) / 1000 }
          : {}),
      },
      was !== undefined && this.lastPollAt !== undefined
        ? 'libvirt host reachable again'
        : 'libvirt host connected',
    );
  }

  private onClose(client: LibvirtClient, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    this.disconnectedSince = Date.now();
    this.lastError = error?.message ?? 'closed';
    if (!this.running) return;
    this.log.warn(
      { uri: this.uri, err: this.lastError, staleVms: this.last.size },
      'libvirt host connection lost: serving the last samples marked stale, reconnecting',
    );
    this.scheduleReconnect();
  }

  private async ensureConnected(): Promise<void> {
    if (!this.running || this.client?.isOpen || this.retryTimer) return;
    try {
      await this.connect();
    } catch (err) {
      this.attempts++;
      this.lastError = (err as Error).message;
      this.disconnectedSince ??= Date.now();
      const delay = this.backoffDelay();
      this.log.warn(
        {
          uri: this.uri,
          err: this.lastError,
          attempt: this.attempts,
          retryInMs: delay,
          staleVms: this.last.size,
        },
        'libvirt host unreachable',
      );
      this.scheduleReconnect(delay);
    }
  }

  private scheduleReconnect(delay = this.backoffDelay()): void {
    if (!this.running || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.ensureConnected();
    }, delay);
    this.retryTimer.unref?.();
  }

  /** Exponential backoff with +-20 % jitter, so that many monitors do not reconnect in step. */
  private backoffDelay(): number {
    const initial = this.opts.backoff?.initialMs ?? DEFAULT_BACKOFF.initialMs;
    const max = this.opts.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs;
    const base = Math.min(max, initial * 2 ** Math.min(this.attempts, 20));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  // --- polling

  private scheduleTick(): void {
    if (!this.running) return;
    // Aligned to the interval so that polls do not drift by their own duration.
    const delay = this.intervalMs - (Date.now() % this.intervalMs);
    this.tickTimer = setTimeout(() => {
      this.tickTimer = null;
      this.tick();
      this.scheduleTick();
    }, delay);
  }

  private tick(): void {
    if (this.client?.isOpen) {
      if (this.polling) {
        this.log.warn(
          { uri: this.uri, intervalMs: this.intervalMs },
          'previous poll still running: skipped a poll',
        );
        return;
      }
      this.poll().catch((err: Error) => {
        this.pollErrors++;
        this.lastError = err.message;
        this.pollFailing = true;
        this.log.warn(
          { uri: this.uri, err: err.message, staleVms: this.last.size },
          'libvirt poll failed: serving the last samples marked stale',
        );
        const now = Date.now();
        for (const s of this.last.values()) this.emit(markStale(s, now));
      });
      return;
    }
    const now = Date.now();
    for (const s of this.samples(now)) this.emit(s);
  }

  private async doPoll(): Promise<VmSample[]> {
    const client = this.client;
    if (!client?.isOpen) throw new Error(`libvirt host ${this.uri} is not connected`);
    const started = Date.now();
    const pollSeq = ++this.seq;
    const t0 = performance.now();
    const records = await client.getAllDomainStats({
      stats: STATS_GROUPS,
      flags: DomainStatsFlag.ACTIVE | DomainStatsFlag.NOWAIT,
      // Answered before the next tick, or the poll is given up and the samples go stale.
      timeoutMs: Math.min(this.opts.client?.callTimeoutMs ?? Infinity, Math.max(1000, this.intervalMs * 0.9)),
    });
    const t1 = performance.now();
    // The daemon gathered the stats somewhere during the call: take its middle as their time.
    const time = Math.round(started + (t1 - t0) / 2);
    const out: VmSample[] = [];
    const seen = new Set<string>();
    let slice = performance.now();
    for (let i = 0; i < records.length; i++) {
      // Long replies are processed in slices so that timers and other sockets are not starved.
      if ((i & 31) === 31 && performance.now() - slice > YIELD_AFTER_MS) {
        await new Promise<void>((r) => setImmediate(r));
        slice = performance.now();
      }
      const rec = records[i]!;
      const { uuid, name } = rec.domain;
      seen.add(uuid);
      const removed = this.removedAt.get(uuid);
      if (removed !== undefined && removed > pollSeq) continue;
      let entry = this.entries.get(uuid);
      if (!entry) {
        entry = { ref: rec.domain, addedAt: ++this.seq };
        this.entries.set(uuid, entry);
        void this.fetchXml(rec.domain);
      }
      const stats = parseDomainStats({ name, uuid, params: rec.params });
      const cur: StatsSnapshot = { timeMs: time, stats };
      const b = this.baselines;
      const metrics = computeVmMetrics(cur, b.update(uuid, cur, time) ? b.previous : undefined);
      const sample = buildVmSample({
        host: this.label,
        time,
        pollIntervalMs: this.intervalMs,
        state: stats.state,
        uuid,
        name,
        metrics,
        ...(entry.inventory ? { inventory: entry.inventory } : {}),
      });
      this.last.set(uuid, sample);
      out.push(sample);
      this.emit(sample);
    }
    for (const [uuid, e] of this.entries) {
      if (!seen.has(uuid) && e.addedAt < pollSeq) this.removeDomain(uuid, e.ref.name, 'gone');
    }
    this.lastPollAt = time;
    this.lastPollMs = performance.now() - t0;
    this.polls++;
    this.pollMsTotal += this.lastPollMs;
    this.pollFailing = false;
    return out;
  }

  private emit(sample: VmSample): void {
    try {
      this.opts.onSample(sample);
    } catch (err) {
      this.log.error({ uri: this.uri, vm: sample.name, err: (err as Error).message }, 'sample sink failed');
    }
  }

  // --- inventory

  private onLifecycle(e: LifecycleEvent, client: LibvirtClient): void {
    const { uuid, name } = e.domain;
    switch (e.event) {
      case LifecycleEventType.STARTED:
      case LifecycleEventType.RESUMED: {
        this.removedAt.delete(uuid);
        const known = this.entries.get(uuid);
        if (known && e.event === LifecycleEventType.RESUMED) return;
        const entry: InventoryEntry = { ref: e.domain, addedAt: ++this.seq };
        if (known?.inventory) entry.inventory = known.inventory;
        this.entries.set(uuid, entry);
        this.log.info(
          { uri: this.uri, vm: name, uuid, event: e.name },
          'domain started: adding it to the inventory',
        );
        void this.fetchXml(e.domain, client);
        return;
      }
      case LifecycleEventType.STOPPED:
      case LifecycleEventType.UNDEFINED:
      case LifecycleEventType.CRASHED:
        if (this.entries.has(uuid) || this.last.has(uuid)) {
          this.log.info(
            { uri: this.uri, vm: name, uuid, event: e.name },
            'domain gone: removed from the inventory',
          );
        }
        // Migrated away: it runs on another host now (whose monitor reports it), it is not gone.
        this.removeDomain(
          uuid,
          name,
          e.event === LifecycleEventType.STOPPED && e.detail === LifecycleDetail.STOPPED_MIGRATED
            ? 'migrated'
            : e.name,
        );
        return;
      default:
        this.log.debug(
          { uri: this.uri, vm: name, uuid, event: e.name, detail: e.detail },
          'domain lifecycle event',
        );
    }
  }

  private removeDomain(uuid: string, name: string, reason: string): void {
    const entry = this.entries.get(uuid);
    this.entries.delete(uuid);
    this.baselines.delete(uuid);
    this.last.delete(uuid);
    this.removedAt.set(uuid, ++this.seq);
    if (this.removedAt.size > 10_000) {
      const oldest = this.removedAt.keys().next().value;
      if (oldest !== undefined) this.removedAt.delete(oldest);
    }
    if (entry?.inventory) this.unindex(entry.inventory);
    if (entry) this.opts.onRemove?.({ uuid, name, host: this.label, reason });
  }

  private fetchXml(ref: DomainRef, client = this.client): Promise<void> {
    const inFlight = this.xmlFetches.get(ref.uuid);
    if (inFlight) return inFlight;
    const p = this.loadXml(ref, client).finally(() => this.xmlFetches.delete(ref.uuid));
    this.xmlFetches.set(ref.uuid, p);
    return p;
  }

  private async loadXml(ref: DomainRef, client: LibvirtClient | null): Promise<void> {
    if (!client?.isOpen) return;
    let xml: string;
    try {
      xml = await client.getDomainXml(ref);
    } catch (err) {
      this.log.debug(
        { uri: this.uri, vm: ref.name, err: (err as Error).message },
        'domain XML not available',
      );
      return;
    }
    const parsed = parseDomainInventory(xml);
    if (!parsed.ok) {
      this.log.warn({ uri: this.uri, vm: ref.name, err: parsed.error }, 'domain XML not understood');
      return;
    }
    const entry = this.entries.get(ref.uuid);
    if (!entry) return; // stopped meanwhile
    if (entry.inventory) this.unindex(entry.inventory);
    entry.inventory = parsed.inventory;
    this.index(parsed.inventory);
    this.opts.onInventory?.(this.label, parsed.inventory);
  }

  private index(inv: DomainInventory): void {
    const ref: VmRef = { uuid: inv.uuid, name: inv.name, host: this.label };
    for (const v of inv.vnics) {
      this.byMac.set(v.mac, ref);
      if (v.portName) this.byPort.set(v.portName, ref);
    }
  }

  private unindex(inv: DomainInventory): void {
    for (const v of inv.vnics) {
      if (this.byMac.get(v.mac)?.uuid === inv.uuid) this.byMac.delete(v.mac);
      if (v.portName && this.byPort.get(v.portName)?.uuid === inv.uuid) this.byPort.delete(v.portName);
    }
  }
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
