// The sFlow collector: a UDP socket (IPv4 or IPv6, default 0.0.0.0:6343) feeding SflowIngest. Each
// datagram is handled on its own: a bad one is counted and logged with its sender and agent, never more.

import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DEFAULT_SFLOW_PORT } from './formats.js';
import { MAX_DATAGRAM_BYTES } from './limits.js';
import { SflowIngest } from './sflow-ingest.js';
import type { AccountingOptions } from './traffic-accounting.js';

export interface CollectorLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CollectorOptions extends AccountingOptions {
  host?: string;
  port?: number;
  /** Agent (UDP source) addresses allowed to send; empty or absent = any. */
  allowAgents?: string[];
  /** Datagrams larger than this are dropped unread (counted as `tooLarge`). */
  maxDatagramBytes?: number;
  /** Socket receive buffer, bytes (the kernel may cap it). */
  receiveBufferBytes?: number;
  /** How often idle table entries are dropped. */
  sweepIntervalMs?: number;
  /** Rejected datagrams logged per agent per minute at most (the rest are only counted). */
  logLimitPerMinute?: number;
  logger?: CollectorLogger;
  /** Called with every raw datagram received (e.g. to write a capture); before decoding. */
  onDatagram?: (buf: Buffer, from: { address: string; port: number }, nowMs: number) => void;
}

const silent: CollectorLogger = { info() {}, warn() {} };

export class SflowCollector {
  readonly ingest: SflowIngest;
  private socket: Socket | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly logger: CollectorLogger;
  private readonly logBudget = new Map<string, { minute: number; count: number }>();
  /** Datagrams dropped for their size. */
  tooLarge = 0;

  constructor(private readonly opts: CollectorOptions = {}) {
    this.ingest = new SflowIngest(opts);
    this.logger = opts.logger ?? silent;
  }

  /** Binds the socket; resolves with the bound address (port 0 picks an ephemeral port). */
  async start(): Promise<{ address: string; port: number }> {
    const host = this.opts.host ?? '0.0.0.0';
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    // a dual-stack socket ([::]) reports IPv4 senders as ::ffff:a.b.c.d: keep their plain form
    socket.on('message', (msg, rinfo) =>
      this.onMessage(
        msg,
        rinfo.address.startsWith('::ffff:') && rinfo.address.includes('.')
          ? rinfo.address.slice(7)
          : rinfo.address,
        rinfo.port,
      ),
    );
    socket.on('error', (err) => this.logger.warn({ err: err.message }, 'sflow socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port ?? DEFAULT_SFLOW_PORT, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(this.opts.receiveBufferBytes ?? 8 * 1024 * 1024);
    } catch {
      // the kernel's limit stands
    }
    const sweepMs = this.opts.sweepIntervalMs ?? 30_000;
    this.sweepTimer = setInterval(
      () => this.ingest.sweep(Date.now() - 3 * this.ingest.accounting.windowMs),
      sweepMs,
    );
    this.sweepTimer.unref();
    const a = socket.address();
    this.logger.info({ address: a.address, port: a.port }, 'sflow collector listening');
    return { address: a.address, port: a.port };
  }

  private onMessage(msg: Buffer, address: string, port: number): void {
    const now = Date.now();
    if (msg.length > (this.opts.maxDatagramBytes ?? MAX_DATAGRAM_BYTES)) {
      this.tooLarge++;
      this.limitedWarn(
        address,
        now,
        { from: `${address}:${port}`, bytes: msg.length },
        'sflow datagram larger than the limit: dropped',
      );
      return;
    }
    this.opts.onDatagram?.(msg, { address, port }, now);
    if (!this.ingest.allowed(address)) {
      this.limitedWarn(address, now, { from: address }, 'sflow datagram from an agent not in the allowlist');
      return;
    }
    const err = this.ingest.ingest(msg, now);
    if (err) {
      this.limitedWarn(
        address,
        now,
        {
          from: `${address}:${port}`,
          agent: err.agent,
          sequence: err.sequence,
          code: err.code,
          offset: err.offset,
          reason: err.message,
          bytes: msg.length,
        },
        'sflow datagram rejected',
      );
    } else if (this.ingest.lastSequenceEvent === 'restart') {
      this.logger.info({ from: address }, 'sflow agent restarted');
    }
  }

  private limitedWarn(key: string, now: number, obj: object, msg: string): void {
    const minute = Math.floor(now / 60_000);
    let b = this.logBudget.get(key);
    if (!b || b.minute !== minute) {
      if (!b && this.logBudget.size > 10_000) this.logBudget.clear();
      b = { minute, count: 0 };
      this.logBudget.set(key, b);
    }
    if (b.count++ < (this.opts.logLimitPerMinute ?? 10)) this.logger.warn(obj, msg);
  }

  /** The collector's counters in the shape the API's /metrics reads (monotonic since start). */
  internals(): {
    datagrams: number;
    flowSamples: number;
    counterSamples: number;
    drops: Record<string, number>;
  } {
    const c = this.ingest.counters;
    const drops: Record<string, number> = { too_large: this.tooLarge, unknown_agent: c.notAllowed };
    for (const [code, n] of Object.entries(c.rejected)) drops[`decode_${code.replace(/-/g, '_')}`] = n;
    return {
      datagrams: c.datagrams + this.tooLarge,
      flowSamples: c.flowSamples,
      counterSamples: c.counterSamples,
      drops,
    };
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
