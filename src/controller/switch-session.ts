// One switch's OpenFlow connection, with explicit states:
//   handshake  HELLO exchanged (version negotiated), FEATURES_REQUEST sent, waiting for the reply
//   config     SET_CONFIG, port descriptions and a BARRIER in flight
//   main       the switch is up: asynchronous messages flow to the controller, requests to the switch
//   dead       closed for good (peer gone, timeout, protocol violation); every pending request failed
// The session owns its timers and its transport; it never throws into the socket layer, and whatever a
// peer sends can at worst kill this one session.

import type { Logger } from 'pino';
import {
  OFPBRC,
  OFPET,
  OFPHFC_INCOMPATIBLE,
  OFPMPF_MORE,
  OFP_VERSION_10,
  OfStreamDecoder,
  decodeMessage,
  helloFor,
  negotiateVersion,
  type FeaturesReply,
  type MultipartReplyBody,
  type MultipartRequestBody,
  type OfDecodeError,
  type OfMessage,
  type OfVersion,
  type PortDesc,
} from '../openflow/index.js';

export type SessionState = 'handshake' | 'config' | 'main' | 'dead';

export interface SessionOptions {
  versions: readonly OfVersion[];
  /** Idle time after which we send an ECHO_REQUEST. */
  echoIntervalMs: number;
  /** Nothing received for this long: the switch is dead. */
  echoTimeoutMs: number;
  /** HELLO to main state must take less than this. */
  handshakeTimeoutMs: number;
  /** A request (stats, barrier) not answered within this fails. */
  requestTimeoutMs: number;
  maxMessageBytes: number;
  /** Bytes of a table-miss packet the switch sends in a packet-in (OFPCML_NO_BUFFER = whole packet). */
  missSendLen: number;
  /** Decode errors tolerated in main state before the session gives up on the peer. */
  maxDecodeErrors: number;
  /** Parts of one multipart reply accepted (each at most maxMessageBytes) before the request fails. */
  maxReplyParts: number;
}

export const SESSION_DEFAULTS: SessionOptions = {
  versions: [0x01, 0x04],
  echoIntervalMs: 5_000,
  echoTimeoutMs: 15_000,
  handshakeTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  maxMessageBytes: 65_535,
  missSendLen: 0xffff,
  maxDecodeErrors: 16,
  maxReplyParts: 1024,
};

/** The pipe under a session (a TCP socket in production, in memory in tests). */
export interface Transport {
  /** Encodes and queues one message; throws OfEncodeError when the message cannot be expressed. */
  send(version: OfVersion, xid: number, msg: OfMessage): void;
  /** Closes the connection at once. */
  destroy(): void;
}

export interface SessionHandlers {
  /** The switch reached main state: features and ports are known. */
  up(s: SwitchSession): void;
  /** An asynchronous message in main state (packet-in, flow-removed, port-status, unsolicited error). */
  message(s: SwitchSession, msg: OfMessage, xid: number): void;
  /** Called once, when the session dies. */
  dead(s: SwitchSession, reason: string): void;
}

interface Pending {
  resolve(msgs: OfMessage[]): void;
  reject(err: Error): void;
  deadline: number;
  parts: OfMessage[];
  what: string;
}

export class SessionError extends Error {
  constructor(
    message: string,
    readonly errType?: number,
    readonly errCode?: number,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export class SwitchSession {
  state: SessionState = 'handshake';
  version: OfVersion | undefined;
  features: FeaturesReply | undefined;
  readonly ports = new Map<number, PortDesc>();
  /** When the connection was accepted, in milliseconds since the epoch: what operators are shown. */
  readonly connectedAt = Date.now();
  deathReason: string | undefined;
  /** OFPT_ERROR messages received from the switch. */
  errorsReceived = 0;

  private readonly decoder: OfStreamDecoder;
  private readonly pending = new Map<number, Pending>();
  private nextXid = 1;
  /** The same moment on the session's own (monotonic) clock, which every timer of the session uses. */
  private readonly openedAt: number;
  private lastReceived: number;
  private lastEchoSent = 0;
  private decodeErrors = 0;
  private sawFirstByte = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly transport: Transport,
    readonly peer: string,
    private readonly opts: SessionOptions,
    private readonly handlers: SessionHandlers,
    private readonly log: Logger,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.decoder = new OfStreamDecoder({ maxMessageSize: opts.maxMessageBytes });
    this.openedAt = this.clock();
    this.lastReceived = this.openedAt;
    const tick = Math.max(
      20,
      Math.min(1000, Math.floor(Math.min(opts.echoIntervalMs, opts.requestTimeoutMs) / 4)),
    );
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
    this.sendRaw(helloFor(opts.versions), this.allocXid());
  }

  /** When the bytes being processed arrived (the session's clock): one reading per chunk, not per message. */
  get receivedAt(): number {
    return this.lastReceived;
  }

  get datapathId(): bigint | undefined {
    return this.features?.datapathId;
  }

  /** Bytes from the peer. */
  receive(chunk: Buffer): void {
    if (this.state === 'dead') return;
    this.lastReceived = this.clock();
    if (!this.sawFirstByte && chunk.length > 0) {
      // OF1.3 spec 6.3.1: the first message on a connection is OFPT_HELLO (type 0, version 1..6 so far).
      this.sawFirstByte = true;
      if (chunk[0] === 0 || chunk[0]! > 0x3f || (chunk.length > 1 && chunk[1] !== 0)) {
        this.close(
          `protocol violation: connection does not start with an OpenFlow HELLO (0x${chunk.subarray(0, 8).toString('hex')})`,
        );
        return;
      }
    }
    const err = this.decoder.push(chunk, this.onFrame);
    if (err) this.close(`framing error: ${err.message}`);
  }

  private readonly onFrame = (buf: Buffer, start: number, end: number): void => {
    if (this.state === 'dead') return;
    const r = decodeMessage(buf, start, end);
    if (!r.ok) {
      this.onDecodeError(r.error, buf.subarray(start, Math.min(end, start + 64)));
      return;
    }
    try {
      this.dispatch(r.msg, r.xid, r.version);
    } catch (e) {
      // A handler bug must not take the connection's socket layer down with it.
      this.log.error({ err: e, dpid: this.dpidText() }, 'OpenFlow message handler failed');
    }
  };

  private onDecodeError(error: OfDecodeError, head: Buffer): void {
    if (this.state === 'handshake' && this.version === undefined) {
      this.close(`undecodable message before HELLO: ${error.message}`);
      return;
    }
    this.log.warn(
      { dpid: this.dpidText(), peer: this.peer, code: error.code },
      `bad OpenFlow message: ${error.message}`,
    );
    if (this.version !== undefined) {
      const code =
        error.code === 'bad-type'
          ? OFPBRC.BAD_TYPE
          : error.code === 'bad-version'
            ? OFPBRC.BAD_VERSION
            : OFPBRC.BAD_LEN;
      this.sendRaw(
        { type: 'error', errType: OFPET.BAD_REQUEST, code, data: Buffer.from(head) },
        error.xid ?? 0,
      );
    }
    if (++this.decodeErrors > this.opts.maxDecodeErrors)
      this.close(`more than ${this.opts.maxDecodeErrors} undecodable messages`);
  }

  private dispatch(msg: OfMessage, xid: number, version: number): void {
    if (this.version === undefined) {
      if (msg.type !== 'hello') {
        this.close(`protocol violation: ${msg.type} before HELLO`);
        return;
      }
      const v = negotiateVersion(this.opts.versions, version, msg.versions);
      if (v === undefined) {
        // OF1.3 spec 6.3.1: no common version -> OFPET_HELLO_FAILED / OFPHFC_INCOMPATIBLE, then close.
        const text = `no common OpenFlow version (peer ${msg.versions ? msg.versions.join(',') : `header ${version}`})`;
        this.sendRaw(
          { type: 'error', errType: OFPET.HELLO_FAILED, code: OFPHFC_INCOMPATIBLE, data: Buffer.from(text) },
          xid,
          version >= 4 ? 4 : 1,
        );
        this.close(text);
        return;
      }
      this.version = v;
      void this.configure();
      return;
    }
    if (version !== this.version && msg.type !== 'hello') {
      this.onDecodeError(
        {
          code: 'bad-version',
          message: `version ${version} after negotiating ${this.version}`,
          offset: 0,
          xid,
        },
        Buffer.alloc(0),
      );
      return;
    }
    switch (msg.type) {
      case 'echoRequest':
        this.sendRaw({ type: 'echoReply', data: Buffer.from(msg.data) }, xid);
        return;
      case 'echoReply':
      case 'hello':
        return;
      case 'packetIn':
      case 'flowRemoved':
        if (this.state === 'main') this.handlers.message(this, msg, xid);
        return;
      case 'portStatus':
        this.applyPortStatus(msg.reason, msg.port);
        if (this.state === 'main') this.handlers.message(this, msg, xid);
        return;
      default:
        break;
    }
    if (msg.type === 'error') this.errorsReceived++;
    const p = this.pending.get(xid);
    if (p === undefined) {
      if (msg.type === 'error')
        this.log.warn(
          { dpid: this.dpidText(), errType: msg.errType, code: msg.code, xid },
          'switch reported an error',
        );
      if (this.state === 'main') this.handlers.message(this, msg, xid);
      return;
    }
    if (msg.type === 'error') {
      this.pending.delete(xid);
      p.reject(
        new SessionError(
          `${p.what} failed: OFPT_ERROR type ${msg.errType} code ${msg.code}`,
          msg.errType,
          msg.code,
        ),
      );
      return;
    }
    p.parts.push(msg);
    if (msg.type === 'multipartReply' && (msg.flags & OFPMPF_MORE) !== 0) {
      if (p.parts.length < this.opts.maxReplyParts) return;
      this.pending.delete(xid);
      p.reject(new SessionError(`${p.what}: reply has more than ${this.opts.maxReplyParts} parts`));
      return;
    }
    this.pending.delete(xid);
    p.resolve(p.parts);
  }

  private applyPortStatus(reason: number, port: PortDesc): void {
    if (reason === 1 /* OFPPR_DELETE */) this.ports.delete(port.portNo);
    else this.ports.set(port.portNo, port);
  }

  private async configure(): Promise<void> {
    try {
      const [features] = await this.request({ type: 'featuresRequest' }, 'features request');
      if (!features || features.type !== 'featuresReply')
        throw new SessionError('unexpected reply to FEATURES_REQUEST');
      this.features = features;
      this.state = 'config';
      for (const p of features.ports) this.ports.set(p.portNo, p);
      this.send({ type: 'setConfig', flags: 0, missSendLen: this.opts.missSendLen });
      if (this.version !== OFP_VERSION_10 || features.ports.length === 0) {
        // 1.3 has no ports in FEATURES_REPLY (spec 7.3.1): ask for OFPMP_PORT_DESC.
        const bodies = await this.requestStats({ kind: 'portDesc' });
        for (const b of bodies)
          if (b.kind === 'portDesc') for (const p of b.ports) this.ports.set(p.portNo, p);
      }
      await this.barrier();
      if (this.state !== 'config') return;
      this.state = 'main';
      this.log.info(
        { dpid: this.dpidText(), peer: this.peer, version: this.version, ports: this.ports.size },
        'switch connected',
      );
      this.handlers.up(this);
    } catch (e) {
      if (this.state !== 'dead')
        this.close(`configuration failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private allocXid(): number {
    const x = this.nextXid;
    this.nextXid = x >= 0xffff_ffff ? 1 : x + 1;
    return x;
  }

  private sendRaw(
    msg: OfMessage,
    xid: number,
    version: number = this.version ?? Math.max(...this.opts.versions),
  ): void {
    this.transport.send(version as OfVersion, xid, msg);
  }

  /** Sends a message that expects no reply; returns its xid. False when the session cannot send. */
  send(msg: OfMessage): number | false {
    if (this.state === 'dead' || this.version === undefined) return false;
    const xid = this.allocXid();
    this.transport.send(this.version, xid, msg);
    return xid;
  }

  /** Sends a request and resolves with its reply (every part of a multipart reply). */
  request(
    msg: OfMessage,
    what: string = msg.type,
    timeoutMs = this.opts.requestTimeoutMs,
  ): Promise<OfMessage[]> {
    if (this.state === 'dead' || this.version === undefined) {
      return Promise.reject(new SessionError(`${what}: switch connection is ${this.state}`));
    }
    const xid = this.allocXid();
    return new Promise((resolve, reject) => {
      this.pending.set(xid, { resolve, reject, deadline: this.clock() + timeoutMs, parts: [], what });
      this.transport.send(this.version!, xid, msg);
    });
  }

  async requestStats(body: MultipartRequestBody): Promise<MultipartReplyBody[]> {
    const parts = await this.request(statsRequest(body), `${body.kind} stats request`);
    const out: MultipartReplyBody[] = [];
    for (const p of parts) if (p.type === 'multipartReply') out.push(p.body);
    return out;
  }

  async barrier(): Promise<void> {
    await this.request({ type: 'barrierRequest' }, 'barrier');
  }

  get pendingRequests(): number {
    return this.pending.size;
  }

  private tick(): void {
    if (this.state === 'dead') return;
    const now = this.clock();
    if (this.state !== 'main' && now - this.openedAt > this.opts.handshakeTimeoutMs) {
      this.close(`handshake timeout: still in ${this.state} after ${this.opts.handshakeTimeoutMs} ms`);
      return;
    }
    const idle = now - this.lastReceived;
    if (idle > this.opts.echoTimeoutMs) {
      this.close(`echo timeout: nothing received for ${Math.round(idle)} ms`);
      return;
    }
    if (
      this.version !== undefined &&
      idle > this.opts.echoIntervalMs &&
      now - this.lastEchoSent > this.opts.echoIntervalMs
    ) {
      this.lastEchoSent = now;
      this.send({ type: 'echoRequest', data: Buffer.alloc(0) });
    }
    for (const [xid, p] of this.pending) {
      if (now > p.deadline) {
        this.pending.delete(xid);
        p.reject(new SessionError(`${p.what} timed out`));
      }
    }
  }

  /** Closes the connection for good; idempotent. */
  close(reason: string): void {
    if (this.state === 'dead') return;
    const wasMain = this.state === 'main';
    this.state = 'dead';
    this.deathReason = reason;
    clearInterval(this.timer);
    for (const p of this.pending.values())
      p.reject(new SessionError(`${p.what}: connection closed (${reason})`));
    this.pending.clear();
    try {
      this.transport.destroy();
    } catch {
      // already gone
    }
    const fields = { dpid: this.dpidText(), peer: this.peer, reason };
    if (wasMain) this.log.warn(fields, 'switch disconnected');
    else this.log.warn(fields, 'switch dropped before it came up');
    this.handlers.dead(this, reason);
  }

  dpidText(): string | undefined {
    return this.features ? formatDatapathId(this.features.datapathId) : undefined;
  }
}

export function formatDatapathId(dpid: bigint): string {
  return dpid.toString(16).padStart(16, '0');
}

function statsRequest(body: MultipartRequestBody): OfMessage {
  return { type: 'multipartRequest', flags: 0, body };
}
