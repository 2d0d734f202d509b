// Server-sent events (WHATWG HTML, "Server-sent events"): one long-lived response per client, fed from
// the store's channels. Each message is serialised once and written to every client that wants it; a
// client that cannot keep up is disconnected (EventSource reconnects by itself) rather than buffered.

import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Channels, type Store, type Subscription } from '../store/store.js';

export interface EventStreamOptions {
  maxClients: number;
  /** A comment line is sent this often so proxies and browsers keep the connection. */
  heartbeatMs: number;
  /** A client with more than this many bytes not yet written to its socket is dropped at once. */
  maxBufferedBytes: number;
  /** A client that stays behind by more than `behindBytes` for this long is dropped: a burst (one poll
   * of a large host) is fine, a reader that never catches up is not. */
  behindMs: number;
  behindBytes: number;
}

export const DEFAULT_EVENT_STREAM: EventStreamOptions = {
  maxClients: 256,
  heartbeatMs: 15_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  behindMs: 10_000,
  behindBytes: 1024 * 1024,
};

export interface EventFilter {
  /** Event names wanted; empty means all. */
  types: ReadonlySet<string>;
  /** Only samples of this VM (other event types pass). */
  vm?: string;
}

interface Client {
  res: ServerResponse;
  filter: EventFilter;
  peer: string;
  /** When the client last fell more than behindBytes behind; undefined while it keeps up. */
  behindSince: number | undefined;
}

const EVENT_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/** The SSE event name of a message on the events channel: its `type` when that is a plain name. */
export function eventName(message: unknown): string {
  const t = (message as { type?: unknown } | null)?.type;
  return typeof t === 'string' && EVENT_NAME.test(t) ? t : 'event';
}

export class EventHub {
  private readonly clients = new Set<Client>();
  private subs: Subscription[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private nextId = 1;
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: EventStreamOptions = DEFAULT_EVENT_STREAM,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    if (this.subs.length > 0) return;
    this.subs.push(await this.store.subscribeSamples((s) => this.broadcast('sample', s)));
    this.subs.push(await this.store.subscribe(Channels.events, (m) => this.broadcast(eventName(m), m)));
    this.heartbeat = setInterval(() => this.writeAll(': keep-alive\n\n'), this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const subs = this.subs;
    this.subs = [];
    await Promise.all(subs.map((s) => s.unsubscribe().catch(() => undefined)));
    for (const c of [...this.clients]) c.res.end();
    this.clients.clear();
  }

  /** Takes over a response; false when the hub is full (the caller answers 503). */
  add(res: ServerResponse, filter: EventFilter, peer: string): boolean {
    if (this.clients.size >= this.opts.maxClients) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // "retry:" sets the client's reconnection delay in ms.
    res.write('retry: 3000\n: connected\n\n');
    const client: Client = { res, filter, peer, behindSince: undefined };
    this.clients.add(client);
    res.on('drain', () => {
      client.behindSince = undefined;
    });
    res.on('close', () => this.clients.delete(client));
    res.on('error', () => this.clients.delete(client));
    return true;
  }

  private broadcast(event: string, message: unknown): void {
    if (this.clients.size === 0) return;
    const uuid = event === 'sample' ? (message as { uuid?: unknown } | null)?.uuid : undefined;
    let frame: string | undefined;
    for (const c of this.clients) {
      if (c.filter.types.size > 0 && !c.filter.types.has(event)) continue;
      if (c.filter.vm !== undefined && event === 'sample' && uuid !== c.filter.vm) continue;
      // JSON.stringify never emits a raw newline, so the data fits one "data:" line.
      frame ??= `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(message)}\n\n`;
      this.write(c, frame);
    }
  }

  private writeAll(text: string): void {
    for (const c of this.clients) this.write(c, text);
  }

  private write(c: Client, text: string): void {
    const buffered = c.res.writableLength;
    if (buffered > this.opts.behindBytes) {
      const now = Date.now();
      c.behindSince ??= now;
      if (buffered > this.opts.maxBufferedBytes || now - c.behindSince > this.opts.behindMs) {
        this.clients.delete(c);
        this.dropped++;
        this.log.warn(
          { peer: c.peer, buffered, behindMs: now - c.behindSince },
          'event stream: client too slow, disconnected',
        );
        c.res.destroy();
        return;
      }
    }
    c.res.write(text);
    this.delivered++;
  }
}

/** Parses the `types` query parameter: comma-separated event names. */
export function parseTypes(raw: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const t of (raw ?? '').split(',')) if (t && EVENT_NAME.test(t)) out.add(t);
  return out;
}
