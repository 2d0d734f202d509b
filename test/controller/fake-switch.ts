// A scripted OpenFlow switch over a real TCP connection, for controller tests: it completes the handshake
// (or stops at a chosen step), answers echo, barrier, port description and statistics requests, and
// records every message the controller sends.

import { connect, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import {
  OfStreamDecoder,
  decodeMessage,
  encodeMessage,
  helloFor,
  type MultipartReplyBody,
  type OfMessage,
  type OfVersion,
  type PortDesc,
} from '../../src/openflow/index.js';

export interface Received {
  version: number;
  xid: number;
  msg: OfMessage;
}

export interface FakeSwitchOptions {
  datapathId: bigint;
  version: OfVersion;
  ports?: PortDesc[];
  /** Where the handshake stops: 'hello' = send HELLO only; 'features' = answer nothing after FEATURES. */
  stallAt?: 'none' | 'hello' | 'features';
  answerEcho?: boolean;
  answerStats?: boolean;
  /** Send our bytes one at a time (framing test). */
  trickle?: boolean;
  flowStats?: MultipartReplyBody;
  portStats?: MultipartReplyBody;
  /** Sent in the same write (TCP segment) as FEATURES_REPLY, behind it. */
  withFeatures?: OfMessage[];
  /** Sent in a write of their own right after FEATURES_REPLY. */
  afterFeatures?: OfMessage[];
}

export function port(portNo: number, name = `p${portNo}`): PortDesc {
  return {
    portNo,
    hwAddr: 0x0a0000000000 + portNo,
    name,
    config: 0,
    state: 0,
    curr: 0,
    advertised: 0,
    supported: 0,
    peer: 0,
    currSpeed: 0,
    maxSpeed: 0,
  };
}

export class FakeSwitch {
  readonly received: Received[] = [];
  private readonly decoder = new OfStreamDecoder();
  private waiters: Array<{ pred: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  private nextXid = 0x1000;
  closed = false;
  readonly closedPromise: Promise<void>;
  answerEcho: boolean;
  answerStats: boolean;

  private constructor(
    readonly socket: Socket,
    readonly opts: FakeSwitchOptions,
  ) {
    this.answerEcho = opts.answerEcho ?? true;
    this.answerStats = opts.answerStats ?? true;
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        resolve();
      }),
    );
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk, (buf, start, end) => {
        const r = decodeMessage(buf, start, end);
        if (!r.ok) throw new Error(`fake switch got an undecodable message: ${r.error.message}`);
        this.onMessage({ version: r.version, xid: r.xid, msg: r.msg });
      });
    });
  }

  static connect(port: number, opts: FakeSwitchOptions): Promise<FakeSwitch> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => {
        const sw = new FakeSwitch(s, opts);
        sw.send(helloFor([opts.version]));
        resolve(sw);
      });
      s.once('error', reject);
    });
  }

  get ports(): PortDesc[] {
    return this.opts.ports ?? [port(1), port(2)];
  }

  send(msg: OfMessage, xid = this.nextXid++): void {
    this.write(encodeMessage(this.opts.version, xid, msg));
  }

  write(buf: Buffer): void {
    if (this.closed) return;
    if (!this.opts.trickle) {
      this.socket.write(buf);
      return;
    }
    for (let i = 0; i < buf.length; i++) this.socket.write(buf.subarray(i, i + 1));
  }

  private onMessage(r: Received): void {
    this.received.push(r);
    const stall = this.opts.stallAt ?? 'none';
    const m = r.msg;
    if (stall !== 'hello') {
      if (m.type === 'featuresRequest') {
        const reply = encodeMessage(this.opts.version, r.xid, {
          type: 'featuresReply',
          datapathId: this.opts.datapathId,
          nBuffers: 0,
          nTables: 254,
          auxiliaryId: 0,
          capabilities: 0x4f,
          actions: this.opts.version === 1 ? 0xfff : 0,
          ports: this.opts.version === 1 ? this.ports : [],
        });
        const behind = (this.opts.withFeatures ?? []).map((msg) =>
          encodeMessage(this.opts.version, this.nextXid++, msg),
        );
        this.write(Buffer.concat([reply, ...behind]));
        for (const msg of this.opts.afterFeatures ?? []) this.send(msg);
      } else if (stall === 'none') {
        if (m.type === 'barrierRequest') this.send({ type: 'barrierReply' }, r.xid);
        else if (m.type === 'echoRequest' && this.answerEcho)
          this.send({ type: 'echoReply', data: m.data }, r.xid);
        else if (m.type === 'multipartRequest' && m.body.kind === 'portDesc') {
          this.send(
            { type: 'multipartReply', flags: 0, body: { kind: 'portDesc', ports: this.ports } },
            r.xid,
          );
        } else if (m.type === 'multipartRequest' && this.answerStats) {
          if (m.body.kind === 'flow')
            this.send(
              { type: 'multipartReply', flags: 0, body: this.opts.flowStats ?? { kind: 'flow', flows: [] } },
              r.xid,
            );
          if (m.body.kind === 'port')
            this.send(
              { type: 'multipartReply', flags: 0, body: this.opts.portStats ?? { kind: 'port', ports: [] } },
              r.xid,
            );
        }
      }
    }
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.pred(r)) w.resolve(r);
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves with the first message (already received or future) satisfying pred. */
  waitFor(pred: (r: Received) => boolean, timeoutMs = 5000, what = 'message'): Promise<Received> {
    const have = this.received.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`fake switch ${this.opts.datapathId}: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
      });
    });
  }

  of<T extends OfMessage['type']>(type: T): Array<Extract<OfMessage, { type: T }>> {
    return this.received
      .filter((r) => r.msg.type === type)
      .map((r) => r.msg as Extract<OfMessage, { type: T }>);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A pino logger that keeps its records in memory, for asserting on log lines. */
export function memoryLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { log, lines };
}

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
