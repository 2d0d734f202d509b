// A libvirt RPC connection: one stream, calls matched to replies by serial, per-call timeouts, the
// keepalive program, and unsolicited messages (events) routed to listeners by procedure.
//
// Handshake, as libvirt's remote driver does it: AUTH_LIST (only "none" is supported: the read-only
// socket, or a TLS/TCP daemon configured with auth_tcp/auth_tls = "none"), CONNECT_SUPPORTS_FEATURE for
// the keepalive program (which also starts the daemon's own PINGs), then CONNECT_OPEN with the URI's name.

import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type net from 'node:net';
import type { XdrWriter } from '../xdr/writer.js';
import {
  AuthType,
  CONNECT_RO,
  DOMAIN_EVENT_ID_LIFECYCLE,
  DomainStatsFlag,
  FEATURE_PROGRAM_KEEPALIVE,
  KEEPALIVE_PROC_PING,
  KEEPALIVE_PROC_PONG,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  MessageStatus,
  MessageType,
  Procedure,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
} from './constants.js';
import type { DomainRef } from './domain.js';
import {
  LibvirtConnectionError,
  LibvirtError,
  LibvirtProtocolError,
  LibvirtTimeoutError,
  type Decoded,
} from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder } from './frame-decoder.js';
import { DEFAULT_KEEPALIVE, Keepalive, type KeepaliveOptions } from './keepalive.js';
import { decodeLifecycleEvent, type LifecycleEvent } from './lifecycle-event.js';
import { decodeMessage, encodeMessage } from './message.js';
import {
  decodeAuthList,
  decodeCallbackRegisterAny,
  DomainStatsReplyDecoder,
  decodeGetXmlDesc,
  decodeHostname,
  decodeLibVersion,
  decodeListAllDomains,
  decodeNodeInfo,
  decodeSupportsFeature,
  decodeVoid,
  writeCallbackDeregisterAnyArgs,
  writeCallbackRegisterAnyArgs,
  writeGetAllDomainStatsArgs,
  writeGetXmlDescArgs,
  writeListAllDomainsArgs,
  writeOpenArgs,
  writeSupportsFeatureArgs,
  type DomainStatsRecord,
  type NodeInfo,
} from './procedures.js';
import { decodeRemoteError } from './remote-error.js';
import { openTransport, type TlsOptions } from './transport.js';
import { parseLibvirtUri, type LibvirtUri } from './uri.js';

/** The subset of a pino logger the client writes to. */
export interface LibvirtLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface LibvirtClientOptions {
  /** Open read-only (VIR_CONNECT_RO; on the unix transport, the read-only socket). Default true. */
  readOnly?: boolean;
  /** Unix socket path, overriding the default and the URI's `socket=`. */
  socketPath?: string;
  /** Time for the transport and the handshake together. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default per-call timeout. Default 30 s. */
  callTimeoutMs?: number;
  /** Largest accepted message, length word included. Default VIR_NET_MESSAGE_MAX + 4 (32 MiB + 4). */
  maxMessageBytes?: number;
  /** Keepalive timing, or false to neither send PINGs nor expire the connection. Default 5 s x 5. */
  keepalive?: Partial<KeepaliveOptions> | false;
  /** Certificates for tls (default: `pkipath=` or libvirt's /etc/pki layout). */
  tls?: TlsOptions;
  /** Calls in flight at once; more are rejected at once rather than queued. Default 1024. */
  maxPendingCalls?: number;
  logger?: LibvirtLogger;
}

export interface CallOptions {
  /** Overrides the connection's default call timeout. */
  timeoutMs?: number;
}

export interface CloseInfo {
  /** Why the connection ended: null when close() was called, else what broke it. */
  error: Error | null;
}

export interface GetAllDomainStatsOptions {
  /** virDomainStatsTypes bitmask; 0 (default) asks for every group the driver supports. */
  stats?: number;
  /**
   * virConnectGetAllDomainStatsFlags. Default NOWAIT, so a domain whose monitor is busy cannot
   * stall the poll (libvirt then reports what it has without asking the hypervisor).
   */
  flags?: number;
  /** Only these domains (virDomainListGetStats); default: all. */
  domains?: readonly DomainRef[];
  timeoutMs?: number;
  /** Longest stretch of decoding before yielding to the event loop. Default 2 ms. */
  sliceMs?: number;
}

export type LibvirtClientEvents = {
  /** A DOMAIN_EVENT_CALLBACK_LIFECYCLE message for a callback this connection registered. */
  lifecycle: [event: LifecycleEvent];
  /** Any other unsolicited REMOTE_PROGRAM message, undecoded. */
  message: [procedure: number, body: Buffer];
  /** The connection ended; emitted exactly once. */
  close: [info: CloseInfo];
  /** What broke the connection; emitted before 'close', and only when someone listens. */
  error: [error: Error];
};

interface PendingCall {
  procedure: number;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  decode: (body: Buffer) => Decoded<unknown>;
  timer: NodeJS.Timeout;
}

const DEFAULT_SLICE_MS = 2;
const MAX_TIMER_MS = 2 ** 31 - 1;
const RECORDS_PER_STEP = 16;

function rawBody(body: Buffer): Decoded<Buffer> {
  return { ok: true, value: body };
}

const NO_LOGGER: LibvirtLogger = { debug() {}, info() {}, warn() {} };

export class LibvirtClient extends EventEmitter<LibvirtClientEvents> {
  readonly uri: LibvirtUri;
  /** True once the daemon said it speaks the keepalive program. */
  keepaliveSupported = false;

  private readonly socket: net.Socket;
  private readonly frames: FrameDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private readonly log: LibvirtLogger;
  private readonly callTimeoutMs: number;
  private readonly maxPending: number;
  private readonly keepaliveOptions: KeepaliveOptions | null;
  private keepalive: Keepalive | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private nextSerial = 1;
  private state: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';

  /** Opens a connection and completes libvirt's handshake. */
  static async connect(uri: string | LibvirtUri, options: LibvirtClientOptions = {}): Promise<LibvirtClient> {
    const parsed = typeof uri === 'string' ? parseLibvirtUri(uri) : uri;
    const readOnly = options.readOnly ?? true;
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const started = Date.now();
    const socket = await openTransport(parsed, {
      readOnly,
      socketPath: options.socketPath,
      connectTimeoutMs,
      tls: options.tls,
    });
    const client = new LibvirtClient(parsed, socket, options);
    const left = Math.max(1, connectTimeoutMs - (Date.now() - started));
    try {
      await client.handshake(readOnly, left);
    } catch (err) {
      client.fail(err instanceof Error ? err : new Error(String(err)), false);
      throw err;
    }
    return client;
  }

  private constructor(uri: LibvirtUri, socket: net.Socket, options: LibvirtClientOptions) {
    super();
    this.uri = uri;
    this.socket = socket;
    this.frames = new FrameDecoder(options.maxMessageBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.log = options.logger ?? NO_LOGGER;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.maxPending = options.maxPendingCalls ?? 1024;
    this.keepaliveOptions =
      options.keepalive === false ? null : { ...DEFAULT_KEEPALIVE, ...(options.keepalive ?? {}) };
    socket.on('data', this.onData);
    socket.on('error', (err) =>
      this.fail(
        new LibvirtConnectionError(`libvirt connection ${this.uri.uri} failed: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    socket.on('close', () =>
      this.fail(new LibvirtConnectionError(`libvirt at ${this.uri.uri} closed the connection`)),
    );
    socket.resume();
  }

  /** True until the connection ends. */
  get isOpen(): boolean {
    return this.state === 'open' || this.state === 'connecting';
  }

  /** Calls waiting for a reply. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  // --- procedures

  /** AUTH_LIST: the authentication types the daemon accepts on this socket (0 none, 1 sasl, 2 polkit). */
  authList(opts?: CallOptions): Promise<number[]> {
    return this.call(Procedure.AUTH_LIST, null, decodeAuthList, opts);
  }

  /** CONNECT_GET_LIB_VERSION: major * 1,000,000 + minor * 1,000 + release. */
  getLibVersion(opts?: CallOptions): Promise<number> {
    return this.call(Procedure.CONNECT_GET_LIB_VERSION, null, decodeLibVersion, opts);
  }

  getHostname(opts?: CallOptions): Promise<string> {
    return this.call(Procedure.CONNECT_GET_HOSTNAME, null, decodeHostname, opts);
  }

  nodeGetInfo(opts?: CallOptions): Promise<NodeInfo> {
    return this.call(Procedure.NODE_GET_INFO, null, decodeNodeInfo, opts);
  }

  /** CONNECT_LIST_ALL_DOMAINS with virConnectListAllDomainsFlags (0: every domain, running or not). */
  listAllDomains(flags = 0, opts?: CallOptions): Promise<DomainRef[]> {
    return this.call(
      Procedure.CONNECT_LIST_ALL_DOMAINS,
      (w) => writeListAllDomainsArgs(w, flags),
      decodeListAllDomains,
      opts,
    );
  }

  /**
   * CONNECT_GET_ALL_DOMAIN_STATS: one bulk call for every domain's statistics. A long reply is decoded
   * in slices of at most `sliceMs`, yielding to the event loop in between.
   */
  async getAllDomainStats(options: GetAllDomainStatsOptions = {}): Promise<DomainStatsRecord[]> {
    const stats = options.stats ?? 0;
    const flags = options.flags ?? DomainStatsFlag.NOWAIT;
    const domains = options.domains ?? [];
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    const body = await this.call(
      Procedure.CONNECT_GET_ALL_DOMAIN_STATS,
      (w) => writeGetAllDomainStatsArgs(w, domains, stats, flags),
      rawBody,
      options,
    );
    const started = DomainStatsReplyDecoder.start(body);
    if (!started.ok) throw started.error;
    const decoder = started.value;
    for (;;) {
      const sliceEnd = performance.now() + sliceMs;
      for (;;) {
        const step = decoder.next(RECORDS_PER_STEP);
        if (!step.ok) throw step.error;
        if (step.value) return decoder.records;
        if (performance.now() >= sliceEnd) break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** DOMAIN_GET_XML_DESC with virDomainXMLFlags (a read-only connection cannot ask for SECURE). */
  getDomainXml(domain: DomainRef, flags = 0, opts?: CallOptions): Promise<string> {
    return this.call(
      Procedure.DOMAIN_GET_XML_DESC,
      (w) => writeGetXmlDescArgs(w, domain, flags),
      decodeGetXmlDesc,
      opts,
    );
  }

  /**
   * CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY for lifecycle events of every domain (or of one).
   * Events then arrive as 'lifecycle'. Returns the callback id.
   */
  registerLifecycleEvents(domain: DomainRef | null = null, opts?: CallOptions): Promise<number> {
    return this.call(
      Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
      (w) => writeCallbackRegisterAnyArgs(w, DOMAIN_EVENT_ID_LIFECYCLE, domain),
      decodeCallbackRegisterAny,
      opts,
    );
  }

  async deregisterLifecycleEvents(callbackId: number, opts?: CallOptions): Promise<void> {
    await this.call(
      Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
      (w) => writeCallbackDeregisterAnyArgs(w, callbackId),
      decodeVoid,
      opts,
    );
  }

  /**
   * Sends CONNECT_CLOSE (waiting at most `timeoutMs` for its reply) and ends the stream. Pending calls
   * fail with LibvirtConnectionError. Never rejects.
   */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    if (wasOpen) {
      try {
        await this.callRaw(Procedure.CONNECT_CLOSE, null, decodeVoid, timeoutMs);
      } catch (err) {
        this.log.debug({ uri: this.uri.uri, err: String(err) }, 'libvirt CONNECT_CLOSE got no clean reply');
      }
    }
    this.fail(null);
  }

  /**
   * Low-level call of a REMOTE_PROGRAM procedure: `writeArgs` appends the XDR args; `decode` turns the
   * reply body into a value. Rejects with LibvirtError (the daemon's error), LibvirtProtocolError (a
   * reply that does not decode), LibvirtTimeoutError or LibvirtConnectionError.
   */
  call<T>(
    procedure: number,
    writeArgs: ((w: XdrWriter) => void) | null,
    decode: (body: Buffer) => Decoded<T>,
    opts?: CallOptions,
  ): Promise<T> {
    if (this.state !== 'open') {
      return Promise.reject(
        new LibvirtConnectionError(`libvirt connection ${this.uri.uri} is ${this.state}`),
      );
    }
    return this.callRaw(procedure, writeArgs, decode, opts?.timeoutMs ?? this.callTimeoutMs);
  }

  // --- internals

  private async handshake(readOnly: boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const auth = await this.callRaw(Procedure.AUTH_LIST, null, decodeAuthList, left());
    if (auth.length > 0 && !auth.includes(AuthType.NONE)) {
      throw new LibvirtProtocolError(
        'handshake',
        `libvirt at ${this.uri.uri} requires authentication (${auth.map(authName).join(', ')}); ` +
          'only the read-only socket or a daemon with auth "none" is supported',
      );
    }
    if (this.keepaliveOptions) {
      this.keepaliveSupported = await this.callRaw(
        Procedure.CONNECT_SUPPORTS_FEATURE,
        (w) => writeSupportsFeatureArgs(w, FEATURE_PROGRAM_KEEPALIVE),
        decodeSupportsFeature,
        left(),
      );
    }
    await this.callRaw(
      Procedure.CONNECT_OPEN,
      (w) => writeOpenArgs(w, this.uri.name, readOnly ? CONNECT_RO : 0),
      decodeVoid,
      left(),
    );
    if (this.state !== 'connecting')
      throw new LibvirtConnectionError(`libvirt connection ${this.uri.uri} ended during the handshake`);
    this.state = 'open';
    if (this.keepaliveOptions && this.keepaliveSupported) this.startKeepalive(this.keepaliveOptions);
    this.log.debug({ uri: this.uri.uri, name: this.uri.name, readOnly }, 'libvirt connection open');
  }

  private callRaw<T>(
    procedure: number,
    writeArgs: ((w: XdrWriter) => void) | null,
    decode: (body: Buffer) => Decoded<T>,
    timeoutMs: number,
  ): Promise<T> {
    if (this.state === 'closed') {
      return Promise.reject(new LibvirtConnectionError(`libvirt connection ${this.uri.uri} is closed`));
    }
    if (this.pending.size >= this.maxPending) {
      return Promise.reject(
        new LibvirtConnectionError(
          `libvirt connection ${this.uri.uri} has ${this.pending.size} calls in flight`,
        ),
      );
    }
    let serial = this.nextSerial;
    while (this.pending.has(serial)) serial = (serial + 1) >>> 0 || 1;
    this.nextSerial = (serial + 1) >>> 0 || 1;
    let frame: Buffer;
    try {
      frame = encodeMessage(
        {
          program: REMOTE_PROGRAM,
          version: REMOTE_PROTOCOL_VERSION,
          procedure,
          type: MessageType.CALL,
          serial,
          status: MessageStatus.OK,
        },
        writeArgs ?? undefined,
      );
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise<T>((resolve, reject) => {
      // setTimeout takes at most 2^31 - 1 ms (longer fires at once).
      const timer = setTimeout(
        () => {
          if (this.pending.delete(serial)) reject(new LibvirtTimeoutError(procedure, timeoutMs));
        },
        Math.min(Math.max(1, timeoutMs), MAX_TIMER_MS),
      );
      this.pending.set(serial, {
        procedure,
        resolve: resolve as (v: unknown) => void,
        reject,
        decode,
        timer,
      });
      this.socket.write(frame);
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state === 'closed') return;
    this.keepalive?.received(Date.now());
    const err = this.frames.push(chunk, this.onMessage);
    if (err) this.fail(err);
  };

  private readonly onMessage = (frame: Buffer): void => {
    const decoded = decodeMessage(frame);
    if (!decoded.ok) {
      this.log.warn(
        { uri: this.uri.uri, err: decoded.error.message },
        'libvirt message with a bad header dropped',
      );
      return;
    }
    const { header, body } = decoded.value;
    if (header.program === KEEPALIVE_PROGRAM) {
      if (header.type === MessageType.MESSAGE && header.procedure === KEEPALIVE_PROC_PING)
        this.sendKeepalive(KEEPALIVE_PROC_PONG);
      return;
    }
    if (header.program !== REMOTE_PROGRAM || header.version !== REMOTE_PROTOCOL_VERSION) {
      this.log.warn(
        { uri: this.uri.uri, program: header.program, version: header.version, procedure: header.procedure },
        'libvirt message for an unknown program dropped',
      );
      return;
    }
    if (header.type === MessageType.REPLY) this.onReply(header.serial, header.procedure, header.status, body);
    else if (header.type === MessageType.MESSAGE) this.onEvent(header.procedure, body);
    else {
      this.log.warn(
        { uri: this.uri.uri, type: header.type, procedure: header.procedure },
        'libvirt message of an unexpected type dropped',
      );
    }
  };

  private onReply(serial: number, procedure: number, status: number, body: Buffer): void {
    const call = this.pending.get(serial);
    if (!call) {
      this.log.debug(
        { uri: this.uri.uri, serial, procedure },
        'libvirt reply for no pending call (timed out?) dropped',
      );
      return;
    }
    this.pending.delete(serial);
    clearTimeout(call.timer);
    if (procedure !== call.procedure) {
      call.reject(
        new LibvirtProtocolError(
          'unexpected',
          `reply to serial ${serial} names procedure ${procedure}, the call was ${call.procedure}`,
        ),
      );
      return;
    }
    if (status === MessageStatus.OK) {
      const result = call.decode(body);
      if (result.ok) call.resolve(result.value);
      else call.reject(result.error);
    } else if (status === MessageStatus.ERROR) {
      const result = decodeRemoteError(body);
      if (result.ok) {
        result.value.procedure = procedure;
        call.reject(result.value);
      } else {
        call.reject(result.error);
      }
    } else {
      call.reject(
        new LibvirtProtocolError('unexpected', `reply to procedure ${procedure} with status ${status}`),
      );
    }
  }

  private onEvent(procedure: number, body: Buffer): void {
    if (procedure === Procedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE) {
      const result = decodeLifecycleEvent(body);
      if (!result.ok) {
        this.log.warn({ uri: this.uri.uri, err: result.error.message }, 'libvirt lifecycle event dropped');
        return;
      }
      this.emitSafely('lifecycle', result.value);
      return;
    }
    this.emitSafely('message', procedure, body);
  }

  /** Listener exceptions must not break the stream: they are logged, never thrown into the decoder. */
  private emitSafely<K extends keyof LibvirtClientEvents>(event: K, ...args: LibvirtClientEvents[K]): void {
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.log.warn({ uri: this.uri.uri, event, err: String(err) }, 'libvirt event listener threw');
    }
  }

  private sendKeepalive(procedure: number): void {
    if (this.state === 'closed') return;
    this.socket.write(
      encodeMessage({
        program: KEEPALIVE_PROGRAM,
        version: KEEPALIVE_PROTOCOL_VERSION,
        procedure,
        type: MessageType.MESSAGE,
        serial: 0,
        status: MessageStatus.OK,
      }),
    );
  }

  private startKeepalive(options: KeepaliveOptions): void {
    this.keepalive = new Keepalive(options, Date.now());
    const schedule = (): void => {
      if (!this.keepalive || this.state === 'closed') return;
      this.keepaliveTimer = setTimeout(
        () => {
          if (!this.keepalive || this.state === 'closed') return;
          const action = this.keepalive.tick(Date.now());
          if (action === 'ping') {
            this.log.debug(
              { uri: this.uri.uri, unanswered: this.keepalive.unanswered },
              'libvirt keepalive ping',
            );
            this.sendKeepalive(KEEPALIVE_PROC_PING);
          } else if (action === 'dead') {
            this.fail(
              new LibvirtConnectionError(
                `libvirt at ${this.uri.uri} did not answer ${options.count} keepalive pings ` +
                  `(${options.intervalMs} ms apart)`,
              ),
            );
            return;
          }
          schedule();
        },
        this.keepalive.nextDue(Date.now()) + 1,
      );
      this.keepaliveTimer.unref();
    };
    schedule();
  }

  /** Ends the connection once: stops timers, fails pending calls, emits 'error' (if listened) and 'close'. */
  private fail(error: Error | null, announce = true): void {
    if (this.state === 'closed') return;
    const wasConnecting = this.state === 'connecting';
    this.state = 'closed';
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = null;
    this.keepalive = null;
    this.socket.destroy();
    const reason = error ?? new LibvirtConnectionError(`libvirt connection ${this.uri.uri} closed`);
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(reason);
    }
    this.pending.clear();
    if (!announce || wasConnecting) return;
    if (error) {
      this.log.warn({ uri: this.uri.uri, err: error.message }, 'libvirt connection lost');
      if (this.listenerCount('error') > 0) this.emitSafely('error', error);
    } else {
      this.log.debug({ uri: this.uri.uri }, 'libvirt connection closed');
    }
    this.emitSafely('close', { error });
  }
}

function authName(type: number): string {
  return type === AuthType.SASL ? 'sasl' : type === AuthType.POLKIT ? 'polkit' : `type ${type}`;
}

export { LibvirtError };
