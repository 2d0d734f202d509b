// One switch's OpenFlow connection, with explicit states:
//   handshake  HELLO exchanged (version negotiated), FEATURES_REQUEST sent, waiting for the reply
//   config     SET_CONFIG, port descriptions and a BARRIER in flight
//   main       the switch is up: asynchronous messages flow to the controller, requests to the switch
//   dead       closed for good (peer gone, timeout, protocol violation); every pending request failed
// The session owns its timers and its transport; it never throws into the socket layer, and whatever a
// peer sends can at worst kill this one session.
//
// A switch may send packet-ins and flow-removed messages as soon as HELLO is exchanged: OVS does once
// it has flows (on every reconnect, with the burst it queued), an OpenFlow 1.0 switch for every table
// miss, often in the same TCP segment as FEATURES_REPLY. Those that come before the switch is up are
// held (bounded in count and bytes) and handed on right after `up`, in the order they came. We hold them
// rather than call the switch up at FEATURES_REPLY (as Ryu and os-ken do) because apps learn of a
// switch at `up`, with its ports known and the table-miss entry sent; a packet-in an app saw before that
// would be for a datapath it does not know and could not answer (the controller sends only to switches
// that are up). Port-status messages are not held: their effect is in the port table apps get at `up`.
// Whatever is dropped instead is reported to the handlers, with the reason.
//
// Reading is fair: at most opts.maxMessagesPerTurn messages per event-loop turn (read-turns.ts); the
// rest waits, unframed, and beyond opts.maxBacklogBytes with the socket paused.

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
import type { DropReason, DroppedKind } from './message-drops.js';
import { ReadTurns, type TurnTaker } from './read-turns.js';

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
  /** Messages of one switch handled before it waits for the end of an event-loop turn (read-turns.ts). */
  maxMessagesPerTurn: number;
  /**
   * Bytes waiting for a turn beyond which the session stops reading its socket (TCP flow control then
   * holds the switch back) until they are handled. Not at once: each pause and resume is a pair of
   * system calls, and a stall for the switch until the controller reads again.
   */
  maxBacklogBytes: number;
  /** Packet-ins and flow-removed messages held while the switch is set up: at most this many... */
  maxHeldMessages: number;
  /** ...and this many bytes. */
  maxHeldBytes: number;
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
  maxMessagesPerTurn: 256,
  maxBacklogBytes: 256 * 1024,
  maxHeldMessages: 8192,
  maxHeldBytes: 1024 * 1024,
};

/** The pipe under a session (a TCP socket in production, in memory in tests). */
export interface Transport {
  /** Encodes and queues one message; throws OfEncodeError when the message cannot be expressed. */
  send(version: OfVersion, xid: number, msg: OfMessage): void;
  /** Closes the connection at once. */
  destroy(): void;
  /** Stops delivering received bytes until resume (a socket leaves the rest in the kernel). */
  pause?(): void;
  resume?(): void;
}

export interface SessionHandlers {
  /** The switch reached main state: features and ports are known. */
  up(s: SwitchSession): void;
  /** An asynchronous message in main state (packet-in, flow-removed, port-status, unsolicited error). */
  message(s: SwitchSession, msg: OfMessage, xid: number): void;
  /** Called once, when the session dies. */
  dead(s: SwitchSession, reason: string): void;
  /** A packet-in or flow-removed message that will never reach `message`. */
  dropped(s: SwitchSession, reason: DropReason, kind: DroppedKind): void;
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

// OFPT_PACKET_IN and OFPT_FLOW_REMOVED: the same codes in 1.0 (spec 5.1) and 1.3 (spec 7.1).
const OFPT_PACKET_IN = 10;
const OFPT_FLOW_REMOVED = 11;

function asyncKind(type: number | undefined): DroppedKind | undefined {
  return type === OFPT_PACKET_IN ? 'packetIn' : type === OFPT_FLOW_REMOVED ? 'flowRemoved' : undefined;
}

export class SwitchSession implements TurnTaker {
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
  /** Arrival (session clock) of the bytes being handled: the latest chunk's, or a held message's. */
  private handlingAt: number;
  /** The read budget: messages still to be handled in turn `readTurn`. */
  private readTurn = -1;
  private readLeft = 0;
  /** A backlog waits for the next turn (ReadTurns.wait). */
  private waitingTurn = false;
  /** The transport is paused: the backlog is over maxBacklogBytes. */
  private paused = false;
  /** Inside decoder.push or drain, which must not be entered again. */
  private reading = false;
  /** Copies of asynchronous messages that came before `up`, and when each came. */
  private held: Buffer[] = [];
  private heldAt: number[] = [];
  private heldBytes = 0;

  constructor(
    private readonly transport: Transport,
    readonly peer: string,
    private readonly opts: SessionOptions,
    private readonly handlers: SessionHandlers,
    private readonly log: Logger,
    private readonly turns: ReadTurns = new ReadTurns(),
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.decoder = new OfStreamDecoder({ maxMessageSize: opts.maxMessageBytes });
    this.openedAt = this.clock();
    this.lastReceived = this.openedAt;
    this.handlingAt = this.openedAt;
    const tick = Math.max(
      20,
      Math.min(1000, Math.floor(Math.min(opts.echoIntervalMs, opts.requestTimeoutMs) / 4)),
    );
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
    this.sendRaw(helloFor(opts.versions), this.allocXid());
  }

  /**
   * When the bytes being handled arrived (the session's clock): one reading per chunk, not per message;
   * for a message held until the switch was up, when that message came.
   */
  get receivedAt(): number {
    return this.handlingAt;
  }

  get datapathId(): bigint | undefined {
    return this.features?.datapathId;
  }

  /** Bytes from the peer. */
  receive(chunk: Buffer): void {
    if (this.state === 'dead') {
      // Only to count the packet-ins among them (see onFrame).
      if (!this.reading) this.read(chunk);
      return;
    }
    this.lastReceived = this.clock();
    this.handlingAt = this.lastReceived;
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
    this.read(chunk);
  }

  /**
   * Frames chunk (without one, the backlog) within this turn's budget; what is left waits for the next
   * turn, past maxBacklogBytes with the transport paused. A dead session frames everything, only to
   * count what it drops.
   */
  private read(chunk?: Buffer): void {
    const dead = this.state === 'dead';
    if (!dead && this.readTurn !== this.turns.turn) {
      this.readTurn = this.turns.turn;
      this.readLeft = this.opts.maxMessagesPerTurn;
    }
    const budget = dead ? Infinity : this.readLeft;
    this.reading = true;
    const err = chunk
      ? this.decoder.push(chunk, this.onFrame, budget)
      : this.decoder.drain(this.onFrame, budget);
    this.reading = false;
    if (err) {
      this.close(`framing error: ${err.message}`);
      return;
    }
    if (this.decoder.backlog === 0) return;
    if (this.state === 'dead') {
      this.read();
      return;
    }
    if (!this.waitingTurn) {
      this.waitingTurn = true;
      this.turns.wait(this);
    }
    if (!this.paused && this.decoder.backlog > this.opts.maxBacklogBytes) {
      this.paused = true;
      this.transport.pause?.();
    }
  }

  /** This session's next batch of its backlog (from ReadTurns); reading resumes once it is all handled. */
  nextBatch(): void {
    this.waitingTurn = false;
    if (this.state === 'dead') return;
    this.read();
    // read() may have closed the session (a framing error).
    if (
      this.paused &&
      this.decoder.backlog <= this.opts.maxBacklogBytes &&
      (this.state as SessionState) !== 'dead'
    ) {
      this.paused = false;
      this.transport.resume?.();
    }
  }

  private readonly onFrame = (buf: Buffer, start: number, end: number): void => {
    this.readLeft--;
    if (this.state !== 'main') {
      const kind = asyncKind(buf[start + 1]);
      if (this.state === 'dead') {
        if (kind) this.drop('session_dead', kind);
        return;
      }
      // (Before HELLO there are none: a connection that does not start with HELLO is closed at its
      // first byte, and HELLO is the first message framed.)
      if (kind) {
        this.hold(buf, start, end, kind);
        return;
      }
    }
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

  /** Keeps a copy (the message is a view of a chunk that may be large) to hand on after `up`. */
  private hold(buf: Buffer, start: number, end: number, kind: DroppedKind): void {
    const len = end - start;
    if (this.held.length >= this.opts.maxHeldMessages || this.heldBytes + len > this.opts.maxHeldBytes) {
      this.drop('hold_queue_full', kind);
      return;
    }
    this.held.push(Buffer.from(buf.subarray(start, end)));
    this.heldAt.push(this.handlingAt);
    this.heldBytes += len;
  }

  /**
   * Hands on what was held, in order, as if it had just come (with the time it came). All at once: it is
   * bounded, and it happens once per connection.
   */
  private replayHeld(): void {
    const held = this.held;
    const at = this.heldAt;
    this.held = [];
    this.heldAt = [];
    this.heldBytes = 0;
    for (let i = 0; i < held.length; i++) {
      this.handlingAt = at[i]!;
      this.onFrame(held[i]!, 0, held[i]!.length);
    }
    this.handlingAt = this.lastReceived;
  }

  private drop(reason: DropReason, kind: DroppedKind): void {
    try {
      this.handlers.dropped(this, reason, kind);
    } catch (e) {
      this.log.error({ err: e, dpid: this.dpidText() }, 'drop handler failed');
    }
  }

  private onDecodeError(error: OfDecodeError, head: Buffer): void {
    if (this.state === 'handshake' && this.version === undefined) {
      this.close(`undecodable message before HELLO: ${error.message}`);
      return;
    }
    const kind = asyncKind(head[1]);
    if (kind) this.drop('undecodable', kind);
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
    // Known at once, not when configure() resumes: messages later in the same chunk (held, or dropped)
    // are then logged with their datapath id.
    if (msg.type === 'featuresReply') this.features ??= msg;
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
      this.replayHeld();
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
    for (const m of this.held) this.drop('session_dead', asyncKind(m[1])!);
    this.held = [];
    this.heldAt = [];
    this.heldBytes = 0;
    // What waits unframed is counted too (onFrame drops it); unless the framing loop is running now,
    // in which case it finishes the job.
    if (!this.reading && this.decoder.backlog > 0) this.read();
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
